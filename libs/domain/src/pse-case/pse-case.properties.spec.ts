import fc from 'fast-check';
import { canonicalJson } from '../history/hash';
import { verifyRecordedStates } from '../history/replay';
import { verifyChain } from '../history/verify-chain';
import { getPolicy } from '../policies';
import type { CommandMetadata, PseCaseCommand } from './pse-case.commands';
import { whatIf } from '../history/what-if';
import { catchUp, decide, type DecideOptions } from './pse-case.decider';
import type { DeadlineKind, PolicyId, PseCaseEventEnvelope } from './pse-case.events';
import {
  foldCase,
  initialCaseSnapshot,
  toRecordedState,
  toStateAfter,
  type PseCaseSnapshot,
} from './pse-case.fold';

// For any sequence of commands (most refused, some accepted), the invariants of SPEC §2 hold.
const pseId = 'prop';
const deadlineKinds: DeadlineKind[] = [
  'warningResponse',
  'finePayment',
  'manualRegistrationFollowUp',
  'temporaryRestoration',
  'suspensionResponse',
];

/** What a generated command may look at: the end of a plausible window and the deadlines running now. */
interface Situation {
  until: string;
  running: DeadlineKind[];
}

type MakeCommand = (situation: Situation) => PseCaseCommand;
const make = (weight: number, arbitrary: fc.Arbitrary<MakeCommand>) => ({ weight, arbitrary });

// Weighted so that sequences climb the ladder (sanctions, elapsing what is running) more often than
// they end it (registration, exemption).
const commandArb: fc.Arbitrary<MakeCommand> = fc.oneof(
  make(
    1,
    fc.constant(() => ({ type: 'UpdatePseProfile', pseId, name: 'Renamed' })),
  ),
  make(
    1,
    fc
      .constantFrom('oss' as const, 'manual' as const)
      .map((channel) => () => ({ type: 'SubmitRegistration', pseId, channel })),
  ),
  make(
    1,
    fc.constant(() => ({
      type: 'ConfirmRegistration',
      pseId,
      registrationNumber: '000001.01/DJAI.PSE/08/2022',
    })),
  ),
  make(
    1,
    fc.constant(() => ({ type: 'RejectRegistration', pseId, reason: 'incomplete' })),
  ),
  make(
    4,
    fc.constant(() => ({ type: 'IssueWarning', pseId, letterNumber: 'W' })),
  ),
  make(
    4,
    fc
      .integer({ min: 1_000_000, max: 50_000_000 })
      .map((amountIdr) => () => ({ type: 'ImposeFine', pseId, decisionNumber: 'D', amountIdr })),
  ),
  make(
    2,
    fc
      .tuple(fc.constantFrom('F1', 'F2', 'F3'), fc.integer({ min: 1, max: 60_000_000 }))
      .map(([fineId, amountIdr]) => () => ({
        type: 'RecordFinePayment',
        pseId,
        fineId,
        amountIdr,
        reference: 'P',
      })),
  ),
  make(
    1,
    fc
      .constantFrom('F1', 'F2')
      .map((fineId) => () => ({ type: 'AnnulFine', pseId, fineId, reason: 'appeal' })),
  ),
  make(
    4,
    fc.constant(() => ({ type: 'BlockAccess', pseId, orderNumber: 'B' })),
  ),
  make(
    1,
    fc.constant(({ until }: Situation) => ({
      type: 'RestoreAccessTemporarily',
      pseId,
      until,
      reason: 'withdrawals',
    })),
  ),
  make(
    1,
    fc.boolean().map((override) => () => ({ type: 'RestoreAccess', pseId, reason: 'request', override })),
  ),
  make(
    2,
    fc
      .constantFrom('TAKEL' as const, 'PAI' as const)
      .map((by) => () => ({ type: 'SuspendRegistration', pseId, by, reason: 'false info' })),
  ),
  make(
    1,
    fc.constant(() => ({ type: 'LiftSuspension', pseId, reason: 'clarified' })),
  ),
  make(
    3,
    fc.constant(() => ({ type: 'RevokeRegistration', pseId, reason: 'no response' })),
  ),
  make(
    1,
    fc.constant(() => ({ type: 'GrantExemption', pseId, reason: 'not obliged' })),
  ),
  make(
    1,
    fc.constantFrom(...deadlineKinds).map((deadline) => () => ({ type: 'ElapseDeadline', pseId, deadline })),
  ),
  make(
    6,
    fc.nat(4).map((i) => ({ running }: Situation) => ({
      type: 'ElapseDeadline',
      pseId,
      deadline: running.length > 0 ? running[i % running.length] : 'warningResponse',
    })),
  ),
);

const stepArb = fc.record({
  make: commandArb,
  hours: fc.integer({ min: 0, max: 24 * 9 }),
  role: fc.constantFrom('operator' as const, 'admin' as const, 'system' as const),
});

const policyArb = fc.constantFrom<PolicyId>('mr5-literal', 'kominfo-2022', 'pp43-2023');

interface Run {
  events: PseCaseEventEnvelope[];
  snapshot: PseCaseSnapshot;
  refusalsStable: boolean;
}

