import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { EventStoreError } from '../core/event-store.errors';
import { migratePostgres } from '../postgres/postgres-migrations';
import type { EventRow } from '../sqlite/sqlite-event-store';

/** The copy was refused before anything was written (the reason says what is allowed instead). */
export class StoreCopyRefused extends EventStoreError {
  readonly code = 'STORE_COPY_REFUSED';
  readonly reason: string;
  constructor(reason: string) {
    super(`store copy refused: ${reason}`);
    this.reason = reason;
  }
}

/** Where a SQLite event store is copied to, and how. */
export interface SqliteToPostgresCopy {
  /** The SQLite event store file (opened read-only: never written). */
  sourceFile: string;
  /** The PostgreSQL database to copy into. Its schema is migrated first; it must hold no event and no command. */
  connectionString: string;
  /** Schema of the target (default `event_store`, the one the PostgreSQL event store uses). */
  schema?: string;
  /** Rows per INSERT (default 5,000). */
  batchSize?: number;
  /** Told after every batch: events copied so far of the total. */
  onProgress?: (copied: number, total: number) => void;
}

/** What a copy wrote: every event and command record of the source, the last position kept. */
export interface StoreCopyResult {
  events: number;
  commands: number;
  /** The log's last position, the same in both stores; the target's next append follows it. */
  headPosition: number;
}

/** A whole row of the source's `events` table. */
type CopiedRow = EventRow & { category: string };

interface CommandRow {
  stream_id: string;
  command_id: string;
  next_expected_revision: number;
  position: number;
  store_scoped: number;
}

/**
 * Copies the whole log of a SQLite event store into an empty PostgreSQL event store, as it is: every event
 * at its position and revision with its id, type, category, schema version, data and metadata text (so
 * every hash link and recorded state) and record time, and every command record (the idempotency keys and
 * their outcomes), so retries keep answering as before. What the source holds is read in one read
 * transaction (a consistent snapshot, even beside a running writer); the target is written in one
 * transaction that locks both tables against writers and checks the result before it commits: a failure
 * or a refusal leaves the target as it found it. The target's position sequence continues after the last
 * position copied. Read models are not copied: rebuild them where they are to live.
 */
