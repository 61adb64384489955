import { CASE_STREAM_CATEGORY, fromStoredEvent } from '@sanksi/application';
import type { PseCaseEventEnvelope } from '@sanksi/domain';
import type { EventStore } from '@sanksi/event-store';

const PAGE = 5_000;

/**
 * Reads every case stream from the global log, page by page, and returns each case's events in
 * stream order. `onPage` reports how many events were read (for a progress bar).
 */
export async function readAllCases(
  store: EventStore,
  onPage: (events: number) => void = () => undefined,
): Promise<Map<string, PseCaseEventEnvelope[]>> {
  const cases = new Map<string, PseCaseEventEnvelope[]>();
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE, category: CASE_STREAM_CATEGORY });
    if (page.length === 0) break;
    for (const recorded of page) {
      const envelope = fromStoredEvent(recorded);
      const list = cases.get(envelope.pseId);
      if (list) list.push(envelope);
      else cases.set(envelope.pseId, [envelope]);
      after = recorded.position;
    }
    onPage(page.length);
  }
  // The global order is the append order, which is the stream order within a case; sort anyway.
  for (const list of cases.values()) list.sort((a, b) => a.revision - b.revision);
  return cases;
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
