import { createEventStore, type EventStore } from '@sanksi/event-store';
import * as testing from '@sanksi/testing';
import path from 'node:path';
import type { SourceEvent } from '../events/event-source.port';
import { ProjectionFailed } from '../read-model.errors';
import { GlobalLog } from '../testing/case-history.fixture';
import { type OpenedBackend, readModelBackends, toAppend } from '../testing/read-model-backends.harness';
import { julyAugust2022 } from '../testing/scenario.fixture';
import { Projector } from './projector';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

async function appendAll(store: EventStore, events: readonly SourceEvent[]): Promise<void> {
  for (const e of events) await store.appendToStream(e.streamId, [toAppend(e)], { expectedRevision: 'any' });
}

const { eventually } = testing;

describe.each(readModelBackends(testing).all)(
  'projector from a SQLite event store into $name read models',
  (backend) => {
    let dir: testing.TemporaryDirectory;
    let events: EventStore;
    let db: OpenedBackend;
    beforeEach(async () => {
      dir = testing.temporaryDirectory('sanksi-projector');
      events = createEventStore({
        kind: 'sqlite',
        file: path.join(dir.path, 'events.db'),
        pollIntervalMs: 20,
      });
      db = await backend.open();
    });
    afterEach(async () => {
      await events.close();
      await db.cleanup();
      dir.remove();
    });

    it('given the 2022 population, when run once, then it catches up to the head with no lag', async () => {
      await appendAll(events, julyAugust2022().events);
      const projector = new Projector({ source: events, store: db.store, batchSize: 5 });
      const result = await projector.runOnce();
      const head = await events.headPosition();
      expect(result).toEqual({ applied: julyAugust2022().events.length, position: head });
      const status = await projector.status();
      expect(status).toMatchObject({ position: head, head, lag: 0, lastError: null, running: false });
      expect(status.eventsPerSecond).toBeGreaterThan(0);
      expect(await db.store.getCaseSummary('paypal')).toMatchObject({
        state: 'reRegistered',
        lastPosition: expect.any(Number),
      });
      expect((await db.store.getBlocklist()).entries.map((e) => e.domain)).toEqual([
        'liar.example',
        'steamcommunity.com',
        'store.steampowered.com',
      ]);
      expect(await projector.runOnce()).toEqual({ applied: 0, position: head });
    });

    it('given a log projected incrementally in small batches, when rebuilt from zero in one go, then every table is the same', async () => {
      const all = julyAugust2022().events;
      const incremental = new Projector({ source: events, store: db.store, batchSize: 3 });
      for (const [from, to] of [
        [0, 9],
        [9, 20],
        [20, all.length],
      ] as const) {
        await appendAll(events, all.slice(from, to));
        await incremental.runOnce();
      }
      const before = await db.dump();
      expect(before['case_timeline']).toHaveLength(all.length);
      const rebuilt = await new Projector({ source: events, store: db.store, batchSize: 1000 }).rebuild();
      expect(rebuilt.applied).toBe(all.length);
      expect(await db.dump()).toEqual(before);
    });

    it('given a rebuild told the log is still being appended, when events arrive in several bursts while it replays, then it projects every one and ends with the tables of a rebuild of the whole log', async () => {
      // given
      const all = julyAugust2022().events;
      await appendAll(events, all.slice(0, 5));
      let appendsDone: () => void = () => undefined;
      const appending = new Promise<void>((resolve) => (appendsDone = resolve));
      const following = new Projector({ source: events, store: db.store, batchSize: 4 });
      // when: the rebuild starts on five events, then the rest arrives in three bursts it has to wait for
      const rebuilding = following.rebuild(appending, 5);
      for (const [from, to] of [
        [5, 12],
        [12, 20],
        [20, all.length],
      ] as const) {
        await new Promise((r) => setTimeout(r, 20));
        await appendAll(events, all.slice(from, to));
      }
      appendsDone();
      const result = await rebuilding;
      // then
      const head = await events.headPosition();
      expect(result).toMatchObject({ applied: all.length, position: head });
      const followed = await db.dump();
      expect(followed['case_timeline']).toHaveLength(all.length);
      await new Projector({ source: events, store: db.store, batchSize: 1000 }).rebuild();
      expect(await db.dump()).toEqual(followed);
    });

    it('given an event a projection throws on, when run, then it stops there with an error naming the event, and never skips it', async () => {
      const log = new GlobalLog();
      const ok = log.case('ok');
      const bad = log.case('bad');
      ok.identified('2022-07-21T09:00:00+07:00');
      bad.identified('2022-07-21T09:00:00+07:00');
      bad.paid('2022-07-22T09:00:00+07:00', 'F-unknown', 1000);
      ok.warned('2022-07-25T09:00:00+07:00', 'W', '2022-07-29T23:59:00+07:00');
      await appendAll(events, log.all());
      const [, second, third] = await events.readAll();
      const projector = new Projector({ source: events, store: db.store, batchSize: 10 });

      const failure = await projector.runOnce().then(
        () => null,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ProjectionFailed);
      expect(failure).toMatchObject({
        code: 'PROJECTION_FAILED',
        projection: 'fines',
        event: { eventId: third?.eventId, type: 'FinePaid', position: third?.position, pseId: 'bad' },
      });
      // The events before it are committed; the failing one and everything after are not.
      expect(await db.store.getCheckpoint()).toBe(second?.position);
      expect((await db.store.getCaseSummary('ok'))?.state).toBe('unregistered');
      const status = await projector.status();
      expect(status.lastError).toMatchObject({
        projection: 'fines',
        event: { type: 'FinePaid', position: third?.position },
      });
      expect(status.lag).toBeGreaterThan(0);

      await expect(projector.runOnce()).rejects.toMatchObject({ event: { position: third?.position } });
      expect(await db.store.getCheckpoint()).toBe(second?.position);
    });

    it('given a catch-up in batches of two, when an event of a later batch fails to parse, then every event before it is committed and the failing one is named', async () => {
      const log = new GlobalLog();
      const cases = ['a', 'b', 'c', 'd'].map((id) => log.case(id));
      for (const c of cases) c.identified('2022-07-21T09:00:00+07:00');
      for (const c of cases) c.warned('2022-07-25T09:00:00+07:00', 'W', '2022-07-29T23:59:00+07:00');
      const broken = log.all()[5] as SourceEvent;
      await appendAll(events, [
        ...log.all().slice(0, 5),
        { ...broken, metadata: { ...broken.metadata, state: { state: 'limbo' } } },
        ...log.all().slice(6),
      ]);
      const recorded = await events.readAll();
      const projector = new Projector({ source: events, store: db.store, catchUpBatchSize: 2 });
      await expect(projector.runOnce()).rejects.toMatchObject({
        projection: 'envelope',
        event: { position: recorded[5]?.position },
      });
      expect(await db.store.getCheckpoint()).toBe(recorded[4]?.position);
    });

    it('given an envelope without a recorded state, when run, then it stops naming the event and the envelope', async () => {
      const log = new GlobalLog();
      const c = log.case('x');
      c.identified('2022-07-21T09:00:00+07:00');
      const broken = c.warned('2022-07-25T09:00:00+07:00', 'W', '2022-07-29T23:59:00+07:00');
      await appendAll(events, [
        ...log.all().slice(0, 1),
        { ...broken, metadata: { ...broken.metadata, state: { state: 'limbo' } } },
      ]);
      const projector = new Projector({ source: events, store: db.store });
      await expect(projector.runOnce()).rejects.toMatchObject({
        projection: 'envelope',
        event: { type: 'WarningIssued', pseId: 'x' },
      });
      expect((await db.store.getCaseSummary('x'))?.state).toBe('unregistered');
    });

    it('given a started projector, when events arrive, then it follows them until stopped and resumes from its checkpoint', async () => {
      const all = julyAugust2022().events;
      const projector = new Projector({ source: events, store: db.store, batchSize: 4, flushAfterMs: 5 });
      projector.start();
      await appendAll(events, all.slice(0, 15));
      await eventually(async () => expect((await projector.status()).lag).toBe(0));
      expect((await projector.status()).running).toBe(true);
      await projector.stop();
      expect((await projector.status()).running).toBe(false);

      await appendAll(events, all.slice(15));
      const head = await events.headPosition();
      expect(await db.store.getCheckpoint()).toBeLessThan(head);
      projector.start();
      await eventually(async () => expect(await db.store.getCheckpoint()).toBe(head));
      await projector.stop();
      expect(await db.store.getCaseSummary('finco')).toMatchObject({
        state: 'fined',
        finesPaidIdr: 2_000_000,
      });
    });

    it('given a started projector and a runOnce racing it, then every event is projected exactly once', async () => {
      const all = julyAugust2022().events;
      const projector = new Projector({ source: events, store: db.store, batchSize: 4, flushAfterMs: 5 });
      projector.start();
      await appendAll(events, all);
      await projector.runOnce();
      const head = await events.headPosition();
      await eventually(async () => expect(await db.store.getCheckpoint()).toBe(head));
      await projector.stop();
      expect((await projector.status()).lastError).toBeNull();
      expect(await db.sql('SELECT event_id FROM case_timeline')).toHaveLength(all.length);
    });

    it('given a started projector that meets a failing event, then it stops and status shows the error', async () => {
      const log = new GlobalLog();
      const c = log.case('bad');
      c.identified('2022-07-21T09:00:00+07:00');
      c.paid('2022-07-22T09:00:00+07:00', 'nope', 1);
      const projector = new Projector({ source: events, store: db.store, flushAfterMs: 5 });
      projector.start();
      await appendAll(events, log.all());
      await eventually(async () => expect((await projector.status()).running).toBe(false));
      expect((await projector.status()).lastError).toMatchObject({
        code: 'PROJECTION_FAILED',
        event: { type: 'FinePaid' },
      });
    });
  },
);
