import { getPolicy } from '../policies';
import type { Policy } from '../policies/policy';
import { DEADLINE_ACTOR, ENGINE_ACTOR, ESCALATION_ACTOR, isAutomaticActor } from './pse-case.actors';
import { explainRefusal, refusal } from './pse-case.allowed';
import type { CommandMetadata, PseCaseCommand } from './pse-case.commands';
import { ruleFor } from './pse-case.command-rules';
import { CaseAlreadyExists, CaseNotFound, ValidationFailed, type DecideError } from './pse-case.errors';
import type { Deadline, DeadlineKind, PseCaseEventEnvelope } from './pse-case.events';
import { draftEnvelope, eventIdFor, sealEnvelope, type EventMetadata } from './pse-case.envelope';
import {
  effectiveHistory,
  evolveWithActions,
  foldCase,
  initialCaseSnapshot,
  stateOf,
  toRecordedState,
  withLastHash,
  type PseCaseSnapshot,
} from './pse-case.fold';
import { DeadlineKind as DeadlineKinds } from './pse-case.events';
import { pseCaseMachine, type EscalationParams } from './pse-case.machine';

export { DEADLINE_ACTOR, ENGINE_ACTOR } from './pse-case.actors';

/** Prefix of the command id every deadline elapse carries. */
export const ELAPSE_COMMAND_PREFIX = 'elapse:';

/** Business time may run ahead of the recording clock by at most this much (clock skew, not post-dating). */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** A bound on one catch-up: far more deadlines than any case can have running; reaching it is a machine bug. */
const MAX_CATCH_UP_STEPS = 1000;

export type Decision =
  | { ok: true; events: PseCaseEventEnvelope[]; snapshot: PseCaseSnapshot }
  | { ok: false; error: DecideError };

type Step =
  | { ok: true; events: PseCaseEventEnvelope[]; snapshot: PseCaseSnapshot }
  | { ok: false; error: DecideError };

/** How `decide` and `catchUp` form the events they return. */
export interface DecideOptions {
  /**
   * `false`: the events are left out of the hash chain (`hash` empty, the snapshot's `lastHash` left at
   * the last sealed event's) — for histories that are only looked at and never stored (what-if, as-of
   * views), where sealing was a seventh of the work. Types, ids, data and states are as when sealed.
   */
  hashChain?: boolean;
}

const SEALED: DecideOptions = { hashChain: true };

/**
 * The command id of elapsing one deadline of a case: the same whoever brings the case up to date (the
 * scheduler, or a later command), so the elapse and its consequences happen once, with the same event ids.
 * After `retractions` retractions a re-derived elapse gets a fresh id (the retracted one keeps its own).
 */
export function elapseCommandId(
  pseId: string,
  deadline: Pick<Deadline, 'kind' | 'fineId' | 'dueAt'>,
  retractions = 0,
): string {
  const dueAt = new Date(deadline.dueAt).toISOString();
  const generation = retractions > 0 ? `#${retractions}` : '';
  return `${ELAPSE_COMMAND_PREFIX}${pseId}:${deadline.kind}:${deadline.fineId ?? '-'}:${dueAt}${generation}`;
}

/** Whether an event was written by the engine itself: an elapse, an automatic escalation, a retraction. */
export function isAutomatic(envelope: PseCaseEventEnvelope): boolean {
  return isAutomaticActor(envelope.actor.id);
}

/**
 * Whether deciding `command` on a case takes more than its snapshot: a fact dated before the case's last
 * event may retract the automatic events recorded after it (docs/regulation.md §9.5), which needs the
 * history. When false, `decideOnHistory` is `decide` on the snapshot, and the history may stay unread.
 */
export function needsHistory(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot | undefined,
  metadata: Pick<CommandMetadata, 'now' | 'occurredAt'>,
): boolean {
  const last = snapshot?.context.lastOccurredAt ?? null;
  if (!snapshot || last === null || command.type === 'ElapseDeadline') return false;
  return Date.parse(metadata.occurredAt ?? metadata.now) < Date.parse(last);
}

