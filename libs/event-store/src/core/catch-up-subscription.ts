import type { ChangeSignal } from './change-signal';
import type { ReadAllOptions, RecordedEvent, SubscribeOptions } from './event-store.port';

/** What a catch-up subscription needs from an adapter. */
export interface SubscriptionSource {
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  changes: ChangeSignal;
  /** Upper bound on how long a caught-up subscriber sleeps without a signal (other processes' writes). */
  pollIntervalMs: number;
  /** Aborted when the store closes: every subscription then ends. */
  closed: AbortSignal;
}

/**
 * Catch-up then live: reads the global log in batches from the checkpoint, then sleeps until a change
 * signal or the polling interval. Pull-based, so a slow consumer holds at most one batch in memory.
 * Ends (without error) when `options.signal` aborts or the store closes.
 */
export async function* catchUpSubscription(
  source: SubscriptionSource,
  options: SubscribeOptions,
): AsyncGenerator<RecordedEvent, void, undefined> {
  const stop = options.signal ? AbortSignal.any([options.signal, source.closed]) : source.closed;
  const batchSize = options.batchSize ?? 500;
  let after = options.after ?? 0;
  while (!stop.aborted) {
    const seen = source.changes.current();
    let batch: RecordedEvent[];
    try {
      batch = await source.readAll({
        after,
        limit: batchSize,
        types: options.types,
        category: options.category,
      });
    } catch (error) {
      if (stop.aborted) return;
      throw error;
    }
    for (const event of batch) {
      if (stop.aborted) return;
      yield event;
      after = event.position;
    }
    if (batch.length < batchSize)
      await source.changes.waitSince(seen, source.pollIntervalMs, stop, options.category);
  }
}
