import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { AppendOutcomeUnknown, WrongExpectedRevision } from '../core/event-store.errors';
import type { RecordedEvent } from '../core/event-store.port';
import { describeEventStoreContract, testEvent } from '../testing/event-store.contract';
import { PostgresEventStore } from './postgres-event-store';
import { advisoryLockKey, postgresMigrations } from './postgres-migrations';
import { createTemporaryPostgresDatabase, type TemporaryPostgresDatabase } from '@sanksi/testing';

jest.setTimeout(60_000);

let contractDatabase: TemporaryPostgresDatabase;
const freshDatabases: TemporaryPostgresDatabase[] = [];

describeEventStoreContract('postgres', {
  setUp: async () => {
    contractDatabase = await createTemporaryPostgresDatabase('sanksi_es_contract');
  },
  tearDown: async () => {
    await contractDatabase.drop();
  },
  open: async (options) =>
    new PostgresEventStore({
      connectionString: contractDatabase.url,
      upcasters: options?.upcasters,
    }),
  freshDatabase: async () => {
    const database = await createTemporaryPostgresDatabase('sanksi_es_fresh');
    freshDatabases.push(database);
    return {
      open: async () => new PostgresEventStore({ connectionString: database.url, schema: 'fresh_events' }),
      dispose: () => database.drop(),
    };
  },
});

