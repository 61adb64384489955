import { createActor, initialTransition, type ActorScope, type ExecutableActionObject } from 'xstate';
import type { PseCaseContext } from './pse-case.context';
import { fineOutstanding } from './pse-case.context';
import type {
  CaseMemory,
  CaseState,
  CaseStateAfter,
  Deadline,
  PolicyId,
  PseCaseEventEnvelope,
  PseCaseEventEnvelopeOf,
} from './pse-case.events';
import { pseCaseMachine } from './pse-case.machine';

/** A case's statechart snapshot, as produced by folding its events. */
export type PseCaseSnapshot = ReturnType<typeof pseCaseMachine.transition>;

type Scope = Parameters<typeof pseCaseMachine.transition>[2];

/**
 * One inert scope, reused by every fold: the standalone `transition` builds a fresh actor scope per call,
 * which dominates the cost of a fold (ARCHITECTURE.md, "Speed by design"). The scope carries no state:
 * the machine spawns nothing and its only executable action is collected, not run.
 */
function createInertScope(): { scope: Scope; collected: ExecutableActionObject[] } {
  const self = createActor(pseCaseMachine);
  const collected: ExecutableActionObject[] = [];
  const scope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    stopChild: () => undefined,
    actionExecutor: (action: ExecutableActionObject) => {
      collected.push(action);
    },
  } as unknown as ActorScope<PseCaseSnapshot, PseCaseEventEnvelope>;
  return { scope: scope as Scope, collected };
}

const shared = createInertScope();

// Snapshots are immutable, so every fold can start from the same one instead of building a scope for it.
const initial: PseCaseSnapshot = initialTransition(pseCaseMachine)[0];

/** The snapshot of a case before its first event (state `absent`). */
export function initialCaseSnapshot(): PseCaseSnapshot {
  return initial;
}

/** Applies one recorded event: exactly xstate's pure `transition`, with a reused scope. */
export function evolve(snapshot: PseCaseSnapshot, event: PseCaseEventEnvelope): PseCaseSnapshot {
  if (shared.collected.length > 0) shared.collected.length = 0;
  return pseCaseMachine.transition(snapshot, event, shared.scope);
}

const NO_ACTIONS: ExecutableActionObject[] = [];

/** Applies one event and returns the executable (outbound) actions it produced, like `transition`. */
export function evolveWithActions(
  snapshot: PseCaseSnapshot,
  event: PseCaseEventEnvelope,
): [PseCaseSnapshot, readonly ExecutableActionObject[]] {
  // Most events ask for no outbound action: then nothing is cleared or copied.
  if (shared.collected.length > 0) shared.collected.length = 0;
  const next = pseCaseMachine.transition(snapshot, event, shared.scope);
  return [next, shared.collected.length > 0 ? shared.collected.splice(0) : NO_ACTIONS];
}

/**
 * The snapshot with the hash of the event that led to it (a decision learns the hash only after the
 * transition, since it covers the state). The same state nodes, so a copy of the snapshot with a new
 * context: what `resolveState` would rebuild from the state value, without resolving it again. The
 * machine spawns no children and has no history states, so nothing else of the snapshot differs.
 */
export function withLastHash(snapshot: PseCaseSnapshot, hash: string): PseCaseSnapshot {
  return { ...snapshot, context: { ...snapshot.context, lastHash: hash } };
}

/** A fold in progress: applies a case's events one by one and remembers enough to rewind. */
export interface CaseFold {
  /** Applies the next event (revision order) and returns the snapshot after it. */
  apply(event: PseCaseEventEnvelope): PseCaseSnapshot;
  /** The snapshot after the last event applied. */
  readonly snapshot: PseCaseSnapshot;
}

/**
 * Starts a fold. Events go through the machine (`evolve`), except `ConsequencesRetracted`: it rewinds the
 * case to the snapshot after its `toRevision` (the retracted automatic events no longer hold), keeping
 * the revision, hash link and business time moving forward.
 */
export function startCaseFold(from?: PseCaseSnapshot): CaseFold {
  const initial = from ?? initialCaseSnapshot();
  let snapshot = initial;
  const after: Array<{ revision: number; snapshot: PseCaseSnapshot }> = [];
  return {
    apply(event) {
      snapshot =
        event.type === 'ConsequencesRetracted'
          ? rewind(snapshot, event, after, initial)
          : evolve(snapshot, event);
      after.push({ revision: event.revision, snapshot });
      return snapshot;
    },
    get snapshot() {
      return snapshot;
    },
  };
}

