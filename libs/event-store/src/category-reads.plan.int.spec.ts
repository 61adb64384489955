// The readers of the traffic streams and of the case streams — the traffic projector and the case
// projector (their runs, catch-ups and statuses), the traffic relay and the case relay, the case
// population — read the log by category after a position (`readAll({ category, after, limit })`); the
// traffic ingest (file, HTTP, the Kafka consumer) reads one stream by revision. These are the plans of
// those exact statements on a populated log where the traffic facts are few and late: each must seek an
// index, never scan the log (docs/benchmarks.md, "Traffic ingest from a file").
import path from 'node:path';
import {
  createTemporaryPostgresDatabase,
  temporaryDirectory,
  type TemporaryDirectory,
  type TemporaryPostgresDatabase,
} from '@sanksi/testing';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { EventStore } from './core/event-store.port';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { testEvent } from './testing/event-store.contract';

jest.setTimeout(120_000);

const CASES = 200;
const EVENTS_PER_CASE = 25;

/** 5,000 case events in 200 streams, then 10 traffic facts in one stream, then 200 more case events. */
async function populate(store: EventStore): Promise<void> {
  for (let c = 0; c < CASES; c++) {
    const events = Array.from({ length: EVENTS_PER_CASE }, (_, i) => testEvent('CaseEvent', { c, i }));
    await store.appendToStream(`pse-case${c}`, events, { expectedRevision: 'no_stream' });
  }
  await store.appendToStream(
    'traffic-sw-2022-07',
    Array.from({ length: 10 }, (_, i) => testEvent('TrafficObserved', { i })),
    { expectedRevision: 'no_stream' },
  );
  for (let c = 0; c < CASES; c++) {
    await store.appendToStream(`pse-case${c}`, [testEvent('CaseEvent', { c })], {
      expectedRevision: EVENTS_PER_CASE - 1,
    });
  }
}

