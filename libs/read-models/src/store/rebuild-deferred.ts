import { ReadModelSchemaTooNew } from '../read-model.errors';
import { READ_MODEL_MIGRATIONS, type SqlDialect } from './read-model.schema';
import type { SqlTransaction } from './sql-client';

/**
 * A rebuild from zero writes every row of the read models again, and on SQLite each row written also
 * updates every secondary index and full-text index of its table — the case table alone has eight
 * indexes keyed at random (its orders, its state, its next deadline) and a trigram index: at a million
 * cases most of a rebuild's page writes were theirs (docs/benchmarks.md, "A million systems"). So a
 * rebuild sets them aside and builds them once at the end, which SQLite does by sorting; the rows are
 * the same either way. PostgreSQL pays the same per row (its register's trigram GIN indexes most: four
 * of them, each row's every trigram an index entry), and builds an index over a finished table by sorting
 * too, so its rebuild sets the same kind of index aside; it has no search triggers.
 *
 * What is set aside: the secondary (non-unique) indexes of the projected tables, except those that
 * start with `pse_id` (the projector's own writes look rows up by case: dropping those would make
 * every batch scan a table), and the triggers that keep an external-content FTS5 index of a projected
 * table in step. Their SQL is kept in `rebuild_deferred` (migration 17), in the transaction that drops
 * them, with the rebuilding projector as their holder, so a rebuild that stops half-way leaves a record:
 * once its holder's lease has lapsed, the next open of the store, or the next projector to take the lease,
 * puts them back (`restoreAbandoned`). While the holder's lease is live they stay aside: a process opening
 * the store mid-rebuild (a simulation's appending thread, a CLI command) used to put them back at once,
 * and the rest of the replay then kept every index and search trigger in step row by row — at a million
 * systems the projection cost 125 µs an event instead of 50 (docs/benchmarks.md). Unique indexes and
 * primary keys stay (upserts need them).
 */

interface SchemaObject {
  type: 'index' | 'trigger';
  name: string;
  tableName: string;
  sql: string;
}

/** External-content FTS5 tables over one of `tables`, by name, with the table they index. */
async function searchIndexes(
  tx: Pick<SqlTransaction, 'query'>,
  tables: readonly string[],
): Promise<Array<{ fts: string; table: string }>> {
  const rows = await tx.query(
    `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%USING fts5%'`,
  );
  return rows.flatMap((r) => {
    const content = /content\s*=\s*'([^']+)'/.exec(String(r.sql))?.[1];
    return content && tables.includes(content) ? [{ fts: String(r.name), table: content }] : [];
  });
}

/**
 * Drops the deferrable indexes and search triggers of `tables`, recording their SQL, and empties the
 * search indexes whose triggers it dropped (SQLite). Call inside the transaction that empties the tables.
 */
export async function deferIndexes(
  tx: SqlTransaction,
  tables: readonly string[],
  dialect: SqlDialect,
  holder: string | null,
): Promise<void> {
  if (dialect === 'postgres') await deferPostgresIndexes(tx, tables);
  else await deferSqliteIndexes(tx, tables);
  await tx.query(`UPDATE rebuild_deferred SET holder = ?`, [holder]);
}

