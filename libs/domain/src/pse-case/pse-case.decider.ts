import { addHours, dueDate } from '../calendar';
import { hashEnvelope, deterministicUuid } from '../history/hash';
import { getPolicy } from '../policies';
import type { Policy } from '../policies/policy';
import type { CommandMetadata, PseCaseCommand, PseCaseCommandType } from './pse-case.commands';
import { fineOutstanding } from './pse-case.context';
import {
  CaseAlreadyExists,
  CaseNotFound,
  TransitionRefused,
  ValidationFailed,
  type DecideError,
} from './pse-case.errors';
import type { PseCaseEventData, PseCaseEventEnvelope } from './pse-case.events';
import {
  evolveWithActions,
  initialCaseSnapshot,
  isOnBlocklist,
  stateOf,
  toStateAfter,
  type PseCaseSnapshot,
} from './pse-case.fold';
import { pseCaseMachine, type EscalationParams } from './pse-case.machine';
import { allowedSanctions, isAfterRegistrationDeadline, sanctionCommand } from './pse-case.rules';

/** The actor automatic escalations run as (outbound commands carry no metadata of their own). */
export const ESCALATION_ACTOR = { id: 'sanksi-escalation', role: 'system' } as const;

/** Business time may run ahead of the recording clock by at most this much (clock skew, not post-dating). */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export type Decision =
  | { ok: true; events: PseCaseEventEnvelope[]; snapshot: PseCaseSnapshot; outbound: PseCaseCommand[] }
  | { ok: false; error: DecideError };

type Draft = PseCaseEventData;

/**
 * Decides a command against a case: the events it produces (fully formed, hash-chained envelopes) or a
 * typed refusal. Pure: time and ids come from `metadata`. `policy` governs a new case; an existing case
 * decides under its own policy version (`MigratePolicy` changes it).
 */
export function decide(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot | undefined,
  policy: Policy,
  metadata: CommandMetadata,
): Decision {
  const current = snapshot ?? initialCaseSnapshot();
  const exists = stateOf(current).state !== 'absent';
  if (command.type === 'IdentifyPse' && exists) return refuse(new CaseAlreadyExists(command.pseId));
  if (command.type !== 'IdentifyPse' && !exists) return refuse(new CaseNotFound(command.pseId));
  const active = exists ? getPolicy(current.context.policyVersion) : policy;
  const occurredAt = metadata.occurredAt ?? metadata.now;

  const timing = checkTiming(command, current, metadata, occurredAt);
  if (timing) return refuse(timing);

  const drafted = draftEvents(command, current, active, metadata, occurredAt);
  if (drafted instanceof Error) return refuse(drafted);

  let state = current;
  const events: PseCaseEventEnvelope[] = [];
  const outbound: PseCaseCommand[] = [];
  for (const [index, draft] of drafted.entries()) {
    const partial = envelopeFor(draft, state, command, metadata, occurredAt, index, active);
    const [next, actions] = evolveWithActions(state, partial);
    // xstate hands back the very same snapshot when no transition is enabled: the machine refused.
    if (next === state) {
      return refuse(
        refusal(command, current, active, occurredAt, explain(command, current, active, occurredAt)),
      );
    }
    const envelope = seal({ ...partial, state: toStateAfter(next) } as PseCaseEventEnvelope);
    // The hash covers the state the event led to, so it is known only now; the snapshot must remember it.
    state = pseCaseMachine.resolveState({
      value: next.value,
      context: { ...next.context, lastHash: envelope.hash },
    });
    events.push(envelope);
    for (const action of actions) {
      if (action.type === 'escalate')
        outbound.push(escalation(action.params as EscalationParams, next, envelope));
    }
  }
  return { ok: true, events, snapshot: state, outbound };
}

function refuse(error: DecideError): Decision {
  return { ok: false, error };
}

function checkTiming(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot,
  metadata: CommandMetadata,
  occurredAt: string,
): DecideError | null {
  if (Date.parse(occurredAt) - Date.parse(metadata.now) > MAX_FUTURE_SKEW_MS) {
    return new ValidationFailed([
      {
        path: ['occurredAt'],
        message: `business time ${occurredAt} is more than 5 minutes after now (${metadata.now})`,
      },
    ]);
  }
  const last = snapshot.context.lastOccurredAt;
  if (last !== null && Date.parse(occurredAt) < Date.parse(last)) {
    return refusal(
      command,
      snapshot,
      getPolicy(snapshot.context.policyVersion),
      occurredAt,
      `business time never goes backwards within a case: ${occurredAt} is before the last event's ${last}`,
    );
  }
  return null;
}

