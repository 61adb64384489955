import type { Actor, PseCaseCommand, PseCaseEventEnvelope } from '@sanksi/domain';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import pino from 'pino';
import { ManualClock } from '../cases/clock';
import { loadConfig } from '../config/sanksi-config';
import { createRuntime, type SanksiRuntime } from '../runtime/sanksi-runtime';
import { DeadlineScheduler } from './deadline-scheduler';

// docs/regulation.md §9.5: the same commands, with the same business times and idempotency keys, give the
// same stored history whether the scheduler never ran, ran at every due instant, or raced each command
// from two runtimes over the same files (the store's optimistic concurrency lets one append win).

const OPERATOR: Actor = { id: 'op-1', role: 'operator' };
const wib = (local: string) => `${local}:00+07:00`;
const END = wib('2022-12-31T00:00');

interface Step {
  at: string;
  command: PseCaseCommand;
}

const identify = (pseId: string, policy: 'kominfo-2022' | 'pp43-2023'): PseCaseCommand => ({
  type: 'IdentifyPse',
  pseId,
  name: pseId,
  origin: 'foreign',
  domains: [`${pseId}.com`],
  company: null,
  sector: null,
  policy,
});

// The July–August 2022 story (docs/regulation.md §10) with a lapsing temporary restoration, a refused
// block on a case already blocked by itself, and a pp43-2023 fine paid in part.
const story: Step[] = [
  ...['paypal', 'valve', 'xandr', 'epic'].map((id) => ({
    at: wib('2022-07-18T09:00'),
    command: identify(id, 'kominfo-2022'),
  })),
  { at: wib('2022-07-18T09:00'), command: identify('tokoku', 'pp43-2023') },
  ...['paypal', 'valve', 'xandr', 'epic'].map((pseId) => ({
    at: wib('2022-07-23T10:00'),
    command: { type: 'IssueWarning' as const, pseId, letterNumber: `B-${pseId}/DJAI/07/2022` },
  })),
  { at: wib('2022-07-25T10:00'), command: { type: 'IssueWarning', pseId: 'tokoku', letterNumber: 'T-1' } },
  {
    at: wib('2022-07-31T08:00'),
    command: {
      type: 'RestoreAccessTemporarily',
      pseId: 'paypal',
      until: wib('2022-08-05T23:59'),
      reason: 'users withdraw their funds',
    },
  },
  { at: wib('2022-07-31T12:00'), command: { type: 'GrantExemption', pseId: 'xandr', reason: 'not a PSE' } },
  {
    at: wib('2022-07-31T13:00'),
    command: {
      type: 'RestoreAccessTemporarily',
      pseId: 'epic',
      until: wib('2022-08-02T23:59'),
      reason: 'game libraries',
    },
  },
  { at: wib('2022-08-02T09:00'), command: { type: 'SubmitRegistration', pseId: 'valve', channel: 'oss' } },
  {
    at: wib('2022-08-02T10:00'),
    command: { type: 'ImposeFine', pseId: 'tokoku', decisionNumber: 'D-1', amountIdr: 10_000_000 },
  },
  {
    at: wib('2022-08-03T10:00'),
    command: {
      type: 'ConfirmRegistration',
      pseId: 'paypal',
      registrationNumber: '006860.01/DJAI.PSE/08/2022',
    },
  },
  // refused: the window lapsed at 2022-08-02 23:59 and the block stands
  { at: wib('2022-08-04T09:00'), command: { type: 'BlockAccess', pseId: 'epic', orderNumber: 'B-epic' } },
  {
    at: wib('2022-08-15T10:00'),
    command: {
      type: 'RecordFinePayment',
      pseId: 'tokoku',
      fineId: 'F1',
      amountIdr: 4_000_000,
      reference: 'BNI-1',
    },
  },
  // the fine's 30 days end on 2022-09-01 23:59:59 WIB, 6,000,000 unpaid: the block is the next rung
  { at: wib('2022-09-05T10:00'), command: { type: 'BlockAccess', pseId: 'tokoku', orderNumber: 'B-tokoku' } },
];

type Mode = 'never' | 'at every due instant' | 'racing each command from two runtimes';

async function open(dir: string, clock: ManualClock): Promise<SanksiRuntime> {
  return createRuntime(loadConfig({ SANKSI_DATA_DIR: dir, SANKSI_LOG_LEVEL: 'silent' }), {
    clock,
    logger: pino({ level: 'silent' }),
  });
}

/** What a history says in business time (record times and hashes left out). */
function businessHistory(events: PseCaseEventEnvelope[]) {
  return events.map((e) => ({
    eventId: e.eventId,
    type: e.type,
    occurredAt: Date.parse(e.occurredAt),
    actor: e.actor.id,
    commandId: e.commandId,
    causationId: e.causationId,
    state: [e.state.state, e.state.substate, e.state.onBlocklist, e.state.deadlines],
  }));
}

