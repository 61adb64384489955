import { createRuntime, loadConfig } from '@sanksi/application';
import { bulkAppendsOf, WriteTurns } from '@sanksi/event-store';
import pino from 'pino';
import { parentPort, workerData } from 'node:worker_threads';
import { type SimulationOptions, simulatePopulation } from './population-simulator';

/** What a simulation thread is given: its share of the population and the environment to open the stores. */
export interface SimulateWorkerData {
  options: Omit<SimulationOptions, 'onSystemDone'>;
  env: Record<string, string | undefined>;
  /** The threads' rotation (`WriteTurns.shared`); this thread is writer `options.share.index` in it. */
  turns: SharedArrayBuffer;
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
    // Each thread appends a burst through its own connection (see the command), its transactions in turn
    // with the other threads' (on a store that keeps turns: SQLite), so the log is the same on every run.
    const turns = new WriteTurns(data.turns, data.options.share?.index ?? 0);
    const endBulk = bulkAppendsOf(runtime.eventStore)?.beginBulkAppends({ turns });
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
      turns.leave();
      endBulk?.();
      await runtime.close();
    }
  })().catch((e: unknown) => {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    port.postMessage({ kind: 'error', message } satisfies SimulateWorkerMessage);
  });
}