describe('PostgresEventStore', () => {
  let database: TemporaryPostgresDatabase;
  const stores: PostgresEventStore[] = [];
  /** A plain connection to the test database beside the store, closed when `use` is done. */
  const withAdmin = async (use: (admin: Client) => Promise<void>): Promise<void> => {
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      await use(admin);
    } finally {
      await admin.end();
    }
  };
  const open = (schema = 'event_store'): PostgresEventStore => {
    const store = new PostgresEventStore({
      connectionString: database.url,
      schema,
      poolSize: 4,
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('sanksi_es_pg');
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await database.drop();
  });

  it('given many concurrent writers on separate pools, when a subscriber and a paging reader follow throughout, then each sees every event exactly once in position order', async () => {
    const schema = 'ordering';
    const subscriberStore = open(schema);
    await subscriberStore.whenReady();
    // Widen the dangerous window: a deferred trigger sleeps at COMMIT, after the transaction has
    // drawn its positions, so without serialised appends later positions would become visible first.
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`
      CREATE FUNCTION ordering.slow_commit() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM pg_sleep(random() * 0.002); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON ordering.events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ordering.slow_commit();`);
    await admin.end();
    const writerStores = Array.from({ length: 6 }, () => open(schema));
    const start = await subscriberStore.headPosition();
    const writersPerStore = 8;
    const appendsPerWriter = 30;
    const expected: string[] = [];

    const stop = new AbortController();
    const subscribed: RecordedEvent[] = [];
    const paged: RecordedEvent[] = [];
    const subscriber = (async () => {
      for await (const event of subscriberStore.subscribe({
        after: start,
        signal: stop.signal,
        batchSize: 7,
      })) {
        subscribed.push(event);
      }
    })();
    const pager = (async () => {
      let cursor = start;
      while (!stop.signal.aborted) {
        const page = await subscriberStore.readAll({ after: cursor, limit: 5 });
        paged.push(...page);
        if (page.length > 0) cursor = page[page.length - 1].position;
        else await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    await Promise.all(
      writerStores.flatMap((store, s) =>
        Array.from({ length: writersPerStore }, async (_, w) => {
          for (let i = 0; i < appendsPerWriter; i++) {
            const events = Array.from({ length: 1 + (i % 3) }, () => testEvent('Tick', { s, w, i }));
            expected.push(...events.map((e) => e.eventId));
            await store.appendToStream(`case-${s}-${w}-${i % 4}`, events, { expectedRevision: 'any' });
          }
        }),
      ),
    );
    // Both readers follow until they reach the last committed position; a skipped event is never
    // re-read, so it shows up as missing below rather than as a hang.
    const head = await subscriberStore.headPosition();
    const reached = (seen: RecordedEvent[]): boolean =>
      seen.length > 0 && seen[seen.length - 1].position >= head;
    while (!reached(subscribed) || !reached(paged)) await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    await Promise.all([subscriber, pager]);

    for (const seen of [subscribed, paged]) {
      expect(seen).toHaveLength(expected.length);
      expect(new Set(seen.map((e) => e.eventId))).toEqual(new Set(expected));
      for (let i = 1; i < seen.length; i++) expect(seen[i].position).toBeGreaterThan(seen[i - 1].position);
    }
  });

  it('given the append connection is killed inside its transaction, then nothing is half-written, the caller is told the outcome is unknown, and the same append again (same commandId) writes it once', async () => {
    const store = open('killed');
    await store.whenReady();
    const streamId = `pse-${randomUUID()}`;
    await withAdmin(async (admin) => {
      // Hold the append lock so the store's transaction is provably open (BEGIN done, waiting) when killed.
      await admin.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockKey('killed', 'append')]);
      const appending = store
        .appendToStream(
          streamId,
          Array.from({ length: 50 }, (_, i) => testEvent('Bulk', { i })),
          { expectedRevision: 'no_stream', commandId: 'cmd-killed' },
        )
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      let victims: number[] = [];
      while (victims.length === 0) {
        const rows = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sanksi-event-store'
             AND wait_event_type = 'Lock' AND state = 'active'`,
        );
        victims = rows.rows.map((r) => r.pid);
      }
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [victims]);
      await admin.query('SELECT pg_advisory_unlock($1::bigint)', [advisoryLockKey('killed', 'append')]);

      // The statement was on the wire when the connection died: the store cannot know it did not commit.
      const error = await appending;
      expect(error).toBeInstanceOf(AppendOutcomeUnknown);
      expect(error).toMatchObject({ code: 'APPEND_OUTCOME_UNKNOWN', streamId });
      expect(await store.readStream(streamId)).toEqual([]);
      const retried = await store.appendToStream(
        streamId,
        Array.from({ length: 50 }, (_, i) => testEvent('Bulk', { i })),
        { expectedRevision: 'no_stream', commandId: 'cmd-killed' },
      );
      expect(retried).toMatchObject({ nextExpectedRevision: 49, duplicate: false });
      expect(await store.readStream(streamId)).toHaveLength(50);
    });
  });

  it('given appends have their own connection, when the server ends it between two appends, then the loss is logged, the next append opens another and is written once, and reads keep the pool to themselves', async () => {
    await withAdmin(async (admin) => {
      const backends = async (): Promise<number[]> =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sanksi-event-store'`,
          )
        ).rows.map((r) => r.pid);
      // The earlier tests' stores share the database: this store's backends are the new ones.
      const others = new Set(await backends());
      const mine = async (): Promise<number[]> => (await backends()).filter((pid) => !others.has(pid));
      const warnings: string[] = [];
      const store = new PostgresEventStore({
        connectionString: database.url,
        schema: 'own_writer',
        // One connection for reads: had appends taken theirs from the pool, there would be one backend.
        poolSize: 1,
        logger: {
          debug: () => undefined,
          warn: (_obj, msg) => warnings.push(String(msg)),
          error: () => undefined,
        },
      });
      stores.push(store);
      const streamId = `pse-${randomUUID()}`;
      await store.appendToStream(streamId, [testEvent('First')], { expectedRevision: 'no_stream' });
      await Promise.all([
        store.readStream(streamId),
        store.appendToStream(streamId, [testEvent('Second')], { expectedRevision: 0 }),
      ]);
      const before = await mine();
      const writer = (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sanksi-event-store'
             AND query LIKE '%own_writer.append_event(%'`,
        )
      ).rows.map((r) => r.pid);
      expect(before).toHaveLength(2);
      expect(writer).toHaveLength(1);
      expect(before).toContain(writer[0]);

      await admin.query('SELECT pg_terminate_backend($1)', [writer[0]]);
      while (!warnings.includes('postgres connection for appends lost')) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const third = await store.appendToStream(streamId, [testEvent('Third')], {
        expectedRevision: 1,
        commandId: 'cmd-after-loss',
      });
      expect(third).toMatchObject({ nextExpectedRevision: 2, duplicate: false });
      expect((await store.readStream(streamId)).map((e) => e.type)).toEqual(['First', 'Second', 'Third']);
      const after = await mine();
      expect(after).toHaveLength(2);
      expect(after).not.toContain(writer[0]);
    });
  });

  it('given idleMs, when appends pause longer, then their connection is closed as the pool’s are, without a warning, and the next append opens another', async () => {
    const warnings: string[] = [];
    const store = new PostgresEventStore({
      connectionString: database.url,
      schema: 'idle_writer',
      timeouts: { idleMs: 300 },
      logger: {
        debug: () => undefined,
        warn: (_obj, msg) => warnings.push(String(msg)),
        error: () => undefined,
      },
    });
    stores.push(store);
    const writers = async (admin: Client): Promise<number[]> =>
      (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sanksi-event-store'
             AND query LIKE '%idle_writer.append_event(%'`,
        )
      ).rows.map((r) => r.pid);
    await withAdmin(async (admin) => {
      await store.appendToStream('pse-idle', [testEvent('A')], { expectedRevision: 'no_stream' });
      const [first] = await writers(admin);
      expect(first).toBeDefined();
      // appends closer together than idleMs keep it open
      for (let i = 1; i <= 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        await store.appendToStream('pse-idle', [testEvent('A')], { expectedRevision: i - 1 });
      }
      expect(await writers(admin)).toEqual([first]);
      const started = Date.now();
      while ((await writers(admin)).length > 0) {
        expect(Date.now() - started).toBeLessThan(10_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(warnings).not.toContain('postgres connection for appends lost');
      await store.appendToStream('pse-idle', [testEvent('B')], { expectedRevision: 4 });
      const [second] = await writers(admin);
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect((await store.readStream('pse-idle')).map((e) => e.type)).toEqual(['A', 'A', 'A', 'A', 'A', 'B']);
    });
  });

  it('given many streams’ last events asked in one turn, then one statement answers them, each caller as its own read would have been', async () => {
    const store = open('last_events');
    const ids = Array.from({ length: 40 }, (_, i) => `pse-last-${i}`);
    await Promise.all(
      ids.map((id, i) =>
        store.appendToStream(
          id,
          Array.from({ length: 1 + (i % 4) }, (_, k) => testEvent(`E${k}`, { i, k })),
          { expectedRevision: 'no_stream' },
        ),
      ),
    );
    const asked = [...ids, 'pse-last-none', ids[3], 'pse-last-none-2', ids[3]];
    const queries = jest.spyOn(Pool.prototype, 'query');
    let together: RecordedEvent[][];
    try {
      together = await Promise.all(
        asked.map((id) => store.readStream(id, { direction: 'backwards', limit: 1 })),
      );
      expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
    // one at a time, each in a turn of its own: the same answers
    const alone: RecordedEvent[][] = [];
    for (const id of asked) alone.push(await store.readStream(id, { direction: 'backwards', limit: 1 }));
    expect(together).toEqual(alone);
    expect(together[3].map((e) => [e.streamId, e.revision, e.type, e.data])).toEqual([
      ['pse-last-3', 3, 'E3', { i: 3, k: 3 }],
    ]);
    expect(together[40]).toEqual([]);
    // the same stream asked twice: two answers, not one object shared between the callers
    expect(together[41]).toEqual(together[3]);
    expect(together[41][0]).not.toBe(together[3][0]);
    // other shapes of backwards reads are their own statements, as before
    expect(
      (await store.readStream(ids[3], { direction: 'backwards', limit: 2 })).map((e) => e.revision),
    ).toEqual([3, 2]);
    expect(
      (await store.readStream(ids[3], { direction: 'backwards', limit: 1, from: 1 })).map((e) => e.revision),
    ).toEqual([1]);
  });

  it('given the server away, when last events are asked in one turn, then every caller is told it is unavailable', async () => {
    const store = new PostgresEventStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      schema: 'away',
    });
    stores.push(store);
    const failures = await Promise.all(
      ['pse-a', 'pse-b', 'pse-a'].map((id) =>
        store.readStream(id, { direction: 'backwards', limit: 1 }).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    for (const failure of failures) expect(failure).toMatchObject({ code: 'EVENT_STORE_UNAVAILABLE' });
  });

  it('given the append lock is held elsewhere, when a lone single-event append runs, then it waits for the lock and commits after it is released', async () => {
    const store = open('lone');
    await store.whenReady();
    await withAdmin(async (admin) => {
      await admin.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockKey('lone', 'append')]);
      const appending = store.appendToStream('pse-lone', [testEvent('Waited')], {
        expectedRevision: 'no_stream',
      });
      let waiting = 0;
      while (waiting === 0) {
        waiting = (
          await admin.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'sanksi-event-store'
               AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%lone.append_event(%'`,
          )
        ).rowCount as number;
      }
      expect(await store.streamExists('pse-lone')).toBe(false);
      await admin.query('SELECT pg_advisory_unlock($1::bigint)', [advisoryLockKey('lone', 'append')]);
      expect((await appending).nextExpectedRevision).toBe(0);
    });
  });

  it('given lone appends (append_event) and a batch (append_events) on one stream, then revisions, refusals and command ids agree across both paths', async () => {
    const store = open('paths');
    await store.whenReady();
    const first = await store.appendToStream('pse-p', [testEvent('A')], {
      expectedRevision: 'no_stream',
      commandId: 'c1',
    });
    // Issued in one synchronous run, these three are flushed as one batch.
    const batch = await Promise.allSettled([
      store.appendToStream('pse-p', [testEvent('B')], { expectedRevision: 0, commandId: 'c2' }),
      store.appendToStream('pse-p', [testEvent('Stale')], { expectedRevision: 0 }),
      store.appendToStream('pse-p', [testEvent('A')], { expectedRevision: 'no_stream', commandId: 'c1' }),
    ]);
    expect(batch.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const second = (batch[0] as PromiseFulfilledResult<{ nextExpectedRevision: number; position: number }>)
      .value;
    expect(second.nextExpectedRevision).toBe(1);
    expect((batch[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevision);
    expect((batch[2] as PromiseFulfilledResult<unknown>).value).toEqual({ ...first, duplicate: true });

    const again = await store.appendToStream('pse-p', [testEvent('B')], {
      expectedRevision: 0,
      commandId: 'c2',
    });
    expect(again).toEqual({ ...second, duplicate: true });
    await expect(
      store.appendToStream('pse-p', [testEvent('Stale')], { expectedRevision: 0 }),
    ).rejects.toMatchObject({
      actual: 1,
    });
    const next = await store.appendToStream('pse-p', [testEvent('C')], { expectedRevision: 'stream_exists' });
    expect(next.nextExpectedRevision).toBe(2);
    expect((await store.readStream('pse-p')).map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  it('given migrations 7 and 9, then the append functions still answer the calls of the version before (no scope argument, recorded for their stream) and both paths refuse a store-scoped id taken store-wide elsewhere', async () => {
    const store = open('scoped');
    await store.whenReady();
    await withAdmin(async (admin) => {
      const lock = advisoryLockKey('scoped', 'append');
      const one = await admin.query(
        `SELECT status, revision, pos FROM scoped.append_event($1::int8, 'c', 'pse-old', 'pse', -1, 'k1', 'e1', 'A', 1, '{}'::json, '{}'::json)`,
        [lock],
      );
      expect(one.rows[0]).toMatchObject({ status: 'written', revision: '0' });
      // a scope given as NULL is the stream's, as no scope is (the record's column takes no NULL)
      const unsaid = await admin.query(
        `SELECT status FROM scoped.append_event($1::int8, 'c', 'pse-unsaid', 'pse', -1, 'k0', 'e0', 'A', 1, '{}'::json, '{}'::json, NULL)`,
        [lock],
      );
      expect(unsaid.rows[0]).toMatchObject({ status: 'written' });
      const many = await admin.query(
        `SELECT idx, status, revision FROM scoped.append_events($1::int8, 'c', ARRAY['pse-old2'], ARRAY['pse'], ARRAY[-1]::int8[],
           ARRAY['k1'], ARRAY[1], ARRAY['e2'], ARRAY['A'], ARRAY[1], ARRAY['{}'::json], ARRAY['{}'::json])`,
        [lock],
      );
      // scoped to its stream, as the version before always was: k1 on a second stream is another command
      expect(many.rows).toEqual([{ idx: 1, status: 'written', revision: '0' }]);
    });
    const scoped = { expectedRevision: 'no_stream', commandId: 'k1', commandIdScope: 'store' } as const;
    // recorded for their streams only, k1 is not taken store-wide (decision 0016); this use takes it
    expect(await store.appendToStream('pse-new', [testEvent('A')], scoped)).toMatchObject({
      duplicate: false,
    });
    // a lone single-event append (append_event) and a batch (append_events) elsewhere are refused
    await expect(store.appendToStream('pse-newer', [testEvent('A')], scoped)).rejects.toMatchObject({
      code: 'COMMAND_ID_IN_USE',
      recordedOn: 'pse-new',
    });
    await expect(
      store.appendToStream('pse-newer', [testEvent('A'), testEvent('B')], scoped),
    ).rejects.toMatchObject({ code: 'COMMAND_ID_IN_USE', recordedOn: 'pse-new' });
    expect(await store.streamExists('pse-newer')).toBe(false);
  });

  it('given migration 10, when a batch’s data and metadata travel as JSON arrays, then every event is stored as given and in order, and the json[] call of the version before still appends', async () => {
    const store = open('json_batch');
    await store.whenReady();
    // Texts an array literal had to escape (quotes, backslashes) and some it did not (non-ASCII, control
    // characters as JSON escapes), nested values, a JSON null and a string as whole payloads.
    const awkward = [
      {
        text: 'say "no" \\ or \\"yes\\"',
        path: 'C:\\sanksi\\data',
        line: 'a\nb\tc',
        nested: [[1, { q: '"' }], null],
      },
      null,
      'just a string with "quotes"',
      { unicode: 'Müller — ꦱꦔ꧀ꦏ꧀ꦱꦶ 😀', empty: '', zero: 0, neg: -1.5e-7 },
    ];
    const [first, second] = await Promise.all([
      store.appendToStream(
        'pse-j1',
        awkward.slice(0, 3).map((data, i) => testEvent('J', data, { i, note: 'shared "metadata"' })),
        { expectedRevision: 'no_stream', commandId: 'cmd-j1' },
      ),
      store.appendToStream('pse-j2', [testEvent('J', awkward[3], { i: 3 }), testEvent('K', {}, { i: 4 })], {
        expectedRevision: 'no_stream',
      }),
    ]);
    expect(first).toMatchObject({ nextExpectedRevision: 2, duplicate: false });
    expect(second).toMatchObject({ nextExpectedRevision: 1, duplicate: false });
    const j1 = await store.readStream('pse-j1');
    expect(j1.map((e) => [e.revision, e.data, e.metadata])).toEqual([
      [0, awkward[0], { i: 0, note: 'shared "metadata"' }],
      [1, awkward[1], { i: 1, note: 'shared "metadata"' }],
      [2, awkward[2], { i: 2, note: 'shared "metadata"' }],
    ]);
    const j2 = await store.readStream('pse-j2');
    expect(j2.map((e) => [e.type, e.data, e.metadata])).toEqual([
      ['J', awkward[3], { i: 3 }],
      ['K', {}, { i: 4 }],
    ]);
    await withAdmin(async (admin) => {
      const functions = await admin.query<{ args: string }>(
        `SELECT pg_get_function_identity_arguments(p.oid) AS args FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'json_batch' AND p.proname = 'append_events'
          ORDER BY args`,
      );
      // both forms are there: the store's (JSON arrays) and the one a process of the version before calls
      expect(functions.rows.map((r) => /e_data json\[\]/.test(r.args))).toEqual([true, false]);
      const before = await admin.query(
        `SELECT idx, status, revision FROM json_batch.append_events($1::int8, 'c', ARRAY['pse-j3'], ARRAY['pse'], ARRAY[-1]::int8[],
           ARRAY['kb'], ARRAY[2], ARRAY['e31', 'e32'], ARRAY['A', 'B'], ARRAY[1, 1],
           ARRAY['{"n":1}', '{"n":"\\"2\\""}']::json[], ARRAY['{}', '{}']::json[], ARRAY[false])`,
        [advisoryLockKey('json_batch', 'append')],
      );
      expect(before.rows).toEqual([{ idx: 1, status: 'written', revision: '1' }]);
    });
    expect((await store.readStream('pse-j3')).map((e) => e.data)).toEqual([{ n: 1 }, { n: '"2"' }]);
  });

  it('given 60,000 recorded commands not yet analysed and plans made generic, when a store-scoped append checks its command id across streams, then it reads a few index pages, not the table (migration 8)', async () => {
    const store = open('scoped_at_scale');
    await store.whenReady();
    await withAdmin(async (admin) => {
      // A table that has grown faster than autovacuum analyses it (as under `simulate`): the planner knows
      // its size but nothing of its columns.
      await admin.query('ALTER TABLE scoped_at_scale.commands SET (autovacuum_enabled = false)');
      await admin.query(
        `INSERT INTO scoped_at_scale.commands (stream_id, command_id, next_expected_revision, position)
         SELECT 'pse-' || lpad(g::text, 6, '0'), 'cmd-' || md5(g::text), 0, g FROM generate_series(1, 60000) g`,
      );
      // What PL/pgSQL settles on after five calls, from the first call here: one plan for every id.
      await admin.query('SET plan_cache_mode = force_generic_plan');
      const lock = advisoryLockKey('scoped_at_scale', 'append');
      const pages: number[] = [];
      for (let i = 0; i < 3; i++) {
        const explained = await admin.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, number> }> }>(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
           SELECT * FROM scoped_at_scale.append_events($1::int8, 'c', ARRAY[$2], ARRAY['pse'], ARRAY[-1]::int8[],
             ARRAY[$3], ARRAY[1], ARRAY[$4], ARRAY['A'], ARRAY[1], ARRAY['{}'::json], ARRAY['{}'::json], ARRAY[true])`,
          [lock, `pse-new-${i}`, `cmd-new-${i}`, `event-new-${i}`],
        );
        const plan = explained.rows[0]['QUERY PLAN'][0].Plan;
        pages.push(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']);
      }
      // The first call also plans the function's statements (catalog pages); the calls after it run the plans.
      // The walk of the primary key this replaced read every leaf of it: about 480 pages a call at this size.
      for (const read of pages.slice(1)) expect(read).toBeLessThan(100);
      const written = await admin.query(
        `SELECT count(*)::int AS n FROM scoped_at_scale.commands WHERE command_id LIKE 'cmd-new-%'`,
      );
      expect(written.rows[0].n).toBe(3);
      // and the check still refuses an id another stream recorded
      await expect(
        store.appendToStream('pse-other', [testEvent('A')], {
          expectedRevision: 'no_stream',
          commandId: 'cmd-new-1',
          commandIdScope: 'store',
        }),
      ).rejects.toMatchObject({ code: 'COMMAND_ID_IN_USE', recordedOn: 'pse-new-1' });
      expect(await store.streamsOfCommand('cmd-new-2')).toEqual(['pse-new-2']);
    });
  });

  it('given two stores opening one fresh schema at once, then the migrations run once and are recorded by version', async () => {
    const a = open('migrated');
    const b = open('migrated');
    await Promise.all([a.whenReady(), b.whenReady()]);
    await withAdmin(async (admin) => {
      const rows = await admin.query<{ version: number }>(
        'SELECT version FROM migrated.schema_migrations ORDER BY version',
      );
      expect(rows.rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
    });
  });

  it('given a schema a newer build migrated, when a store opens it, then it refuses, naming its own newest version and the schema’s, and applies nothing', async () => {
    const newest = Math.max(...postgresMigrations.map((m) => m.version));
    await withAdmin(async (admin) => {
      await admin.query('CREATE SCHEMA newer');
      await admin.query(
        'CREATE TABLE newer.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      await admin.query(
        `INSERT INTO newer.schema_migrations (version, name) VALUES (1, 'first'), ($1, 'from a newer build')`,
        [newest + 1],
      );
    });
    const store = open('newer');
    await expect(store.whenReady()).rejects.toMatchObject({
      code: 'EVENT_STORE_SCHEMA_TOO_NEW',
      known: newest,
      found: newest + 1,
    });
    await withAdmin(async (admin) => {
      const rows = await admin.query<{ version: number }>(
        'SELECT version FROM newer.schema_migrations ORDER BY version',
      );
      expect(rows.rows.map((r) => r.version)).toEqual([1, newest + 1]);
      const tables = await admin.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'newer' ORDER BY 1`,
      );
      expect(tables.rows.map((r: { tablename: string }) => r.tablename)).toEqual(['schema_migrations']);
    });
  });

  it('given a NOTIFY from another store, when a subscriber is caught up with a long poll interval, then it wakes on the notification', async () => {
    const reader = new PostgresEventStore({
      connectionString: database.url,
      schema: 'notify',
      pollIntervalMs: 600_000,
    });
    stores.push(reader);
    const writer = open('notify');
    await Promise.all([reader.whenReady(), writer.whenReady()]);
    const stop = new AbortController();
    const first = (async () => {
      for await (const event of reader.subscribe({ signal: stop.signal })) {
        stop.abort();
        return event.type;
      }
      return undefined;
    })();
    // Wait until its LISTEN has taken effect: a NOTIFY before that would reach nobody.
    await withAdmin(async (admin) => {
      let listening = 0;
      while (listening === 0) {
        listening = (
          await admin.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
               AND application_name = 'sanksi-event-store-listen' AND query LIKE 'LISTEN%notify' AND state = 'idle'`,
          )
        ).rowCount as number;
      }
    });
    await writer.appendToStream('pse-n', [testEvent('Notified')], { expectedRevision: 'no_stream' });
    expect(await first).toBe('Notified');
  });

  it('given the LISTEN connection is killed, when another store appends, then a caught-up subscriber still wakes without polling', async () => {
    const reader = new PostgresEventStore({
      connectionString: database.url,
      schema: 'relisten',
      pollIntervalMs: 600_000,
    });
    stores.push(reader);
    const writer = open('relisten');
    await Promise.all([reader.whenReady(), writer.whenReady()]);
    const stop = new AbortController();
    const received: string[] = [];
    const following = (async () => {
      for await (const event of reader.subscribe({ signal: stop.signal })) {
        received.push(event.type);
        if (received.length === 2) stop.abort();
      }
    })();
    await withAdmin(async (admin) => {
      const listeners = async (): Promise<number[]> =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database()
               AND application_name = 'sanksi-event-store-listen' AND query LIKE 'LISTEN%relisten' AND state = 'idle'`,
          )
        ).rows.map((r) => r.pid);
      let first: number[] = [];
      while (first.length === 0) first = await listeners();
      await writer.appendToStream('pse-r', [testEvent('BeforeKill')], { expectedRevision: 'no_stream' });
      while (received.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));

      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [first]);
      let second: number[] = [];
      while (second.length === 0 || second[0] === first[0]) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        second = await listeners();
      }
      await writer.appendToStream('pse-r', [testEvent('AfterKill')], { expectedRevision: 0 });
      await following;
      expect(received).toEqual(['BeforeKill', 'AfterKill']);
    });
  });
});
