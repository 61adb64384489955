import { createEventStore, type EventStore, type EventStoreConfig } from '@sanksi/event-store';
import { parentPort, workerData } from 'node:worker_threads';
import { type LogRange, runReplayRange } from './replay-range';
import type { ReplayTask } from './replay-task';

/** What the pool hands every replay thread when it starts: how to open its own connection to the store. */
export interface ReplayWorkerData {
  eventStore: EventStoreConfig;
}

/** A request from the pool: one slice of the log and what to do with the cases that begin in it. */
interface RangeRequest {
  id: number;
  task: ReplayTask;
  range: LogRange;
  /** Findings to send back: the slice's first (Infinity: all of them). */
  keep: number;
  /** Send the findings as their listed text instead (`RangeResult.listed`). */
  listed: boolean;
}

// Entry point of a replay worker thread; started by the replay pool from the built `dist/`. Each thread
// reads its cases through a connection of its own, opened on its first slice.
if (parentPort) {
  const port = parentPort;
  let store: EventStore | null = null;
  port.on('message', (request: RangeRequest) => {
    store ??= createEventStore((workerData as ReplayWorkerData).eventStore);
    runReplayRange(request.task, store, request.range, request.keep, request.listed).then(
      // A slice's listed findings move to the main thread with their buffer (transferred, not copied).
      (result) =>
        port.postMessage(
          { id: request.id, result },
          result.listed ? [result.listed.bytes.buffer as ArrayBuffer] : [],
        ),
      (error: unknown) => {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        port.postMessage({ id: request.id, error: message });
      },
    );
  });
}
