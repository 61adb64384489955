import fc from 'fast-check';
import { getPolicy } from '../../policies';
import { allowedCommands } from '../pse-case.allowed';
import type { CommandMetadata, PseCaseCommand, PseCaseCommandType } from '../pse-case.commands';
import { fineOutstanding } from '../pse-case.context';
import { catchUp, decide, DEADLINE_ACTOR, elapseCommandId, type Decision } from '../pse-case.decider';
import type { DecideError } from '../pse-case.errors';
import type { ActorRole, Deadline, PolicyId, PseCaseEventEnvelope } from '../pse-case.events';
import { initialCaseSnapshot, type PseCaseSnapshot } from '../pse-case.fold';

// Scripted case histories for property tests: random operator commands at random business times (many of
// them landing on or just after a pending deadline), played purely through `decide` under a chosen
// scheduler behaviour. The scheduler is nothing but `ElapseDeadline` commands dated at the due instant.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WIB_OFFSET = 7 * HOUR;

/** Monday 18 July 2022, 09:00 WIB: two days before the registration deadline. */
export const HISTORY_START = '2022-07-18T09:00:00+07:00';

/** An instant written in WIB, as the ministry dates its letters. */
export function wibInstant(ms: number): string {
  return `${new Date(ms + WIB_OFFSET).toISOString().slice(0, 19)}+07:00`;
}

/** The operator commands a script draws from (the scheduler's `ElapseDeadline` is not one of them). */
export const operatorCommandTypes = [
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
  'RequestNormalisation',
  'RefuseNormalisation',
  'SuspendRegistration',
  'LiftSuspension',
  'RevokeRegistration',
  'GrantExemption',
] as const satisfies readonly PseCaseCommandType[];
export type OperatorCommandType = (typeof operatorCommandTypes)[number];

/** When a step happens, relative to the previous one or to the next pending deadline. */
export type TimeStep =
  | { kind: 'minutes'; minutes: number }
  | { kind: 'days'; days: number; minutes: number }
  /** On (minutes = 0) or just after the due instant of the next running deadline. */
  | { kind: 'afterDue'; minutes: number }
  | { kind: 'weeks'; days: number };

/** The random parts of one command besides its type. */
export interface CommandParams {
  channel: 'oss' | 'manual';
  by: 'TAKEL' | 'PAI';
  override: boolean;
  /** Share of the outstanding amount a payment covers (100: the whole rest). */
  percent: number;
  fineIndex: number;
  /** A fine id the case may not have. */
  strayFine: boolean;
  untilHours: number;
  amountIdr: number;
}

/** One generated step of a script. */
export interface Step {
  time: TimeStep;
  /** Pick among the commands the case allows at that time (else among all, allowed or not). */
  fromAllowed: boolean;
  /** Selects the command type by weight, among all operator commands or among those allowed. */
  pick: number;
  /** This command type, whatever the case allows (for fixed openings). */
  force?: OperatorCommandType;
  params: CommandParams;
  role: ActorRole;
  /** How long after its business time the command is recorded. */
  recordLagMinutes: number;
}

/** A materialised command of a script: the same in every scheduler variant. */
export interface ScriptedCommand {
  command: PseCaseCommand;
  commandId: string;
  occurredAt: string;
  now: string;
  role: ActorRole;
}

/** A whole history to play: its policy, its operator commands, and the business time all variants reach. */
export interface Script {
  policy: PolicyId;
  pseId: string;
  identify: ScriptedCommand;
  commands: ScriptedCommand[];
  until: string;
}

const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

