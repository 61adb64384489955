import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig, youngGenerationLimits } from '@sanksi/application';
import type { CatchUpResult } from '@sanksi/read-models';
import { CliError, ExitCode } from '../cli.errors';
import type {
  ProjectionWorkerCommand,
  ProjectionWorkerData,
  ProjectionWorkerMessage,
} from './projection.worker';

/** The worker script, next to this file once built by swc. */
const WORKER_SCRIPT = path.join(__dirname, 'projection.worker.js');

/** A thread rebuilding the read models while the log is appended. */
export interface ProjectionThread {
  /** Tells the thread the log is complete and waits until it has projected all of it (indexes built). */
  finish(): Promise<CatchUpResult>;
  /** Ends the thread without waiting (the appends failed); the next open of the read models puts back what it set aside. */
  stop(): Promise<void>;
}

/**
 * Starts a thread that replays the log into empty read models as `projections rebuild` does, following it
 * while the caller appends (issue 10: the appends take one core, the projection the other) — or, with
 * `appending: false`, the rebuild itself, beside a running server's projector as in process (it waits for
 * that projector's replay). Undefined when the built script is missing (the CLI run from its sources): the
 * caller projects itself instead.
 */
export function startProjectionThread(
  env: NodeJS.ProcessEnv = process.env,
  { appending = true }: { appending?: boolean } = {},
): ProjectionThread | undefined {
  if (!existsSync(WORKER_SCRIPT)) return undefined;
  const worker = new Worker(WORKER_SCRIPT, {
    workerData: { env, appending } satisfies ProjectionWorkerData,
    resourceLimits: youngGenerationLimits(loadConfig(env).projectionYoungMb),
  });
  let outcome: ProjectionWorkerMessage | undefined;
  const failed = (message: string) =>
    new CliError(
      'SIMULATE_PROJECTION_FAILED',
      `projecting the simulated log failed (${message}); the log is whole: \`sanksi projections rebuild\` projects it`,
      ExitCode.failure,
    );
  worker.on('message', (message: ProjectionWorkerMessage) => (outcome ??= message));
  const exited = new Promise<CatchUpResult>((resolve, reject) => {
    worker.on('error', (error) => (outcome ??= { kind: 'error', message: error.message }));
    worker.on('exit', (code) => {
      if (outcome?.kind === 'done' && code === 0) resolve(outcome.result);
      else
        reject(failed(outcome?.kind === 'error' ? outcome.message : `the thread exited with code ${code}`));
    });
  });
  // Settled by `finish` or `stop`; never left unhandled in between.
  exited.catch(() => undefined);
  return {
    finish: () => {
      worker.postMessage({ kind: 'appends-done' } satisfies ProjectionWorkerCommand);
      return exited;
    },
    stop: async () => {
      await worker.terminate();
    },
  };
}