function run(
  policy: PolicyId,
  steps: Array<{
    make: (situation: Situation) => PseCaseCommand;
    hours: number;
    role: 'operator' | 'admin' | 'system';
  }>,
  options?: DecideOptions,
): Run {
  let ms = Date.parse('2022-07-18T02:00:00Z');
  const iso = (t: number) => new Date(t).toISOString();
  const meta = (i: number, role: CommandMetadata['actor']['role']): CommandMetadata => ({
    commandId: `c${i}`,
    correlationId: 'prop',
    actor: { id: role, role },
    now: iso(ms),
  });
  let snapshot = initialCaseSnapshot();
  const identify: PseCaseCommand = {
    type: 'IdentifyPse',
    pseId,
    name: 'Prop',
    origin: 'foreign',
    domains: ['prop.example'],
    company: null,
    sector: null,
    policy,
  };
  const first = decide(identify, snapshot, getPolicy(policy), meta(0, 'operator'), options);
  if (!first.ok) throw first.error;
  const events = [...first.events];
  snapshot = first.snapshot;
  let refusalsStable = true;
  steps.forEach((step, i) => {
    ms += step.hours * 3_600_000;
    const command = step.make({
      until: iso(ms + 3 * 86_400_000),
      running: snapshot.context.deadlines.map((d) => d.kind),
    });
    const metadata = meta(i + 1, step.role);
    const decision = decide(command, snapshot, getPolicy(policy), metadata, options);
    if (decision.ok) {
      events.push(...decision.events);
      snapshot = decision.snapshot;
    } else {
      // a refusal is a pure function of its inputs and changes nothing
      const again = decide(command, snapshot, getPolicy(policy), metadata);
      refusalsStable &&= !again.ok && again.error.code === decision.error.code;
    }
  });
  return { events, snapshot, refusalsStable };
}

describe('properties of any command sequence', () => {
  const sequences = fc.tuple(policyArb, fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'max' }));

  it('never lists a registered or exempted system on the blocklist', () => {
    fc.assert(
      fc.property(sequences, ([policy, steps]) => {
        for (const e of run(policy, steps).events) {
          if (['registered', 'reRegistered', 'exempted', 'registrationPending'].includes(e.state.state)) {
            expect(e.state.onBlocklist).toBe(false);
          }
          if (e.state.registrationNumber !== null) expect(e.state.onBlocklist).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never imposes a fine without a prior warning where the policy requires one, nor before the deadline', () => {
    fc.assert(
      fc.property(sequences, ([policy, steps]) => {
        let warned = false;
        for (const e of run(policy, steps).events) {
          if (e.type === 'WarningIssued') warned = true;
          if (e.type === 'FineImposed') {
            expect(getPolicy(policy).fineSchedule).not.toBeNull();
            expect(warned).toBe(true);
          }
          if (e.type === 'WarningIssued' || e.type === 'FineImposed' || e.type === 'AccessBlocked') {
            expect(Date.parse(e.occurredAt)).toBeGreaterThan(
              Date.parse(getPolicy(policy).registrationDeadline),
            );
          }
          if (e.type === 'AccessBlocked' && policy !== 'mr5-literal') expect(warned).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('replays deterministically to the recorded states, with an intact hash chain', () => {
    fc.assert(
      fc.property(sequences, ([policy, steps]) => {
        const { events, snapshot } = run(policy, steps);
        expect(verifyChain(events).ok).toBe(true);
        // what decide hands back is exactly what folding the stored events rebuilds
        const folded = foldCase(events);
        expect(canonicalJson([folded.value, folded.context])).toBe(
          canonicalJson([snapshot.value, snapshot.context]),
        );
        expect(verifyRecordedStates(events)).toEqual({ ok: true });
        expect(
          canonicalJson(toRecordedState(foldCase(events), events[events.length - 1].policyVersion)),
        ).toBe(canonicalJson(events[events.length - 1].state));
        expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
      }),
      { numRuns: 150 },
    );
  });

  it('decides the same outside the hash chain, but for the hashes', () => {
    const unhashed = (e: PseCaseEventEnvelope) => ({ ...e, hash: '', prevHash: '' });
    fc.assert(
      fc.property(sequences, ([policy, steps]) => {
        const sealed = run(policy, steps);
        const unsealed = run(policy, steps, { hashChain: false });
        expect(unsealed.events.every((e) => e.hash === '')).toBe(true);
        expect(canonicalJson(unsealed.events.map(unhashed))).toBe(canonicalJson(sealed.events.map(unhashed)));
        expect(
          canonicalJson([unsealed.snapshot.value, { ...unsealed.snapshot.context, lastHash: null }]),
        ).toBe(canonicalJson([sealed.snapshot.value, { ...sealed.snapshot.context, lastHash: null }]));
      }),
      { numRuns: 150 },
    );
  });

  it("what-if's recorded side is the recorded case caught up to the given business time", () => {
    const untilArb = fc
      .integer({ min: 0, max: 24 * 400 })
      .map((h) => new Date(Date.parse('2022-07-18T02:00:00Z') + h * 3_600_000).toISOString());
    fc.assert(
      fc.property(sequences, untilArb, policyArb, ([policy, steps], until, other) => {
        const { events } = run(policy, steps);
        const upTo = events.filter((e) => Date.parse(e.occurredAt) <= Date.parse(until));
        const report = whatIf(events, getPolicy(other), { until });
        if (upTo.length === 0) return expect(report.final.recorded).toBeNull();
        const caughtUp = catchUp(foldCase(upTo), until, until);
        const expected = toStateAfter(caughtUp.ok ? caughtUp.snapshot : foldCase(upTo));
        expect(canonicalJson(report.final.recorded)).toBe(canonicalJson(expected));
      }),
      { numRuns: 150 },
    );
  });

  it('explores the machine: random sequences reach every state', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(sequences, ([policy, steps]) => {
        for (const e of run(policy, steps).events) reached.add(e.state.state);
      }),
      { numRuns: 300, seed: 2022 },
    );
    expect([...reached].sort()).toEqual([
      'blocked',
      'exempted',
      'fined',
      'reRegistered',
      'registered',
      'registrationPending',
      'revoked',
      'suspended',
      'unregistered',
      'warned',
    ]);
  });

  it('produces no events and no change for a refused command', () => {
    fc.assert(
      fc.property(sequences, ([policy, steps]) => {
        expect(run(policy, steps).refusalsStable).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
