import type { Client } from 'pg';
import { EventStoreMigrationFailed, EventStoreSchemaTooNew } from '../core/event-store.errors';

/** A versioned change to the PostgreSQL schema, applied once in its own transaction. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

/**
 * `data`/`metadata` are `json`, not `jsonb`: the exact text the application appended is kept (key
 * order, `\u0000` escapes), which is what a hash over the payload was computed on, and it is
 * cheaper to insert. Positions come from an identity column; appends are serialised by an advisory
 * lock so commit order equals position order (see docs/storage.md).
 */
export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'events and commands',
    sql: (s) => `
      CREATE TABLE ${s}.events (
        position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id text NOT NULL,
        revision bigint NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        category text NOT NULL,
        schema_version integer NOT NULL,
        data json NOT NULL,
        metadata json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_stream_revision UNIQUE (stream_id, revision)
      );
      CREATE TABLE ${s}.commands (
        stream_id text NOT NULL,
        command_id text NOT NULL,
        next_expected_revision bigint NOT NULL,
        position bigint NOT NULL,
        PRIMARY KEY (stream_id, command_id)
      );
    `,
  },
  {
    version: 2,
    name: 'append_events: a whole group-commit batch in one round trip',
    // One call per batch, in autocommit: takes the append lock, then checks and writes each append
    // in order (each statement sees the batch's earlier writes, so appends to one stream chain and a
    // command id repeated in the batch finds the first). Expected revision: -1 no_stream,
    // -2 stream_exists, -3 any, otherwise the revision. Events are flattened in append order.
    sql: (s) => `
      CREATE FUNCTION ${s}.append_events(
        p_lock_key bigint, p_channel text,
        a_stream text[], a_category text[], a_expected bigint[], a_command text[], a_count int[],
        e_id text[], e_type text[], e_version int[], e_data json[], e_metadata json[])
      RETURNS TABLE (idx int, status text, revision bigint, pos bigint)
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        i int;
        n int;
        off int := 0;
        cur bigint;
        last_pos bigint;
        wrote boolean := false;
      BEGIN
        PERFORM pg_advisory_xact_lock(p_lock_key);
        FOR i IN 1 .. coalesce(array_length(a_stream, 1), 0) LOOP
          n := a_count[i];
          idx := i;
          IF a_command[i] IS NOT NULL THEN
            SELECT c.next_expected_revision, c.position INTO revision, pos
              FROM ${s}.commands c WHERE c.stream_id = a_stream[i] AND c.command_id = a_command[i];
            IF FOUND THEN
              status := 'duplicate';
              RETURN NEXT;
              off := off + n;
              CONTINUE;
            END IF;
          END IF;
          SELECT e.revision INTO cur FROM ${s}.events e
           WHERE e.stream_id = a_stream[i] ORDER BY e.revision DESC LIMIT 1;
          IF NOT FOUND THEN
            cur := -1;
          END IF;
          IF NOT (a_expected[i] = -3 OR (a_expected[i] = -1 AND cur = -1)
                  OR (a_expected[i] = -2 AND cur >= 0) OR a_expected[i] = cur) THEN
            status := 'refused';
            revision := cur;
            pos := NULL;
            RETURN NEXT;
            off := off + n;
            CONTINUE;
          END IF;
          WITH ins AS (
            INSERT INTO ${s}.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
            SELECT a_stream[i], cur + r.k, r.event_id, r.type, a_category[i], r.version, r.data, r.metadata
              FROM unnest(e_id[off + 1 : off + n], e_type[off + 1 : off + n], e_version[off + 1 : off + n],
                          e_data[off + 1 : off + n], e_metadata[off + 1 : off + n])
                   WITH ORDINALITY AS r(event_id, type, version, data, metadata, k)
             ORDER BY r.k
            RETURNING position)
          SELECT max(ins.position) INTO last_pos FROM ins;
          IF a_command[i] IS NOT NULL THEN
            INSERT INTO ${s}.commands (stream_id, command_id, next_expected_revision, position)
            VALUES (a_stream[i], a_command[i], cur + n, last_pos);
          END IF;
          status := 'written';
          revision := cur + n;
          pos := last_pos;
          RETURN NEXT;
          off := off + n;
          wrote := true;
        END LOOP;
        IF wrote THEN
          PERFORM pg_notify(p_channel, '');
        END IF;
      END
      $fn$;
    `,
  },
  {
    version: 3,
    name: 'append_event: one single-event append in one round trip, without arrays',
    // The common case (a lone command appending one event) costs the batch function ~60 µs a call in
    // array encoding and decoding plus its per-append loop; this is the same checks in the same order
    // under the same lock, for a batch of exactly one append of one event. Same encoding of the
    // expected revision as append_events.
    sql: (s) => `
      CREATE FUNCTION ${s}.append_event(
        p_lock_key bigint, p_channel text, p_stream text, p_category text, p_expected bigint,
        p_command text, p_id text, p_type text, p_version int, p_data json, p_metadata json,
        OUT status text, OUT revision bigint, OUT pos bigint)
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        cur bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(p_lock_key);
        IF p_command IS NOT NULL THEN
          SELECT c.next_expected_revision, c.position INTO revision, pos
            FROM ${s}.commands c WHERE c.stream_id = p_stream AND c.command_id = p_command;
          IF FOUND THEN
            status := 'duplicate';
            RETURN;
          END IF;
        END IF;
        SELECT e.revision INTO cur FROM ${s}.events e
         WHERE e.stream_id = p_stream ORDER BY e.revision DESC LIMIT 1;
        IF NOT FOUND THEN
          cur := -1;
        END IF;
        IF NOT (p_expected = -3 OR (p_expected = -1 AND cur = -1)
                OR (p_expected = -2 AND cur >= 0) OR p_expected = cur) THEN
          status := 'refused';
          revision := cur;
          pos := NULL;
          RETURN;
        END IF;
        INSERT INTO ${s}.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
        VALUES (p_stream, cur + 1, p_id, p_type, p_category, p_version, p_data, p_metadata)
        RETURNING position INTO pos;
        IF p_command IS NOT NULL THEN
          INSERT INTO ${s}.commands (stream_id, command_id, next_expected_revision, position)
          VALUES (p_stream, p_command, cur + 1, pos);
        END IF;
        status := 'written';
        revision := cur + 1;
        PERFORM pg_notify(p_channel, '');
      END
      $fn$;
    `,
  },
  {
    version: 4,
    name: 'commands by command id: an idempotency key reused on another stream is found',
    sql: (s) => `CREATE INDEX IF NOT EXISTS commands_command_id ON ${s}.commands (command_id);`,
  },
  {
    version: 5,
    name: 'events by category in log order: a reader of one category seeks instead of scanning the log',
    sql: (s) => `CREATE INDEX IF NOT EXISTS events_category_position ON ${s}.events (category, position);`,
  },
  {
    version: 6,
    name: 'stream starts in log order: a whole-population replay lists the streams of its slice of the log',
    sql: (s) =>
      `CREATE INDEX IF NOT EXISTS events_stream_starts ON ${s}.events (position) INCLUDE (category, stream_id) WHERE revision = 0;`,
  },
  {
    version: 7,
    name: 'command ids unique in the whole store where the append asks: checked under the append lock',
    // The two append functions again, each with one more argument (a trailing default, so a process of the
    // version before, calling without it, still finds them) and one more result column: an append that
    // asks for its command id to be unique in the store is refused ('taken', naming the stream that has
    // it) when another stream recorded it — checked after the lock, so two first uses racing on two
    // streams cannot both be written (an earlier append of the same batch is seen as well).
    sql: (s) => `
      DROP FUNCTION ${s}.append_events(bigint, text, text[], text[], bigint[], text[], int[], text[], text[], int[], json[], json[]);
      DROP FUNCTION ${s}.append_event(bigint, text, text, text, bigint, text, text, text, int, json, json);
      ${appendFunctions(s, false)}
    `,
  },
  {
    version: 8,
    name: 'command ids looked up across streams through (command_id, stream_id)',
    // "Which other stream recorded this command id, first by stream id" (the store-scoped check in both
    // append functions, `streamsOfCommand`) asks for command_id = $1 ORDER BY stream_id LIMIT n. On the
    // index of command_id alone the planner has to sort, so once a plan is generic (PL/pgSQL's, after five
    // calls) it walked the primary key (stream_id, command_id) in order instead, testing command_id on
    // every entry: a scan of the whole table per store-scoped append (28 ms at 57,000 commands), the
    // appends of `simulate` slowing as the log grew. On this index the rows come in the order asked, so no
    // plan can prefer the walk. It covers every lookup the old index served.
    sql: (s) => `
      CREATE INDEX IF NOT EXISTS commands_command_stream ON ${s}.commands (command_id, stream_id);
      DROP INDEX IF EXISTS ${s}.commands_command_id;
    `,
  },
  {
    version: 9,
    name: 'only store-scoped command ids indexed across streams',
    // Only the ids recorded with the scope 'store' are looked up across streams, so only they are indexed
    // across streams (docs/decisions/0016): an id recorded for its own stream (a keyless command's, a
    // deadline's elapse, `simulate`'s and `import`'s keys) costs no entry there. Records made before count
    // as store-scoped (the column's default), so every id recorded so far still refuses its reuse as it did;
    // the append functions (same arguments, so a process of the version before still finds them) record the
    // scope and look up the store-scoped ids alone.
    sql: (s) => `
      ALTER TABLE ${s}.commands ADD COLUMN IF NOT EXISTS store_scoped boolean NOT NULL DEFAULT true;
      CREATE INDEX IF NOT EXISTS commands_store_scoped ON ${s}.commands (command_id, stream_id) WHERE store_scoped;
      DROP INDEX IF EXISTS ${s}.commands_command_stream;
      ${appendFunctions(s, true)}
    `,
  },
  {
    version: 10,
    name: "append_events takes the batch's data and metadata as two JSON arrays",
    // The batch's events' data and metadata came as json[]: the client escaped every quote of every event's
    // JSON into an array literal (pg's `escapeElement`, about 12 µs of client CPU an event of ~1.5 KB) and
    // the server unescaped it again. As one JSON text each (`[d1,d2,…]`, the events' own JSON joined) there is
    // nothing to escape. An overload (json instead of json[]): a process of the version before still finds
    // the function it calls.
    sql: (s) => appendEventsFunction(s, true, 'json'),
  },
];

