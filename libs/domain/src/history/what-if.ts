import { normaliseHostname } from '../hostname/hostname';
import type { Policy } from '../policies/policy';
import type { CommandMetadata, PseCaseCommand } from '../pse-case/pse-case.commands';
import { catchUp, decide, type DecideOptions, isAutomatic } from '../pse-case/pse-case.decider';
import type { CaseStateAfter, Deadline, PseCaseEventEnvelope } from '../pse-case/pse-case.events';
import {
  effectiveHistory,
  foldCase,
  initialCaseSnapshot,
  stateOf,
  snapshotFromRecorded,
  toStateAfter,
  withoutMemory,
  type PseCaseSnapshot,
} from '../pse-case/pse-case.fold';
import { canonicalEqual } from './hash';

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

/** Where a case's outcome would differ under another policy version (what-if replay, docs/regulation.md §11). */
export interface WhatIfReport {
  pseId: string;
  policy: string;
  /** Business time both histories were brought up to (deadlines due by then elapsed, with their consequences). */
  until: string;
  steps: WhatIfStep[];
  differs: boolean;
  /** Index in `steps` of the first command whose outcome differs (null: none differs, or only the end). */
  firstDifference: number | null;
  /** The first event where the two histories part: its business time and type on each side. */
  divergence: {
    /** Position of the event in each history (from 0). */
    index: number;
    recorded: WhatIfEvent | null;
    alternative: WhatIfEvent | null;
  } | null;
  /** Time-driven events the alternative generated under its own policy (elapses, automatic escalations). */
  generated: WhatIfEvent[];
  final: { recorded: CaseStateAfter | null; alternative: CaseStateAfter | null };
}

/** One event of either history, as a what-if shows it. */
export interface WhatIfEvent {
  type: string;
  occurredAt: string;
  state: string;
}

/** The alternative history is compared, never stored: it is decided outside the hash chain. */
const UNSEALED: DecideOptions = { hashChain: false };

