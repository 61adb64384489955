import Database from 'better-sqlite3';
import path from 'node:path';
import { Client } from 'pg';
import type { SourceEvent } from '../events/event-source.port';
import { createReadModelStore } from '../store/create-read-model-store';
import { PROJECTED_TABLES, projectedContentSql, SEARCH_INDEX_FLUSH } from '../store/read-model.schema';
import { runCommitSteps } from '../store/sqlite-sql.client';
import type { ReadModelStore } from '../store/read-model-store.port';
import type { ReadModelTuning } from '../store/sql-read-model.store';

/** A read-model store on a fresh real database, with direct SQL access for assertions. */
export interface OpenedBackend {
  store: ReadModelStore;
  /** Runs SQL directly on the database, as an analyst would. */
  sql(query: string): Promise<Record<string, unknown>[]>;
  /** Runs statements that write, directly on the database (test set-up beside the store). */
  execute(statements: string): Promise<void>;
  /** Every projected table (plus checkpoints), fully ordered: equal dumps mean equal read models. */
  dump(): Promise<Record<string, unknown[]>>;
  /** A second store on the same database (another process, as far as the database can tell). */
  reopen(tuning?: ReadModelTuning): ReadModelStore;
  /**
   * Takes, on a connection of its own, what a store's writes wait for (SQLite's write lock; the migration lock
   * on PostgreSQL) and holds it until the returned function is called.
   */
  holdWriteLock(): Promise<() => Promise<void>>;
  /**
   * Another writer in flight: runs `statements` in a write transaction on a connection of its own (on SQLite, one
   * that holds the write lock from its start) and commits it when the returned function is called.
   */
  holdTransaction(statements: readonly string[]): Promise<() => Promise<void>>;
  cleanup(): Promise<void>;
}

/** A real database the store can run on. */
export interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<OpenedBackend>;
}

const ORDER: Record<string, string> = {
  case_summary: 'pse_id',
  case_domains: 'pse_id, domain_key',
  case_addresses: 'pse_id, kind, address',
  case_timeline: 'position',
  blocklist: 'domain, pse_id',
  blocklist_changes: 'position, domain, pse_id, action',
  state_transitions: 'position',
  state_deltas_daily: 'business_date, state',
  blocklist_deltas_daily: 'business_date',
  state_deltas_recorded: 'recorded_at, business_date, state',
  blocklist_deltas_recorded: 'recorded_at, business_date',
  state_deltas_recorded_days: 'recorded_date, business_date, state',
  blocklist_deltas_recorded_days: 'recorded_date, business_date',
  state_deltas_backdated: 'recorded_at, business_date, state',
  blocklist_deltas_backdated: 'recorded_at, business_date',
  record_order_descents: 'known_until, known_from',
  transitions_daily: 'business_date, from_state, to_state',
  fines: 'pse_id, fine_id',
  fines_monthly: 'month',
  warning_to_registration: 'pse_id',
  warning_to_registration_totals: 'name',
  warning_to_registration_days: 'days',
  deadlines: 'pse_id, kind, fine_id, due_at',
  registry: 'pse_id',
  timeline_bounds: 'name',
  case_state_counts: 'state',
};

// An appended table's sums per key: what every batching of one log leaves alike (decision 0019).
const dumpQuery = (t: (typeof PROJECTED_TABLES)[number]): string =>
  `SELECT * FROM (${projectedContentSql(t)}) c ORDER BY ${ORDER[t]}`;

// The checkpoint's bookkeeping columns (events applied, wall-clock time) differ between a rebuild and
// an incremental run by design; the position must not.
const DUMP_QUERIES = [
  ...PROJECTED_TABLES.map((t) => [t, dumpQuery(t)] as const),
  ['projection_checkpoints', 'SELECT name, position FROM projection_checkpoints ORDER BY name'] as const,
];

/**
 * The throw-away directory and database helpers of `@sanksi/testing`. This harness is not a spec
 * file, so the module boundaries keep it from importing that lib; specs hand it in instead
 * (`readModelBackends(testing)` with `import * as testing from '@sanksi/testing'`).
 */
export interface TestSupport {
  temporaryDirectory(prefix: string): { path: string; remove(): void };
  createTemporaryPostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }>;
}

/** The read-model backends on real databases: SQLite files and the test PostgreSQL server. */
export function readModelBackends({ temporaryDirectory, createTemporaryPostgresDatabase }: TestSupport): {
  sqlite: Backend;
  postgres: Backend;
  /** Both backends, for `describe.each`. */
  all: Backend[];
} {
  const sqlite = sqliteBackend(temporaryDirectory);
  const postgres = postgresBackend(createTemporaryPostgresDatabase);
  return { sqlite, postgres, all: [sqlite, postgres] };
}