/**
 * The two append functions of migration 7 (`scoped`: false) and of migration 9 (true: they record whether
 * the command id is store-scoped and look up only such ids across streams). The advisory lock, the
 * duplicate and expected-revision checks, the insert and the notification are the same in both.
 */
function appendFunctions(s: string, scoped: boolean): string {
  return `${appendEventsFunction(s, scoped, 'arrays')}
${appendEventFunction(s, scoped)}`;
}

/**
 * `append_events` taking the events' data and metadata as json[] (`arrays`, migrations 2, 7 and 9) or as
 * one JSON array each (`json`, migration 10, an overload); the body is the same.
 */
function appendEventsFunction(s: string, scoped: boolean, form: 'arrays' | 'json'): string {
  const payload =
    form === 'arrays'
      ? { params: 'e_data json[], e_metadata json[]', declare: '' }
      : {
          params: 'j_data json, j_metadata json',
          declare: `
        e_data json[] := ARRAY(SELECT t.v FROM json_array_elements(j_data) WITH ORDINALITY AS t(v, k) ORDER BY t.k);
        e_metadata json[] := ARRAY(SELECT t.v FROM json_array_elements(j_metadata) WITH ORDINALITY AS t(v, k) ORDER BY t.k);`,
        };
  return `
      CREATE OR REPLACE FUNCTION ${s}.append_events(
        p_lock_key bigint, p_channel text,
        a_stream text[], a_category text[], a_expected bigint[], a_command text[], a_count int[],
        e_id text[], e_type text[], e_version int[], ${payload.params},
        a_store_scoped boolean[]${form === 'arrays' ? ' DEFAULT NULL' : ''})
      RETURNS TABLE (idx int, status text, revision bigint, pos bigint, other text)
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE${payload.declare}
        i int;
        n int;
        off int := 0;
        cur bigint;
        last_pos bigint;
        wrote boolean := false;
      BEGIN
        PERFORM pg_advisory_xact_lock(p_lock_key);
        FOR i IN 1 .. coalesce(array_length(a_stream, 1), 0) LOOP
          n := a_count[i];
          idx := i;
          other := NULL;
          IF a_command[i] IS NOT NULL THEN
            SELECT c.next_expected_revision, c.position INTO revision, pos
              FROM ${s}.commands c WHERE c.stream_id = a_stream[i] AND c.command_id = a_command[i];
            IF FOUND THEN
              status := 'duplicate';
              RETURN NEXT;
              off := off + n;
              CONTINUE;
            END IF;
            IF coalesce(a_store_scoped[i], false) THEN
              SELECT c.stream_id INTO other FROM ${s}.commands c
               WHERE c.command_id = a_command[i] AND c.stream_id <> a_stream[i]${scoped ? ' AND c.store_scoped' : ''}
               ORDER BY c.stream_id LIMIT 1;
              IF FOUND THEN
                status := 'taken';
                revision := NULL;
                pos := NULL;
                RETURN NEXT;
                off := off + n;
                CONTINUE;
              END IF;
            END IF;
          END IF;
          SELECT e.revision INTO cur FROM ${s}.events e
           WHERE e.stream_id = a_stream[i] ORDER BY e.revision DESC LIMIT 1;
          IF NOT FOUND THEN
            cur := -1;
          END IF;
          IF NOT (a_expected[i] = -3 OR (a_expected[i] = -1 AND cur = -1)
                  OR (a_expected[i] = -2 AND cur >= 0) OR a_expected[i] = cur) THEN
            status := 'refused';
            revision := cur;
            pos := NULL;
            RETURN NEXT;
            off := off + n;
            CONTINUE;
          END IF;
          WITH ins AS (
            INSERT INTO ${s}.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
            SELECT a_stream[i], cur + r.k, r.event_id, r.type, a_category[i], r.version, r.data, r.metadata
              FROM unnest(e_id[off + 1 : off + n], e_type[off + 1 : off + n], e_version[off + 1 : off + n],
                          e_data[off + 1 : off + n], e_metadata[off + 1 : off + n])
                   WITH ORDINALITY AS r(event_id, type, version, data, metadata, k)
             ORDER BY r.k
            RETURNING position)
          SELECT max(ins.position) INTO last_pos FROM ins;
          IF a_command[i] IS NOT NULL THEN
            INSERT INTO ${s}.commands (stream_id, command_id, next_expected_revision, position${scoped ? ', store_scoped' : ''})
            VALUES (a_stream[i], a_command[i], cur + n, last_pos${scoped ? ', coalesce(a_store_scoped[i], false)' : ''});
          END IF;
          status := 'written';
          revision := cur + n;
          pos := last_pos;
          RETURN NEXT;
          off := off + n;
          wrote := true;
        END LOOP;
        IF wrote THEN
          PERFORM pg_notify(p_channel, '');
        END IF;
      END
      $fn$;
  `;
}

