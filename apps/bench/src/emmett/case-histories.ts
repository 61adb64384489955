import { GlobalLog } from '@sanksi/read-models/testing';

/** One event of a case history as both stores take it: type, payload and the envelope's metadata. */
export interface HistoryEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** A case's stream and the history appended to it, one event per call with an expected version. */
export interface CaseStream {
  streamId: string;
  events: HistoryEvent[];
}

/** Events in every case history the workload builds (the 2022 ladder in eight steps). */
export const EVENTS_PER_CASE = 8;

/**
 * `cases` realistic case histories on streams named `pse-<run>-<i>`: identified, warned, deadline
 * elapsed, blocked, then restored or registered, re-blocked or confirmed, fined or updated, paid or
 * updated — each event's metadata carrying the case state after it, as the domain records it.
 */
export function caseHistories(run: string, cases: number): CaseStream[] {
  const log = new GlobalLog();
  const histories = Array.from({ length: cases }, (_, i) =>
    log.case(`${run}-${i}`, {
      name: `System ${run} ${i}`,
      domains: [`s${i}.${run}.example`, `www.s${i}.${run}.example`],
      origin: i % 3 === 0 ? 'domestic' : 'foreign',
    }),
  );
  const day = (d: number, i: number): string => new Date(Date.UTC(2022, 6, 1 + d, 2, i % 60)).toISOString();
  const steps: Array<(c: (typeof histories)[number], i: number) => void> = [
    (c, i) => c.identified(day(0, i)),
    (c, i) => c.warned(day(20, i), `B-${i}/2022`, day(27, i)),
    (c, i) => c.deadlineElapsed(day(28, i), ['BlockAccess']),
    (c, i) => c.blocked(day(29, i), `ORD-${i}/2022`),
    (c, i) => (i % 4 === 0 ? c.temporarilyRestored(day(30, i), day(35, i)) : c.submitted(day(30, i), 'oss')),
    (c, i) =>
      i % 4 === 0
        ? c.reBlocked(day(36, i))
        : c.confirmed(day(37, i), `${String(i).padStart(6, '0')}.01/DJAI.PSE/08/2022`, true),
    (c, i) =>
      i % 5 === 0
        ? c.fined(day(60, i), `F-${i}`, 1_000_000, day(90, i))
        : c.profileUpdated(day(60, i), [`s${i}.${run}.example`]),
    (c, i) =>
      i % 5 === 0
        ? c.paid(day(80, i), `F-${i}`, 1_000_000)
        : c.profileUpdated(day(80, i), [`s${i}.${run}.example`, `m.s${i}.${run}.example`]),
  ];
  for (const step of steps) histories.forEach((c, i) => step(c, i));
  const byStream = new Map<string, HistoryEvent[]>();
  for (const e of log.all()) {
    const events = byStream.get(e.streamId) ?? [];
    events.push({ type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata });
    byStream.set(e.streamId, events);
  }
  return [...byStream].map(([streamId, events]) => ({ streamId, events }));
}

/** Writer `w`'s streams when `writers` writers share `streams`: round robin, each stream to one writer. */
export function streamsOfWriter<T>(streams: readonly T[], writers: number, w: number): T[] {
  return streams.filter((_, i) => i % writers === w);
}

/** How many events a set of case streams holds. */
export function eventCount(streams: readonly CaseStream[]): number {
  return streams.reduce((n, s) => n + s.events.length, 0);
}
