import { createRuntime, loadConfig } from '@sanksi/application';
import { bulkAppendsOf } from '@sanksi/event-store';
import pino from 'pino';
import { parentPort, workerData } from 'node:worker_threads';
import { type SimulationOptions, simulatePopulation } from './population-simulator';

/** What a simulation thread is given: its share of the population and the environment to open the stores. */
export interface SimulateWorkerData {
  options: Omit<SimulationOptions, 'onSystemDone'>;
  env: Record<string, string | undefined>;
}

/** A message from a simulation thread: systems done since the last one, or its report, or its failure. */
export type SimulateWorkerMessage =
  | { kind: 'progress'; systems: number }
  | { kind: 'report'; report: import('./population-simulator').SimulationReport }
  | { kind: 'error'; message: string };

// Entry point of a simulation thread (started by `sanksi simulate --threads N` from the built `dist/`):
// its own runtime — its own connection to the same stores — runs its share of the systems through the
// command path, and reports back; the main thread projects once every share is done.
if (parentPort) {
  const port = parentPort;
  const data = workerData as SimulateWorkerData;
  void (async () => {
    const runtime = await createRuntime(loadConfig(data.env), {
      logger: pino({ level: data.env.SANKSI_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
    });
    // Each thread appends a burst through its own connection (see the command).
    const endBulk = bulkAppendsOf(runtime.eventStore)?.beginBulkAppends();
    try {
      let done = 0;
      const timer = setInterval(() => {
        if (done > 0) port.postMessage({ kind: 'progress', systems: done } satisfies SimulateWorkerMessage);
        done = 0;
      }, 250);
      const report = await simulatePopulation(runtime.commands, {
        ...data.options,
        onSystemDone: () => (done += 1),
      }).finally(() => clearInterval(timer));
      port.postMessage({ kind: 'progress', systems: done } satisfies SimulateWorkerMessage);
      port.postMessage({ kind: 'report', report } satisfies SimulateWorkerMessage);
    } finally {
      endBulk?.();
      await runtime.close();
    }
  })().catch((e: unknown) => {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    port.postMessage({ kind: 'error', message } satisfies SimulateWorkerMessage);
  });
}
