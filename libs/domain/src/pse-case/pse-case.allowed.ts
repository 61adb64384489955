import { getPolicy } from '../policies';
import type { Policy } from '../policies/policy';
import { pseCaseCommandTypes, type PseCaseCommand, type PseCaseCommandType } from './pse-case.commands';
import { TransitionRefused } from './pse-case.errors';
import type { PseCaseEventEnvelope } from './pse-case.events';
import { commandRules } from './pse-case.command-rules';
import { draftEnvelope, type EventMetadata } from './pse-case.envelope';
import { initialCaseSnapshot, stateOf, type PseCaseSnapshot } from './pse-case.fold';
import { allowedSanctions, isAfterRegistrationDeadline, sanctionCommand } from './pse-case.rules';

import { ESCALATION_ACTOR } from './pse-case.actors';

export { ESCALATION_ACTOR } from './pse-case.actors';

/**
 * The command types the machine would accept in this snapshot at business time `at` (default: the case's
 * last event), as asked of the machine itself; payload checks (amounts, due times) may still refuse one.
 * The snapshot is taken as it is: bring it up to `at` first (`catchUp`) for the case as it stands then.
 */
export function allowedCommands(
  snapshot: PseCaseSnapshot | undefined,
  policy: Policy,
  at?: string,
): string[] {
  return pseCaseCommandTypes.filter((type) => isCommandAllowed(snapshot, policy, type, at));
}

// A probe's event is never appended: it needs no id of its own (deriving one is a SHA-1 a probe).
const PROBE_EVENT_ID = 'probe';

/**
 * Whether the machine would accept a command of this type in this snapshot at business time `at`: one
 * entry of `allowedCommands`, for a caller that asks about a few types only (each probe runs the machine).
 */
export function isCommandAllowed(
  snapshot: PseCaseSnapshot | undefined,
  policy: Policy,
  type: PseCaseCommandType,
  at?: string,
): boolean {
  const current = snapshot ?? initialCaseSnapshot();
  if (stateOf(current).state === 'absent') return type === 'IdentifyPse';
  const active = getPolicy(current.context.policyVersion) ?? policy;
  const occurredAt = at ?? current.context.lastOccurredAt ?? active.registrationDeadline;
  const metadata: EventMetadata = {
    commandId: 'probe',
    correlationId: 'probe',
    causationId: null,
    actor: ESCALATION_ACTOR,
    now: occurredAt,
    occurredAt,
  };
  return commandRules[type]
    .probe(current, active, occurredAt)
    .some((draft) =>
      current.can(
        draftEnvelope(
          draft,
          current,
          current.context.pseId,
          metadata,
          PROBE_EVENT_ID,
          active.id,
        ) as PseCaseEventEnvelope,
      ),
    );
}

/** A refusal of `command` in this snapshot, with `reason` and the commands allowed instead. */
export function refusal(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot,
  policy: Policy,
  occurredAt: string,
  reason: string,
): TransitionRefused {
  const { state, substate } = stateOf(snapshot);
  return new TransitionRefused({
    pseId: command.pseId,
    state: substate ? `${state}.${substate}` : state,
    command: command.type,
    reason,
    allowed: () => allowedCommands(snapshot, policy, occurredAt),
  });
}

const sanctionTypes: ReadonlySet<PseCaseCommandType> = new Set(['IssueWarning', 'ImposeFine', 'BlockAccess']);

/**
 * Why the machine refused: the most specific reason a reader can act on — including that an automatic
 * escalation already did what the command asks (whether it was recorded by the scheduler or just now).
 */
export function explainRefusal(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot,
  policy: Policy,
  occurredAt: string,
): string {
  const { state, substate } = stateOf(snapshot);
  const where = substate ? `${state}.${substate}` : state;
  const since = snapshot.context.since;
  const how =
    snapshot.context.sinceBy === ESCALATION_ACTOR.id
      ? ` by automatic escalation${snapshot.context.sinceCause ? ` (${snapshot.context.sinceCause})` : ''}`
      : '';
  const byAutomatic = how !== '';
  if (command.type === 'BlockAccess' && (state === 'blocked' || state === 'revoked')) {
    return `already ${state === 'revoked' ? 'revoked and blocked' : `blocked (${substate})`} since ${since}${how}`;
  }
  if (command.type === 'ImposeFine' && state === 'fined' && byAutomatic)
    return `already fined since ${since}${how}`;
  if (command.type === 'IssueWarning' && state === 'warned' && byAutomatic)
    return `already warned since ${since}${how}`;
  if (command.type === 'RevokeRegistration' && state === 'revoked')
    return `already revoked since ${since}${how}`;
  if (sanctionTypes.has(command.type)) {
    if (!isAfterRegistrationDeadline(occurredAt, policy)) {
      return `no sanction before the registration deadline ${policy.registrationDeadline} (${policy.id})`;
    }
    if (state === 'unregistered' || state === 'warned' || state === 'fined') {
      const allowed = allowedSanctions(snapshot.context, state, policy).map((s) => sanctionCommand[s]);
      const waiting =
        state !== 'unregistered' && !snapshot.context.escalation.pending
          ? `; escalation waits until the ${state === 'warned' ? 'warning response' : 'fine payment'} deadline elapses`
          : '';
      return `${policy.id} does not allow ${command.type} from ${where}; allowed next: ${allowed.join(', ') || 'none'}${waiting}`;
    }
  }
  if (command.type === 'RevokeRegistration' && state === 'suspended') {
    return 'revocation waits until the 7-day suspension response period has elapsed (MR5 Art. 7(3))';
  }
  if (command.type === 'RestoreAccessTemporarily' && state === 'blocked') {
    return 'access is already temporarily restored';
  }
  if (command.type === 'RefuseNormalisation') return 'no normalisation request is pending';
  if (command.type === 'ConfirmRegistration' && (state === 'registered' || state === 'reRegistered')) {
    return 'the system is already registered';
  }
  if (state === 'exempted') return 'the case is closed by an exemption';
  return `${command.type} is not possible in state ${where}${since ? ` (since ${since}${how})` : ''}`;
}
