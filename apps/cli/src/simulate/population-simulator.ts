import type { CaseCommandService, CommandContext, CommandOutcome } from '@sanksi/application';
import {
  type Actor,
  catchUp,
  DEADLINE_ACTOR,
  type Deadline,
  DomainError,
  elapseCommandId,
  foldCase,
  getPolicy,
  isCommandAllowed,
  type PolicyId,
  type PseCaseCommandType,
  type PseCaseCommand,
  type PseCaseEventEnvelope,
  snapshotFromRecorded,
  stateOf,
  TransitionRefused,
} from '@sanksi/domain';
import { forEachLimited } from '../support/case-streams';
import { SeededRandom } from './seeded-random';

const ACTOR = { id: 'sanksi-simulate', role: 'operator' } as const;
const DAY_MS = 86_400_000;
const MAX_STEPS = 10;
/** The most deadlines one case elapses after its story (each elapse may start another: a ladder is short). */
const MAX_TAIL_ELAPSES = 16;
/** Between a case's appends after its story: every append of a simulated case has a record time of its own. */
const TAIL_RECORD_GAP_MS = 1_000;

/** Options of a simulation run. */
export interface SimulationOptions {
  systems: number;
  seed: number;
  policy: PolicyId;
  concurrency: number;
  /**
   * Simulate only the systems whose index `i` has `i % share.of === share.index` (one thread's share of
   * the population; default: all). Each system has its own generator, so shares add up to the same
   * population as one run.
   */
  share?: { index: number; of: number };
  /**
   * Business time the simulated scheduler brings every case to once its story is told (an ISO instant;
   * default: now): each deadline still running and due by then elapses at its due instant, as the real
   * scheduler would have elapsed it, so the population is the one a running server keeps. Threads of one
   * run are given the same instant.
   */
  until?: string;
  onSystemDone?: () => void;
}

/**
 * What a simulation did. Deterministic for the same seed, policy and size — and `until`, which changes it only
 * when a deadline a story leaves falls between two runs' instants (they all fall in 2022–23).
 */
export interface SimulationReport {
  seed: number;
  policy: PolicyId;
  systems: number;
  casesCreated: number;
  casesAlreadyPresent: number;
  commandsApplied: number;
  commandsAlreadyApplied: number;
  eventsAppended: number;
  commandsByType: Record<string, number>;
  refusedByDomain: Record<string, number>;
  finalStates: Record<string, number>;
}

const SECTORS = ['e-commerce', 'finance', 'media', 'games', 'transport', 'health', 'education', 'social'];
const WORDS = [
  'nusa',
  'kilat',
  'pasar',
  'bayar',
  'cepat',
  'awan',
  'main',
  'kabar',
  'jalan',
  'sehat',
  'pintar',
  'toko',
];

// A step asks for the same instant's text several times (the command's times, the catch-up, every probe of
// the machine): the last one is kept.
let lastIsoMs = Number.NaN;
let lastIso = '';
const iso = (ms: number): string => {
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString().replace('Z', '+00:00');
    lastIsoMs = ms;
  }
  return lastIso;
};

function commandFor(
  type: string,
  pseId: string,
  at: number,
  serial: string,
  deadlines: Array<{ kind: string; dueAt: string; fineId: string | null }>,
  random: SeededRandom,
): PseCaseCommand | null {
  switch (type) {
    case 'SubmitRegistration':
      return { type, pseId, channel: random.chance(0.85) ? 'oss' : 'manual' };
    case 'ConfirmRegistration':
      return {
        type,
        pseId,
        registrationNumber: `${serial}.01/DJAI.PSE/${String(new Date(at).getUTCMonth() + 1).padStart(2, '0')}/${new Date(at).getUTCFullYear()}`,
      };
    case 'IssueWarning':
      return { type, pseId, letterNumber: `B-${serial}/DJAI/SIM` };
    case 'ImposeFine':
      return {
        type,
        pseId,
        decisionNumber: `KD-${serial}/SIM`,
        amountIdr: random.pick([5_000_000, 25_000_000, 100_000_000, 500_000_000]),
      };
    case 'BlockAccess':
      return { type, pseId, orderNumber: `ORD-${serial}/SIM` };
    case 'RestoreAccessTemporarily':
      return {
        type,
        pseId,
        until: iso(at + random.int(2, 6) * DAY_MS),
        reason: 'Simulated: time to migrate user data',
      };
    case 'GrantExemption':
      return { type, pseId, reason: 'Simulated: not a private-scope operator' };
    case 'SuspendRegistration':
      return {
        type,
        pseId,
        by: random.chance(0.5) ? 'TAKEL' : 'PAI',
        reason: 'Simulated: obligations breached',
      };
    case 'LiftSuspension':
      return { type, pseId, reason: 'Simulated: obligations met again' };
    case 'RecordFinePayment': {
      const fine = deadlines.find((d) => d.kind === 'finePayment' && d.fineId);
      return fine?.fineId
        ? { type, pseId, fineId: fine.fineId, amountIdr: 5_000_000, reference: `PAY-${serial}` }
        : null;
    }
    default:
      return null;
  }
}