describe('plans of the category and stream reads', () => {
  describe('SQLite (EXPLAIN QUERY PLAN)', () => {
    let dir: TemporaryDirectory;
    let db: Database.Database;
    const COLUMNS =
      'position, stream_id, revision, event_id, type, schema_version, data, metadata, created_at';
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
        .map((p) => p.detail)
        .join('; ');

    beforeAll(async () => {
      dir = temporaryDirectory('sanksi-category-plans');
      const file = path.join(dir.path, 'events.db');
      const store = new SqliteEventStore({ file });
      await populate(store);
      await store.close();
      db = new Database(file, { readonly: true });
    });
    afterAll(() => {
      db.close();
      dir.remove();
    });

    it('given a log of cases with a few traffic facts, then a read of either category after a position seeks the (category, position) index, with or without a limit', () => {
      // the statement SqliteEventStore.readAll prepares for { category, after, limit }
      const sql = `SELECT ${COLUMNS} FROM events WHERE position > ? AND category = ? ORDER BY position LIMIT ?+0`;
      for (const [category, after, limit] of [
        ['traffic', 0, 1000], // traffic projector and relay from the start
        ['traffic', 5010, 1], // a projector's status: is anything of mine after my checkpoint?
        ['pse', 0, 500], // the case projector, relay, case population
        ['pse', 5200, -1], // a catch-up subscription's read, no limit
      ] as const) {
        expect(plan(sql, after, category, limit)).toMatch(
          /^SEARCH events USING INDEX events_category_position \(category=\? AND position>\?\)$/,
        );
      }
    });

    it('given a log of cases, then listing the stream starts of a slice reads only the index of stream starts', () => {
      // the statements SqliteEventStore.readStreamStarts prepares, with and without a category
      for (const category of ['AND category = ?', '']) {
        const sql = `SELECT stream_id, position FROM events INDEXED BY events_stream_starts
           WHERE revision = 0 AND position > ? AND position <= ? ${category} ORDER BY position LIMIT ?+0`;
        const params = category ? [0, 2500, 'pse', -1] : [0, 2500, -1];
        expect(plan(sql, ...params)).toBe(
          'SEARCH events USING COVERING INDEX events_stream_starts (position>? AND position<?)',
        );
      }
    });

    it("then the ingest's read of one traffic stream seeks the (stream, revision) index, a case's last event is one seek back, and the head is one seek", () => {
      expect(
        plan(
          `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?+0`,
          'traffic-sw-2022-07',
          0,
          10_000,
        ),
      ).toMatch(/^SEARCH events USING INDEX events_stream_revision \(stream_id=\? AND revision>\?\)$/);
      // the command path's head of a case it does not hold (decision 0013): its last event
      expect(
        plan(
          `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?+0`,
          'pse-case3',
          Number.MAX_SAFE_INTEGER,
          1,
        ),
      ).toMatch(/^SEARCH events USING INDEX events_stream_revision \(stream_id=\? AND revision<\?\)$/);
      expect(plan('SELECT coalesce(max(position), 0) FROM events')).toMatch(/^SEARCH events$/);
    });
  });

  describe('PostgreSQL (EXPLAIN, custom and generic plans)', () => {
    let database: TemporaryPostgresDatabase;
    let client: Client;
    const schema = 'plans';
    const columns =
      'position, stream_id, revision, event_id, type, schema_version, data, metadata, created_at';
    const explain = async (sql: string, params: unknown[], generic: boolean): Promise<string> => {
      await client.query(`SET plan_cache_mode = ${generic ? 'force_generic_plan' : 'force_custom_plan'}`);
      await client.query('DEALLOCATE ALL');
      await client.query(`PREPARE q AS ${sql}`);
      const literal = params.map((p) => (typeof p === 'string' ? `'${p}'` : p === null ? 'NULL' : String(p)));
      const rows = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN EXECUTE q${literal.length > 0 ? `(${literal.join(', ')})` : ''}`,
      );
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    };

    beforeAll(async () => {
      database = await createTemporaryPostgresDatabase('sanksi_category_plans');
      const store = new PostgresEventStore({ connectionString: database.url, schema });
      await populate(store);
      await store.close();
      client = new Client({ connectionString: database.url });
      await client.connect();
      await client.query(`ANALYZE ${schema}.events`);
    });
    afterAll(async () => {
      await client?.end();
      await database?.drop();
    });

    it('given a log of cases with a few traffic facts, then the category statement, planned for its values, seeks the (category, position) index for the few traffic facts and reads about as many rows as it returns for the cases', async () => {
      // the readAllOfCategory statement of PostgresEventStore (it names its statements, so they are prepared)
      const sql = `SELECT ${columns} FROM ${schema}.events WHERE category = $2 AND position > $1 ORDER BY position LIMIT $3`;
      const plans: { category: string; generic: boolean; text: string }[] = [];
      // The plan for the values, as the store's unnamed statement gets on every run (see the next test).
      for (const generic of [false]) {
        for (const params of [
          [0, 'traffic', 1000], // traffic projector and relay from the start
          [5010, 'traffic', 1], // a projector's status: is anything of mine after my checkpoint?
          [0, 'pse', 500], // the case projector, relay, case population
          [5200, 'pse', null], // a catch-up subscription's read, no limit
        ] as const) {
          const text = await explain(sql, [...params], generic);
          if (process.env['SHOW_PLANS'])
            process.stdout.write(`\n${JSON.stringify({ params, generic })}\n${text}\n`);
          plans.push({ category: params[1], generic, text });
        }
      }
      // The few traffic facts: always the category index (a scan of the position key filtering on the
      // category would read the whole log after the checkpoint to find none).
      for (const p of plans.filter((p) => p.category === 'traffic')) {
        expect(p).toEqual({
          ...p,
          text: expect.stringMatching(/Index Scan using events_category_position on events/),
        });
      }
      // The case events, nearly every row of the log: the category index, or the position key with the
      // category as a filter that nearly every row it reads passes — either reads about LIMIT rows.
      for (const p of plans.filter((p) => p.category === 'pse')) {
        expect(p).toEqual({
          ...p,
          text: expect.stringMatching(/Index Scan using (events_category_position|events_pkey) on events/),
        });
      }
      for (const p of plans) expect(p.text).not.toMatch(/Seq Scan|Sort/);
    });

    it('given a log of cases, then the stream-starts statement, custom or generic, reads the partial index of stream starts and never the log', async () => {
      // the streamStarts statement of PostgresEventStore (named, so prepared: its generic plan matters)
      const sql = `SELECT stream_id, position FROM ${schema}.events
               WHERE revision = 0 AND position > $1 AND position <= $2 AND ($3::text IS NULL OR category = $3)
               ORDER BY position LIMIT $4`;
      for (const generic of [false, true]) {
        for (const params of [
          [0, 2500, 'pse', null], // a replay slice of the cases
          [2500, 5410, null, null], // every category
          [0, 5410, 'pse', 10],
        ]) {
          const text = await explain(sql, params, generic);
          if (process.env['SHOW_PLANS'])
            process.stdout.write(`\n${JSON.stringify({ params, generic })}\n${text}\n`);
          expect(text).toMatch(/Index (Only )?Scan using events_stream_starts on events/);
          expect(text).not.toMatch(/Seq Scan|Sort/);
        }
      }
    });

    it('given a prepared statement of the category read, then after five runs PostgreSQL takes the generic plan, which scans the position key — which is why the store sends it unnamed', async () => {
      const sql = `SELECT ${columns} FROM ${schema}.events WHERE category = $2 AND position > $1 ORDER BY position LIMIT $3`;
      await client.query('SET plan_cache_mode = auto');
      await client.query('DEALLOCATE ALL');
      await client.query(`PREPARE warm AS ${sql}`);
      for (let i = 0; i < 6; i++) await client.query(`EXECUTE warm(0, 'traffic', 1000)`);
      const text = (
        await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE warm(0, 'traffic', 1000)`)
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(text).toMatch(/Index Scan using events_pkey on events[\s\S]*Filter: \(category = \$2\)/);
    });

    it("given the store's own category reads, then every one of them is served by the (category, position) index, however many times it runs", async () => {
      const scans = async () =>
        Number(
          (
            await client.query<{ n: string }>(
              `SELECT coalesce(sum(idx_scan), 0) AS n FROM pg_stat_user_indexes WHERE schemaname = $1 AND indexrelname = 'events_category_position'`,
              [schema],
            )
          ).rows[0].n,
        );
      const before = await scans();
      const store = new PostgresEventStore({ connectionString: database.url, schema, poolSize: 1 });
      for (let i = 0; i < 12; i++)
        expect(await store.readAll({ category: 'traffic', after: 0, limit: 1000 })).toHaveLength(10);
      // A backend's statistics reach the shared view when it ends.
      await store.close();
      const deadline = Date.now() + 20_000;
      while ((await scans()) < before + 12 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect((await scans()) - before).toBeGreaterThanOrEqual(12);
    });

    it("then the ingest's read of one traffic stream seeks the (stream, revision) key, and the head reads the end of the position index", async () => {
      for (const generic of [false, true]) {
        const stream = await explain(
          `SELECT ${columns} FROM ${schema}.events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
          ['traffic-sw-2022-07', 0, 10_000],
          generic,
        );
        // an index scan, or a bitmap scan of it and a sort of the few rows it finds
        expect(stream).toMatch(/Index Scan (using|on) events_stream_revision/);
        expect(stream).not.toMatch(/Seq Scan/);
      }
      const head = await explain(
        `SELECT coalesce(max(position), 0)::int8 AS head FROM ${schema}.events`,
        [],
        false,
      );
      expect(head).toMatch(/Index Only Scan Backward using \S+ on events/);
    });
  });
});
