import type { Policy } from '../policies/policy';
import type { CommandMetadata, PseCaseCommand } from '../pse-case/pse-case.commands';
import { decide } from '../pse-case/pse-case.decider';
import type { CaseStateAfter, Deadline, PseCaseEventEnvelope } from '../pse-case/pse-case.events';
import { initialCaseSnapshot, type PseCaseSnapshot } from '../pse-case/pse-case.fold';
import { canonicalJson } from './hash';

/** A recorded command, re-derived from the events it produced. */
export interface RecordedCommand {
  command: PseCaseCommand;
  metadata: CommandMetadata;
  events: PseCaseEventEnvelope[];
}

/** One recorded command under the case's own policy and under the alternative. */
export interface WhatIfStep {
  commandId: string;
  commandType: string;
  occurredAt: string;
  recorded: { events: string[]; state: CaseStateAfter };
  alternative:
    | { ok: true; events: string[]; state: CaseStateAfter }
    | { ok: false; code: string; reason: string };
  /** Human-readable differences; empty when the outcome is the same. */
  differences: string[];
}

/** Where a case's outcome would differ under another policy version (SPEC §3 what-if replay). */
export interface WhatIfReport {
  pseId: string;
  policy: string;
  steps: WhatIfStep[];
  differs: boolean;
  firstDifference: number | null;
  final: { recorded: CaseStateAfter | null; alternative: CaseStateAfter | null };
}

/**
 * Groups a case's events by command and re-derives each command. Consequential events (the `AccessRestored`
 * appended with a registration, submission or exemption) belong to the command that caused them.
 */
export function recordedCommands(envelopes: readonly PseCaseEventEnvelope[]): RecordedCommand[] {
  const groups: PseCaseEventEnvelope[][] = [];
  for (const envelope of envelopes) {
    const last = groups[groups.length - 1];
    if (last && last[0].commandId === envelope.commandId) last.push(envelope);
    else groups.push([envelope]);
  }
  return groups.flatMap((events) => {
    const command = commandOf(events[0]);
    if (!command) return [];
    const first = events[0];
    const metadata: CommandMetadata = {
      commandId: first.commandId,
      correlationId: first.correlationId,
      causationId: first.causationId,
      actor: first.actor,
      now: first.recordedAt,
      occurredAt: first.occurredAt,
    };
    return [{ command, metadata, events }];
  });
}

function commandOf(e: PseCaseEventEnvelope): PseCaseCommand | null {
  const pseId = e.pseId;
  switch (e.type) {
    case 'PseIdentified':
      return { type: 'IdentifyPse', pseId, ...e.data };
    case 'PseProfileUpdated':
      return { type: 'UpdatePseProfile', pseId, ...e.data };
    case 'RegistrationSubmitted':
      return { type: 'SubmitRegistration', pseId, channel: e.data.channel };
    case 'RegistrationConfirmed':
      return { type: 'ConfirmRegistration', pseId, registrationNumber: e.data.registrationNumber };
    case 'RegistrationRejected':
      return { type: 'RejectRegistration', pseId, reason: e.data.reason };
    case 'WarningIssued':
      return { type: 'IssueWarning', pseId, letterNumber: e.data.letterNumber };
    case 'FineImposed':
      return {
        type: 'ImposeFine',
        pseId,
        decisionNumber: e.data.decisionNumber,
        amountIdr: e.data.amountIdr,
      };
    case 'FinePaid':
      return { type: 'RecordFinePayment', pseId, ...e.data };
    case 'FineAnnulled':
      return { type: 'AnnulFine', pseId, ...e.data };
    case 'AccessBlocked':
      return { type: 'BlockAccess', pseId, orderNumber: e.data.orderNumber, domains: e.data.domains };
    case 'AccessTemporarilyRestored':
      return { type: 'RestoreAccessTemporarily', pseId, until: e.data.until, reason: e.data.reason };
    case 'AccessRestored':
      return e.data.cause === 'operator'
        ? { type: 'RestoreAccess', pseId, reason: e.data.reason, override: e.actor.role === 'admin' }
        : null;
    case 'RegistrationSuspended':
      return { type: 'SuspendRegistration', pseId, by: e.data.by, reason: e.data.reason };
    case 'SuspensionLifted':
      return { type: 'LiftSuspension', pseId, reason: e.data.reason };
    case 'RegistrationRevoked':
      return { type: 'RevokeRegistration', pseId, reason: e.data.reason };
    case 'ExemptionGranted':
      return { type: 'GrantExemption', pseId, reason: e.data.reason };
    case 'DeadlineElapsed':
      return { type: 'ElapseDeadline', pseId, deadline: e.data.deadline, fineId: e.data.fineId ?? undefined };
    case 'PolicyMigrated':
      // A what-if holds the policy fixed: recorded migrations are not replayed.
      return null;
    default: {
      const unhandled: never = e;
      return unhandled;
    }
  }
}

