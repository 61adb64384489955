import type { ReadModelEvent } from '../events/read-model-event';
import { ProjectionFailed } from '../read-model.errors';
import {
  type BlocklistChange,
  type CaseBlocklistEntry,
  diffBlocklist,
  normaliseDomains,
  projectBlocklistEntry,
} from './blocklist.projection';
import { type CaseSummaryRow, projectCaseSummary } from './case-summary.projection';
import { type CaseTimelineRow, projectTimelineEntry } from './case-timeline.projection';
import { type DeadlineRow, projectDeadlines } from './deadlines.projection';
import {
  type FineRow,
  type FinesMonthDelta,
  fineIdOf,
  fineMonthDelta,
  projectFine,
} from './fines.projection';
import { type RegistryRow, projectRegistryEntry } from './registry.projection';
import { type StateTransitionRow, projectStateTransition } from './state-transitions.projection';
import { businessDate } from '../time.util';
import {
  type WarningToRegistrationRow,
  projectWarningToRegistration,
} from './warning-to-registration.projection';

/** The rows a batch's events fold into, as loaded from the store before the batch. */
export interface BatchContext {
  summaries: Map<string, CaseSummaryRow>;
  blocklist: Map<string, CaseBlocklistEntry>;
  registry: Map<string, RegistryRow>;
  warningToRegistration: Map<string, WarningToRegistrationRow>;
  /** Keyed by `fineKey(pseId, fineId)`. */
  fines: Map<string, FineRow>;
  /** Pending deadlines of each case that has any (a case without an entry has none). */
  deadlines: Map<string, DeadlineRow[]>;
}

/** A row of `transitions_daily` (or a change to it). */
export interface TransitionsDailyDelta {
  businessDate: string;
  fromState: string;
  toState: string;
  count: number;
}

/** Everything a batch changes, ready for the store to write in one transaction. */
export interface BatchChanges {
  /** Final summary of every case the batch touched. */
  summaries: Map<string, CaseSummaryRow>;
  /** Discovery keys of the cases whose domains changed (replace that case's `case_domains`). */
  caseDomains: Map<string, string[]>;
  /** App ids and IP addresses of the cases whose set changed (replace that case's `case_addresses`). */
  caseAddresses: Map<string, CaseAddress[]>;
  timeline: CaseTimelineRow[];
  /** Final blocklist entry of each case whose listing changed (undefined: no longer listed). */
  blocklist: Map<string, CaseBlocklistEntry | undefined>;
  blocklistChanges: BlocklistChange[];
  transitions: StateTransitionRow[];
  /** Per `date|state`: the planner's part of `state_deltas_daily` (see addDailySeriesChange). */
  stateDeltas: Map<string, { businessDate: string; state: string; n: number }>;
  /** Per business date: the planner's part of `blocklist_deltas_daily`. */
  blocklistDeltas: Map<string, { businessDate: string; added: number; removed: number }>;
  /**
   * Per `recordedAt|date|state`: the same increments under their events' record times (decision 0019); a
   * backdated event's apart from a live one's (`backdated`, a key of its own), as they are kept apart.
   */
  stateDeltasRecorded: Map<
    string,
    { recordedAt: string; backdated: boolean; businessDate: string; state: string; n: number }
  >;
  /** Per `recordedAt|date`: the blocklist's increments under their events' record times. */
  blocklistDeltasRecorded: Map<
    string,
    { recordedAt: string; backdated: boolean; businessDate: string; added: number; removed: number }
  >;
  /**
   * Record-time intervals in which a case's recorded events are not a prefix of its revisions: an event
   * recorded before the case's event before it, from its record time until that one's (decision 0019).
   */
  recordDescents: Array<{ knownFrom: string; knownUntil: string }>;
  /** Revisions whose change to the daily series the store works out from the case's timeline. */
  revisionDeltas: Array<{ pseId: string; revision: number; recordedAt: string; backdated: boolean }>;
  transitionsDaily: Map<string, TransitionsDailyDelta>;
  fines: Map<string, FineRow>;
  finesMonthly: Map<string, FinesMonthDelta>;
  warningToRegistration: Map<string, WarningToRegistrationRow>;
  /** Final register entry of each case the batch touched (undefined: not on the register). */
  registry: Map<string, RegistryRow | undefined>;
  /** Full set of pending deadlines of every case whose set changed (empty: it has none now). */
  deadlines: Map<string, DeadlineRow[]>;
}

/** An app-store id or public IP address a case names, as `case_addresses` keeps it for search. */
export interface CaseAddress {
  kind: 'app-id' | 'ip';
  address: string;
}

