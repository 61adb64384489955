import { CASE_STREAM_CATEGORY, caseStreamId, fromStoredEvent } from '@sanksi/application';
import type { PseCaseEventEnvelope } from '@sanksi/domain';
import type { EventStore } from '@sanksi/event-store';

const PAGE = 5_000;

/**
 * Lists every case in the order of its first event in the global log (the order `verify` and
 * `what-if` report in), reading the log page by page and keeping only the ids.
 */
export async function listCaseIds(
  store: EventStore,
  onPage: (events: number) => void = () => undefined,
): Promise<string[]> {
  const seen = new Set<string>();
  const prefix = caseStreamId('');
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE, category: CASE_STREAM_CATEGORY });
    if (page.length === 0) break;
    for (const recorded of page) {
      seen.add(recorded.streamId.slice(prefix.length));
      after = recorded.position;
    }
    onPage(page.length);
  }
  return [...seen];
}

/** A slice of the population: `first` is the index (in `pseIds`) of its first case. */
export interface CaseChunk {
  first: number;
  cases: Array<{ pseId: string; envelopes: PseCaseEventEnvelope[] }>;
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
  for (let i = 0; i < pseIds.length; i++) {
    const recorded = await store.readStream(caseStreamId(pseIds[i]));
    const envelopes = recorded.map(fromStoredEvent);
    chunk.cases.push({ pseId: pseIds[i], envelopes });
    events += envelopes.length;
    if (chunk.cases.length >= limits.cases || events >= limits.events) {
      yield chunk;
      chunk = { first: i + 1, cases: [] };
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
