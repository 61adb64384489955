import type { CaseState, ReadModelEvent } from '../events/read-model-event';
import { businessDate } from '../time.util';

/** The `from_state` of a case's first transition: it did not exist before. */
export const NO_STATE = 'none';

/** One row of `state_transitions`: a case changed state (or substate) on a business date. */
export interface StateTransitionRow {
  position: number;
  pseId: string;
  businessDate: string;
  fromState: CaseState | typeof NO_STATE;
  fromSubstate: string | null;
  toState: CaseState;
  toSubstate: string | null;
  eventType: string;
  occurredAt: string;
}

/** The case's state before the event, as the summary row remembers it. */
export interface PreviousState {
  state: CaseState;
  substate: string | null;
}

/** A transition row when the event moved the case to another state or substate, else undefined. */
export function projectStateTransition(
  previous: PreviousState | undefined,
  event: ReadModelEvent,
): StateTransitionRow | undefined {
  const to = event.state;
  if (previous && previous.state === to.state && previous.substate === to.substate) return undefined;
  return {
    position: event.position,
    pseId: event.pseId,
    businessDate: businessDate(event.occurredAt),
    fromState: previous?.state ?? NO_STATE,
    fromSubstate: previous?.substate ?? null,
    toState: to.state,
    toSubstate: to.substate,
    eventType: event.type,
    occurredAt: event.occurredAt,
  };
}