/** A case's app ids and IP addresses, each once: the rows of `case_addresses` for it. */
export function caseAddresses(row: Pick<CaseSummaryRow, 'appIds' | 'ipAddresses'>): CaseAddress[] {
  return [
    ...[...new Set(row.appIds)].map((address) => ({ kind: 'app-id' as const, address })),
    ...[...new Set(row.ipAddresses)].map((address) => ({ kind: 'ip' as const, address })),
  ];
}

/** Key of a fine in `BatchContext.fines`: fine ids are unique within a case. */
export function fineKey(pseId: string, fineId: string): string {
  return `${pseId}\u0000${fineId}`;
}

/** The key a domain is matched on for discovery: normalised, without a leading `www.`. */
export function domainKey(domain: string): string {
  const [n] = normaliseDomains([domain]);
  return (n ?? '').replace(/^www\./, '');
}

/** The discovery keys of a case's domains, each once. */
export function domainKeys(domains: readonly string[]): string[] {
  return [...new Set(domains.map(domainKey).filter((d) => d.length > 0))];
}

/** The case ids a batch touches: the store loads their rows before planning. */
export function casesOf(events: readonly ReadModelEvent[]): string[] {
  return [...new Set(events.map((e) => e.pseId))];
}

function run<T>(projection: string, event: ReadModelEvent, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProjectionFailed) throw e;
    throw new ProjectionFailed({
      projection,
      event: {
        eventId: event.eventId,
        type: event.type,
        position: event.position,
        streamId: event.streamId,
        pseId: event.pseId,
      },
      reason: e instanceof Error ? e.message : String(e),
      cause: e,
    });
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function deadlineKey(d: DeadlineRow): string {
  return `${d.kind}|${d.fineId ?? ''}|${d.dueAt}|${d.caseState}`;
}

