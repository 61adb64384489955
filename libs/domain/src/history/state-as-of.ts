import type { CaseStateAfter, PseCaseEventEnvelope } from '../pse-case/pse-case.events';
import { catchUp } from '../pse-case/pse-case.decider';
import { foldCase, stateOf, toStateAfter, type PseCaseSnapshot } from '../pse-case/pse-case.fold';

/** The two time axes of an as-of query (docs/regulation.md §9.6): business date and record time. */
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
  /** Events derived by business time (elapses and automatic escalations due by `asOf`) not yet recorded. */
  derived: number;
}

/** The events a bitemporal query sees: recorded by `knownAt` and in effect by `asOf`. */
export function eventsAsOf(envelopes: readonly PseCaseEventEnvelope[], query: AsOf): PseCaseEventEnvelope[] {
  const asOf = Date.parse(query.asOf);
  const knownAt = query.knownAt === undefined ? Infinity : Date.parse(query.knownAt);
  return envelopes.filter((e) => Date.parse(e.occurredAt) <= asOf && Date.parse(e.recordedAt) <= knownAt);
}

/**
 * Folds a case bitemporally; `state` is null when the case did not exist (or was not known) then. Business
 * time decides: deadlines of the known facts that were due by `asOf` count as elapsed, with their automatic
 * consequences, whether or not the scheduler had written them yet (`derived` counts those events).
 */
export function stateAsOf(envelopes: readonly PseCaseEventEnvelope[], query: AsOf): CaseAsOf {
  const seen = eventsAsOf(envelopes, query);
  const folded = foldCase(seen);
  if (stateOf(folded).state === 'absent')
    return { state: null, snapshot: folded, eventCount: seen.length, derived: 0 };
  // A view: the derived events are counted, never stored, so they need no place in the hash chain.
  const caughtUp = catchUp(folded, query.asOf, query.asOf, { hashChain: false });
  const snapshot = caughtUp.ok ? caughtUp.snapshot : folded;
  return {
    state: toStateAfter(snapshot),
    snapshot,
    eventCount: seen.length,
    derived: caughtUp.ok ? caughtUp.events.length : 0,
  };
}

/** How many cases were in each state on `asOf`, as known at `knownAt` (the population view of docs/regulation.md §9.6). */
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
