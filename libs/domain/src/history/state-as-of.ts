import type { CaseStateAfter, PseCaseEventEnvelope } from '../pse-case/pse-case.events';
import { foldCase, stateOf, toStateAfter, type PseCaseSnapshot } from '../pse-case/pse-case.fold';

/** The two time axes of an as-of query (SPEC §4): business date and record time. */
export interface AsOf {
  /** Business time: events that took effect at or before it. */
  asOf: string;
  /** Record time: only what the system had learnt by then (default: everything recorded). */
  knownAt?: string;
}

/** A case as it stood on `asOf`, as known at `knownAt`. */
export interface CaseAsOf {
  state: CaseStateAfter | null;
  snapshot: PseCaseSnapshot;
  eventCount: number;
}

/** The events a bitemporal query sees: recorded by `knownAt` and in effect by `asOf`. */
export function eventsAsOf(envelopes: readonly PseCaseEventEnvelope[], query: AsOf): PseCaseEventEnvelope[] {
  const asOf = Date.parse(query.asOf);
  const knownAt = query.knownAt === undefined ? Infinity : Date.parse(query.knownAt);
  return envelopes.filter((e) => Date.parse(e.occurredAt) <= asOf && Date.parse(e.recordedAt) <= knownAt);
}

/** Folds a case bitemporally; `state` is null when the case did not exist (or was not known) then. */
export function stateAsOf(envelopes: readonly PseCaseEventEnvelope[], query: AsOf): CaseAsOf {
  const seen = eventsAsOf(envelopes, query);
  const snapshot = foldCase(seen);
  return {
    state: stateOf(snapshot).state === 'absent' ? null : toStateAfter(snapshot),
    snapshot,
    eventCount: seen.length,
  };
}

/** How many cases were in each state on `asOf`, as known at `knownAt` (the population view of SPEC §4). */
export function stateCountsAsOf(
  histories: Iterable<readonly PseCaseEventEnvelope[]>,
  query: AsOf,
): Partial<Record<CaseStateAfter['state'], number>> {
  const counts: Partial<Record<CaseStateAfter['state'], number>> = {};
  for (const envelopes of histories) {
    const { state } = stateAsOf(envelopes, query);
    if (state) counts[state.state] = (counts[state.state] ?? 0) + 1;
  }
  return counts;
}