/** Plays the story in a fresh data directory with the scheduler behaving as `mode`. */
async function play(mode: Mode, temp: TemporaryDirectory) {
  const clock = new ManualClock(wib('2022-07-18T09:00'));
  const one = await open(temp.path, clock);
  const two = mode === 'racing each command from two runtimes' ? await open(temp.path, clock) : null;
  const scheduler = new DeadlineScheduler(one, { name: 'one' });
  const other = two ? new DeadlineScheduler(two, { name: 'two' }) : null;
  // Ticks at each due instant until nothing is due by `until`.
  const onTime = async (until: string) => {
    for (;;) {
      await one.projector.runOnce();
      const [next] = (await one.readModels.getDueDeadlines(until, { limit: 1000 })).items.sort(
        (a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt),
      );
      if (!next) return;
      if (Date.parse(next.dueAt) > clock.now().getTime()) clock.set(next.dueAt);
      await tick(scheduler);
    }
  };
  const outcomes: string[] = [];
  let schedulerElapsed = 0;
  const tick = async (s: DeadlineScheduler, project = true) => {
    // (not `+= await`: that reads the total before the tick, and two concurrent ticks would lose one's count)
    const result = await s.tick({ project });
    schedulerElapsed += result.elapsed;
  };
  try {
    for (const [i, step] of story.entries()) {
      if (mode === 'at every due instant') await onTime(step.at);
      clock.set(step.at);
      // Racing: the read model is fresh and both schedulers start before the command, on its business time.
      const schedulersFirst = other
        ? one.projector.runOnce().then(() => [tick(scheduler, false), tick(other, false)])
        : null;
      const ticks = schedulersFirst ? await schedulersFirst : [];
      const send = one.commands
        .execute(step.command, { actor: OPERATOR, occurredAt: step.at, idempotencyKey: `story-${i}` })
        .then(
          (outcome) => `${outcome.state}${outcome.substate ? `.${outcome.substate}` : ''}`,
          (e: { code?: string }) => `refused ${e.code}`,
        );
      if (other) {
        const [outcome] = await Promise.all([send, ...ticks]);
        outcomes.push(outcome);
      } else outcomes.push(await send);
    }
    const duringStory = schedulerElapsed;
    // every variant brought to the same business time: the scheduler at the end of the year
    clock.set(END);
    await onTime(END);
    const histories: Record<string, ReturnType<typeof businessHistory>> = {};
    const lateElapses: string[] = [];
    for (const pseId of ['paypal', 'valve', 'xandr', 'epic', 'tokoku']) {
      const events = (await one.commands.load(pseId)).envelopes;
      histories[pseId] = businessHistory(events);
      for (const e of events) {
        if (e.type === 'DeadlineElapsed' && Date.parse(e.recordedAt) > Date.parse(e.occurredAt))
          lateElapses.push(`${pseId} ${e.data.deadline}`);
      }
    }
    return { outcomes, histories, schedulerElapsed: duringStory, lateElapses };
  } finally {
    await Promise.all([one.close(), two?.close()]);
  }
}

describe('business time decides, through the command service and the scheduler on SQLite', () => {
  const temps: TemporaryDirectory[] = [];
  const fresh = () => {
    const temp = temporaryDirectory('sanksi-business-time');
    temps.push(temp);
    return temp;
  };
  afterAll(() => temps.forEach((t) => t.remove()));

  it('stores the same history whether the scheduler never ran, ran on time, or raced every command', async () => {
    // given the story played with no scheduler until the end of the year
    const never = await play('never', fresh());
    // then its outcomes are the story's: the overdue consequences came with each later command
    expect(never.outcomes).toEqual([
      ...Array(5).fill('unregistered'),
      ...Array(5).fill('warned'),
      'blocked.temporarilyRestored',
      'exempted',
      'blocked.temporarilyRestored',
      'registrationPending',
      'fined',
      'reRegistered',
      'refused TRANSITION_REFUSED',
      'fined',
      'blocked.enforced',
    ]);
    // and every elapse before the end of the year came with a later command, recorded after its due instant
    expect(never.schedulerElapsed).toBe(0);
    expect(never.lateElapses.sort()).toEqual([
      'epic temporaryRestoration',
      'epic warningResponse',
      'paypal warningResponse',
      'tokoku finePayment',
      'tokoku warningResponse',
      'valve warningResponse',
      'xandr warningResponse',
    ]);
    const types = (pseId: string) => never.histories[pseId].map((e) => [e.type, e.actor]);
    expect(types('epic')).toEqual([
      ['PseIdentified', OPERATOR.id],
      ['WarningIssued', OPERATOR.id],
      ['DeadlineElapsed', 'sanksi-scheduler'],
      ['AccessBlocked', 'sanksi-escalation'],
      ['AccessTemporarilyRestored', OPERATOR.id],
      ['DeadlineElapsed', 'sanksi-scheduler'],
    ]);
    expect(never.histories.tokoku.map((e) => [e.type, new Date(e.occurredAt).toISOString()])).toEqual([
      ['PseIdentified', '2022-07-18T02:00:00.000Z'],
      ['WarningIssued', '2022-07-25T03:00:00.000Z'],
      ['DeadlineElapsed', '2022-08-01T16:59:59.000Z'],
      ['FineImposed', '2022-08-02T03:00:00.000Z'],
      ['FinePaid', '2022-08-15T03:00:00.000Z'],
      ['DeadlineElapsed', '2022-09-01T16:59:59.000Z'],
      ['AccessBlocked', '2022-09-05T03:00:00.000Z'],
    ]);

    // when the same commands are sent with the scheduler ticking at every due instant, or racing them
    for (const mode of ['at every due instant', 'racing each command from two runtimes'] as const) {
      const played = await play(mode, fresh());
      // (on time, the scheduler wrote every elapse at its due instant; racing, it elapsed at least the three
      // warnings of the cases the 07-31 command did not touch, and met the command on PayPal's)
      if (mode === 'at every due instant') {
        expect(played.lateElapses).toEqual([]);
        expect(played.schedulerElapsed).toBe(7);
      } else expect(played.schedulerElapsed).toBeGreaterThanOrEqual(3);
      // then every command had the same outcome and every case the same business-time history
      expect({ mode, outcomes: played.outcomes }).toEqual({ mode, outcomes: never.outcomes });
      expect({ mode, histories: played.histories }).toEqual({ mode, histories: never.histories });
    }
  }, 60_000);
});