/** How often each command is drawn: sanctions and what follows them more than what ends a case. */
const commandWeights: Record<OperatorCommandType, number> = {
  UpdatePseProfile: 2,
  SubmitRegistration: 9,
  ConfirmRegistration: 3,
  RejectRegistration: 9,
  IssueWarning: 18,
  ImposeFine: 18,
  RecordFinePayment: 15,
  AnnulFine: 3,
  BlockAccess: 18,
  RestoreAccessTemporarily: 12,
  RestoreAccess: 6,
  RequestNormalisation: 9,
  RefuseNormalisation: 6,
  SuspendRegistration: 9,
  LiftSuspension: 3,
  RevokeRegistration: 9,
  GrantExemption: 1,
};

/** The type `pick` (any natural number) selects among `types`, each in proportion to its weight. */
function weightedPick(types: readonly OperatorCommandType[], pick: number): OperatorCommandType {
  const total = types.reduce((n, t) => n + commandWeights[t], 0);
  let left = pick % total;
  for (const type of types) {
    left -= commandWeights[type];
    if (left < 0) return type;
  }
  return types[types.length - 1];
}

const timeArb: fc.Arbitrary<TimeStep> = fc.oneof(
  weighted(
    3,
    fc.integer({ min: 0, max: 12 * 60 }).map((minutes) => ({ kind: 'minutes' as const, minutes })),
  ),
  weighted(
    3,
    fc
      .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 23 * 60 }))
      .map(([days, minutes]) => ({ kind: 'days' as const, days, minutes })),
  ),
  weighted(
    4,
    fc
      .oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 3 * 60 }))
      .map((minutes) => ({ kind: 'afterDue' as const, minutes })),
  ),
  weighted(
    1,
    fc.integer({ min: 10, max: 45 }).map((days) => ({ kind: 'weeks' as const, days })),
  ),
);

const paramsArb: fc.Arbitrary<CommandParams> = fc.record({
  channel: fc.constantFrom('oss' as const, 'manual' as const),
  by: fc.constantFrom('TAKEL' as const, 'PAI' as const),
  override: fc.boolean(),
  percent: fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 99 })),
  fineIndex: fc.nat(5),
  strayFine: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  untilHours: fc.integer({ min: 1, max: 180 }),
  amountIdr: fc.integer({ min: 1_000_000, max: 50_000_000 }),
});

/** One step of a script: a command type or a pick among the allowed ones, its time and its details. */
export const stepArb: fc.Arbitrary<Step> = fc.record({
  time: timeArb,
  fromAllowed: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
  pick: fc.nat(10_000),
  params: paramsArb,
  role: fc.constantFrom('operator' as const, 'operator' as const, 'admin' as const),
  recordLagMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * 24 * 60 })),
});

const fixedParams: CommandParams = {
  channel: 'oss',
  by: 'TAKEL',
  override: false,
  percent: 100,
  fineIndex: 0,
  strayFine: false,
  untilHours: 72,
  amountIdr: 2_000_000,
};

/** A step that sends `force` at `time`, whatever the case allows. */
export const forcedStep = (force: OperatorCommandType, time: TimeStep): Step => ({
  time,
  fromAllowed: false,
  pick: 0,
  force,
  params: fixedParams,
  role: 'operator',
  recordLagMinutes: 0,
});

/**
 * The opening that climbs a policy's ladder to its last rung before the block: warned on 2022-07-23, and
 * under pp43-2023 fined once the warning lapsed (deep paths are rare in random sequences).
 */
export function ladderOpening(policy: PolicyId): Step[] {
  const warn = forcedStep('IssueWarning', { kind: 'days', days: 5, minutes: 60 });
  if (policy !== 'pp43-2023') return [warn];
  return [warn, forcedStep('ImposeFine', { kind: 'afterDue', minutes: 10 })];
}

/** Steps of one script. */
export const stepsArb = (maxLength = 24): fc.Arbitrary<Step[]> =>
  fc.array(stepArb, { minLength: 4, maxLength, size: 'max' });

/**
 * Steps of one script under `policy`: a third as generated, a third after the opening that climbs its ladder,
 * a third after a block ordered at once on 2022-07-23 (allowed only where the warning is optional).
 */
