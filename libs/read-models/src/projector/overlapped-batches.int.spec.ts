import { createEventStore, type EventStore } from '@sanksi/event-store';
import * as testing from '@sanksi/testing';
import path from 'node:path';
import type { SourceEvent } from '../events/event-source.port';
import { toReadModelEvent } from '../events/read-model-event';
import { CheckpointConflict, ReadModelStoreFailed } from '../read-model.errors';
import { type OpenedBackend, readModelBackends, toAppend } from '../testing/read-model-backends.harness';
import { julyAugust2022 } from '../testing/scenario.fixture';
import { Projector } from './projector';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

/**
 * On PostgreSQL a catch-up plans batch N+1 while the server writes batch N (`prepareBatch`, one round trip
 * a batch). These specs hold it to what writing one batch at a time gives, through a failed batch and a
 * checkpoint another writer moved.
 */
describe('a catch-up on PostgreSQL, each batch planned while the one before it is written', () => {
  const { postgres } = readModelBackends(testing);
  let dir: testing.TemporaryDirectory;
  let events: EventStore;
  let db: OpenedBackend;
  let recorded: SourceEvent[];

  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-overlapped');
    events = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db') });
    for (const e of julyAugust2022().events)
      await events.appendToStream(e.streamId, [toAppend(e)], { expectedRevision: 'any' });
    recorded = await events.readAll();
    db = await postgres.open();
  });
  afterEach(async () => {
    await events.close();
    await db.cleanup();
    dir.remove();
  });

  /** The log written by `applyBatch` alone, `size` events a transaction, on a database of its own. */
  async function oneBatchAtATime(size: number): Promise<Record<string, unknown[]>> {
    const other = await postgres.open();
    try {
      let position = 0;
      for (let i = 0; i < recorded.length; i += size) {
        const batch = recorded.slice(i, i + size);
        const to = (batch[batch.length - 1] as SourceEvent).position;
        await other.store.applyBatch(batch.map(toReadModelEvent), {
          expectedPosition: position,
          toPosition: to,
        });
        position = to;
      }
      return await other.dump();
    } finally {
      await other.cleanup();
    }
  }

  it('given the 2022 scenario in batches of two, when caught up, then every table is what one batch at a time writes', async () => {
    expect(db.store.prepareBatch).toBeDefined();
    const result = await new Projector({ source: events, store: db.store, catchUpBatchSize: 2 }).runOnce();
    expect(result).toEqual({ applied: recorded.length, position: await events.headPosition() });
    expect(await db.dump()).toEqual(await oneBatchAtATime(2));
  });

  it('given a batch the server refuses, when caught up, then it stops at the batch before, writes nothing of the batch planned after it, and a later catch-up ends where one batch at a time does', async () => {
    // given: the fourth batch of two fails on the server, while the fifth is being planned
    const refused = recorded[7] as SourceEvent;
    await db.store.migrate();
    await db.execute(`
      CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON case_timeline FOR EACH ROW
        WHEN (NEW.position = ${refused.position}) EXECUTE FUNCTION refuse();`);
    const projector = new Projector({ source: events, store: db.store, catchUpBatchSize: 2 });
    // when
    const failure = await projector.runOnce().then(
      () => null,
      (e: unknown) => e,
    );
    // then
    expect(failure).toBeInstanceOf(ReadModelStoreFailed);
    expect(String((failure as Error).message)).toContain('refused by the test');
    expect(await db.store.getCheckpoint()).toBe(recorded[5]?.position);
    const timeline = await db.sql(`SELECT max(position) AS last, count(*) AS rows FROM case_timeline`);
    expect(timeline).toEqual([{ last: String(recorded[5]?.position), rows: '6' }]);
    // and when the cause is gone, the same projector goes on from there
    await db.execute(`DROP TRIGGER refuse ON case_timeline`);
    expect(await projector.runOnce()).toEqual({
      applied: recorded.length - 6,
      position: await events.headPosition(),
    });
    expect(await db.dump()).toEqual(await oneBatchAtATime(2));
  });

  it('given a batch prepared while another store moved the checkpoint, when committed, then it is refused as a conflict and writes nothing', async () => {
    // given
    const prepare = db.store.prepareBatch;
    if (!prepare) throw new Error('PostgreSQL read models prepare batches');
    const first = recorded.slice(0, 3).map(toReadModelEvent);
    const to = (recorded[2] as SourceEvent).position;
    const prepared = await prepare(first, { expectedPosition: 0, toPosition: to });
    await db.reopen().applyBatch(first, { expectedPosition: 0, toPosition: to });
    // when
    const failure = await prepared.commit().then(
      () => null,
      (e: unknown) => e,
    );
    // then
    expect(failure).toBeInstanceOf(CheckpointConflict);
    expect(failure).toMatchObject({ expected: 0, actual: to });
    expect(await db.sql(`SELECT count(*) AS rows FROM case_timeline`)).toEqual([{ rows: '3' }]);
    // and the store's own next batch plans from the database, not from the rows it had assumed
    const rest = recorded.slice(3);
    await db.store.applyBatch(rest.map(toReadModelEvent), {
      expectedPosition: to,
      toPosition: (rest[rest.length - 1] as SourceEvent).position,
    });
    expect(await db.dump()).toEqual(await oneBatchAtATime(recorded.length));
  });
});