/** `append_event`: one single-event append, scalars instead of arrays (migrations 3, 7 and 9). */
function appendEventFunction(s: string, scoped: boolean): string {
  return `
      CREATE OR REPLACE FUNCTION ${s}.append_event(
        p_lock_key bigint, p_channel text, p_stream text, p_category text, p_expected bigint,
        p_command text, p_id text, p_type text, p_version int, p_data json, p_metadata json,
        p_store_scoped boolean DEFAULT false,
        OUT status text, OUT revision bigint, OUT pos bigint, OUT other text)
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        cur bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(p_lock_key);
        IF p_command IS NOT NULL THEN
          SELECT c.next_expected_revision, c.position INTO revision, pos
            FROM ${s}.commands c WHERE c.stream_id = p_stream AND c.command_id = p_command;
          IF FOUND THEN
            status := 'duplicate';
            RETURN;
          END IF;
          IF p_store_scoped THEN
            SELECT c.stream_id INTO other FROM ${s}.commands c
             WHERE c.command_id = p_command AND c.stream_id <> p_stream${scoped ? ' AND c.store_scoped' : ''}
             ORDER BY c.stream_id LIMIT 1;
            IF FOUND THEN
              status := 'taken';
              RETURN;
            END IF;
          END IF;
        END IF;
        SELECT e.revision INTO cur FROM ${s}.events e
         WHERE e.stream_id = p_stream ORDER BY e.revision DESC LIMIT 1;
        IF NOT FOUND THEN
          cur := -1;
        END IF;
        IF NOT (p_expected = -3 OR (p_expected = -1 AND cur = -1)
                OR (p_expected = -2 AND cur >= 0) OR p_expected = cur) THEN
          status := 'refused';
          revision := cur;
          pos := NULL;
          RETURN;
        END IF;
        INSERT INTO ${s}.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
        VALUES (p_stream, cur + 1, p_id, p_type, p_category, p_version, p_data, p_metadata)
        RETURNING position INTO pos;
        IF p_command IS NOT NULL THEN
          INSERT INTO ${s}.commands (stream_id, command_id, next_expected_revision, position${scoped ? ', store_scoped' : ''})
          VALUES (p_stream, p_command, cur + 1, pos${scoped ? ', coalesce(p_store_scoped, false)' : ''});
        END IF;
        status := 'written';
        revision := cur + 1;
        PERFORM pg_notify(p_channel, '');
      END
      $fn$;
  `;
}

/** A stable 63-bit key per schema for advisory locks (`salt` tells the locks apart). */
export function advisoryLockKey(schema: string, salt: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(`sanksi:${salt}:${schema}`)) {
    hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  }
  return BigInt.asIntN(64, hash).toString();
}

/**
 * Brings the schema up to the newest migration. Concurrent callers (several processes starting on
 * a fresh database) serialise on a session advisory lock, so set-up never races itself.
 */
export async function migratePostgres(client: Client, schema: string): Promise<number[]> {
  const applied: number[] = [];
  await client.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockKey(schema, 'migrate')]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`)).rows.map(
        (r) => r.version,
      ),
    );
    const known = Math.max(...postgresMigrations.map((m) => m.version));
    const found = Math.max(0, ...done);
    if (found > known) throw new EventStoreSchemaTooNew({ known, found });
    for (const migration of postgresMigrations) {
      if (done.has(migration.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(migration.sql(schema));
        await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
        applied.push(migration.version);
      } catch (cause) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new EventStoreMigrationFailed({ version: migration.version, cause });
      }
    }
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1::bigint)', [advisoryLockKey(schema, 'migrate')])
      .catch(() => undefined);
  }
  return applied;
}