function invalid(path: string, message: string): ValidationFailed {
  return new ValidationFailed([{ path: [path], message }]);
}

function due(
  from: string,
  period: Policy['responsePeriod'],
  policy: Policy,
  path: string,
): string | ValidationFailed {
  try {
    return dueDate(from, period, policy.timeZone);
  } catch (error) {
    return invalid(path, error instanceof Error ? error.message : 'deadline outside the calendar');
  }
}

function draftEvents(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot,
  policy: Policy,
  metadata: CommandMetadata,
  occurredAt: string,
): Draft[] | DecideError {
  const c = snapshot.context;
  const { state } = stateOf(snapshot);
  const refuseWith = (reason: string) => refusal(command, snapshot, policy, occurredAt, reason);
  switch (command.type) {
    case 'IdentifyPse':
      return [
        {
          type: 'PseIdentified',
          data: {
            name: command.name,
            origin: command.origin,
            domains: [...command.domains],
            company: command.company ?? null,
            sector: command.sector ?? null,
            policy: command.policy ?? policy.id,
          },
        },
      ];
    case 'UpdatePseProfile': {
      const { type: _t, pseId: _p, ...changes } = command;
      if (Object.values(changes).every((v) => v === undefined)) {
        return invalid('(root)', 'a profile update must change at least one field');
      }
      return [{ type: 'PseProfileUpdated', data: changes }];
    }
    case 'SubmitRegistration': {
      let followUpDeadline: string | null = null;
      if (command.channel === 'manual') {
        const d = due(occurredAt, policy.manualRegistrationFollowUp, policy, 'occurredAt');
        if (d instanceof Error) return d;
        followUpDeadline = d;
      }
      const drafts: Draft[] = [
        { type: 'RegistrationSubmitted', data: { channel: command.channel, followUpDeadline } },
      ];
      if (state === 'blocked' && policy.submissionNormalises) {
        drafts.push({
          type: 'AccessRestored',
          data: { reason: 'Normalised on submission of registration', cause: 'submission' },
        });
      }
      return drafts;
    }
    case 'ConfirmRegistration': {
      const drafts: Draft[] = [
        { type: 'RegistrationConfirmed', data: { registrationNumber: command.registrationNumber } },
      ];
      // SPEC §2 rule 3: never a registered system on the blocklist, not even between two events.
      if (state === 'blocked' || state === 'revoked') {
        drafts.push({
          type: 'AccessRestored',
          data: { reason: 'Registered: normalised automatically', cause: 'registration' },
        });
      }
      return drafts;
    }
    case 'RejectRegistration':
      return [{ type: 'RegistrationRejected', data: { reason: command.reason } }];
    case 'IssueWarning': {
      const d = due(occurredAt, policy.responsePeriod, policy, 'occurredAt');
      if (d instanceof Error) return d;
      return [{ type: 'WarningIssued', data: { letterNumber: command.letterNumber, responseDeadline: d } }];
    }
    case 'ImposeFine': {
      const schedule = policy.fineSchedule;
      if (!schedule) return refuseWith(`policy ${policy.id} has no administrative fines`);
      if (command.amountIdr < schedule.minIdr || command.amountIdr > schedule.maxIdr) {
        return invalid(
          'amountIdr',
          `must be between ${schedule.minIdr} and ${schedule.maxIdr} rupiah under ${policy.id}`,
        );
      }
      const d = due(occurredAt, policy.paymentPeriod, policy, 'occurredAt');
      if (d instanceof Error) return d;
      return [
        {
          type: 'FineImposed',
          data: {
            fineId: `F${c.fineCount + 1}`,
            decisionNumber: command.decisionNumber,
            amountIdr: command.amountIdr,
            paymentDeadline: d,
          },
        },
      ];
    }
    case 'RecordFinePayment': {
      const fine = c.fines[command.fineId];
      if (!fine) return refuseWith(`no fine ${command.fineId} on this case`);
      if (fine.annulled) return refuseWith(`fine ${command.fineId} was annulled`);
      const outstanding = fineOutstanding(fine);
      if (command.amountIdr > outstanding) {
        return refuseWith(
          `payment of ${command.amountIdr} exceeds the ${outstanding} rupiah outstanding on ${fine.fineId}`,
        );
      }
      return [
        {
          type: 'FinePaid',
          data: { fineId: fine.fineId, amountIdr: command.amountIdr, reference: command.reference },
        },
      ];
    }
    case 'AnnulFine': {
      const fine = c.fines[command.fineId];
      if (!fine) return refuseWith(`no fine ${command.fineId} on this case`);
      if (fine.annulled) return refuseWith(`fine ${command.fineId} is already annulled`);
      if (fineOutstanding(fine) === 0) return refuseWith(`fine ${command.fineId} is fully paid`);
      return [{ type: 'FineAnnulled', data: { fineId: fine.fineId, reason: command.reason } }];
    }
    case 'BlockAccess': {
      const domains = command.domains ?? c.domains;
      if (domains.length === 0) return invalid('domains', 'a block needs at least one domain');
      return [{ type: 'AccessBlocked', data: { orderNumber: command.orderNumber, domains: [...domains] } }];
    }
    case 'RestoreAccessTemporarily': {
      if (Date.parse(command.until) <= Date.parse(occurredAt)) {
        return invalid('until', 'the temporary restoration must end after it starts');
      }
      const limit = addHours(occurredAt, policy.temporaryRestorationMaxDays * 24);
      if (Date.parse(command.until) > Date.parse(limit)) {
        return invalid(
          'until',
          `at most ${policy.temporaryRestorationMaxDays} days under ${policy.id} (until ${limit})`,
        );
      }
      return [{ type: 'AccessTemporarilyRestored', data: { until: command.until, reason: command.reason } }];
    }
    case 'RestoreAccess': {
      // MR5 Art. 20: normalisation may be refused after more than 3 blocks; only an admin overrides.
      if (c.blocks > policy.maxBlocksBeforeNormalisationRefused) {
        const admin = metadata.actor.role === 'admin';
        if (!command.override || !admin) {
          return refuseWith(
            `blocked ${c.blocks} times (more than ${policy.maxBlocksBeforeNormalisationRefused}, MR5 Art. 20): ` +
              'normalisation needs override by an admin',
          );
        }
      }
      return [{ type: 'AccessRestored', data: { reason: command.reason, cause: 'operator' } }];
    }
    case 'SuspendRegistration': {
      const d = due(occurredAt, policy.suspensionResponse, policy, 'occurredAt');
      if (d instanceof Error) return d;
      return [
        {
          type: 'RegistrationSuspended',
          data: { by: command.by, reason: command.reason, responseDeadline: d },
        },
      ];
    }
    case 'LiftSuspension':
      return [{ type: 'SuspensionLifted', data: { reason: command.reason } }];
    case 'RevokeRegistration':
      return [{ type: 'RegistrationRevoked', data: { reason: command.reason } }];
    case 'GrantExemption': {
      const drafts: Draft[] = [{ type: 'ExemptionGranted', data: { reason: command.reason } }];
      if (isOnBlocklist(snapshot) || state === 'blocked') {
        drafts.push({
          type: 'AccessRestored',
          data: { reason: 'Exempted: not obliged to register', cause: 'exemption' },
        });
      }
      return drafts;
    }
    case 'ElapseDeadline': {
      const fineId = command.fineId ?? null;
      const deadline = c.deadlines.find(
        (d) => d.kind === command.deadline && (fineId === null || d.fineId === fineId),
      );
      if (!deadline)
        return refuseWith(`no ${command.deadline} deadline${fineId ? ` for ${fineId}` : ''} is running`);
      if (Date.parse(occurredAt) < Date.parse(deadline.dueAt)) {
        return refuseWith(
          `the ${command.deadline} deadline is due ${deadline.dueAt}, not yet at ${occurredAt}`,
        );
      }
      return [
        {
          type: 'DeadlineElapsed',
          data: { deadline: deadline.kind, dueAt: deadline.dueAt, fineId: deadline.fineId },
        },
      ];
    }
    case 'MigratePolicy':
      if (command.to === c.policyVersion) return refuseWith(`the case is already under ${command.to}`);
      return [
        { type: 'PolicyMigrated', data: { from: c.policyVersion, to: command.to, reason: command.reason } },
      ];
    default: {
      const unhandled: never = command;
      return unhandled;
    }
  }
}

