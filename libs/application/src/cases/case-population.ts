import type { PseCaseEventEnvelope } from '@sanksi/domain';
import type { EventStore } from '@sanksi/event-store';
import { CASE_STREAM_CATEGORY, caseStreamId, fromRecorded, pseIdOfStream } from '@sanksi/contracts';

const PAGE = 5_000;

/** One case's stored events, oldest first. */
export interface CaseEvents {
  pseId: string;
  envelopes: PseCaseEventEnvelope[];
}

/**
 * Lists every case in the order of its first event in the global log (the order whole-population replays
 * report in), reading the log page by page and keeping only the ids. `onPage` reports events read.
 */
export async function listCaseIds(
  store: Pick<EventStore, 'readAll'>,
  onPage: (events: number) => void = () => undefined,
): Promise<string[]> {
  const seen = new Set<string>();
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE, category: CASE_STREAM_CATEGORY });
    if (page.length === 0) break;
    for (const recorded of page) {
      seen.add(pseIdOfStream(recorded.streamId));
      after = recorded.position;
    }
    onPage(page.length);
  }
  return [...seen];
}

/** Reads the given cases one stream at a time, in order: memory holds one case, not the population. */
export async function* readCases(
  store: Pick<EventStore, 'readStream'>,
  pseIds: readonly string[],
): AsyncGenerator<CaseEvents> {
  for (const pseId of pseIds) {
    const recorded = await store.readStream(caseStreamId(pseId));
    yield { pseId, envelopes: recorded.map((event) => fromRecorded(event)) };
  }
}
