import {
  ConfigurationInvalid,
  createRuntime,
  loadConfig,
  type RuntimeOptions,
  type SanksiRuntime,
  warnOfCalendarHorizon,
} from '@sanksi/application';
import { EventStoreSchemaTooNew } from '@sanksi/event-store';
import { ReadModelSchemaTooNew } from '@sanksi/read-models';
import type { WorkerHandle, WorkerOptions } from './worker';
import { startWorkerApp } from './worker-app';

/** The worker did not stop within `SANKSI_SHUTDOWN_TIMEOUT_MS`; the process exits non-zero anyway. */
export class ShutdownDeadlinePassed extends Error {
  readonly code = 'SHUTDOWN_DEADLINE_PASSED';
  constructor(readonly timeoutMs: number) {
    super(`the worker did not stop within ${timeoutMs} ms (SANKSI_SHUTDOWN_TIMEOUT_MS); exiting anyway`);
  }
}

/**
 * The worker process's exit code for what stopped it: 3 (as the CLI's "configuration") for an invalid
 * configuration or a database a newer build migrated — starting it again would fail the same way, so a
 * supervisor can stop retrying on it (systemd `RestartPreventExitStatus=3`) —, otherwise 1.
 */
export function exitCodeOf(error: unknown): 1 | 3 {
  return error instanceof ConfigurationInvalid ||
    error instanceof EventStoreSchemaTooNew ||
    error instanceof ReadModelSchemaTooNew
    ? 3
    : 1;
}

/** What the process listens to for shutdown (`process` in production, an emitter in tests). */
export interface SignalSource {
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/** A worker process that is running: `exited` settles after a signal stopped it and closed the stores. */
export interface WorkerProcess {
  runtime: SanksiRuntime;
  worker: WorkerHandle;
  /** Base URL of `/health/*` and `/metrics` (`WORKER_PORT`, default 3001), or null with `WORKER_PORT=off`. */
  url: string | null;
  exited: Promise<void>;
}

/**
 * The standalone worker: configuration from the environment, the runtime, the modules of
 * `SANKSI_WORKER` as a Nest application serving `/health/*` and `/metrics` on `WORKER_PORT`;
 * SIGTERM or SIGINT stops the modules gracefully, closes the HTTP port and the stores.
 */
export async function runWorkerProcess(
  env: NodeJS.ProcessEnv = process.env,
  signals: SignalSource = process,
  options: { runtime?: RuntimeOptions; worker?: WorkerOptions } = {},
): Promise<WorkerProcess> {
  const config = loadConfig(env);
  const runtime = await createRuntime(config, options.runtime);
  // The scheduler elapses working-day deadlines: a year before the holiday table runs out, say so in the
  // worker's log too, as the API does (docs/calendar.md). In `sanksi serve` the API's start says it.
  warnOfCalendarHorizon(runtime.logger, runtime.clock.now());
  let worker: WorkerHandle;
  let url: string | null;
  try {
    ({ worker, url } = await startWorkerApp({ runtime, modules: config.worker, options: options.worker }));
  } catch (e) {
    await runtime.close();
    throw e;
  }
  if (url) runtime.logger.info({ url }, 'worker health and metrics served');
  const exited = new Promise<void>((resolve, reject) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      runtime.logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'worker shutting down');
      // A module that never finishes its batch (a hung store) must not keep the process alive forever.
      const deadline = setTimeout(
        () => reject(new ShutdownDeadlinePassed(config.shutdownTimeoutMs)),
        config.shutdownTimeoutMs,
      );
      worker
        .stop()
        .then(() => runtime.close())
        .finally(() => clearTimeout(deadline))
        .then(resolve, reject);
    };
    signals.once('SIGTERM', () => shutdown('SIGTERM'));
    signals.once('SIGINT', () => shutdown('SIGINT'));
  });
  return { runtime, worker, url, exited };
}