/**
 * Decides a command against a case's recorded history (the command path's entry point). Like `decide`,
 * and more: a fact dated before automatic events already recorded (history entered after the fact while
 * the scheduler ran ahead of it) first retracts them — they followed from what was known then — so the
 * story comes out the same whether or not the scheduler had caught up (docs/regulation.md §9.5). A fact
 * dated before an operator's recorded event is still refused: business time never goes backwards.
 * `snapshot`, when given, must be `foldCase(history)` (a caller that has folded already saves a fold).
 */
export function decideOnHistory(
  command: PseCaseCommand,
  history: readonly PseCaseEventEnvelope[],
  policy: Policy,
  metadata: CommandMetadata,
  snapshot: PseCaseSnapshot | undefined = history.length > 0 ? foldCase(history) : undefined,
): Decision {
  const occurredAt = metadata.occurredAt ?? metadata.now;
  if (!snapshot || !needsHistory(command, snapshot, metadata)) {
    return decide(command, snapshot, policy, metadata);
  }
  const effective = effectiveHistory(history);
  const keep = findLastIndex(effective, (e) => Date.parse(e.occurredAt) <= Date.parse(occurredAt));
  const later = effective.slice(keep + 1);
  if (keep < 0 || later.length === 0 || !later.every(isAutomatic))
    return decide(command, snapshot, policy, metadata);
  const toRevision = effective[keep].revision;
  const base = foldCase(history.filter((e) => e.revision <= toRevision));
  const retraction = draftEnvelope(
    {
      type: 'ConsequencesRetracted',
      data: {
        toRevision,
        retracted: later.map((e) => e.eventId),
        reason: `${command.type} dated ${occurredAt} was recorded after automatic events dated later`,
      },
    },
    snapshot,
    command.pseId,
    {
      commandId: `${metadata.commandId}:retract`,
      correlationId: metadata.correlationId,
      causationId: null,
      actor: ENGINE_ACTOR,
      now: metadata.now,
      occurredAt,
    },
    eventIdFor(command.pseId, `${metadata.commandId}:retract`, 0),
    snapshot.context.policyVersion,
  );
  const rewound = pseCaseMachine.resolveState({
    value: base.value,
    context: {
      ...base.context,
      revision: retraction.revision,
      lastOccurredAt: occurredAt,
      retractions: snapshot.context.retractions + 1,
    },
  });
  const sealed = sealEnvelope(retraction, toRecordedState(rewound, retraction.policyVersion));
  const after = pseCaseMachine.resolveState({
    value: rewound.value,
    context: { ...rewound.context, lastHash: sealed.hash },
  });
  const decision = decide(command, after, policy, metadata);
  if (!decision.ok) return decision;
  return { ok: true, events: [sealed, ...decision.events], snapshot: decision.snapshot };
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i])) return i;
  return -1;
}

/**
 * Decides a command against a case: the events it produces (fully formed, hash-chained envelopes) or a
 * typed refusal. Business time decides (docs/regulation.md §9): every deadline due by the command's
 * business time first elapses at its due instant, with its automatic consequences, and those events come
 * first in the same append; the command is then decided on the case as it stands. Pure: time and ids come
 * from `metadata`. `policy` governs a new case; an existing case decides under its own policy version.
 */
export function decide(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot | undefined,
  policy: Policy,
  metadata: CommandMetadata,
  options: DecideOptions = SEALED,
): Decision {
  const current = snapshot ?? initialCaseSnapshot();
  const exists = stateOf(current).state !== 'absent';
  if (command.type === 'IdentifyPse' && exists) return refuse(new CaseAlreadyExists(command.pseId));
  if (command.type !== 'IdentifyPse' && !exists) return refuse(new CaseNotFound(command.pseId));
  const active = exists ? getPolicy(current.context.policyVersion) : policy;
  const occurredAt = metadata.occurredAt ?? metadata.now;
  const timing = checkTiming(command, current, active, metadata.now, occurredAt);
  if (timing) return refuse(timing);

  if (command.type === 'ElapseDeadline')
    return elapseThrough(command, current, active, metadata.now, occurredAt, options);

  const caughtUp = exists
    ? catchUp(current, occurredAt, metadata.now, options)
    : { ok: true as const, events: [], snapshot: current };
  if (!caughtUp.ok) return caughtUp;
  const own = decideOne(
    command,
    caughtUp.snapshot,
    getPolicyOf(caughtUp.snapshot, active),
    {
      commandId: metadata.commandId,
      correlationId: metadata.correlationId,
      causationId: metadata.causationId ?? null,
      actor: metadata.actor,
      now: metadata.now,
      occurredAt,
    },
    options,
  );
  if (!own.ok) return own;
  return { ok: true, events: [...caughtUp.events, ...own.events], snapshot: own.snapshot };
}

