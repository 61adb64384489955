import { createActor, initialTransition, type ActorScope, type ExecutableActionObject } from 'xstate';
import type { PseCaseContext } from './pse-case.context';
import { fineOutstanding } from './pse-case.context';
import type { CaseState, CaseStateAfter, Deadline, PseCaseEventEnvelope } from './pse-case.events';
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
  shared.collected.length = 0;
  return pseCaseMachine.transition(snapshot, event, shared.scope);
}

/** Applies one event and returns the executable (outbound) actions it produced, like `transition`. */
export function evolveWithActions(
  snapshot: PseCaseSnapshot,
  event: PseCaseEventEnvelope,
): [PseCaseSnapshot, ExecutableActionObject[]] {
  shared.collected.length = 0;
  const next = pseCaseMachine.transition(snapshot, event, shared.scope);
  return [next, [...shared.collected]];
}

/** Folds a case's events, in revision order, from the initial snapshot. */
export function foldCase(events: readonly PseCaseEventEnvelope[], from?: PseCaseSnapshot): PseCaseSnapshot {
  let snapshot = from ?? initialCaseSnapshot();
  for (const event of events) snapshot = evolve(snapshot, event);
  return snapshot;
}

/** The top-level SPEC §2 state of a snapshot and its substate (or `absent` before `PseIdentified`). */
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