export const historyStepsArb = (policy: PolicyId, maxLength = 24): fc.Arbitrary<Step[]> =>
  fc
    .tuple(fc.constantFrom('none', 'ladder', 'block at once'), stepsArb(maxLength))
    .map(([opening, steps]) => {
      if (opening === 'ladder') return [...ladderOpening(policy), ...steps];
      if (opening === 'block at once')
        return [forcedStep('BlockAccess', { kind: 'days', days: 5, minutes: 60 }), ...steps];
      return steps;
    });

function openFines(snapshot: PseCaseSnapshot) {
  return Object.values(snapshot.context.fines).filter((f) => fineOutstanding(f) > 0);
}

/** The command of a step of `type` on the case as it stands at `at` (`view`: caught up to `at`). */
export function buildCommand(
  type: OperatorCommandType,
  pseId: string,
  at: number,
  view: PseCaseSnapshot,
  p: CommandParams,
): PseCaseCommand {
  const fineOf = () => {
    const open = openFines(view);
    if (p.strayFine || open.length === 0) return { fineId: `F${(p.fineIndex % 3) + 1}`, outstanding: 1 };
    const fine = open[p.fineIndex % open.length];
    return { fineId: fine.fineId, outstanding: fineOutstanding(fine) };
  };
  switch (type) {
    case 'UpdatePseProfile':
      return { type, pseId, name: `Renamed ${p.fineIndex}` };
    case 'SubmitRegistration':
      return { type, pseId, channel: p.channel };
    case 'ConfirmRegistration':
      return { type, pseId, registrationNumber: '000001.01/DJAI.PSE/08/2022' };
    case 'RejectRegistration':
      return { type, pseId, reason: 'incomplete documents' };
    case 'IssueWarning':
      return { type, pseId, letterNumber: `W-${p.fineIndex}` };
    case 'ImposeFine':
      return { type, pseId, decisionNumber: `D-${p.fineIndex}`, amountIdr: p.amountIdr };
    case 'RecordFinePayment': {
      const { fineId, outstanding } = fineOf();
      const amountIdr = Math.max(1, Math.floor((outstanding * p.percent) / 100));
      return { type, pseId, fineId, amountIdr, reference: `P-${p.percent}` };
    }
    case 'AnnulFine':
      return { type, pseId, fineId: fineOf().fineId, reason: 'appeal granted' };
    case 'BlockAccess':
      return { type, pseId, orderNumber: `B-${p.fineIndex}` };
    case 'RestoreAccessTemporarily':
      return { type, pseId, until: wibInstant(at + p.untilHours * HOUR), reason: 'users withdraw funds' };
    case 'RestoreAccess':
      return { type, pseId, reason: 'normalised on request', override: p.override };
    case 'RequestNormalisation':
      return { type, pseId, reason: 'registered abroad' };
    case 'RefuseNormalisation':
      return { type, pseId, reason: 'not registered yet' };
    case 'SuspendRegistration':
      return { type, pseId, by: p.by, reason: 'false information' };
    case 'LiftSuspension':
      return { type, pseId, reason: 'clarified' };
    case 'RevokeRegistration':
      return { type, pseId, reason: 'no response' };
    case 'GrantExemption':
      return { type, pseId, reason: 'not obliged to register' };
    default: {
      const unhandled: never = type;
      return unhandled;
    }
  }
}

function metadataOf(scripted: ScriptedCommand): CommandMetadata {
  return {
    commandId: scripted.commandId,
    correlationId: scripted.commandId,
    actor: { id: `${scripted.role}-1`, role: scripted.role },
    now: scripted.now,
    occurredAt: scripted.occurredAt,
  };
}

function caughtUpView(snapshot: PseCaseSnapshot, at: string): PseCaseSnapshot {
  const view = catchUp(snapshot, at, at);
  return view.ok ? view.snapshot : snapshot;
}