function rewind(
  current: PseCaseSnapshot,
  event: PseCaseEventEnvelopeOf<'ConsequencesRetracted'>,
  after: ReadonlyArray<{ revision: number; snapshot: PseCaseSnapshot }>,
  initial: PseCaseSnapshot,
): PseCaseSnapshot {
  let base = initial;
  for (const step of after) if (step.revision <= event.data.toRevision) base = step.snapshot;
  return pseCaseMachine.resolveState({
    value: base.value,
    context: {
      ...base.context,
      revision: event.revision,
      lastHash: event.hash,
      lastOccurredAt: event.occurredAt,
      retractions: current.context.retractions + 1,
    },
  });
}

/** Folds a case's events, in revision order, from the initial snapshot (retractions rewind). */
export function foldCase(events: readonly PseCaseEventEnvelope[], from?: PseCaseSnapshot): PseCaseSnapshot {
  const fold = startCaseFold(from);
  for (const event of events) fold.apply(event);
  return fold.snapshot;
}

/**
 * The history as it stands: every event except retraction markers and the automatic events they
 * retracted. Two recordings of one story — with the scheduler ahead of late facts or not — agree on it.
 */
export function effectiveHistory(events: readonly PseCaseEventEnvelope[]): PseCaseEventEnvelope[] {
  const retracted = new Set<string>();
  for (const event of events) {
    if (event.type === 'ConsequencesRetracted') for (const id of event.data.retracted) retracted.add(id);
  }
  return events.filter((e) => e.type !== 'ConsequencesRetracted' && !retracted.has(e.eventId));
}

/** The top-level state (docs/regulation.md §14) of a snapshot and its substate (or `absent` before `PseIdentified`). */
export function stateOf(snapshot: PseCaseSnapshot): { state: CaseState | 'absent'; substate: string | null } {
  const value = snapshot.value as string | Record<string, string>;
  if (typeof value === 'string') return { state: value as CaseState | 'absent', substate: null };
  const [state, substate] = Object.entries(value)[0];
  return { state: state as CaseState, substate };
}

/** Whether this case's domains are on the blocklist in this snapshot. */
export function isOnBlocklist(snapshot: PseCaseSnapshot): boolean {
  const { state, substate } = stateOf(snapshot);
  return state === 'revoked' || (state === 'blocked' && substate === 'enforced');
}

function byDue(a: Deadline, b: Deadline): number {
  return Date.parse(a.dueAt) - Date.parse(b.dueAt);
}

/** Fine totals of a case: imposed, paid, annulled and still outstanding rupiah. */
export function fineTotals(context: PseCaseContext): CaseStateAfter['fines'] {
  const totals = { imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 0 };
  for (const fine of Object.values(context.fines)) {
    totals.imposedIdr += fine.amountIdr;
    totals.paidIdr += fine.paidIdr;
    totals.annulledIdr += fine.annulledIdr;
    totals.outstandingIdr += fineOutstanding(fine);
  }
  return totals;
}

/** The `CaseStateAfter` an envelope carries, read off the snapshot its event led to. */
export function toStateAfter(snapshot: PseCaseSnapshot): CaseStateAfter {
  const { state, substate } = stateOf(snapshot);
  if (state === 'absent') throw new RangeError('A case that has not been identified has no state to record');
  const c = snapshot.context;
  const deadlines = [...c.deadlines].sort(byDue).map((d) => ({ ...d }));
  return {
    state,
    substate,
    value: snapshot.value,
    since: c.since,
    onBlocklist: isOnBlocklist(snapshot),
    domains: [...c.domains],
    // Only when there are any, so the state of cases without them is recorded as it always was.
    ...(c.appIds?.length ? { appIds: [...c.appIds] } : {}),
    ...(c.ipAddresses?.length ? { ipAddresses: [...c.ipAddresses] } : {}),
    name: c.name,
    origin: c.origin,
    company: c.company,
    sector: c.sector,
    registrationNumber: c.registrationNumber,
    warnings: c.warnings,
    blocks: c.blocks,
    fines: fineTotals(c),
    nextDeadline: deadlines[0] ?? null,
    deadlines,
    escalation: { pending: c.escalation.pending, allowed: [...c.escalation.allowed] },
  };
}