async function deferSqliteIndexes(tx: SqlTransaction, tables: readonly string[]): Promise<void> {
  const fts = await searchIndexes(tx, tables);
  const marks = tables.map(() => '?').join(', ');
  const objects = (
    await tx.query(
      `SELECT type, name, tbl_name, sql FROM sqlite_master
       WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (${marks}) ORDER BY type, name`,
      [...tables],
    )
  ).map(
    (r): SchemaObject => ({
      type: r.type === 'trigger' ? 'trigger' : 'index',
      name: String(r.name),
      tableName: String(r.tbl_name),
      sql: String(r.sql),
    }),
  );
  for (const o of objects) {
    if (o.type === 'index') {
      if (/^\s*CREATE\s+UNIQUE/i.test(o.sql)) continue;
      const [first] = await tx.query(`SELECT name FROM pragma_index_info(?) WHERE seqno = 0`, [o.name]);
      if (first?.name === 'pse_id') continue;
    } else if (!fts.some((f) => f.table === o.tableName && o.name.startsWith(`${f.fts}_`))) {
      continue;
    }
    await tx.query(
      `INSERT INTO rebuild_deferred (name, kind, sql) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
      [o.name, o.type, o.sql],
    );
    await tx.query(`DROP ${o.type === 'index' ? 'INDEX' : 'TRIGGER'} ${o.name}`);
  }
  for (const f of fts) await indexAnew(tx, f.fts, 'delete-all');
}

/**
 * An FTS5 index emptied (`delete-all`) or built again from its table (`rebuild`), and the queue of rows written
 * since its last flush (migration 22) emptied with it: they are in the index as it now is, or are not meant to be.
 */
async function indexAnew(tx: Pick<SqlTransaction, 'query'>, fts: string, command: 'delete-all' | 'rebuild') {
  await tx.query(`INSERT INTO ${fts} (${fts}) VALUES ('${command}')`);
  const [queue] = await tx.query(`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?`, [
    `${fts}_pending`,
  ]);
  if (queue) await tx.query(`DELETE FROM ${fts}_pending`);
}

/**
 * The secondary indexes of `tables` in the session's schema (PostgreSQL), the same choice as SQLite's:
 * not unique (primary keys and upserts' keys stay), not led by `pse_id`. Their definitions come from
 * `pg_get_indexdef`, schema-qualified, so they are put back where they were.
 */
async function deferPostgresIndexes(tx: SqlTransaction, tables: readonly string[]): Promise<void> {
  const marks = tables.map(() => '?').join(', ');
  const indexes = await tx.query(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS sql
     FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
     WHERE n.nspname = current_schema() AND t.relname IN (${marks})
       AND NOT x.indisunique AND coalesce(a.attname, '') <> 'pse_id'
     ORDER BY i.relname`,
    [...tables],
  );
  for (const ix of indexes) {
    await tx.query(
      `INSERT INTO rebuild_deferred (name, kind, sql) VALUES (?, 'index', ?) ON CONFLICT (name) DO NOTHING`,
      [String(ix.name), String(ix.sql)],
    );
    await tx.query(`DROP INDEX ${String(ix.name)}`);
  }
}

/** Whether a table, index or trigger of that name exists in the store's database (schema, on PostgreSQL). */
async function exists(
  tx: Pick<SqlTransaction, 'query'>,
  dialect: SqlDialect,
  name: string,
): Promise<boolean> {
  const [found] =
    dialect === 'postgres'
      ? await tx.query(`SELECT 1 AS found WHERE to_regclass(?) IS NOT NULL`, [name])
      : await tx.query(`SELECT 1 AS found FROM sqlite_master WHERE name = ?`, [name]);
  return found !== undefined;
}

/**
 * Puts back what `deferIndexes` set aside: each index built over the rows as they now are, each trigger
 * created, each search index rebuilt from its table. Does nothing when nothing is deferred; idempotent.
 */
export async function restoreDeferred(
  tx: SqlTransaction,
  tables: readonly string[],
  dialect: SqlDialect,
): Promise<boolean> {
  // Two processes opening the store at once (SQLite's writer lock already serialises them): one builds.
  if (dialect === 'postgres') await tx.query(`LOCK TABLE rebuild_deferred IN EXCLUSIVE MODE`);
  const deferred = await tx.query(`SELECT name, kind, sql FROM rebuild_deferred ORDER BY kind, name`);
  if (deferred.length === 0) return false;
  if (dialect === 'postgres') {
    // Index builds sort in memory up to this (PostgreSQL's default, 64 MB, spills a million rows to disk).
    await tx.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await createDeferred(tx, dialect, deferred);
  } else {
    await withSortsOnFiles(tx, () => createDeferred(tx, dialect, deferred));
    for (const f of await searchIndexes(tx, tables)) await indexAnew(tx, f.fts, 'rebuild');
  }
  await tx.query(`DELETE FROM rebuild_deferred`);
  return true;
}

async function createDeferred(
  tx: Pick<SqlTransaction, 'query'>,
  dialect: SqlDialect,
  deferred: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  for (const d of deferred) {
    if (!(await exists(tx, dialect, String(d.name)))) await tx.query(String(d.sql));
  }
}

/** Helper threads SQLite may sort a `CREATE INDEX` with (`PRAGMA threads`); the projector's own is idle meanwhile. */
const SORT_THREADS = 2;

/**
 * Runs `work` (SQLite's `CREATE INDEX`es) with the connection's sorts on temporary files and helper threads,
 * then puts both settings back. The read models' writer keeps its temporary storage in memory for its
 * statement journals (`sqlite-sql.client.ts`), but a sort larger than its cache writes sorted runs to that
 * storage and merges them, and in memory each merge step's read walks the in-memory file's chunks from its
 * start: a million-system timeline's index (4.7 M rows) took 9.5–10 s to build that way, 5.6–6.4 s with the runs
 * on files, 4.1–5.7 s with two helper threads (docs/benchmarks.md, "Deferred indexes sorted on files").
 */
export async function withSortsOnFiles(
  tx: Pick<SqlTransaction, 'query'>,
  work: () => Promise<void>,
): Promise<void> {
  const [temp] = await tx.query(`PRAGMA temp_store`);
  const [threads] = await tx.query(`PRAGMA threads`);
  try {
    await tx.query(`PRAGMA temp_store = FILE`);
  } catch {
    // SQLite refuses the change inside a transaction once the connection has opened its temporary database
    // (it never does today: the read models create no temporary tables). Sort as configured, then.
    return work();
  }
  await tx.query(`PRAGMA threads = ${SORT_THREADS}`);
  try {
    await work();
  } finally {
    await tx.query(`PRAGMA threads = ${Number(threads?.threads ?? 0)}`);
    await tx.query(`PRAGMA temp_store = ${Number(temp?.temp_store ?? 0)}`);
  }
}

/** Indexes set aside by a rebuild whose holder's lease has lapsed (or that was recorded without a holder). */
const ABANDONED = `SELECT 1 AS abandoned FROM rebuild_deferred d
  WHERE NOT EXISTS (SELECT 1 FROM projector_leases l WHERE l.holder = d.holder AND l.expires_at_ms >= ?) LIMIT 1`;

/**
 * Whether an open of the store has nothing to write: every migration applied and no abandoned rebuild to put
 * back (a read, so it needs no write lock).
 */
export async function upToDate(tx: Pick<SqlTransaction, 'query'>, dialect: SqlDialect): Promise<boolean> {
  if (!(await exists(tx, dialect, 'read_model_migrations'))) return false;
  const done = new Set(
    (await tx.query(`SELECT version FROM read_model_migrations`)).map((r) => Number(r.version)),
  );
  refuseUnknownMigrations(done);
  if (READ_MODEL_MIGRATIONS.some((m) => !done.has(m.version))) return false;
  return (await tx.query(ABANDONED, [Date.now()])).length === 0;
}

/** Throws `ReadModelSchemaTooNew` when `done` holds a migration newer than this build's newest. */
export function refuseUnknownMigrations(done: ReadonlySet<number>): void {
  const known = Math.max(...READ_MODEL_MIGRATIONS.map((m) => m.version));
  const found = Math.max(0, ...done);
  if (found > known) throw new ReadModelSchemaTooNew({ known, found });
}

/**
 * `restoreDeferred` for a rebuild that is no longer running: does nothing while the projector that set
 * the indexes aside still holds a live lease (it builds them at its end), puts them back otherwise — a
 * rebuild that stopped half-way, or one recorded before holders were (migration 17). Returns whether it
 * put anything back.
 */
export async function restoreAbandoned(
  tx: SqlTransaction,
  tables: readonly string[],
  dialect: SqlDialect,
): Promise<boolean> {
  // On PostgreSQL first wait for a rebuild's reset still writing its record (it holds the table's row lock
  // until it commits): checked before that, the record would be unseen here and then restored mid-rebuild.
  if (dialect === 'postgres') await tx.query(`LOCK TABLE rebuild_deferred IN EXCLUSIVE MODE`);
  const [abandoned] = await tx.query(ABANDONED, [Date.now()]);
  return abandoned ? restoreDeferred(tx, tables, dialect) : false;
}
