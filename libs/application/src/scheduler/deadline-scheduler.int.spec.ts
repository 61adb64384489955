import type { Actor, PolicyId } from '@sanksi/domain';
import {
  createTemporaryPostgresDatabase,
  temporaryDirectory,
  type TemporaryDirectory,
  type TemporaryPostgresDatabase,
} from '@sanksi/testing';
import pino from 'pino';
import { ManualClock } from '../cases/clock';
import { loadConfig } from '../config/sanksi-config';
import { createRuntime, type SanksiRuntime } from '../runtime/sanksi-runtime';
import { elapseKey } from './deadline-key';
import { DeadlineScheduler, SCHEDULER_ACTOR } from './deadline-scheduler';

const OPERATOR: Actor = { id: 'op-1', role: 'operator' };
const wib = (local: string) => `${local}:00+07:00`;

async function openRuntime(dir: string, clock: ManualClock): Promise<SanksiRuntime> {
  return createRuntime(loadConfig({ SANKSI_DATA_DIR: dir, SANKSI_LOG_LEVEL: 'silent' }), {
    clock,
    logger: pino({ level: 'silent' }),
  });
}

async function identify(rt: SanksiRuntime, pseId: string, policy: PolicyId, at: string): Promise<void> {
  await rt.commands.execute(
    {
      type: 'IdentifyPse',
      pseId,
      name: pseId,
      origin: 'foreign',
      domains: [`${pseId}.com`],
      policy,
      company: null,
      sector: null,
    },
    { actor: OPERATOR, occurredAt: at },
  );
}

async function warn(rt: SanksiRuntime, pseId: string, at: string): Promise<void> {
  await rt.commands.execute(
    { type: 'IssueWarning', pseId, letterNumber: `B-${pseId}` },
    { actor: OPERATOR, occurredAt: at },
  );
}

async function eventsOf(rt: SanksiRuntime, pseId: string) {
  return (await rt.commands.load(pseId)).envelopes;
}

async function count(rt: SanksiRuntime, pseId: string, type: string): Promise<number> {
  return (await eventsOf(rt, pseId)).filter((e) => e.type === type).length;
}