/** What kind of operator a simulated system has: how it reacts to the regulator. */
type Scenario = 'compliant' | 'late' | 'defiant' | 'exempt' | 'laggard' | 'suspended';

const SCENARIOS: ReadonlyArray<readonly [Scenario, number]> = [
  ['compliant', 45],
  ['late', 20],
  ['defiant', 12],
  ['exempt', 3],
  ['laggard', 15],
  ['suspended', 5],
];

/**
 * The next command a system of this scenario gets, among what the machine allows in the case as it stands
 * (lapsed deadlines already elapsed): operators escalate along the ladder once deadlines lapse, late
 * registrants register after a sanction, defiant ones are blocked (sometimes temporarily restored) before
 * registering, if ever. `can` asks the machine about one type (`isCommandAllowed`): only the types a
 * scenario names are probed, in the order named, so the answer is what the full list of allowed commands gives.
 */
function nextCommandType(
  scenario: Scenario,
  state: string,
  can: (type: PseCaseCommandType) => boolean,
  random: SeededRandom,
): string | null {
  const first = (...types: PseCaseCommandType[]) => types.find(can) ?? null;
  if (state === 'registrationPending') return first('ConfirmRegistration');
  if (state === 'registered' || state === 'reRegistered') {
    if (scenario !== 'suspended') return null;
    return first('SuspendRegistration', 'LiftSuspension');
  }
  if (state === 'suspended') return random.chance(0.6) ? first('LiftSuspension') : null;
  if (state === 'exempted' || state === 'revoked') return null;
  switch (scenario) {
    case 'compliant':
    case 'suspended':
      return first('SubmitRegistration', 'ConfirmRegistration');
    case 'exempt':
      return first('GrantExemption');
    case 'laggard':
      return random.chance(0.6) ? first('IssueWarning') : null;
    case 'late':
    case 'defiant': {
      const sanctioned = state !== 'unregistered';
      if (scenario === 'late' && sanctioned && random.chance(0.45))
        return first('SubmitRegistration', 'ConfirmRegistration');
      if (state === 'blocked') {
        if (random.chance(0.3)) return first('RestoreAccessTemporarily');
        return random.chance(0.4) ? first('SubmitRegistration', 'ConfirmRegistration') : null;
      }
      if (state === 'fined' && random.chance(0.4))
        return first('RecordFinePayment', 'BlockAccess', 'ImposeFine');
      return first('BlockAccess', 'ImposeFine', 'IssueWarning');
    }
    default: {
      const never: never = scenario;
      throw new Error(`unknown scenario ${String(never)}`);
    }
  }
}

/**
 * The simulated scheduler records its elapse this long before the operator's command of the same step,
 * so that every append of a case has a record time of its own (`historyAfter` relies on it).
 */
const SCHEDULER_LEAD_MS = 60_000;

/**
 * The case's events after a command: the events before it and what it appended (added to `before`, the
 * simulator's own array, rather than copied with it at every step). A retry (a re-run with the
 * same seed) answers with the command's own events only, not the elapses its append brought first nor the
 * escalations that followed, so the stream is read instead, up to that command's record time (every append
 * of a simulated case is recorded later than the one before).
 */
async function historyAfter(
  commands: CaseCommandService,
  before: PseCaseEventEnvelope[],
  outcome: CommandOutcome,
  recordedAt: string,
): Promise<PseCaseEventEnvelope[]> {
  if (!outcome.duplicate) {
    before.push(...outcome.events);
    return before;
  }
  const { envelopes } = await commands.load(outcome.pseId);
  return envelopes.filter((e) => Date.parse(e.recordedAt) <= Date.parse(recordedAt));
}