function envelopeFor(
  draft: Draft,
  snapshot: PseCaseSnapshot,
  command: PseCaseCommand,
  metadata: CommandMetadata,
  occurredAt: string,
  index: number,
  policy: Policy,
): PseCaseEventEnvelope {
  const policyVersion =
    draft.type === 'PolicyMigrated'
      ? draft.data.to
      : draft.type === 'PseIdentified'
        ? draft.data.policy
        : policy.id;
  return {
    eventId: deterministicUuid(`${metadata.commandId}#${index}`),
    type: draft.type,
    data: draft.data,
    pseId: command.pseId,
    schemaVersion: 1,
    occurredAt,
    recordedAt: metadata.now,
    actor: { id: metadata.actor.id, role: metadata.actor.role },
    commandId: metadata.commandId,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId ?? null,
    policyVersion,
    revision: snapshot.context.revision + 1,
    state: null as unknown as PseCaseEventEnvelope['state'],
    prevHash: snapshot.context.lastHash,
    hash: '',
  } as PseCaseEventEnvelope;
}

function seal(envelope: PseCaseEventEnvelope): PseCaseEventEnvelope {
  return { ...envelope, hash: hashEnvelope(envelope as unknown as Record<string, unknown>) };
}

function escalation(
  params: EscalationParams,
  snapshot: PseCaseSnapshot,
  cause: PseCaseEventEnvelope,
): PseCaseCommand {
  const ref = `AUTO/${cause.pseId}/${cause.revision}`;
  const reason = `Automatic escalation: ${params.deadline} deadline elapsed (${cause.eventId})`;
  switch (params.commandType) {
    case 'BlockAccess':
      return { type: 'BlockAccess', pseId: params.pseId, orderNumber: ref };
    case 'IssueWarning':
      return { type: 'IssueWarning', pseId: params.pseId, letterNumber: ref };
    case 'ImposeFine':
      return {
        type: 'ImposeFine',
        pseId: params.pseId,
        decisionNumber: ref,
        amountIdr: getPolicy(snapshot.context.policyVersion).fineSchedule?.minIdr ?? 1,
      };
    case 'RevokeRegistration':
      return { type: 'RevokeRegistration', pseId: params.pseId, reason };
    default: {
      const unhandled: never = params.commandType;
      return unhandled;
    }
  }
}