function nextTime(previous: number, time: TimeStep, view: () => PseCaseSnapshot): number {
  switch (time.kind) {
    case 'minutes':
      return previous + time.minutes * MINUTE;
    case 'days':
      return previous + time.days * DAY + time.minutes * MINUTE;
    case 'weeks':
      return previous + time.days * DAY;
    case 'afterDue': {
      const due = view()
        .context.deadlines.map((d) => Date.parse(d.dueAt))
        .filter((t) => t >= previous);
      return due.length > 0 ? Math.min(...due) + time.minutes * MINUTE : previous + DAY;
    }
    default: {
      const unhandled: never = time;
      return unhandled;
    }
  }
}

/**
 * Turns generated steps into a concrete script (command, business and record time), choosing each command
 * on the case as it stands at its business time, and plays it with no scheduler at all: that run is the
 * reference every other scheduler behaviour must reproduce.
 */
export function materialise(
  policy: PolicyId,
  steps: readonly Step[],
  pseId = 'case',
): { script: Script; reference: Played } {
  const script: Script = {
    policy,
    pseId,
    identify: {
      command: {
        type: 'IdentifyPse',
        pseId,
        name: 'Scripted PSE',
        origin: 'foreign',
        domains: [`${pseId}.example`],
        company: null,
        sector: null,
        policy,
      },
      commandId: 'c0',
      occurredAt: HISTORY_START,
      now: HISTORY_START,
      role: 'operator',
    },
    commands: [],
    until: HISTORY_START,
  };
  const stream = new CaseStream(script);
  stream.send(script.identify);
  const outcomes: Outcome[] = [];
  let previous = Date.parse(HISTORY_START);
  for (const [i, step] of steps.entries()) {
    const at = nextTime(previous, step.time, () => caughtUpView(stream.snapshot, wibInstant(previous)));
    const occurredAt = wibInstant(at);
    const view = caughtUpView(stream.snapshot, occurredAt);
    const allowed = step.fromAllowed
      ? allowedCommands(view, getPolicy(policy), occurredAt).filter(
          (t): t is OperatorCommandType => t !== 'UpdatePseProfile' && t in commandWeights,
        )
      : [];
    const type = step.force ?? weightedPick(allowed.length > 0 ? allowed : operatorCommandTypes, step.pick);
    const scripted: ScriptedCommand = {
      command: buildCommand(type, pseId, at, view, step.params),
      commandId: `c${i + 1}`,
      occurredAt,
      now: wibInstant(at + step.recordLagMinutes * MINUTE),
      role: step.role,
    };
    script.commands.push(scripted);
    outcomes.push(stream.send(scripted));
    previous = at;
  }
  script.until = wibInstant(previous + 60 * DAY);
  stream.finish();
  return { script, reference: stream.played(outcomes) };
}

/** How the deadline scheduler behaves while a script plays. */
export type SchedulerBehaviour =
  | 'never'
  | 'once at the end'
  | 'at every due instant'
  | 'at random times'
  | 'two at once, racing the commands';

export const schedulerBehaviours: readonly SchedulerBehaviour[] = [
  'never',
  'once at the end',
  'at every due instant',
  'at random times',
  'two at once, racing the commands',
];

/** Random choices of the scheduler: when it ticks, in which order it takes due deadlines, who wins a race. */
export interface SchedulerPlan {
  /** A tick in the gap before command `gap` (the last gap runs to the script's end), `fraction` into it. */
  ticks: Array<{ gap: number; fraction: number; reverse: boolean }>;
  /** Per command: whether the scheduler's append wins a race with it. */
  schedulerWins: boolean[];
}

export const schedulerPlanArb: fc.Arbitrary<SchedulerPlan> = fc.record({
  ticks: fc.array(
    fc.record({
      gap: fc.nat(30),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      reverse: fc.boolean(),
    }),
    { maxLength: 12 },
  ),
  schedulerWins: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
});

