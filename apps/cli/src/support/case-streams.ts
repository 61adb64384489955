import { type CaseEvents, listCaseIds, readCases } from '@sanksi/application';
import type { EventStore } from '@sanksi/event-store';

export { listCaseIds };

/** A slice of the population: `first` is the index (in `pseIds`) of its first case. */
export interface CaseChunk {
  first: number;
  cases: CaseEvents[];
}

/** How big a chunk grows before it is handed on: enough work to pay for a thread hop, small in memory. */
export interface ChunkLimits {
  cases: number;
  events: number;
}

const DEFAULT_LIMITS: ChunkLimits = { cases: 64, events: 4_000 };

/**
 * Reads the given cases stream by stream and yields them in chunks, in order; only the chunk being
 * filled is held here, so memory follows the chunk size, not the population.
 */
export async function* readCaseChunks(
  store: EventStore,
  pseIds: readonly string[],
  limits: ChunkLimits = DEFAULT_LIMITS,
): AsyncGenerator<CaseChunk> {
  let chunk: CaseChunk = { first: 0, cases: [] };
  let events = 0;
  let read = 0;
  for await (const one of readCases(store, pseIds)) {
    read += 1;
    chunk.cases.push(one);
    events += one.envelopes.length;
    if (chunk.cases.length >= limits.cases || events >= limits.events) {
      yield chunk;
      chunk = { first: read, cases: [] };
      events = 0;
    }
  }
  if (chunk.cases.length > 0) yield chunk;
}

/** Runs `work` over `items` with at most `limit` in flight, preserving nothing but completion. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