function refusal(
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
    allowed: allowedCommands(snapshot, policy, occurredAt),
  });
}

const sanctionTypes: ReadonlySet<PseCaseCommandType> = new Set(['IssueWarning', 'ImposeFine', 'BlockAccess']);

/** Why the machine refused: the most specific reason a reader can act on. */
function explain(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot,
  policy: Policy,
  occurredAt: string,
): string {
  const { state, substate } = stateOf(snapshot);
  const where = substate ? `${state}.${substate}` : state;
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
  if (command.type === 'ConfirmRegistration' && (state === 'registered' || state === 'reRegistered')) {
    return 'the system is already registered';
  }
  if (state === 'exempted') return 'the case is closed by an exemption';
  return `${command.type} is not possible in state ${where}`;
}

/** A representative event for a command type, to ask the machine whether it would accept it now. */
function probes(type: PseCaseCommandType, snapshot: PseCaseSnapshot, policy: Policy): Draft[] {
  const c = snapshot.context;
  const openFine = Object.values(c.fines).find((f) => fineOutstanding(f) > 0);
  const at = c.lastOccurredAt ?? policy.registrationDeadline;
  switch (type) {
    case 'IdentifyPse':
      return [
        {
          type: 'PseIdentified',
          data: {
            name: '?',
            origin: 'domestic',
            domains: [],
            company: null,
            sector: null,
            policy: policy.id,
          },
        },
      ];
    case 'UpdatePseProfile':
      return [{ type: 'PseProfileUpdated', data: { name: c.name || '?' } }];
    case 'SubmitRegistration':
      return [{ type: 'RegistrationSubmitted', data: { channel: 'oss', followUpDeadline: null } }];
    case 'ConfirmRegistration':
      return [{ type: 'RegistrationConfirmed', data: { registrationNumber: '000000.00/DJAI.PSE/01/2022' } }];
    case 'RejectRegistration':
      return [{ type: 'RegistrationRejected', data: { reason: '?' } }];
    case 'IssueWarning':
      return [{ type: 'WarningIssued', data: { letterNumber: '?', responseDeadline: at } }];
    case 'ImposeFine':
      return policy.fineSchedule
        ? [
            {
              type: 'FineImposed',
              data: { fineId: '?', decisionNumber: '?', amountIdr: 1, paymentDeadline: at },
            },
          ]
        : [];
    case 'RecordFinePayment':
      return openFine
        ? [{ type: 'FinePaid', data: { fineId: openFine.fineId, amountIdr: 1, reference: '?' } }]
        : [];
    case 'AnnulFine':
      return openFine ? [{ type: 'FineAnnulled', data: { fineId: openFine.fineId, reason: '?' } }] : [];
    case 'BlockAccess':
      return [{ type: 'AccessBlocked', data: { orderNumber: '?', domains: c.domains } }];
    case 'RestoreAccessTemporarily':
      return [{ type: 'AccessTemporarilyRestored', data: { until: at, reason: '?' } }];
    case 'RestoreAccess':
      return [{ type: 'AccessRestored', data: { reason: '?', cause: 'operator' } }];
    case 'SuspendRegistration':
      return [{ type: 'RegistrationSuspended', data: { by: 'TAKEL', reason: '?', responseDeadline: at } }];
    case 'LiftSuspension':
      return [{ type: 'SuspensionLifted', data: { reason: '?' } }];
    case 'RevokeRegistration':
      return [{ type: 'RegistrationRevoked', data: { reason: '?' } }];
    case 'GrantExemption':
      return [{ type: 'ExemptionGranted', data: { reason: '?' } }];
    case 'ElapseDeadline':
      return c.deadlines.map((d) => ({
        type: 'DeadlineElapsed',
        data: { deadline: d.kind, dueAt: d.dueAt, fineId: d.fineId },
      }));
    case 'MigratePolicy':
      return [
        {
          type: 'PolicyMigrated',
          data: {
            from: c.policyVersion,
            to: c.policyVersion === 'pp43-2023' ? 'kominfo-2022' : 'pp43-2023',
            reason: '?',
          },
        },
      ];
    default: {
      const unhandled: never = type;
      return unhandled;
    }
  }
}