export async function copySqliteToPostgres(options: SqliteToPostgresCopy): Promise<StoreCopyResult> {
  const schema = options.schema ?? 'event_store';
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(schema))
    throw new StoreCopyRefused(
      `the schema must be a lower-case SQL identifier, got ${JSON.stringify(schema)}`,
    );
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 5000));
  if (!existsSync(options.sourceFile))
    throw new StoreCopyRefused(`there is no SQLite event store at ${options.sourceFile}`);
  const source = new Database(options.sourceFile, { readonly: true, fileMustExist: true });
  const target = new Client({
    connectionString: options.connectionString,
    application_name: 'sanksi-store-copy',
  });
  let connected = false;
  let inTransaction = false;
  try {
    const tables = source
      .prepare<
        [],
        string
      >(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'commands')`)
      .pluck()
      .all();
    if (tables.length !== 2)
      throw new StoreCopyRefused(
        `${options.sourceFile} is not a Sanksi event store (no events and commands tables)`,
      );
    // One snapshot of the source for the whole copy: appends committed after this point are not part of it.
    source.exec('BEGIN');
    const totals = source
      .prepare<
        [],
        { events: number; head: number | null }
      >(`SELECT count(*) AS events, max(position) AS head FROM events`)
      .get() as { events: number; head: number | null };
    const commandTotal = source.prepare<[], number>(`SELECT count(*) FROM commands`).pluck().get() as number;

    await target.connect();
    connected = true;
    await migratePostgres(target, schema);
    await target.query('BEGIN');
    inTransaction = true;
    // Writers of the target wait until the copy commits or rolls back; readers go on.
    await target.query(`LOCK TABLE ${schema}.events, ${schema}.commands IN EXCLUSIVE MODE`);
    const existing = await target.query<{ events: string; commands: string }>(
      `SELECT (SELECT count(*) FROM ${schema}.events) AS events, (SELECT count(*) FROM ${schema}.commands) AS commands`,
    );
    const held = existing.rows[0];
    if (Number(held.events) > 0 || Number(held.commands) > 0)
      throw new StoreCopyRefused(
        `the target already holds ${held.events} event(s) and ${held.commands} command record(s); copy into an empty PostgreSQL event store (a new database, or another schema)`,
      );

    const events = source.prepare<[number, number], CopiedRow>(
      `SELECT position, stream_id, revision, event_id, type, category, schema_version, data, metadata, created_at
         FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    );
    let copied = 0;
    let after = 0;
    for (;;) {
      const rows = events.all(after, batchSize);
      if (rows.length === 0) break;
      await target.query(
        `INSERT INTO ${schema}.events
           (position, stream_id, revision, event_id, type, category, schema_version, data, metadata, created_at)
         OVERRIDING SYSTEM VALUE
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                              $7::integer[], $8::text[]::json[], $9::text[]::json[], $10::timestamptz[])`,
        [
          rows.map((r) => r.position),
          rows.map((r) => r.stream_id),
          rows.map((r) => r.revision),
          rows.map((r) => r.event_id),
          rows.map((r) => r.type),
          rows.map((r) => r.category),
          rows.map((r) => r.schema_version),
          rows.map((r) => r.data),
          rows.map((r) => r.metadata),
          rows.map((r) => r.created_at),
        ],
      );
      copied += rows.length;
      after = rows[rows.length - 1].position;
      options.onProgress?.(copied, totals.events);
    }

    // A file of a schema before the scope was recorded (SQLite event-store migration 5) counts every record as
    // store-scoped, as opening it with this version would.
    const scoped = source
      .prepare<[], number>(`SELECT count(*) FROM pragma_table_info('commands') WHERE name = 'store_scoped'`)
      .pluck()
      .get()
      ? 'store_scoped'
      : '1 AS store_scoped';
    const commands = source.prepare<[string, string, number], CommandRow>(
      `SELECT stream_id, command_id, next_expected_revision, position, ${scoped} FROM commands
        WHERE (stream_id, command_id) > (?, ?) ORDER BY stream_id, command_id LIMIT ?`,
    );
    let from: [string, string] = ['', ''];
    for (;;) {
      const rows = commands.all(from[0], from[1], batchSize);
      if (rows.length === 0) break;
      await target.query(
        `INSERT INTO ${schema}.commands (stream_id, command_id, next_expected_revision, position, store_scoped)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::boolean[])`,
        [
          rows.map((r) => r.stream_id),
          rows.map((r) => r.command_id),
          rows.map((r) => r.next_expected_revision),
          rows.map((r) => r.position),
          rows.map((r) => r.store_scoped !== 0),
        ],
      );
      const last = rows[rows.length - 1];
      from = [last.stream_id, last.command_id];
    }

    const head = totals.head ?? 0;
    // The next append takes the position after the last one copied (an empty copy leaves the sequence as it is).
    if (head > 0)
      await target.query(`SELECT setval(pg_get_serial_sequence($1, 'position'), $2::bigint, true)`, [
        `${schema}.events`,
        head,
      ]);
    const written = await target.query<{ events: string; head: string | null; commands: string }>(
      `SELECT (SELECT count(*) FROM ${schema}.events) AS events, (SELECT max(position) FROM ${schema}.events) AS head,
              (SELECT count(*) FROM ${schema}.commands) AS commands`,
    );
    const check = written.rows[0];
    if (
      Number(check.events) !== totals.events ||
      Number(check.head ?? 0) !== head ||
      Number(check.commands) !== commandTotal
    )
      throw new Error(
        `the copy does not match its source (events ${check.events} of ${totals.events}, last position ${check.head} of ${head}, commands ${check.commands} of ${commandTotal}); nothing was committed`,
      );
    await target.query('COMMIT');
    inTransaction = false;
    // Statistics of the tables as they now are, as after any bulk load: until autovacuum took them, the
    // planner held a stream to be thousands of events and chose parallel scans and JIT compilation for a
    // read of a few (docs/benchmarks.md, "PostgreSQL read models at a million"). The copy has committed:
    // a failure here leaves that to autovacuum, and the copy stands.
    await target.query(`ANALYZE ${schema}.events, ${schema}.commands`).catch(() => undefined);
    return { events: totals.events, commands: commandTotal, headPosition: head };
  } finally {
    if (inTransaction) await target.query('ROLLBACK').catch(() => undefined);
    if (connected) await target.end().catch(() => undefined);
    if (source.inTransaction) source.exec('COMMIT');
    source.close();
  }
}