/**
 * Brings a case up to business time `until`: every deadline due by then elapses at its due instant (never
 * before the case's last event), in due order, each with the automatic consequences its policy gives it
 * dated at that same instant; deadlines those consequences start are caught up too. `now` is the record time.
 */
export function catchUp(
  snapshot: PseCaseSnapshot,
  until: string,
  now: string,
  options: DecideOptions = SEALED,
): Step {
  let state = snapshot;
  const events: PseCaseEventEnvelope[] = [];
  for (let step = 0; step < MAX_CATCH_UP_STEPS; step++) {
    const deadline = nextDue(state.context.deadlines, until);
    if (!deadline) return { ok: true, events, snapshot: state };
    const last = state.context.lastOccurredAt;
    const at = last !== null && Date.parse(last) > Date.parse(deadline.dueAt) ? last : deadline.dueAt;
    const commandId = elapseCommandId(state.context.pseId, deadline, state.context.retractions);
    const elapse: PseCaseCommand = {
      type: 'ElapseDeadline',
      pseId: state.context.pseId,
      deadline: deadline.kind,
      ...(deadline.fineId ? { fineId: deadline.fineId } : {}),
    };
    const result = decideOne(
      elapse,
      state,
      getPolicy(state.context.policyVersion),
      {
        commandId,
        correlationId: commandId,
        causationId: null,
        actor: DEADLINE_ACTOR,
        now,
        occurredAt: at,
      },
      options,
    );
    if (!result.ok) return result;
    events.push(...result.events);
    state = result.snapshot;
  }
  throw new RangeError(
    `catching up ${snapshot.context.pseId} to ${until} did not settle in ${MAX_CATCH_UP_STEPS} steps`,
  );
}

/** `ElapseDeadline`: the case brought up to date through that deadline (the scheduler's command). */
function elapseThrough(
  command: Extract<PseCaseCommand, { type: 'ElapseDeadline' }>,
  snapshot: PseCaseSnapshot,
  policy: Policy,
  now: string,
  occurredAt: string,
  options: DecideOptions,
): Decision {
  const fineId = command.fineId ?? null;
  const deadline = snapshot.context.deadlines.find(
    (d) => d.kind === command.deadline && (fineId === null || d.fineId === fineId),
  );
  const reason = !deadline
    ? `no ${command.deadline} deadline${fineId ? ` for ${fineId}` : ''} is running`
    : Date.parse(occurredAt) < Date.parse(deadline.dueAt)
      ? `the ${command.deadline} deadline is due ${deadline.dueAt}, not yet at ${occurredAt}`
      : null;
  if (reason) return refuse(refusal(command, snapshot, policy, occurredAt, reason));
  return catchUp(snapshot, occurredAt, now, options);
}

const kindOrder = new Map<DeadlineKind, number>(DeadlineKinds.options.map((kind, i) => [kind, i]));

/** The running deadline due first by `until` (ties: in the order deadline kinds are declared, then fine). */
function nextDue(deadlines: readonly Deadline[], until: string): Deadline | undefined {
  const limit = Date.parse(until);
  let next: Deadline | undefined;
  for (const d of deadlines) {
    if (Date.parse(d.dueAt) > limit) continue;
    if (!next || compareDeadlines(d, next) < 0) next = d;
  }
  return next;
}

function compareDeadlines(a: Deadline, b: Deadline): number {
  return (
    Date.parse(a.dueAt) - Date.parse(b.dueAt) ||
    (kindOrder.get(a.kind) ?? 0) - (kindOrder.get(b.kind) ?? 0) ||
    (a.fineId ?? '').localeCompare(b.fineId ?? '')
  );
}