/** Options of a what-if: the business time to simulate up to (default: the last recorded event). */
export interface WhatIfOptions {
  until?: string;
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
    // Elapses and automatic escalations are consequences of time under a policy, not recorded decisions.
    if (isAutomatic(events[0])) return [];
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

/**
 * Recorded domains as a command of today would carry them: events recorded before the host-name rule may
 * hold names it refuses, and a what-if compares policies, not that rule, so those names are left out.
 */
function currentDomains(domains: readonly string[]): string[] {
  const kept: string[] = [];
  for (const domain of domains) {
    const result = normaliseHostname(domain);
    if ('hostname' in result && !kept.includes(result.hostname)) kept.push(result.hostname);
  }
  return kept;
}

function commandOf(e: PseCaseEventEnvelope): PseCaseCommand | null {
  const pseId = e.pseId;
  switch (e.type) {
    case 'PseIdentified':
      return { type: 'IdentifyPse', pseId, ...e.data, domains: currentDomains(e.data.domains) };
    case 'PseProfileUpdated':
      return e.data.domains === undefined
        ? { type: 'UpdatePseProfile', pseId, ...e.data }
        : { type: 'UpdatePseProfile', pseId, ...e.data, domains: currentDomains(e.data.domains) };
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
    case 'AccessBlocked': {
      const domains = currentDomains(e.data.domains);
      // None left: the block falls back on the case's own domains, as an order without domains does.
      return domains.length > 0
        ? { type: 'BlockAccess', pseId, orderNumber: e.data.orderNumber, domains }
        : { type: 'BlockAccess', pseId, orderNumber: e.data.orderNumber };
    }
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
    case 'NormalisationRequested':
      return { type: 'RequestNormalisation', pseId, reason: e.data.reason };
    case 'NormalisationRefused':
      return { type: 'RefuseNormalisation', pseId, reason: e.data.reason };
    case 'DeadlineElapsed':
      // Time-driven: the alternative policy elapses its own deadlines at their own due instants.
      return null;
    case 'ConsequencesRetracted':
      return null;
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
  if (!canonicalEqual(recorded.deadlines, alternative.deadlines)) {
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

const described = (s: CaseStateAfter) => label(s);
const shown = (e: PseCaseEventEnvelope): WhatIfEvent => ({
  type: e.type,
  occurredAt: e.occurredAt,
  state: described(e.state),
});

/**
 * Re-decides every recorded operator command of a case under `policy`, generating that policy's own
 * time-driven consequences (deadline elapses and automatic escalations at their due instants), up to
 * `until`; reports, command by command, where the outcome would differ, the first event where the two
 * histories part, and the final state under each. The recorded history is brought up to `until` too,
 * under its own policy, so that both sides are compared at the same business time.
 */
export function whatIf(
  envelopes: readonly PseCaseEventEnvelope[],
  policy: Policy,
  options: WhatIfOptions = {},
): WhatIfReport {
  const lastRecorded = envelopes[envelopes.length - 1];
  const until = options.until ?? lastRecorded?.occurredAt ?? policy.registrationDeadline;
  const now = until;
  let snapshot: PseCaseSnapshot = initialCaseSnapshot();
  const alternativeEvents: PseCaseEventEnvelope[] = [];
  const steps: WhatIfStep[] = [];
  for (const recorded of recordedCommands(envelopes)) {
    const occurredAt = recorded.metadata.occurredAt ?? recorded.metadata.now;
    if (Date.parse(occurredAt) > Date.parse(until)) break;
    const command: PseCaseCommand =
      recorded.command.type === 'IdentifyPse' ? { ...recorded.command, policy: policy.id } : recorded.command;
    const decision = decide(
      command,
      snapshot,
      policy,
      { ...recorded.metadata, now: maxInstant(recorded.metadata.now, occurredAt) },
      UNSEALED,
    );
    const recordedState = recorded.events[recorded.events.length - 1].state;
    const step: WhatIfStep = {
      commandId: recorded.metadata.commandId,
      commandType: command.type,
      occurredAt,
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
      alternativeEvents.push(...decision.events);
      step.differences = compare(recordedState, decision.events[decision.events.length - 1].state);
    } else {
      step.differences = [`refused: ${step.alternative.ok ? '' : step.alternative.reason}`];
    }
    steps.push(step);
  }
  if (stateOf(snapshot).state !== 'absent') {
    const tail = catchUp(snapshot, until, now, UNSEALED);
    if (tail.ok) {
      snapshot = tail.snapshot;
      alternativeEvents.push(...tail.events);
    }
  }
  const recordedUpTo = envelopes.filter((e) => Date.parse(e.occurredAt) <= Date.parse(until));
  const recordedStory = effectiveHistory(recordedUpTo);
  const recordedFinal = finalState(recordedUpTo, until, now, recordedUpTo.length === envelopes.length);
  const alternativeFinal = stateOf(snapshot).state === 'absent' ? null : toStateAfter(snapshot);
  const firstDifference = steps.findIndex((s) => s.differences.length > 0);
  return {
    pseId: envelopes[0]?.pseId ?? '',
    policy: policy.id,
    until,
    steps,
    differs: firstDifference >= 0 || !canonicalEqual(comparable(recordedFinal), comparable(alternativeFinal)),
    firstDifference: firstDifference >= 0 ? firstDifference : null,
    divergence: divergence(recordedStory, alternativeEvents),
    generated: alternativeEvents.filter(isAutomatic).map(shown),
    final: { recorded: recordedFinal, alternative: alternativeFinal },
  };
}

/** The recorded case brought up to `until` under its own policy (as the scheduler would have). */
function finalState(
  envelopes: readonly PseCaseEventEnvelope[],
  until: string,
  now: string,
  /** `envelopes` is the whole history (none dated after `until` was left out). */
  allRecorded: boolean,
): CaseStateAfter | null {
  if (envelopes.length === 0) return null;
  const last = envelopes[envelopes.length - 1].state;
  // Nothing due by `until`: the case stands as its last event recorded it (what a fold gives, `verify`
  // checks that for every event), so the fold — half a what-if's statechart work — is not needed.
  if (allRecorded && !last.deadlines.some((d) => Date.parse(d.dueAt) <= Date.parse(until)))
    return withoutMemory(last);
  // The whole history's last event records the snapshot its fold gives (decision 0013); a history cut at
  // `until` is not always a prefix of the stream (a late fact is dated before events stored ahead of it).
  const folded =
    (allRecorded ? snapshotFromRecorded(envelopes[envelopes.length - 1]) : undefined) ?? foldCase(envelopes);
  const caughtUp = catchUp(folded, until, now, UNSEALED);
  return toStateAfter(caughtUp.ok ? caughtUp.snapshot : folded);
}

/** The state fields a what-if compares (`since` and counters may differ by design). */
function comparable(state: CaseStateAfter | null) {
  if (!state) return null;
  return {
    state: state.state,
    substate: state.substate,
    onBlocklist: state.onBlocklist,
    deadlines: state.deadlines,
    outstandingIdr: state.fines.outstandingIdr,
  };
}

/** The first position where the event types, business times or resulting states of two histories part. */
function divergence(
  recorded: readonly PseCaseEventEnvelope[],
  alternative: readonly PseCaseEventEnvelope[],
): WhatIfReport['divergence'] {
  const length = Math.max(recorded.length, alternative.length);
  for (let i = 0; i < length; i++) {
    const r = recorded[i];
    const a = alternative[i];
    if (
      r &&
      a &&
      r.type === a.type &&
      r.occurredAt === a.occurredAt &&
      described(r.state) === described(a.state)
    ) {
      continue;
    }
    return { index: i, recorded: r ? shown(r) : null, alternative: a ? shown(a) : null };
  }
  return null;
}

function maxInstant(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
