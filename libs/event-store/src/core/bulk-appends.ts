import type { EventStore } from './event-store.port';
import type { WriteTurns } from './write-turns';

/** How a burst appends beside other writers of the same process. */
export interface BulkAppendsOptions {
  /**
   * This writer's place in a rotation with the process's other writers to the same store (threads of
   * one simulation): every transaction of the burst waits for the writer's turn and passes it on once
   * committed, so the writers' transactions interleave in the same order on every run.
   */
  turns?: WriteTurns;
}

/**
 * A store that can be told that one process is about to append a long burst on its own (a simulated
 * population, an import): it may then trade latency for throughput — group a whole event-loop turn's
 * appends into one transaction, keep more of its indexes in memory — without changing what an append
 * guarantees (each is still checked, committed with the configured durability, and answered after its
 * commit). Not part of `EventStore`: an optional capability, asked for with `bulkAppendsOf`.
 */
export interface BulkAppends {
  /**
   * Starts a burst; the function returned ends it (idempotent). Bursts may nest: the store goes back to
   * its usual settings when the last one ends; a burst's `turns` hold until that burst ends.
   */
  beginBulkAppends(options?: BulkAppendsOptions): () => void;
}

/** The store's bulk capability, or undefined when it has none (every store still appends as usual). */
export function bulkAppendsOf(store: EventStore): BulkAppends | undefined {
  const candidate = store as Partial<BulkAppends>;
  return typeof candidate.beginBulkAppends === 'function' ? (candidate as BulkAppends) : undefined;
}
