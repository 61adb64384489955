import type { CaseStateAfter, PseCaseEventEnvelope } from '../pse-case/pse-case.events';
import {
  replayedStateLike,
  startCaseFold,
  stateOf,
  toStateAfter,
  type PseCaseSnapshot,
} from '../pse-case/pse-case.fold';
import { pseCaseMachine } from '../pse-case/pse-case.machine';
import { canonicalEqual } from './hash';

/** Why one event moved the case: the states on each side and the guard that allowed it. */
export interface ReplayTransition {
  from: string;
  to: string;
  eventType: string;
  /** Guard names that allowed the transition (empty: unguarded). */
  guards: string[];
  reason: string;
  /** False when the machine took no transition: the event would be ignored by the current machine. */
  accepted: boolean;
}

/** One step of a replay: the event and the case's state before and after it. */
export interface ReplayStep {
  index: number;
  event: PseCaseEventEnvelope;
  stateBefore: CaseStateAfter | null;
  stateAfter: CaseStateAfter;
  transition: ReplayTransition;
  /** Whether the state the event recorded equals the state the current machine derives (docs/regulation.md §9.7). */
  matchesRecorded: boolean;
}

/** Plain-language reading of each guard of the machine (replay reasons, the diagram's legend). */
export const guardReasons: Record<string, string> = {
  identified: 'the case exists',
  sanctioned: 'the case was sanctioned before, so it is re-registered',
  automaticEscalation: 'the policy escalates automatically',
  automaticRevocation: 'the policy revokes a lapsed suspension automatically',
  submissionNormalises: 'the policy normalises on submission',
  hasPendingSubmission: 'a submission was pending',
  escalationPending: 'the response deadline had elapsed',
  warnFromUnregistered: 'a warning is the next rung of the ladder',
  fineFromUnregistered: 'a fine is allowed next by the ladder',
  blockFromUnregistered: 'a block is allowed next by the ladder',
  warnAgain: 'a further warning while warned',
  fineFromWarned: 'the warning deadline elapsed and a fine is next',
  blockFromWarned: 'the warning deadline elapsed and a block is next',
  fineAgain: 'a further fine while fined',
  blockFromFined: 'the fine deadline elapsed and a block is next',
  warningElapsed: 'the warning response deadline was due',
  finePaymentElapsed: 'the fine payment deadline was due',
  followUpElapsed: 'the manual registration follow-up deadline was due',
  restorationElapsed: 'the temporary restoration window ended',
  suspensionElapsed: 'the 7-day suspension response period ended',
  restoredByOperator: 'normalised by an operator',
  restoredBySubmission: 'normalised on submission',
  restoredByRegistration: 'normalised on registration',
  restoredByExemption: 'normalised on exemption',
  fineOpen: 'the fine was open and the amount within its balance',
};

/** The named guards inside a transition's guard (flattening `and(...)`). */
export function guardNames(guard: unknown): string[] {
  if (!guard) return [];
  if (typeof guard === 'string') return [guard];
  if (typeof guard === 'object' && guard !== null && 'type' in guard) {
    const g = guard as { type: string; guards?: unknown[]; params?: { guards?: unknown[] } };
    const inner = g.guards ?? g.params?.guards;
    if (Array.isArray(inner)) return inner.flatMap(guardNames);
    return [g.type];
  }
  if (typeof guard === 'function') {
    const inner = (guard as { guards?: unknown[] }).guards;
    return Array.isArray(inner) ? inner.flatMap(guardNames) : ['inline'];
  }
  return [];
}

function label(snapshot: PseCaseSnapshot): string {
  const { state, substate } = stateOf(snapshot);
  return substate ? `${state}.${substate}` : state;
}

/** Explains one event against a snapshot: which transition the machine takes for it, and why. */
export function explainTransition(
  before: PseCaseSnapshot,
  after: PseCaseSnapshot,
  event: PseCaseEventEnvelope,
): ReplayTransition {
  if (event.type === 'ConsequencesRetracted') {
    const to = label(after);
    return {
      from: label(before),
      to,
      eventType: event.type,
      guards: [],
      reason: `${event.data.retracted.length} automatic event(s) retracted: ${event.data.reason}; the case stands as after revision ${event.data.toRevision} (${to})`,
      accepted: true,
    };
  }
  const taken = pseCaseMachine.getTransitionData(before, event);
  const guards = taken.flatMap((t) => guardNames(t.guard));
  const from = label(before);
  const to = label(after);
  const reason =
    taken.length === 0
      ? `${event.type} is not accepted in ${from} by the current machine`
      : guards.length === 0
        ? `${event.type} moves ${from} to ${to} unconditionally`
        : `${event.type} moves ${from} to ${to} because ${guards.map((g) => guardReasons[g] ?? g).join(' and ')}`;
  return { from, to, eventType: event.type, guards, reason, accepted: taken.length > 0 };
}

/** Replays a case: the state after every event and why each transition was allowed. */
export function replay(envelopes: readonly PseCaseEventEnvelope[]): ReplayStep[] {
  const fold = startCaseFold();
  return envelopes.map((event, index) => {
    const before = fold.snapshot;
    const snapshot = fold.apply(event);
    const stateAfter = toStateAfter(snapshot);
    return {
      index,
      event,
      stateBefore: index === 0 ? null : toStateAfter(before),
      stateAfter,
      transition: explainTransition(before, snapshot, event),
      matchesRecorded: canonicalEqual(replayedStateLike(snapshot, event), event.state),
    };
  });
}

/** The first event whose recorded state differs from a fresh replay (a changed machine must not reinterpret history). */
export function verifyRecordedStates(
  envelopes: readonly PseCaseEventEnvelope[],
):
  | { ok: true }
  | { ok: false; index: number; eventId: string; recorded: CaseStateAfter; replayed: CaseStateAfter } {
  const fold = startCaseFold();
  for (const [index, event] of envelopes.entries()) {
    const replayed = replayedStateLike(fold.apply(event), event);
    if (!canonicalEqual(replayed, event.state)) {
      return { ok: false, index, eventId: event.eventId, recorded: event.state, replayed };
    }
  }
  return { ok: true };
}