/** The running deadline due first, if one is due by `until` (ms). */
function dueFirst(deadlines: readonly Deadline[], until: number): Deadline | undefined {
  let first: Deadline | undefined;
  for (const d of deadlines) {
    const due = Date.parse(d.dueAt);
    if (due <= until && (first === undefined || due < Date.parse(first.dueAt))) first = d;
  }
  return first;
}

/** The report of a whole population from the reports of its shares (counts added, keys in name order). */
export function mergeSimulationReports(reports: readonly SimulationReport[]): SimulationReport {
  const [first] = reports;
  const add = (pick: (r: SimulationReport) => Record<string, number>): Record<string, number> => {
    const sum: Record<string, number> = {};
    for (const r of reports) for (const [k, n] of Object.entries(pick(r))) sum[k] = (sum[k] ?? 0) + n;
    return Object.fromEntries(Object.entries(sum).sort(([a], [b]) => a.localeCompare(b)));
  };
  const total = (pick: (r: SimulationReport) => number) => reports.reduce((n, r) => n + pick(r), 0);
  return {
    seed: first.seed,
    policy: first.policy,
    systems: first.systems,
    casesCreated: total((r) => r.casesCreated),
    casesAlreadyPresent: total((r) => r.casesAlreadyPresent),
    commandsApplied: total((r) => r.commandsApplied),
    commandsAlreadyApplied: total((r) => r.commandsAlreadyApplied),
    eventsAppended: total((r) => r.eventsAppended),
    commandsByType: add((r) => r.commandsByType),
    refusedByDomain: add((r) => r.refusedByDomain),
    finalStates: add((r) => r.finalStates),
  };
}

/**
 * Builds a synthetic population through the real command path: each system is identified, then
 * moves through what the machine allows (registrations, warnings, fines, blocks, temporary
 * restorations, exemptions) with business time advancing by days. Deadlines lapse as business time
 * passes: on some days the scheduler elapses a due deadline by itself (`ElapseDeadline` at the due
 * instant, under the deadline's own id, as the real one does), on others the next operator command does
 * it first, in its own append; the history is the same either way (docs/regulation.md §9.5). Seeded, so
 * repeatable; the idempotency keys derive from the seed, so a re-run with the same seed appends nothing.
 */