/** Same rows, in any order: most events leave a case's deadlines as they were. */
function sameDeadlines(a: readonly DeadlineRow[], b: readonly DeadlineRow[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  const keys = new Set(a.map(deadlineKey));
  return b.every((d) => keys.has(deadlineKey(d)));
}

/** An event's record time, and whether it is backdated: where its increments are kept by record time. */
interface RecordedAs {
  recordedAt: string;
  backdated: boolean;
}

/** The key of an increment by record time: a backdated event's apart from a live one's at the same instant. */
const recordedKey = (at: RecordedAs, key: string): string =>
  `${at.backdated ? 'b' : 'l'}${at.recordedAt}|${key}`;

/** Adds `n` to the planner's part of `state_deltas_daily` on a date, and of the increments by record time. */
function addStateDelta(changes: BatchChanges, at: RecordedAs, date: string, state: string, n: number): void {
  const k = `${date}|${state}`;
  const acc = changes.stateDeltas.get(k);
  if (acc) acc.n += n;
  else changes.stateDeltas.set(k, { businessDate: date, state, n });
  const r = recordedKey(at, k);
  const recorded = changes.stateDeltasRecorded.get(r);
  if (recorded) recorded.n += n;
  else
    changes.stateDeltasRecorded.set(r, {
      recordedAt: at.recordedAt,
      backdated: at.backdated,
      businessDate: date,
      state,
      n,
    });
}

/** Adds to the planner's part of `blocklist_deltas_daily` on a date, and of the increments by record time. */
function addBlocklistDelta(
  changes: BatchChanges,
  at: RecordedAs,
  date: string,
  added: number,
  removed: number,
): void {
  const acc = changes.blocklistDeltas.get(date) ?? { businessDate: date, added: 0, removed: 0 };
  acc.added += added;
  acc.removed += removed;
  changes.blocklistDeltas.set(date, acc);
  const r = recordedKey(at, date);
  const recorded = changes.blocklistDeltasRecorded.get(r) ?? {
    recordedAt: at.recordedAt,
    backdated: at.backdated,
    businessDate: date,
    added: 0,
    removed: 0,
  };
  recorded.added += added;
  recorded.removed += removed;
  changes.blocklistDeltasRecorded.set(r, recorded);
}

/**
 * The effective change the planner itself made for a case's last event in this batch: that event's revision and
 * its listed domains minus its effective predecessor's (its own feed lines, or, when it took the place of an event
 * at the same instant, that event's and its own).
 */
interface PlannedChange {
  revision: number;
  lines: number;
}

/**
 * An event's change to the daily series (`state_deltas_daily`, `blocklist_deltas_daily`): the effective
 * changes of docs/read-models.md, "Daily series". The case's last event is always effective, and the one
 * with the latest business time among its effective events. So an event that occurred after the case's
 * last event adds one effective change — from the last event's state and listed domains to its own, on
 * its business date — and hides nothing. One at the same instant hides the last event and takes its
 * place, from the same predecessor on the same date: the states move from the last event's to its own as
 * before, and the blocklist's additions and removals are unchanged when the event lists what the last one
 * did. When it lists other domains, the date's additions and removals go from the last event's change to
 * its own — which needs the last event's change, known when the planner made it in this batch (`planned`:
 * an automatic block at its deadline's elapse, appended with it). Any other event (dated before the last
 * one, or at its instant with other listed domains after an event of an earlier batch) may hide several
 * effective events whose predecessors only the case's timeline knows: the store works its change out from
 * there (`revisionDeltas`).
 */
function addDailySeriesChange(
  changes: BatchChanges,
  event: ReadModelEvent,
  before: CaseSummaryRow | undefined,
  feed: readonly BlocklistChange[],
  planned: Map<string, PlannedChange>,
): void {
  let lines = 0;
  for (const f of feed) lines += f.action === 'add' ? 1 : -1;
  // Kept by record time too: a backdated event's apart (decision 0019).
  const recorded: RecordedAs = { recordedAt: event.recordedAt, backdated: event.backdated === true };
  const sameInstant = before !== undefined && event.occurredAt === before.updatedAt;
  const last = planned.get(event.pseId);
  const lastPlanned = last !== undefined && before !== undefined && last.revision === before.version - 1;
  if (
    before !== undefined &&
    (event.occurredAt < before.updatedAt || (sameInstant && lines !== 0 && !lastPlanned))
  ) {
    planned.delete(event.pseId);
    changes.revisionDeltas.push({ pseId: event.pseId, revision: event.revision, ...recorded });
    return;
  }
  const date = businessDate(event.occurredAt);
  if (before?.state !== event.state.state) {
    addStateDelta(changes, recorded, date, event.state.state, 1);
    if (before) addStateDelta(changes, recorded, date, before.state, -1);
  }
  // The last event's own change on this date, which this event's replaces (none: a change after it).
  const replaced = sameInstant ? (lastPlanned ? last.lines : undefined) : 0;
  if (replaced === undefined) {
    // At the same instant, listing what the last event did: the blocklist's change stays the last event's.
    planned.delete(event.pseId);
    return;
  }
  planned.set(event.pseId, { revision: event.revision, lines: replaced + lines });
  if (lines === 0) return;
  addBlocklistDelta(
    changes,
    recorded,
    date,
    Math.max(0, replaced + lines) - Math.max(0, replaced),
    Math.max(0, -replaced - lines) - Math.max(0, -replaced),
  );
}

/**
 * Folds a batch of events, in global order, through every projection, starting from the rows in
 * `context` (which it does not mutate). Pure: the store loads before and writes after. Throws
 * `ProjectionFailed` naming the first event a projection throws on; nothing of the batch is kept then.
 */
export function planBatch(context: BatchContext, events: readonly ReadModelEvent[]): BatchChanges {
  const summaries = new Map(context.summaries);
  const blocklist = new Map<string, CaseBlocklistEntry | undefined>(context.blocklist);
  const registry = new Map<string, RegistryRow | undefined>(context.registry);
  const w2r = new Map(context.warningToRegistration);
  const allFines = new Map(context.fines);
  const allDeadlines = new Map(context.deadlines);
  const planned = new Map<string, PlannedChange>();
  const changes: BatchChanges = {
    summaries: new Map(),
    caseDomains: new Map(),
    caseAddresses: new Map(),
    timeline: [],
    blocklist: new Map(),
    blocklistChanges: [],
    transitions: [],
    stateDeltas: new Map(),
    blocklistDeltas: new Map(),
    stateDeltasRecorded: new Map(),
    blocklistDeltasRecorded: new Map(),
    recordDescents: [],
    revisionDeltas: [],
    transitionsDaily: new Map(),
    fines: new Map(),
    finesMonthly: new Map(),
    warningToRegistration: new Map(),
    registry: new Map(),
    deadlines: new Map(),
  };

  for (const event of events) {
    const id = event.pseId;
    const before = summaries.get(id);
    const after = run('case_summary', event, () => projectCaseSummary(before, event));
    summaries.set(id, after);
    changes.summaries.set(id, after);
    if (!before || !sameList(before.domains, after.domains)) {
      changes.caseDomains.set(id, domainKeys(after.domains));
    }
    if (
      !before ||
      !sameList(before.appIds, after.appIds) ||
      !sameList(before.ipAddresses, after.ipAddresses)
    ) {
      const addresses = caseAddresses(after);
      // A new case with none has nothing to replace; most cases never name any.
      if (before || addresses.length > 0) changes.caseAddresses.set(id, addresses);
    }

    changes.timeline.push(run('case_timeline', event, () => projectTimelineEntry(event)));

    const listedBefore = blocklist.get(id);
    const listedAfter = run('blocklist', event, () => projectBlocklistEntry(listedBefore, event));
    const feed = diffBlocklist(listedBefore, listedAfter, event);
    blocklist.set(id, listedAfter);
    if (feed.length > 0) {
      changes.blocklistChanges.push(...feed);
      changes.blocklist.set(id, listedAfter);
    }

    addDailySeriesChange(changes, event, before, feed, planned);
    // Instants are UTC text (toReadModelEvent): text order is time order.
    if (before !== undefined && event.recordedAt < before.recordedAt)
      changes.recordDescents.push({ knownFrom: event.recordedAt, knownUntil: before.recordedAt });

    const transition = run('state_transitions', event, () => projectStateTransition(before, event));
    if (transition) {
      changes.transitions.push(transition);
      if (transition.fromState !== transition.toState) {
        const k = `${transition.businessDate}|${transition.fromState}|${transition.toState}`;
        const acc = changes.transitionsDaily.get(k);
        changes.transitionsDaily.set(k, {
          businessDate: transition.businessDate,
          fromState: transition.fromState,
          toState: transition.toState,
          count: (acc?.count ?? 0) + 1,
        });
      }
    }

    const fineId = fineIdOf(event);
    if (fineId !== undefined) {
      const k = fineKey(id, fineId);
      const fine = run('fines', event, () => projectFine(allFines.get(k), event));
      if (fine) {
        allFines.set(k, fine);
        changes.fines.set(k, fine);
      }
    }
    const month = run('fines_monthly', event, () => fineMonthDelta(before, event));
    if (month) {
      const acc = changes.finesMonthly.get(month.month);
      changes.finesMonthly.set(
        month.month,
        acc
          ? {
              month: acc.month,
              imposedCount: acc.imposedCount + month.imposedCount,
              imposedIdr: acc.imposedIdr + month.imposedIdr,
              paidCount: acc.paidCount + month.paidCount,
              paidIdr: acc.paidIdr + month.paidIdr,
              annulledCount: acc.annulledCount + month.annulledCount,
              annulledIdr: acc.annulledIdr + month.annulledIdr,
            }
          : month,
      );
    }

    const w = w2r.get(id);
    const w2 = run('warning_to_registration', event, () => projectWarningToRegistration(w, event));
    if (w2 && w2 !== w) {
      w2r.set(id, w2);
      changes.warningToRegistration.set(id, w2);
    }

    const listed = registry.get(id);
    const entry = run('registry', event, () => projectRegistryEntry(listed, event));
    registry.set(id, entry);
    // Most cases are never on the register: nothing to write for them.
    if (entry !== undefined || listed !== undefined) changes.registry.set(id, entry);

    const pending = run('deadlines', event, () => projectDeadlines(event));
    // Only a changed set is rewritten (delete + insert); an unchanged one stays as stored.
    if (!sameDeadlines(allDeadlines.get(id) ?? [], pending)) {
      allDeadlines.set(id, pending);
      changes.deadlines.set(id, pending);
    }
  }
  return changes;
}

/** The context after a batch's changes: what the store would load for the next batch. */
export function advanceContext(context: BatchContext, changes: BatchChanges): BatchContext {
  const next: BatchContext = {
    summaries: new Map(context.summaries),
    blocklist: new Map(context.blocklist),
    registry: new Map(context.registry),
    warningToRegistration: new Map(context.warningToRegistration),
    fines: new Map(context.fines),
    deadlines: new Map(context.deadlines),
  };
  for (const [k, v] of changes.summaries) next.summaries.set(k, v);
  for (const [k, v] of changes.blocklist) {
    if (v) next.blocklist.set(k, v);
    else next.blocklist.delete(k);
  }
  for (const [k, v] of changes.registry) {
    if (v) next.registry.set(k, v);
    else next.registry.delete(k);
  }
  for (const [k, v] of changes.warningToRegistration) next.warningToRegistration.set(k, v);
  for (const [k, v] of changes.fines) next.fines.set(k, v);
  for (const [k, v] of changes.deadlines) {
    if (v.length > 0) next.deadlines.set(k, v);
    else next.deadlines.delete(k);
  }
  return next;
}
