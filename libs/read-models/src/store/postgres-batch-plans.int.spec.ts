import { createEventStore, type EventStore } from '@sanksi/event-store';
import * as testing from '@sanksi/testing';
import path from 'node:path';
import { Projector } from '../projector/projector';
import { type OpenedBackend, readModelBackends, toAppend } from '../testing/read-model-backends.harness';
import { julyAugust2022 } from '../testing/scenario.fixture';

jest.setTimeout(60_000);

/** The tables a batch reads or deletes from by case (`pse_id = ANY(...)`), each with an index led by pse_id. */
const BY_CASE = ['case_summary', 'case_domains', 'blocklist', 'registry', 'fines', 'deadlines'];

// A batch's reads by case must use the index however small the statistics say the table is: scanning
// whole tables made a PostgreSQL replay's cost grow with the square of the population.
describe('PostgreSQL read models: a batch finds its cases by index, never by scanning the table', () => {
  let dir: testing.TemporaryDirectory;
  let events: EventStore;
  let db: OpenedBackend;

  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-batch-plans');
    events = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db') });
    for (const e of julyAugust2022().events)
      await events.appendToStream(e.streamId, [toAppend(e)], { expectedRevision: 'any' });
    db = await readModelBackends(testing).postgres.open();
  });
  afterEach(async () => {
    await events.close();
    await db.cleanup();
    dir.remove();
  });

  it('given a replay from empty in small batches, then the by-case tables are scanned whole only by the migrations, not once a batch', async () => {
    await db.store.migrate();
    const scans = async () => {
      // A backend's counters reach the shared statistics when it ends or idles a second: ending the store's
      // connections (closing it) publishes them.
      const rows = await db.sql(
        `SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname IN (${BY_CASE.map((t) => `'${t}'`).join(', ')})`,
      );
      return Object.fromEntries(rows.map((r) => [String(r.relname), Number(r.seq_scan)]));
    };
    const store = db.reopen();
    await store.migrate();
    await store.close();
    const before = await scans();
    // when: a replay of the story four events at a time (eight batches)
    const replaying = db.reopen();
    const { applied } = await new Projector({ source: events, store: replaying, batchSize: 4 }).runOnce();
    await replaying.close();
    // then
    expect(applied).toBeGreaterThan(24);
    const after = await scans();
    for (const table of BY_CASE)
      expect({ table, scans: after[table] - before[table] }).toEqual({ table, scans: 0 });
  });
});