export async function simulatePopulation(
  commands: CaseCommandService,
  options: SimulationOptions,
): Promise<SimulationReport> {
  const policy = getPolicy(options.policy);
  const report: SimulationReport = {
    seed: options.seed,
    policy: options.policy,
    systems: options.systems,
    casesCreated: 0,
    casesAlreadyPresent: 0,
    commandsApplied: 0,
    commandsAlreadyApplied: 0,
    eventsAppended: 0,
    commandsByType: {},
    refusedByDomain: {},
    finalStates: {},
  };
  const share = options.share ?? { index: 0, of: 1 };
  const indices = Array.from({ length: options.systems }, (_, i) => i).filter(
    (i) => i % share.of === share.index,
  );
  const start = Date.parse(policy.registrationDeadline) + DAY_MS;
  const until = Date.parse(options.until ?? new Date().toISOString());
  if (Number.isNaN(until)) throw new RangeError(`until must be an ISO instant, not ${options.until}`);
  await forEachLimited(indices, options.concurrency, async (i) => {
    // One generator per system: the population does not depend on the order systems finish in.
    const random = new SeededRandom((options.seed * 1_000_003 + i * 7919) >>> 0);
    const pseId = `sim-${options.seed}-${options.policy}-${String(i).padStart(6, '0')}`;
    let events: PseCaseEventEnvelope[] = [];
    let at = start + random.int(0, 120) * DAY_MS + random.int(0, 8 * 3600) * 1000;
    const run = async (
      idempotencyKey: string,
      command: PseCaseCommand,
      sent: { actor: Actor; occurredAt: string; recordedAt: string },
    ): Promise<'applied' | 'duplicate' | 'refused'> => {
      // The keys name the case (seed, policy, system, step): unique in the case is unique in the store.
      const context: CommandContext = {
        ...sent,
        idempotencyKey,
        idempotencyScope: 'case',
        correlationId: `simulate:${options.seed}:${pseId}`,
      };
      try {
        const outcome = await commands.execute(command, context);
        events = await historyAfter(commands, events, outcome, sent.recordedAt);
        if (outcome.duplicate) report.commandsAlreadyApplied += 1;
        else {
          report.commandsApplied += 1;
          report.eventsAppended += outcome.events.length;
        }
        report.commandsByType[command.type] = (report.commandsByType[command.type] ?? 0) + 1;
        return outcome.duplicate ? 'duplicate' : 'applied';
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const key = e instanceof TransitionRefused ? `${e.command} in ${e.state}` : e.code;
        report.refusedByDomain[key] = (report.refusedByDomain[key] ?? 0) + 1;
        return 'refused';
      }
    };
    const operator = (step: number, command: PseCaseCommand) =>
      run(`simulate:${options.seed}:${pseId}:${step}`, command, {
        actor: ACTOR,
        occurredAt: iso(at),
        recordedAt: iso(at),
      });
    // What the deadline scheduler sends: the case brought up to date through one deadline, at its due instant.
    const scheduler = (deadline: Deadline, recordedAt = iso(at - SCHEDULER_LEAD_MS)) =>
      run(
        elapseCommandId(pseId, deadline),
        {
          type: 'ElapseDeadline',
          pseId,
          deadline: deadline.kind,
          ...(deadline.fineId ? { fineId: deadline.fineId } : {}),
        },
        { actor: DEADLINE_ACTOR, occurredAt: deadline.dueAt, recordedAt },
      );
    const name = `${random.pick(WORDS)}${random.pick(WORDS)} ${i}`;
    const domain = `${name.replace(/\s+/g, '-').toLowerCase()}.sim.example`;
    const identified = await operator(0, {
      type: 'IdentifyPse',
      pseId,
      name,
      origin: random.chance(0.7) ? 'domestic' : 'foreign',
      domains: random.chance(0.2) ? [domain, `www.${domain}`] : [domain],
      company: random.chance(0.8) ? `PT ${name}` : null,
      sector: random.pick(SECTORS),
      policy: options.policy,
    });
    if (identified === 'refused') return options.onSystemDone?.();
    if (identified === 'duplicate') report.casesAlreadyPresent += 1;
    else report.casesCreated += 1;
    const scenario = random.weighted(SCENARIOS);
    for (let step = 1; step <= MAX_STEPS; step++) {
      const recorded = events[events.length - 1].state;
      at += random.int(1, 10) * DAY_MS;
      // Deadlines lapse as time passes: jump to just after the earliest one when the story needs it.
      const nextDue = recorded.deadlines.map((d) => Date.parse(d.dueAt)).sort((x, y) => x - y)[0];
      if (nextDue !== undefined && nextDue > at && random.chance(0.6))
        at = nextDue + random.int(1, 48) * 3_600_000;
      const due = dueFirst(recorded.deadlines, at);
      if (due && random.chance(0.5)) await scheduler(due);
      // The case as its last event recorded it (decision 0013: no fold of the history at every step; one
      // written before states carried the case's memory is folded), then as the operator finds it at `at`:
      // whatever the scheduler left undone elapses first.
      const last = snapshotFromRecorded(events[events.length - 1]) ?? foldCase(events);
      const caughtUp = catchUp(last, iso(at), iso(at), { hashChain: false });
      const current = caughtUp.ok ? caughtUp.snapshot : last;
      const can = (t: PseCaseCommandType) => isCommandAllowed(current, policy, t, iso(at));
      const type = nextCommandType(scenario, stateOf(current).state, can, random);
      if (type === null) break;
      const serial = `${String(options.seed % 1000).padStart(3, '0')}${String(i % 1000).padStart(3, '0')}`;
      const command = commandFor(type, pseId, at, serial, current.context.deadlines, random);
      if (!command) break;
      await operator(step, command);
    }
    // The story is told, but business time went on: whatever it left running and due by `until` elapses at
    // its due instant, as the scheduler of a running server would have elapsed it then — so the final states
    // are the true ones, and a first `serve` of the population has no backlog of years-old deadlines to
    // work through (minutes at a million systems). They only follow the story: its log is the same without
    // them (`--until` before it).
    for (let k = 0; k < MAX_TAIL_ELAPSES; k++) {
      const last = events[events.length - 1];
      const due = dueFirst(last.state.deadlines, until);
      if (!due) break;
      const recordedAt = Math.max(Date.parse(due.dueAt), Date.parse(last.recordedAt) + TAIL_RECORD_GAP_MS);
      const elapsed = await scheduler(due, iso(recordedAt));
      if (elapsed === 'refused') break;
    }
    const final = events[events.length - 1].state;
    const label = final.substate ? `${final.state}/${final.substate}` : final.state;
    report.finalStates[label] = (report.finalStates[label] ?? 0) + 1;
    options.onSystemDone?.();
  });
  return report;
}
