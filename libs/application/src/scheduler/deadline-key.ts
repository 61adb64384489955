/** The deadline a case is waiting on, as the `deadlines` read model lists it. */
export interface DueDeadlineRef {
  pseId: string;
  kind: string;
  fineId: string | null;
  dueAt: string;
}

/** Prefix of every command id the scheduler gives an `ElapseDeadline`. */
export const ELAPSE_KEY_PREFIX = 'elapse:';

/**
 * The command id of elapsing one deadline: the same for every scheduler and every retry, so the
 * command path's idempotency makes the elapse happen once. The due time is normalised to UTC so the
 * offset a row happens to be stored with cannot produce a second id for the same deadline.
 */
export function elapseKey(deadline: DueDeadlineRef): string {
  const dueAt = new Date(deadline.dueAt).toISOString();
  return `${ELAPSE_KEY_PREFIX}${deadline.pseId}:${deadline.kind}:${deadline.fineId ?? '-'}:${dueAt}`;
}

/** The command id of the `index`-th automatic escalation that followed the elapse `elapseCommandId`. */
export function escalationKey(elapseCommandId: string, index: number): string {
  return `${elapseCommandId}:escalate:${index}`;
}
