// Folding case histories through the statechart: the reused-scope `evolve` (what replay, verify and
// what-if use) beside xstate's standalone `transition`, which builds a fresh actor scope per call.
// Cases are built with `decide`, so they are the real envelopes. BENCH_FOLD_CASES sets the count.
import {
  decide,
  evolve,
  getPolicy,
  initialCaseSnapshot,
  pseCaseMachine,
  type CommandMetadata,
  type PseCaseCommand,
  type PseCaseEventEnvelope,
  type PseCaseSnapshot,
} from '@sanksi/domain';
import { transition } from 'xstate';

const policy = getPolicy('kominfo-2022');

/** One typical 2022 case (identified, warned, deadline elapsed and blocked by the policy, temporarily restored, registered: 7 events). */
export function typicalCase(n: number): PseCaseEventEnvelope[] {
  const pseId = `pse-${n}`;
  const day = n % 20;
  const steps: Array<[string, PseCaseCommand]> = [
    [
      '2022-07-18T09:00:00+07:00',
      {
        type: 'IdentifyPse',
        pseId,
        name: pseId,
        origin: 'foreign',
        domains: [`${pseId}.example`],
        company: null,
        sector: null,
      },
    ],
    ['2022-07-23T10:00:00+07:00', { type: 'IssueWarning', pseId, letterNumber: `W-${n}` }],
    // kominfo-2022 blocks by itself when the warning goes unanswered: the elapse appends the block too.
    ['2022-07-30T00:00:00+07:00', { type: 'ElapseDeadline', pseId, deadline: 'warningResponse' }],
    [
      '2022-07-31T08:00:00+07:00',
      { type: 'RestoreAccessTemporarily', pseId, until: '2022-08-05T23:59:00+07:00', reason: 'withdrawals' },
    ],
    [
      `2022-08-${String(1 + (day % 4)).padStart(2, '0')}T10:00:00+07:00`,
      {
        type: 'ConfirmRegistration',
        pseId,
        registrationNumber: `${String(n % 1_000_000).padStart(6, '0')}.01/DJAI.PSE/08/2022`,
      },
    ],
  ];
  let snapshot: PseCaseSnapshot | undefined;
  const events: PseCaseEventEnvelope[] = [];
  steps.forEach(([at, command], i) => {
    const metadata: CommandMetadata = {
      commandId: `${pseId}-c${i}`,
      correlationId: pseId,
      actor: { id: 'bench', role: 'operator' },
      now: at,
    };
    const decision = decide(command, snapshot, policy, metadata);
    if (!decision.ok) throw decision.error;
    events.push(...decision.events);
    snapshot = decision.snapshot;
  });
  return events;
}

function fold(
  cases: PseCaseEventEnvelope[][],
  step: (s: PseCaseSnapshot, e: PseCaseEventEnvelope) => PseCaseSnapshot,
): number {
  let listed = 0;
  for (const events of cases) {
    let snapshot = initialCaseSnapshot();
    for (const event of events) snapshot = step(snapshot, event);
    if (snapshot.value !== 'reRegistered')
      throw new Error(`unexpected final state ${JSON.stringify(snapshot.value)}`);
    listed += 1;
  }
  return listed;
}

function line(label: string, events: number, ms: number): void {
  const perSecond = Math.round((events / ms) * 1000);
  console.log(
    `  ${label.padEnd(46)} ${String(perSecond).padStart(9)} events/s ${((ms * 1000) / events).toFixed(1).padStart(7)} µs/event`,
  );
}

/** Builds the cases with `decide`, then times folding them with `evolve` and with the standalone `transition`. */
export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_FOLD_CASES ?? 100_000);
  // decide costs ~10× a fold step (hashing, refusal checks); building every case with it would blow
  // the time budget, so distinct histories are decided once and reused as further cases.
  const distinct = Math.min(count, Number(process.env.BENCH_FOLD_DISTINCT ?? 10_000));
  // The standalone transition is ~3× slower; a fifth of the cases is enough for its rate.
  const comparedCount = Math.max(1, Math.floor(count / 5));
  let t = performance.now();
  const histories = Array.from({ length: distinct }, (_, n) => typicalCase(n));
  const decided = histories.reduce((sum, c) => sum + c.length, 0);
  line(`decide (building ${distinct} distinct cases)`, decided, performance.now() - t);
  const cases = Array.from({ length: count }, (_, n) => histories[n % distinct]);
  const events = cases.reduce((sum, c) => sum + c.length, 0);
  console.log(`  folding ${count} cases, ${events} events (${(events / count).toFixed(1)} per case)`);

  fold(cases.slice(0, Math.min(1000, count)), evolve); // warm-up
  t = performance.now();
  fold(cases, evolve);
  line('fold with evolve (one reused inert scope)', events, performance.now() - t);

  const compared = cases.slice(0, comparedCount);
  const comparedEvents = compared.reduce((sum, c) => sum + c.length, 0);
  t = performance.now();
  fold(compared, (s, e) => transition(pseCaseMachine, s, e)[0]);
  line(`fold with standalone transition (${comparedCount} cases)`, comparedEvents, performance.now() - t);
}
