import { NestFactory } from '@nestjs/core';
import type { SanksiRuntime, WorkerModule as WorkerModuleName } from '@sanksi/application';
import type { WorkerOptions, WorkerStatus } from './worker-loop';
import { WorkerModule } from './worker.module';
import { WorkerSupervisor } from './worker-supervisor';

export { relayCheckpoints } from './loops/relay.loop';
export type { WorkerOptions, WorkerStatus } from './worker-loop';

/** The running worker modules of a process. */
export interface WorkerHandle {
  /** The modules actually running (a Kafka module without `KAFKA_BROKERS` is skipped). */
  readonly modules: WorkerModuleName[];
  /** One status per running module. */
  statuses(): Promise<WorkerStatus[]>;
  /** Stops every module (each finishes the batch or tick in hand) and releases what they opened. */
  stop(): Promise<void>;
}

/**
 * Starts the worker modules named by `modules` (default: the configuration's `SANKSI_WORKER`) as a
 * Nest application context without HTTP: the projector, the Kafka relay, the deadline scheduler and
 * the OSS registration consumer. Resolves once they run; a missing broker is reported in the
 * statuses and retried, never thrown; a failed start stops what had started and rejects.
 */
export async function startWorker(
  runtime: SanksiRuntime,
  modules: readonly WorkerModuleName[] = runtime.config.worker,
  options: WorkerOptions = {},
): Promise<WorkerHandle> {
  const supervisor = new WorkerSupervisor(runtime, modules);
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRuntime({ runtime, options, supervisor }),
    { logger: false, abortOnError: false },
  );
  try {
    await app.init();
  } catch (e) {
    await supervisor.stop();
    await app.close().catch(() => undefined);
    throw e;
  }
  supervisor.announce();
  return handleOf(supervisor, () => app.close());
}

/** The handle of a supervisor whose application closes with `close` (which stops the loops). */
export function handleOf(supervisor: WorkerSupervisor, close: () => Promise<void>): WorkerHandle {
  let stopping: Promise<void> | null = null;
  return {
    get modules() {
      return supervisor.running;
    },
    statuses: () => supervisor.statuses(),
    stop: () => (stopping ??= close().then(() => supervisor.stop())),
  };
}