describe('DeadlineScheduler on SQLite files', () => {
  let temp: TemporaryDirectory;
  let dir: string;
  let clock: ManualClock;
  let runtime: SanksiRuntime;

  beforeEach(async () => {
    temp = temporaryDirectory('sanksi-scheduler');
    dir = temp.path;
    clock = new ManualClock(wib('2022-07-18T09:00'));
    runtime = await openRuntime(dir, clock);
  });

  afterEach(async () => {
    await runtime.close();
    temp.remove();
  });

  it('drives the 2022 story with only the clock moving: elapse, automatic block, window ends, registration wins', async () => {
    // given PayPal and Steam under kominfo-2022, both warned on 2022-07-23 (5 working days)
    for (const id of ['paypal', 'steam'])
      await identify(runtime, id, 'kominfo-2022', wib('2022-07-18T09:00'));
    clock.set(wib('2022-07-23T10:00'));
    for (const id of ['paypal', 'steam']) await warn(runtime, id, wib('2022-07-23T10:00'));
    const scheduler = new DeadlineScheduler(runtime);

    // when the clock reaches the last working hour before the due time
    clock.set(wib('2022-07-29T23:59'));
    const early = await scheduler.tick({ project: true });
    // then nothing is due yet
    expect(early).toEqual({ elapsed: 0, escalated: 0, skipped: 0, failed: 0 });

    // when the due time 2022-07-29 23:59:59 WIB has passed
    clock.set(wib('2022-07-30T00:01'));
    const due = await scheduler.tick({ project: true });
    // then both warnings elapse at their due time and the policy's block follows as the system
    expect(due).toMatchObject({ elapsed: 2, escalated: 2, failed: 0 });
    const paypal = await eventsOf(runtime, 'paypal');
    const elapsed = paypal.find((e) => e.type === 'DeadlineElapsed');
    expect(elapsed).toMatchObject({ actor: SCHEDULER_ACTOR, data: { dueAt: '2022-07-29T23:59:59+07:00' } });
    expect(Date.parse(elapsed?.occurredAt ?? '')).toBe(Date.parse('2022-07-29T23:59:59+07:00'));
    const blocked = paypal[paypal.length - 1];
    expect(blocked).toMatchObject({
      type: 'AccessBlocked',
      actor: { id: 'sanksi-escalation', role: 'system' },
      causationId: elapsed?.eventId,
      occurredAt: elapsed?.occurredAt,
      state: { state: 'blocked', substate: 'enforced', onBlocklist: true },
    });
    expect(blocked.commandId).toBe(`${elapsed?.commandId}:escalate:0`);

    // when PayPal is temporarily restored until 08-05 23:59 and Steam registers on 08-03
    clock.set(wib('2022-07-31T08:00'));
    await runtime.commands.execute(
      {
        type: 'RestoreAccessTemporarily',
        pseId: 'paypal',
        until: wib('2022-08-05T23:59'),
        reason: 'withdrawals',
      },
      { actor: OPERATOR },
    );
    await runtime.commands.execute(
      {
        type: 'RestoreAccessTemporarily',
        pseId: 'steam',
        until: wib('2022-08-05T23:59'),
        reason: 'game libraries',
      },
      { actor: OPERATOR },
    );
    clock.set(wib('2022-08-03T10:00'));
    await runtime.commands.execute(
      { type: 'ConfirmRegistration', pseId: 'steam', registrationNumber: '006860.01/DJAI.PSE/08/2022' },
      { actor: OPERATOR },
    );
    expect(await scheduler.tick({ project: true })).toMatchObject({ elapsed: 0, escalated: 0 });

    // and the clock passes the end of the window
    clock.set(wib('2022-08-06T00:00'));
    const windowEnd = await scheduler.tick({ project: true });

    // then PayPal's block returns by itself at the window's end; Steam, registered, stays off the blocklist
    expect(windowEnd).toMatchObject({ elapsed: 1, escalated: 0, failed: 0 });
    const back = (await eventsOf(runtime, 'paypal')).at(-1);
    expect(back).toMatchObject({
      type: 'DeadlineElapsed',
      data: { deadline: 'temporaryRestoration', dueAt: wib('2022-08-05T23:59') },
      state: { state: 'blocked', substate: 'enforced', onBlocklist: true },
    });
    expect((await eventsOf(runtime, 'steam')).at(-1)?.state).toMatchObject({
      state: 'reRegistered',
      onBlocklist: false,
    });
    await runtime.projector.runOnce();
    expect((await runtime.readModels.getBlocklist()).entries.map((e) => e.domain)).toEqual(['paypal.com']);

    // and further ticks change nothing
    clock.set(wib('2022-09-01T00:00'));
    expect(await scheduler.tick({ project: true })).toEqual({
      elapsed: 0,
      escalated: 0,
      skipped: 0,
      failed: 0,
    });
    expect(await count(runtime, 'paypal', 'DeadlineElapsed')).toBe(2);
    expect(await count(runtime, 'paypal', 'AccessBlocked')).toBe(1);
  });

  it('leaves the next rung to the operator queue when the policy does not escalate automatically', async () => {
    // given a case under pp43-2023 warned after the registration deadline
    clock.set(wib('2024-03-01T09:00'));
    await identify(runtime, 'tokoku', 'pp43-2023', wib('2024-03-01T09:00'));
    await warn(runtime, 'tokoku', wib('2024-03-01T09:00'));
    // when its deadline passes
    clock.set(wib('2024-04-01T09:00'));
    const result = await new DeadlineScheduler(runtime).tick({ project: true });
    // then it elapses, nothing is escalated, and the case waits in the operator's queue
    expect(result).toMatchObject({ elapsed: 1, escalated: 0 });
    await runtime.projector.runOnce();
    const queue = (await runtime.readModels.getEscalationQueue()).items;
    expect(queue.map((q) => q.pseId)).toEqual(['tokoku']);
    expect(queue[0].allowed.length).toBeGreaterThan(0);
    expect(await count(runtime, 'tokoku', 'AccessBlocked')).toBe(0);
    // and the next ticks find nothing left to do for it
    clock.set(wib('2024-04-02T09:00'));
    expect(await new DeadlineScheduler(runtime).tick({ project: true })).toEqual({
      elapsed: 0,
      escalated: 0,
      skipped: 0,
      failed: 0,
    });
  });

  it('elapses a backlog larger than one page of due deadlines in one tick, each once', async () => {
    // given seven cases under pp43-2023 warned at the same instant (their deadlines tie)
    clock.set(wib('2024-03-01T09:00'));
    const ids = Array.from({ length: 7 }, (_, i) => `backlog-${i}`);
    for (const id of ids) {
      await identify(runtime, id, 'pp43-2023', wib('2024-03-01T09:00'));
      await warn(runtime, id, wib('2024-03-01T09:00'));
    }
    // when one tick runs after they passed, reading two due deadlines a page
    clock.set(wib('2024-04-01T09:00'));
    const result = await new DeadlineScheduler(runtime, { duePageSize: 2 }).tick({ project: true });
    // then every one elapsed exactly once, and nothing is left due
    expect(result).toMatchObject({ elapsed: 7, failed: 0 });
    for (const id of ids) expect(await count(runtime, id, 'DeadlineElapsed')).toBe(1);
    await runtime.projector.runOnce();
    expect(await runtime.readModels.getDueDeadlines(wib('2024-04-01T09:00'))).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('elapses the cases of a page side by side, and every case ends as one at a time would leave it', async () => {
    // given twelve cases under kominfo-2022 (an elapse blocks automatically) warned on two days, on two
    // data directories alike
    const other = temporaryDirectory('sanksi-scheduler-serial');
    const serial = await openRuntime(other.path, clock);
    try {
      const ids = Array.from({ length: 12 }, (_, i) => `side-${i}`);
      clock.set(wib('2022-07-23T10:00'));
      for (const rt of [runtime, serial]) {
        for (const [i, id] of ids.entries()) {
          await identify(rt, id, 'kominfo-2022', wib('2022-07-18T09:00'));
          await warn(rt, id, wib(i % 2 === 0 ? '2022-07-22T10:00' : '2022-07-23T10:00'));
        }
      }
      // when one tick elapses them all, eight cases at a time on one side and one at a time on the other
      clock.set(wib('2022-08-10T09:00'));
      let inFlight = 0;
      let mostInFlight = 0;
      const execute = runtime.commands.execute.bind(runtime.commands);
      runtime.commands.execute = async (command, context) => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          return await execute(command, context);
        } finally {
          inFlight--;
        }
      };
      const side = await new DeadlineScheduler(runtime, { duePageSize: 5 }).tick({ project: true });
      const one = await new DeadlineScheduler(serial, { elapseConcurrency: 1, duePageSize: 5 }).tick({
        project: true,
      });
      // then the cases of a page were elapsed side by side, and each ends with the same history
      expect(mostInFlight).toBeGreaterThan(1);
      expect(side).toEqual(one);
      expect(side).toMatchObject({ elapsed: 12, escalated: 12, failed: 0 });
      const story = (events: Awaited<ReturnType<typeof eventsOf>>) =>
        events.map((e) => [e.type, e.occurredAt, e.state.state, e.actor.id]);
      for (const id of ids) {
        expect(story(await eventsOf(runtime, id))).toEqual(story(await eventsOf(serial, id)));
        expect(await count(runtime, id, 'AccessBlocked')).toBe(1);
      }
    } finally {
      await serial.close();
      other.remove();
    }
  });

  it('says it is catching up until its first tick has gone through every deadline due (readiness reads it)', async () => {
    // given three warned cases whose deadlines passed while no scheduler ran
    clock.set(wib('2024-03-01T09:00'));
    for (const id of ['late-0', 'late-1', 'late-2']) {
      await identify(runtime, id, 'pp43-2023', wib('2024-03-01T09:00'));
      await warn(runtime, id, wib('2024-03-01T09:00'));
    }
    clock.set(wib('2024-04-01T09:00'));
    const scheduler = new DeadlineScheduler(runtime, { duePageSize: 1 });
    // then a scheduler that has not ticked yet, or is in its first tick, is catching up
    expect(scheduler.status().caughtUp).toBe(false);
    const first = scheduler.tick({ project: true });
    expect(scheduler.status().caughtUp).toBe(false);
    // when that tick has elapsed every due deadline
    expect(await first).toMatchObject({ elapsed: 3, failed: 0 });
    // then it has caught up, and stays so on later ticks
    expect(scheduler.status().caughtUp).toBe(true);
    await scheduler.tick({ project: true });
    expect(scheduler.status()).toMatchObject({ caughtUp: true, ticks: 2 });
  });

  it('elapses a deadline long past (imported history) at once, with its real due time as business time', async () => {
    // given a warning from 2022 and a clock in 2026
    await identify(runtime, 'oldcase', 'kominfo-2022', wib('2022-07-18T09:00'));
    clock.set(wib('2022-07-23T10:00'));
    await warn(runtime, 'oldcase', wib('2022-07-23T10:00'));
    clock.set('2026-01-05T03:00:00Z');
    // when the scheduler first sees it
    await new DeadlineScheduler(runtime).tick({ project: true });
    // then the elapse and the block it causes both carry the 2022 due time; only their record time is now
    const events = await eventsOf(runtime, 'oldcase');
    expect(events.slice(-2).map((e) => [e.type, e.occurredAt, e.recordedAt])).toEqual([
      ['DeadlineElapsed', '2022-07-29T23:59:59+07:00', '2026-01-05T03:00:00.000Z'],
      ['AccessBlocked', '2022-07-29T23:59:59+07:00', '2026-01-05T03:00:00.000Z'],
    ]);
  });

  it.each(['command first', 'scheduler first'] as const)(
    'gives one elapse and the same business-time history when a command and the scheduler meet a deadline (%s)',
    async (order) => {
      // given a warned kominfo-2022 case whose deadline passed while nobody acted
      await identify(runtime, 'racy', 'kominfo-2022', wib('2022-07-18T09:00'));
      clock.set(wib('2022-07-23T10:00'));
      await warn(runtime, 'racy', wib('2022-07-23T10:00'));
      clock.set(wib('2022-07-31T08:00'));
      const restore = () =>
        runtime.commands.execute(
          {
            type: 'RestoreAccessTemporarily',
            pseId: 'racy',
            until: wib('2022-08-05T23:59'),
            reason: 'withdrawals',
          },
          { actor: OPERATOR, occurredAt: wib('2022-07-31T08:00') },
        );
      const scheduler = new DeadlineScheduler(runtime);
      // when an operator's command dated after the deadline and a scheduler tick both arrive, in either order
      if (order === 'command first') {
        await restore();
        expect(await scheduler.tick({ project: true })).toMatchObject({
          elapsed: 0,
          escalated: 0,
          failed: 0,
        });
      } else {
        expect(await scheduler.tick({ project: true })).toMatchObject({
          elapsed: 1,
          escalated: 1,
          failed: 0,
        });
        await restore();
      }
      // then the deadline elapsed once, and the history reads the same whoever came first
      const events = await eventsOf(runtime, 'racy');
      expect(events.map((e) => [e.type, e.occurredAt, e.actor.id])).toEqual([
        ['PseIdentified', wib('2022-07-18T09:00'), OPERATOR.id],
        ['WarningIssued', wib('2022-07-23T10:00'), OPERATOR.id],
        ['DeadlineElapsed', '2022-07-29T23:59:59+07:00', SCHEDULER_ACTOR.id],
        ['AccessBlocked', '2022-07-29T23:59:59+07:00', 'sanksi-escalation'],
        ['AccessTemporarilyRestored', wib('2022-07-31T08:00'), OPERATOR.id],
      ]);
      const key = elapseKey({
        pseId: 'racy',
        kind: 'warningResponse',
        fineId: null,
        dueAt: '2022-07-29T23:59:59+07:00',
      });
      expect(events[2].commandId).toBe(key);
    },
  );

  it('skips a deadline the case no longer has (registered meanwhile, read model behind) and keeps going', async () => {
    // given two warned cases, projected while both deadlines ran
    await identify(runtime, 'late', 'kominfo-2022', wib('2022-07-18T09:00'));
    await identify(runtime, 'other', 'kominfo-2022', wib('2022-07-18T09:00'));
    clock.set(wib('2022-07-23T10:00'));
    await warn(runtime, 'late', wib('2022-07-23T10:00'));
    await warn(runtime, 'other', wib('2022-07-23T10:00'));
    await runtime.projector.runOnce();
    // when one registers before the scheduler sees the read model move
    clock.set(wib('2022-07-29T12:00'));
    await runtime.commands.execute(
      { type: 'ConfirmRegistration', pseId: 'late', registrationNumber: '000001.01/DJAI.PSE/07/2022' },
      { actor: OPERATOR },
    );
    clock.set(wib('2022-07-30T01:00'));
    const result = await new DeadlineScheduler(runtime).tick();
    // then the stale deadline is refused and skipped, the other one elapses
    expect(result).toMatchObject({ elapsed: 1, escalated: 1, skipped: 1, failed: 0 });
    expect(await count(runtime, 'late', 'DeadlineElapsed')).toBe(0);
    expect(await count(runtime, 'other', 'AccessBlocked')).toBe(1);
  });

  it('elapses each deadline exactly once with two schedulers on two runtimes over the same files', async () => {
    // given twelve warned cases (automatic and operator policies) and a second runtime on the same files
    const ids = Array.from({ length: 12 }, (_, i) => `pse${i}`);
    for (const [i, id] of ids.entries()) {
      await identify(runtime, id, i % 3 === 0 ? 'mr5-literal' : 'kominfo-2022', wib('2022-07-18T09:00'));
    }
    clock.set(wib('2022-07-23T10:00'));
    for (const id of ids) await warn(runtime, id, wib('2022-07-23T10:00'));
    const second = await openRuntime(dir, clock);
    try {
      const a = new DeadlineScheduler(runtime, { name: 'a' });
      const b = new DeadlineScheduler(second, { name: 'b' });
      const c = new DeadlineScheduler(runtime, { name: 'c' });
      // when all three tick at once, repeatedly, past the due time
      clock.set(wib('2022-07-30T06:00'));
      const results = await Promise.all([a, b, c, a, b, c].map((s) => s.tick({ project: true })));
      // then every deadline elapsed once and every automatic block was appended once
      for (const [i, id] of ids.entries()) {
        expect(await count(runtime, id, 'DeadlineElapsed')).toBe(1);
        expect(await count(runtime, id, 'AccessBlocked')).toBe(i % 3 === 0 ? 0 : 1);
      }
      // (tick counters are not summed: CaseCommandService reports a store-level duplicate as new)
      expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('runs by itself on an interval and reports its status', async () => {
    // given a due deadline and a started scheduler that projects on each tick
    await identify(runtime, 'loop', 'kominfo-2022', wib('2022-07-18T09:00'));
    clock.set(wib('2022-07-23T10:00'));
    await warn(runtime, 'loop', wib('2022-07-23T10:00'));
    clock.set(wib('2022-07-30T06:00'));
    const scheduler = new DeadlineScheduler(runtime, { intervalMs: 10, project: true });
    scheduler.start();
    // when it has had time to tick
    while ((await count(runtime, 'loop', 'AccessBlocked')) === 0) await new Promise((r) => setTimeout(r, 10));
    await scheduler.stop();
    // then it elapsed and escalated, and says so
    const status = scheduler.status();
    expect(status).toMatchObject({
      name: 'scheduler',
      running: false,
      healthy: true,
      elapsedTotal: 1,
      escalatedTotal: 1,
    });
    expect(status.ticks).toBeGreaterThan(0);
  });
});

describe('DeadlineScheduler on PostgreSQL', () => {
  let database: TemporaryPostgresDatabase;
  let url: string;
  let dir: string;
  let temp: TemporaryDirectory;

  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('sanksi_sched');
    url = database.url;
    temp = temporaryDirectory('sanksi-scheduler-pg');
    dir = temp.path;
  });

  afterAll(async () => {
    await database.drop();
    temp.remove();
  });

  it('elapses and escalates each deadline once with schedulers on two runtimes (two pools) at once', async () => {
    // given two runtimes on one PostgreSQL database (event store and read models) and eight warned cases
    const clock = new ManualClock(wib('2022-07-18T09:00'));
    const env = {
      SANKSI_DATA_DIR: dir,
      SANKSI_LOG_LEVEL: 'silent',
      SANKSI_EVENT_STORE: 'postgres',
      SANKSI_READ_MODELS: 'postgres',
      DATABASE_URL: url,
    };
    const open = () => createRuntime(loadConfig(env), { clock, logger: pino({ level: 'silent' }) });
    const one = await open();
    const two = await open();
    try {
      const ids = Array.from({ length: 8 }, (_, i) => `pg${i}`);
      for (const id of ids) await identify(one, id, 'kominfo-2022', wib('2022-07-18T09:00'));
      clock.set(wib('2022-07-23T10:00'));
      for (const id of ids) await warn(one, id, wib('2022-07-23T10:00'));
      clock.set(wib('2022-07-30T06:00'));
      const schedulers = [new DeadlineScheduler(one), new DeadlineScheduler(two)];
      // when both tick three times at once
      const results = await Promise.all(
        [0, 1, 2].flatMap(() => schedulers.map((s) => s.tick({ project: true }))),
      );
      // then each case has exactly one elapse and one block, and no tick failed
      for (const id of ids) {
        expect(await count(one, id, 'DeadlineElapsed')).toBe(1);
        expect(await count(one, id, 'AccessBlocked')).toBe(1);
      }
      expect(results.every((r) => r.failed === 0)).toBe(true);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