/** SQLite on a file in a fresh temp directory. */
const sqliteBackend = (temporaryDirectory: TestSupport['temporaryDirectory']): Backend => ({
  name: 'sqlite',
  async open() {
    const dir = temporaryDirectory('sanksi-rm');
    const file = path.join(dir.path, 'read-models.db');
    const store = createReadModelStore({ kind: 'sqlite', file });
    const others: ReadModelStore[] = [];
    const sql = async (query: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare<[], Record<string, unknown>>(query).all();
      } finally {
        db.close();
      }
    };
    const execute = async (statements: string) => {
      const db = new Database(file);
      try {
        db.pragma('busy_timeout = 10000');
        // As the store writes: the search indexes' queued rows indexed before the commit (migration 22).
        db.transaction(() => {
          db.exec(statements);
          runCommitSteps(SEARCH_INDEX_FLUSH, (sql) => db.prepare(sql));
        }).immediate();
      } finally {
        db.close();
      }
    };
    return {
      store,
      sql,
      execute,
      async dump() {
        const out: Record<string, unknown[]> = {};
        for (const [t, q] of DUMP_QUERIES) out[t] = await sql(q);
        return out;
      },
      reopen(tuning?: ReadModelTuning) {
        const s = createReadModelStore({ kind: 'sqlite', file, tuning });
        others.push(s);
        return s;
      },
      async holdWriteLock() {
        const db = new Database(file);
        db.exec('BEGIN IMMEDIATE');
        return async () => {
          db.exec('ROLLBACK');
          db.close();
        };
      },
      async holdTransaction(statements: readonly string[]) {
        const db = new Database(file);
        try {
          db.exec('BEGIN IMMEDIATE');
          for (const statement of statements) db.exec(statement);
        } catch (e) {
          db.close();
          throw e;
        }
        return async () => {
          db.exec('COMMIT');
          db.close();
        };
      },
      async cleanup() {
        await Promise.all([store, ...others].map((s) => s.close()));
        dir.remove();
      },
    };
  },
});

/** The PostgreSQL server of DATABASE_URL (default: local trust auth), in a database created for the test. */
const postgresBackend = (
  createTemporaryPostgresDatabase: TestSupport['createTemporaryPostgresDatabase'],
): Backend => ({
  name: 'postgres',
  async open() {
    const database = await createTemporaryPostgresDatabase('sanksi_rm_test');
    const connectionString = database.url;
    const schema = 'read_models';
    const store = createReadModelStore({ kind: 'postgres', connectionString, schema });
    const others: ReadModelStore[] = [];
    const sql = async (query: string) => {
      const c = new Client({ connectionString, options: `-c search_path=${schema}` });
      await c.connect();
      try {
        return (await c.query(query)).rows as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    };
    return {
      store,
      sql,
      execute: async (statements: string) => {
        await sql(statements);
      },
      async dump() {
        const out: Record<string, unknown[]> = {};
        for (const [t, q] of DUMP_QUERIES) out[t] = await sql(q);
        return out;
      },
      reopen(tuning?: ReadModelTuning) {
        const s = createReadModelStore({ kind: 'postgres', connectionString, schema, tuning });
        others.push(s);
        return s;
      },
      async holdWriteLock() {
        const c = new Client({ connectionString, options: `-c search_path=${schema}` });
        await c.connect();
        await c.query('BEGIN');
        await c.query(`SELECT pg_advisory_xact_lock(hashtext('sanksi.read-models.migrate'))`);
        return async () => {
          await c.query('ROLLBACK');
          await c.end();
        };
      },
      async holdTransaction(statements: readonly string[]) {
        const c = new Client({ connectionString, options: `-c search_path=${schema}` });
        await c.connect();
        try {
          await c.query('BEGIN');
          for (const statement of statements) await c.query(statement);
        } catch (e) {
          await c.end();
          throw e;
        }
        return async () => {
          await c.query('COMMIT');
          await c.end();
        };
      },
      async cleanup() {
        await Promise.all([store, ...others].map((s) => s.close()));
        await database.drop();
      },
    };
  },
});

/** What the application would hand the event store for a recorded fixture event. */
export function toAppend(e: SourceEvent): {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  schemaVersion: number;
} {
  return {
    eventId: e.eventId,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    schemaVersion: e.schemaVersion,
  };
}
