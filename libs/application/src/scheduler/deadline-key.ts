import { elapseCommandId } from '@sanksi/domain';

/** The deadline a case is waiting on, as the `deadlines` read model lists it. */
export interface DueDeadlineRef {
  pseId: string;
  kind: string;
  fineId: string | null;
  dueAt: string;
}

/**
 * The command id of elapsing one deadline: the domain's, so the scheduler, every retry and any command that
 * brings the case up to date first all name the elapse alike, and it happens once.
 */
export function elapseKey(deadline: DueDeadlineRef): string {
  return elapseCommandId(deadline.pseId, {
    kind: deadline.kind as Parameters<typeof elapseCommandId>[1]['kind'],
    fineId: deadline.fineId,
    dueAt: deadline.dueAt,
  });
}