/**
 * A random history to play: a script of up to `maxLength` steps under `policy`, and what the scheduler does
 * beside it (`play(script, behaviour, plan)`).
 */
export const scriptedHistoryArb = (
  policy: PolicyId,
  maxLength: number,
): fc.Arbitrary<{ script: Script; plan: SchedulerPlan; behaviour: SchedulerBehaviour }> =>
  fc
    .tuple(historyStepsArb(policy, maxLength), schedulerPlanArb, fc.constantFrom(...schedulerBehaviours))
    .map(([steps, plan, behaviour]) => ({ script: materialise(policy, steps).script, plan, behaviour }));

/** A command's outcome, as its sender sees it: accepted, or refused with its code, state, reason and allowed commands. */
export type Outcome =
  | { ok: true }
  | { ok: false; code: string; state?: string; allowed?: string[]; reason?: string; message?: string };

/** A played script: the case's events, each operator command's outcome, and what the store model saw. */
export interface Played {
  events: PseCaseEventEnvelope[];
  snapshot: PseCaseSnapshot;
  outcomes: Outcome[];
  /** Violations of the store's one-append-wins rule or of the scheduler's contract (empty when all is well). */
  anomalies: string[];
  /** Elapses the scheduler itself appended, and second tries it found done (duplicate) or refused. */
  schedulerAppends: number;
  duplicates: number;
  /** Operator commands whose own append brought the case up to date first. */
  catchUps: number;
}

function outcomeOf(decision: Decision): Outcome {
  if (decision.ok) return { ok: true };
  return describeError(decision.error);
}

function describeError(error: DecideError): Outcome {
  if (error.code === 'TRANSITION_REFUSED') {
    return {
      ok: false,
      code: error.code,
      state: error.state,
      allowed: error.allowed,
      reason: error.reason,
    };
  }
  return { ok: false, code: error.code, message: error.message };
}

/** The case as a store holds it: one stream, appends that check the expected revision, commands deduplicated. */
class CaseStream {
  events: PseCaseEventEnvelope[] = [];
  snapshot: PseCaseSnapshot = initialCaseSnapshot();
  anomalies: string[] = [];
  schedulerAppends = 0;
  duplicates = 0;
  catchUps = 0;

  constructor(readonly script: Script) {}

  get policy() {
    return getPolicy(this.script.policy);
  }

  /** Whether a command id is already in the stream (the service answers its retry as a duplicate). */
  holds(commandId: string): boolean {
    return this.events.some((e) => e.commandId === commandId);
  }

  /** Appends a decision taken on the snapshot at `revision`, or reports the store's refusal. */
  append(decision: Decision, revision: number): 'appended' | 'conflict' | 'refused' {
    if (!decision.ok) return 'refused';
    if (revision !== this.snapshot.context.revision) return 'conflict';
    this.events.push(...decision.events);
    this.snapshot = decision.snapshot;
    return 'appended';
  }

  operator(scripted: ScriptedCommand): Decision {
    return decide(scripted.command, this.snapshot, this.policy, metadataOf(scripted));
  }

  elapse(deadline: Deadline, wallClock: number): Decision {
    const key = elapseCommandId(this.script.pseId, deadline);
    return decide(
      {
        type: 'ElapseDeadline',
        pseId: this.script.pseId,
        deadline: deadline.kind,
        ...(deadline.fineId ? { fineId: deadline.fineId } : {}),
      },
      this.snapshot,
      this.policy,
      {
        commandId: key,
        correlationId: key,
        actor: DEADLINE_ACTOR,
        now: wibInstant(wallClock),
        occurredAt: deadline.dueAt,
      },
    );
  }

  /** The deadlines a scheduler reading the case at `wallClock` finds due, in the order it takes them. */
  due(wallClock: number, reverse = false): Deadline[] {
    const due = this.snapshot.context.deadlines
      .filter((d) => Date.parse(d.dueAt) <= wallClock)
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
    return reverse ? due.reverse() : due;
  }