const label = (s: CaseStateAfter) => (s.substate ? `${s.state}.${s.substate}` : s.state);
const deadlineText = (ds: Deadline[]) =>
  ds.map((d) => `${d.kind}${d.fineId ? `(${d.fineId})` : ''}@${d.dueAt}`).join(', ');

function compare(recorded: CaseStateAfter, alternative: CaseStateAfter): string[] {
  const differences: string[] = [];
  if (label(recorded) !== label(alternative))
    differences.push(`state ${label(recorded)} → ${label(alternative)}`);
  if (recorded.onBlocklist !== alternative.onBlocklist) {
    differences.push(`on the blocklist: ${recorded.onBlocklist} → ${alternative.onBlocklist}`);
  }
  if (canonicalJson(recorded.deadlines) !== canonicalJson(alternative.deadlines)) {
    differences.push(
      `deadlines [${deadlineText(recorded.deadlines)}] → [${deadlineText(alternative.deadlines)}]`,
    );
  }
  if (recorded.fines.outstandingIdr !== alternative.fines.outstandingIdr) {
    differences.push(
      `outstanding fines ${recorded.fines.outstandingIdr} → ${alternative.fines.outstandingIdr} IDR`,
    );
  }
  return differences;
}

/**
 * Re-decides every recorded command of a case under `policy` and reports, command by command, where the
 * outcome would differ (refused, other state, other deadlines) and the final state under each.
 */
export function whatIf(envelopes: readonly PseCaseEventEnvelope[], policy: Policy): WhatIfReport {
  let snapshot: PseCaseSnapshot = initialCaseSnapshot();
  let alternativeFinal: CaseStateAfter | null = null;
  const steps: WhatIfStep[] = [];
  for (const recorded of recordedCommands(envelopes)) {
    const command: PseCaseCommand =
      recorded.command.type === 'IdentifyPse' ? { ...recorded.command, policy: policy.id } : recorded.command;
    const decision = decide(command, snapshot, policy, recorded.metadata);
    const recordedState = recorded.events[recorded.events.length - 1].state;
    const step: WhatIfStep = {
      commandId: recorded.metadata.commandId,
      commandType: command.type,
      occurredAt: recorded.metadata.occurredAt ?? recorded.metadata.now,
      recorded: { events: recorded.events.map((e) => e.type), state: recordedState },
      alternative: decision.ok
        ? {
            ok: true,
            events: decision.events.map((e) => e.type),
            state: decision.events[decision.events.length - 1].state,
          }
        : {
            ok: false,
            code: decision.error.code,
            reason: 'reason' in decision.error ? decision.error.reason : decision.error.message,
          },
      differences: [],
    };
    if (decision.ok) {
      snapshot = decision.snapshot;
      alternativeFinal = decision.events[decision.events.length - 1].state;
      step.differences = compare(recordedState, alternativeFinal);
    } else {
      step.differences = [`refused: ${step.alternative.ok ? '' : step.alternative.reason}`];
    }
    steps.push(step);
  }
  const firstDifference = steps.findIndex((s) => s.differences.length > 0);
  const recordedFinal = envelopes.length > 0 ? envelopes[envelopes.length - 1].state : null;
  return {
    pseId: envelopes[0]?.pseId ?? '',
    policy: policy.id,
    steps,
    differs: firstDifference >= 0 || canonicalJson(recordedFinal) !== canonicalJson(alternativeFinal),
    firstDifference: firstDifference >= 0 ? firstDifference : null,
    final: { recorded: recordedFinal, alternative: alternativeFinal },
  };
}