/**
 * One command on a case already up to date: its drafted events through the machine, then the automatic
 * escalations they ask for, decided at the same business time as the event that asked.
 */
function decideOne(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot,
  policy: Policy,
  metadata: EventMetadata,
  options: DecideOptions,
): Step {
  const { state } = stateOf(snapshot);
  const refuseHere = (reason: string) => refusal(command, snapshot, policy, metadata.occurredAt, reason);
  const drafted = ruleFor(command).draft({
    command,
    snapshot,
    context: snapshot.context,
    state,
    policy,
    metadata,
    refuse: refuseHere,
  });
  if (drafted instanceof Error) return refuse(drafted);

  let current = snapshot;
  const events: PseCaseEventEnvelope[] = [];
  const escalations: Array<{ params: EscalationParams; cause: PseCaseEventEnvelope }> = [];
  for (const [index, draft] of drafted.entries()) {
    const partial = draftEnvelope(
      draft,
      current,
      command.pseId,
      metadata,
      eventIdFor(command.pseId, metadata.commandId, index),
      policy.id,
    );
    const [next, actions] = evolveWithActions(current, partial);
    // xstate hands back the very same snapshot when no transition is enabled: the machine refused.
    if (next === current) {
      return refuse(refuseHere(explainRefusal(command, snapshot, policy, metadata.occurredAt)));
    }
    let envelope: PseCaseEventEnvelope;
    if (options.hashChain === false) {
      envelope = { ...partial, state: toRecordedState(next, partial.policyVersion) };
      current = next;
    } else {
      envelope = sealEnvelope(partial, toRecordedState(next, partial.policyVersion));
      // The hash covers the state the event led to, so it is known only now; the snapshot must remember it.
      current = withLastHash(next, envelope.hash);
    }
    events.push(envelope);
    for (const action of actions) {
      if (action.type === 'escalate')
        escalations.push({ params: action.params as EscalationParams, cause: envelope });
    }
  }
  for (const [index, { params, cause }] of escalations.entries()) {
    const commandId = `${metadata.commandId}:escalate:${index}`;
    const result = decideOne(
      escalationCommand(params, current, cause),
      current,
      getPolicyOf(current, policy),
      {
        commandId,
        correlationId: metadata.correlationId,
        causationId: cause.eventId,
        actor: ESCALATION_ACTOR,
        now: metadata.now,
        occurredAt: cause.occurredAt,
      },
      options,
    );
    if (!result.ok) return result;
    events.push(...result.events);
    current = result.snapshot;
  }
  return { ok: true, events, snapshot: current };
}

function getPolicyOf(snapshot: PseCaseSnapshot, fallback: Policy): Policy {
  return snapshot.context.policyVersion ? getPolicy(snapshot.context.policyVersion) : fallback;
}

function refuse(error: DecideError): { ok: false; error: DecideError } {
  return { ok: false, error };
}

function checkTiming(
  command: PseCaseCommand,
  snapshot: PseCaseSnapshot,
  policy: Policy,
  now: string,
  occurredAt: string,
): DecideError | null {
  if (Date.parse(occurredAt) - Date.parse(now) > MAX_FUTURE_SKEW_MS) {
    return new ValidationFailed([
      {
        path: ['occurredAt'],
        message: `business time ${occurredAt} is more than 5 minutes after now (${now})`,
      },
    ]);
  }
  const last = snapshot.context.lastOccurredAt;
  // An elapse is dated by the domain itself (at its due instant, never before the case's last event).
  if (command.type === 'ElapseDeadline') return null;
  if (last !== null && Date.parse(occurredAt) < Date.parse(last)) {
    return refusal(
      command,
      snapshot,
      policy,
      occurredAt,
      `business time never goes backwards within a case: ${occurredAt} is before the last event's ${last}`,
    );
  }
  return null;
}

/** The command an automatic escalation runs, referenced to the event that caused it. */
function escalationCommand(
  params: EscalationParams,
  snapshot: PseCaseSnapshot,
  cause: PseCaseEventEnvelope,
): PseCaseCommand {
  const ref = `AUTO/${cause.pseId}/${cause.revision}`;
  const reason = `Automatic escalation: ${params.cause} (${cause.type} ${cause.eventId})`;
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
