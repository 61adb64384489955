import type { Policy, Sanction } from '../policies/policy';
import type { PseCaseContext } from './pse-case.context';

const rank: Record<Sanction, number> = { warning: 0, fine: 1, block: 2 };

/** The command that imposes a sanction. */
export const sanctionCommand: Record<Sanction, string> = {
  warning: 'IssueWarning',
  fine: 'ImposeFine',
  block: 'BlockAccess',
};

/** Where on the ladder a case stands: the kind of state it is in, for the escalation rules. */
export type LadderPosition = 'unregistered' | 'warned' | 'fined';

/** Index of the furthest rung reached under `policy` (-1: none), tolerant of a migrated ladder. */
function reachedIndex(context: PseCaseContext, policy: Policy): number {
  if (context.highestSanction === null) return -1;
  const reached = rank[context.highestSanction];
  let index = -1;
  policy.ladder.forEach((step, i) => {
    if (rank[step.sanction] <= reached) index = i;
  });
  return index;
}

/** The rungs after `from` up to and including the first mandatory one (optional rungs may be skipped). */
function nextRungs(policy: Policy, from: number): Sanction[] {
  const next: Sanction[] = [];
  for (let i = from + 1; i < policy.ladder.length; i += 1) {
    const step = policy.ladder[i];
    next.push(step.sanction);
    if (!step.optional) break;
  }
  return next;
}

/**
 * Sanctions the policy allows next (docs/regulation.md §12.2). In force, a sanction may be repeated; moving up the
 * ladder waits for the current sanction's deadline to elapse (rule 6), unless none is in force.
 */
export function allowedSanctions(
  context: PseCaseContext,
  position: LadderPosition,
  policy: Policy,
): Sanction[] {
  const index = reachedIndex(context, policy);
  if (position === 'unregistered') {
    // After a rejected submission or a lifted block the ladder resumes where it stood (docs/regulation.md §3);
    // moving up from a fine still waits for a fine to lapse unpaid, as it does in `fined` (PP 43/2023).
    const current: Sanction[] = index >= 0 ? [policy.ladder[index].sanction] : [];
    const fineInForce = current[0] === 'fine' && !Object.values(context.fines).some((f) => f.overdue);
    return [...current, ...(fineInForce ? [] : nextRungs(policy, index))];
  }
  const repeat: Sanction[] = position === 'warned' ? ['warning'] : ['fine'];
  const up = context.escalation.pending ? nextRungs(policy, index) : [];
  return [...repeat.filter((s) => policy.ladder.some((step) => step.sanction === s)), ...up];
}

/** Rule 1: no sanction takes effect before the active policy's registration deadline. */
export function isAfterRegistrationDeadline(occurredAt: string, policy: Policy): boolean {
  return Date.parse(occurredAt) > Date.parse(policy.registrationDeadline);
}

/** Escalation commands once a sanction's deadline elapsed (the operator's queue, or automatic). */
export function escalationCommands(context: PseCaseContext, policy: Policy): string[] {
  return nextRungs(policy, reachedIndex(context, policy)).map((s) => sanctionCommand[s]);
}