/**
 * The state an event decided under `eventPolicy` records: the public state and the case's memory
 * (`snapshotFromRecorded` reads it back).
 */
export function toRecordedState(snapshot: PseCaseSnapshot, eventPolicy: PolicyId): CaseStateAfter {
  const state = toStateAfter(snapshot);
  state.memory = memoryOf(snapshot.context, eventPolicy);
  return state;
}

/**
 * The snapshot's state in the form an event's recorded state took: with the memory when it carries one, without for an
 * event recorded before states carried it (so those still verify).
 */
export function replayedStateLike(
  snapshot: PseCaseSnapshot,
  recorded: Pick<PseCaseEventEnvelope, 'state' | 'policyVersion'>,
): CaseStateAfter {
  return recorded.state.memory === undefined
    ? toStateAfter(snapshot)
    : toRecordedState(snapshot, recorded.policyVersion);
}

/** The public state of a recorded one: without the memory (views, reports). */
export function withoutMemory(state: CaseStateAfter): CaseStateAfter {
  if (state.memory === undefined) return state;
  const { memory: _memory, ...rest } = state;
  return rest;
}

/**
 * The memory a recorded state carries: what differs from a new case's, and the policy only where it is not
 * the event's own (`PolicyMigrated`), so most events carry little.
 */
function memoryOf(c: PseCaseContext, eventPolicy: PolicyId): CaseMemory {
  const memory: CaseMemory = {};
  if (c.policyVersion !== eventPolicy) memory.policyVersion = c.policyVersion;
  if (c.pendingSubmission !== null) memory.pendingSubmission = c.pendingSubmission;
  if (c.restoredOnSubmission) memory.restoredOnSubmission = true;
  const fines = Object.values(c.fines);
  if (fines.length > 0) memory.fines = fines.map((f) => ({ ...f }));
  if (c.fineCount > 0) memory.fineCount = c.fineCount;
  if (c.highestSanction !== null) memory.highestSanction = c.highestSanction;
  if (c.sinceBy !== null) memory.sinceBy = c.sinceBy;
  if (c.sinceCause !== null) memory.sinceCause = c.sinceCause;
  if (c.lastElapsed !== null) memory.lastElapsed = c.lastElapsed;
  if (c.retractions > 0) memory.retractions = c.retractions;
  return memory;
}

/**
 * The snapshot after an event, from the state it recorded alone: what folding the case's stream up to and
 * including it gives (a property spec holds the two equal, deadlines aside, which the recorded state keeps
 * in due order and no decision reads in any order), so a command on a case not in memory is decided from
 * its last event (decision 0013). Undefined for an event recorded before states carried their memory.
 */
export function snapshotFromRecorded(event: PseCaseEventEnvelope): PseCaseSnapshot | undefined {
  const s = event.state;
  const m = s.memory;
  if (!m) return undefined;
  const context: PseCaseContext = {
    pseId: event.pseId,
    name: s.name,
    origin: s.origin,
    domains: [...s.domains],
    ...(s.appIds ? { appIds: [...s.appIds] } : {}),
    ...(s.ipAddresses ? { ipAddresses: [...s.ipAddresses] } : {}),
    company: s.company,
    sector: s.sector,
    policyVersion: m.policyVersion ?? event.policyVersion,
    registrationNumber: s.registrationNumber,
    pendingSubmission: m.pendingSubmission ?? null,
    restoredOnSubmission: m.restoredOnSubmission ?? false,
    warnings: s.warnings,
    blocks: s.blocks,
    fines: Object.fromEntries((m.fines ?? []).map((f) => [f.fineId, { ...f }])),
    fineCount: m.fineCount ?? 0,
    highestSanction: m.highestSanction ?? null,
    deadlines: s.deadlines.map((d) => ({ ...d })),
    escalation: { pending: s.escalation.pending, allowed: [...s.escalation.allowed] },
    since: s.since,
    sinceBy: m.sinceBy ?? null,
    sinceCause: m.sinceCause ?? null,
    lastElapsed: m.lastElapsed ?? null,
    retractions: m.retractions ?? 0,
    lastOccurredAt: event.occurredAt,
    lastHash: event.hash,
    revision: event.revision,
  };
  return pseCaseMachine.resolveState({ value: s.value as PseCaseSnapshot['value'], context });
}
