import { createRuntime, loadConfig } from '@sanksi/application';
import type { CatchUpResult } from '@sanksi/read-models';
import pino from 'pino';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * What the projection thread is given: the environment to open the stores with, and whether the log is
 * still being appended (a simulation: wait for `appends-done`) or complete (`projections rebuild`).
 */
export interface ProjectionWorkerData {
  env: Record<string, string | undefined>;
  appending: boolean;
}

/** To the projection thread: the log is complete (every append of the simulation has committed). */
export type ProjectionWorkerCommand = { kind: 'appends-done' };

/** From the projection thread: what it projected once at the head, or why it stopped. */
export type ProjectionWorkerMessage =
  | { kind: 'done'; result: CatchUpResult }
  | { kind: 'error'; message: string };

// Entry point of the thread that projects a simulation while it appends (`sanksi simulate` into a fresh data
// directory, from the built `dist/`): its own runtime rebuilds the read models as the log grows — the same
// replay as `projections rebuild`, indexes set aside until the end — on the core the appends leave idle.
if (parentPort) {
  const port = parentPort;
  const data = workerData as ProjectionWorkerData;
  let appendsDone: () => void = () => undefined;
  const appending = new Promise<void>((resolve) => (appendsDone = resolve));
  port.on('message', (message: ProjectionWorkerCommand) => {
    if (message.kind === 'appends-done') appendsDone();
  });
  void (async () => {
    const runtime = await createRuntime(loadConfig(data.env), {
      logger: pino({ level: data.env.SANKSI_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
    });
    try {
      const result = await runtime.projector.rebuild(data.appending ? appending : undefined);
      port.postMessage({ kind: 'done', result } satisfies ProjectionWorkerMessage);
    } finally {
      await runtime.close();
      port.close();
    }
  })().catch((e: unknown) => {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    port.postMessage({ kind: 'error', message } satisfies ProjectionWorkerMessage);
    port.close();
  });
}