  /** One scheduler tick at `wallClock`: each due deadline sent as `ElapseDeadline` under its own key. */
  tick(wallClock: number, reverse = false): void {
    for (const deadline of this.due(wallClock, reverse)) {
      const key = elapseCommandId(this.script.pseId, deadline);
      if (this.holds(key)) {
        this.duplicates += 1;
        continue;
      }
      const decision = this.elapse(deadline, wallClock);
      if (this.append(decision, this.snapshot.context.revision) === 'appended') this.schedulerAppends += 1;
      else if (!decision.ok && decision.error.code !== 'TRANSITION_REFUSED')
        this.anomalies.push(`elapse of ${key} failed: ${decision.error.message}`);
    }
  }

  /** Two schedulers tick at once: both decide each elapse on the same snapshot, one append wins. */
  tickTwice(wallClock: number, reverse = false): void {
    for (const deadline of this.due(wallClock, reverse)) {
      const key = elapseCommandId(this.script.pseId, deadline);
      if (this.holds(key)) {
        this.duplicates += 1;
        continue;
      }
      const revision = this.snapshot.context.revision;
      const first = this.elapse(deadline, wallClock);
      const second = this.elapse(deadline, wallClock + 1000);
      const ids = (d: Decision) => (d.ok ? d.events.map((e) => e.eventId) : d.error.code);
      if (JSON.stringify(ids(first)) !== JSON.stringify(ids(second)))
        this.anomalies.push(`two schedulers decided ${key} differently on one snapshot`);
      if (this.append(first, revision) === 'appended') this.schedulerAppends += 1;
      this.retryLoser(second, revision, deadline, wallClock);
    }
  }

  /** The losing scheduler's append conflicts; its retry must find the elapse done, never elapse again. */
  private retryLoser(decision: Decision, revision: number, deadline: Deadline, wallClock: number): void {
    const key = elapseCommandId(this.script.pseId, deadline);
    const appended = this.append(decision, revision);
    if (appended === 'appended') {
      this.anomalies.push(`a second elapse of ${key} was appended`);
      return;
    }
    if (appended === 'refused') return;
    if (!this.holds(key)) {
      this.anomalies.push(`after losing the race for ${key} the stream does not hold it`);
      return;
    }
    this.duplicates += 1;
    // Even without the service's duplicate check, deciding it again on the new snapshot is refused.
    const again = this.elapse(deadline, wallClock + 2000);
    if (again.ok) this.anomalies.push(`re-deciding ${key} after it was appended elapsed it again`);
  }

  /** An operator command, and the outcome its sender sees. */
  send(scripted: ScriptedCommand): Outcome {
    const revision = this.snapshot.context.revision;
    const decision = this.operator(scripted);
    this.noteCatchUp(decision, scripted);
    this.append(decision, revision);
    return outcomeOf(decision);
  }

  /**
   * The command and two schedulers meet the deadlines due by its business time, all deciding on the same
   * snapshot; whoever appends first wins, the others retry on the case as it then stands.
   */
  race(scripted: ScriptedCommand, schedulerWins: boolean): Outcome {
    const at = Date.parse(scripted.occurredAt);
    if (this.due(at).length === 0) return this.send(scripted);
    const revision = this.snapshot.context.revision;
    const command = this.operator(scripted);
    if (schedulerWins) {
      this.tickTwice(at);
      // The command's append on the old revision conflicts; the service decides it again on the case as it is.
      if (this.snapshot.context.revision === revision)
        this.anomalies.push(`schedulers appended nothing for deadlines due by ${scripted.occurredAt}`);
      return this.send(scripted);
    }
    const schedulers = this.due(at).map((deadline) => ({ deadline, decision: this.elapse(deadline, at) }));
    this.noteCatchUp(command, scripted);
    if (this.append(command, revision) === 'appended') {
      for (const d of this.due(at)) this.anomalies.push(`${scripted.commandId} left ${d.kind} overdue`);
      // The schedulers' appends conflict; their retries find every elapse done by the command.
      for (const { deadline, decision } of schedulers) this.retryLoser(decision, revision, deadline, at);
    } else {
      // The command was refused and appended nothing: the schedulers elapse what is due.
      this.tickTwice(at);
    }
    return outcomeOf(command);
  }