const commandOrder: PseCaseCommandType[] = [
  'IdentifyPse',
  'UpdatePseProfile',
  'SubmitRegistration',
  'ConfirmRegistration',
  'RejectRegistration',
  'IssueWarning',
  'ImposeFine',
  'RecordFinePayment',
  'AnnulFine',
  'BlockAccess',
  'RestoreAccessTemporarily',
  'RestoreAccess',
  'SuspendRegistration',
  'LiftSuspension',
  'RevokeRegistration',
  'GrantExemption',
  'ElapseDeadline',
  'MigratePolicy',
];

/**
 * The command types the machine would accept now (at business time `at`, default the case's last event),
 * as asked of the machine itself; payload checks (amounts, due times) may still refuse one.
 */
export function allowedCommands(
  snapshot: PseCaseSnapshot | undefined,
  policy: Policy,
  at?: string,
): string[] {
  const current = snapshot ?? initialCaseSnapshot();
  const exists = stateOf(current).state !== 'absent';
  if (!exists) return ['IdentifyPse'];
  const active = getPolicy(current.context.policyVersion) ?? policy;
  const occurredAt = at ?? current.context.lastOccurredAt ?? active.registrationDeadline;
  return commandOrder.filter((type) =>
    type === 'IdentifyPse'
      ? false
      : probes(type, current, active).some((draft) =>
          current.can({ ...probeEnvelope(current, draft), occurredAt } as PseCaseEventEnvelope),
        ),
  );
}

function probeEnvelope(snapshot: PseCaseSnapshot, draft: Draft): PseCaseEventEnvelope {
  return {
    eventId: 'probe',
    type: draft.type,
    data: draft.data,
    pseId: snapshot.context.pseId,
    schemaVersion: 1,
    occurredAt: snapshot.context.lastOccurredAt ?? '',
    recordedAt: snapshot.context.lastOccurredAt ?? '',
    actor: ESCALATION_ACTOR,
    commandId: 'probe',
    correlationId: 'probe',
    causationId: null,
    policyVersion: snapshot.context.policyVersion,
    revision: snapshot.context.revision + 1,
    state: null as unknown as PseCaseEventEnvelope['state'],
    prevHash: snapshot.context.lastHash,
    hash: '',
  } as PseCaseEventEnvelope;
}