  private noteCatchUp(decision: Decision, scripted: ScriptedCommand): void {
    if (decision.ok && decision.events.some((e) => e.commandId !== scripted.commandId)) this.catchUps += 1;
  }

  /** What the stream holds once played, with the outcomes its operator commands had. */
  played(outcomes: Outcome[]): Played {
    return {
      events: this.events,
      snapshot: this.snapshot,
      outcomes,
      anomalies: this.anomalies,
      schedulerAppends: this.schedulerAppends,
      duplicates: this.duplicates,
      catchUps: this.catchUps,
    };
  }

  /** Brings the case to the script's final business time, as any later command or the scheduler would. */
  finish(): void {
    const final = catchUp(this.snapshot, this.script.until, this.script.until);
    if (!final.ok) {
      this.anomalies.push(`catching up to the end failed: ${final.error.message}`);
      return;
    }
    this.events.push(...final.events);
    this.snapshot = final.snapshot;
  }
}

/** Plays a script under a scheduler behaviour, purely through `decide`, and brings it to the script's end. */
export function play(script: Script, behaviour: SchedulerBehaviour, plan: SchedulerPlan): Played {
  const stream = new CaseStream(script);
  stream.send(script.identify);
  const times = script.commands.map((c) => Date.parse(c.occurredAt));
  const start = Date.parse(script.identify.occurredAt);
  const end = Date.parse(script.until);
  const gaps = script.commands.length + 1;
  const ticks = plan.ticks
    .map((t) => {
      const gap = t.gap % gaps;
      const lower = gap === 0 ? start : times[gap - 1];
      const upper = gap === times.length ? end : times[gap];
      return { gap, at: Math.floor(lower + t.fraction * (upper - lower)), reverse: t.reverse };
    })
    .sort((a, b) => a.gap - b.gap || a.at - b.at);
  const tickAt = (gap: number) => {
    for (const t of ticks.filter((x) => x.gap === gap)) {
      if (behaviour === 'at random times') stream.tick(t.at, t.reverse);
      if (behaviour === 'two at once, racing the commands') stream.tickTwice(t.at, t.reverse);
    }
  };
  const onTime = (until: number) => {
    for (;;) {
      const next = stream.due(until)[0];
      if (!next) return;
      stream.tick(Date.parse(next.dueAt));
    }
  };
  const outcomes: Outcome[] = [];
  for (const [i, scripted] of script.commands.entries()) {
    tickAt(i);
    if (behaviour === 'at every due instant') onTime(times[i]);
    outcomes.push(
      behaviour === 'two at once, racing the commands'
        ? stream.race(scripted, plan.schedulerWins[i % plan.schedulerWins.length])
        : stream.send(scripted),
    );
  }
  tickAt(script.commands.length);
  if (behaviour === 'at every due instant') onTime(end);
  if (behaviour === 'once at the end') stream.tick(end);
  stream.finish();
  return stream.played(outcomes);
}

/**
 * The business-time history of a case: every field of every event except when it was recorded (and the
 * hashes, which cover the record time).
 */
export function businessHistory(events: readonly PseCaseEventEnvelope[]) {
  return events.map((e) => ({
    eventId: e.eventId,
    type: e.type,
    occurredAt: e.occurredAt,
    actor: e.actor.id,
    commandId: e.commandId,
    correlationId: e.correlationId,
    causationId: e.causationId,
    revision: e.revision,
    policyVersion: e.policyVersion,
    data: e.data,
    state: e.state,
  }));
}
