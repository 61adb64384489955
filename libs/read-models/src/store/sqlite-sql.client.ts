import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ReadModelStoreFailed, toStoreError } from '../read-model.errors';
import type { AsideAnswer } from './sqlite-reader.thread';
import { readKey, SharedReads } from './shared-reads';
import { plannedOnce, READER_MMAP_BYTES } from './sqlite-reader.settings';
import {
  type AsideLane,
  AsyncMutex,
  type CommitStep,
  type SqlClient,
  type SqlRecord,
  type SqlTransaction,
  type StoredRows,
} from './sql-client';

type Statement = Database.Statement<unknown[], SqlRecord>;

/**
 * better-sqlite3 builds a row object through the engine's API one property at a time: a page of 51 case
 * summaries (32 columns) took 360–430 µs that way against 190–240 µs as arrays, and filling a new object
 * in column order 30–60 µs more (copying an empty record of the shape instead: 300 µs more, every field
 * changing its representation from null; docs/benchmarks.md, "Case lists"). Only a
 * statement whose result columns its text names (no `*` anywhere in it) is read that way: after a
 * schema change SQLite prepares a statement again, and `SELECT *` may then return other columns in
 * another order, where named columns stay what the text says.
 */
function resultColumnsOf(statement: Statement, sql: string): readonly string[] | null {
  if (!statement.reader || sql.includes('*')) return null;
  const columns = statement.columns().map((c) => c.name);
  statement.raw(true);
  return columns;
}

function recordsOf(columns: readonly string[], rows: unknown[][]): SqlRecord[] {
  const records: SqlRecord[] = new Array<SqlRecord>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const record: SqlRecord = {};
    for (let j = 0; j < columns.length; j++) record[columns[j]] = row[j];
    records[i] = record;
  }
  return records;
}

/**
 * Page cache of the writer connection, in KiB (SQLite's default is 2 MiB). A batch updates B-trees keyed
 * at random (the case table's sort indexes, the search index): with the default cache most of their pages
 * are read back from the file on every batch once the tables outgrow it (docs/benchmarks.md, "A million
 * systems"). A maximum, not an allocation: a small database never uses it.
 */
const WRITER_CACHE_KIB = 64 * 1024;

function open(file: string, role: 'writer' | 'reader'): Database.Database {
  const db = new Database(file);
  // WAL lets the API read while the projector writes; the busy timeout absorbs the short write locks.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  if (role === 'writer') {
    db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
    // A statement that fires a trigger (the search indexes' on `case_summary` and `registry` do) or writes
    // many rows keeps the pages it touches in a statement journal, to undo itself alone; past 64 KiB SQLite
    // spills that journal to a temporary file, a `pwrite` per page. In memory, an opened case's row costs the
    // projector ~50 µs less (docs/benchmarks.md, "Statement journals in memory"). A rebuild's index builds,
    // sorts larger than the cache, go back to files meanwhile (`withSortsOnFiles`, rebuild-deferred.ts). The
    // readers' large sorts keep their temporary files.
    db.pragma('temp_store = MEMORY');
  } else db.pragma(`mmap_size = ${READER_MMAP_BYTES}`);
  return db;
}

/**
 * The built script of the long reads' thread: beside this module in `dist/`; from the TypeScript sources
 * (jest), the package's build of it — a thread cannot load TypeScript. Null when neither is there.
 */
function readerThreadScript(): string | null {
  const beside = path.join(__dirname, 'sqlite-reader.thread.js');
  if (existsSync(beside)) return beside;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'store', 'sqlite-reader.thread.js');
  return existsSync(built) ? built : null;
}

/** A thread's answer to a read: the result columns and the rows as arrays. */
interface AsideRows {
  columns: string[];
  rows: unknown[][];
}

/** The thread of `queryAside`, its answers awaited by id, and its reads in flight by what they ask. */
interface AsideThread {
  worker: Worker;
  pending: Map<number, { resolve: (answer: AsideRows) => void; reject: (e: unknown) => void }>;
  reads: SharedReads<AsideRows>;
  next: number;
}

// better-sqlite3 waits for a lock synchronously, blocking the event loop: two clients of one file in
// one process would deadlock (the waiter blocks the holder's next await). So all clients of a file in
// this process share one write mutex; the busy timeout then only ever waits for other processes.
const writeLocks = new Map<string, { lock: AsyncMutex; users: number }>();

/**
 * Runs each step whose `when` finds a row: what a write transaction does last before its COMMIT (the store's
 * client; a test that writes the read-model file directly, in its own transaction).
 */
export function runCommitSteps(
  steps: readonly CommitStep[],
  prepare: (sql: string) => Pick<Database.Statement, 'get' | 'run'>,
): void {
  for (const step of steps) {
    if (prepare(step.when).get() === undefined) continue;
    for (const sql of step.run) prepare(sql).run();
  }
}

/** better-sqlite3 behind `SqlClient`: one writer connection for transactions, one reader for queries. */
export class SqliteSqlClient implements SqlClient {
  readonly dialect = 'sqlite' as const;
  readonly migrationLock = null;
  readonly forUpdate = '';
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly writerStatements = new Map<string, Statement>();
  private readonly readerStatements = new Map<string, Statement>();
  private readonly writeLock: AsyncMutex;
  private readonly lockKey: string;
  private readonly readLock = new AsyncMutex();
  /** The result columns of the statements read as arrays. */
  private readonly arrayColumns = new WeakMap<Statement, readonly string[]>();
  /** What each write transaction runs before its commit (`beforeCommit`). */
  private commitSteps: readonly CommitStep[] = [];
  /** The threads of `queryAside`, one per lane, each started on its first read. */
  private readonly aside = new Map<AsideLane, AsideThread>();

  constructor(readonly file: string) {
    if (file === ':memory:' || file === '') {
      throw new ReadModelStoreFailed({
        operation: 'open',
        reason: 'the SQLite read-model store needs a file',
      });
    }
    this.lockKey = path.resolve(file);
    const shared = writeLocks.get(this.lockKey) ?? { lock: new AsyncMutex(), users: 0 };
    shared.users += 1;
    writeLocks.set(this.lockKey, shared);
    this.writeLock = shared.lock;
    this.writer = open(file, 'writer');
    this.reader = open(file, 'reader');
  }

  private prepare(db: Database.Database, cache: Map<string, Statement>, sql: string): Statement {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare<unknown[], SqlRecord>(plannedOnce(sql));
      const columns = resultColumnsOf(s, sql);
      if (columns) this.arrayColumns.set(s, columns);
      cache.set(sql, s);
    }
    return s;
  }

  private run(
    db: Database.Database,
    cache: Map<string, Statement>,
    sql: string,
    params: readonly unknown[],
  ): SqlRecord[] {
    const s = this.prepare(db, cache, sql);
    if (s.reader) {
      const columns = this.arrayColumns.get(s);
      return columns ? recordsOf(columns, s.all(...params) as unknown as unknown[][]) : s.all(...params);
    }
    s.run(...params);
    return [];
  }

  /** Executes several DDL statements at once (migrations). */
  execScript(sql: string): void {
    this.writer.exec(sql);
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<SqlRecord[]> {
    try {
      return this.run(this.reader, this.readerStatements, sql, params);
    } catch (e) {
      throw toStoreError('query', e);
    }
  }

  /**
   * A read on a thread of its own with its own read-only connection, so that a statement that runs for
   * seconds (the whole history) leaves this thread's event loop to every other request; it sees the
   * database as of its own start. Each lane has its thread: a search waits behind other searches, never
   * behind a whole-history read. Without the built thread script (a source checkout never built), the
   * reader connection answers, in this thread.
   *
   * A read identical to one of the lane's still unanswered (the same statement and parameters) joins it
   * instead of running again: many clients asking the same page of a common search, or the same series,
   * wait for one statement, not for a queue of copies (docs/decisions/0020). Its answer is then the
   * database as of that statement's start, which may precede the joining read by at most the statement's
   * run — no staler than a read that came a moment earlier, as the read models always follow the log.
   * Each asker gets rows of its own.
   */
  queryAside(sql: string, params: readonly unknown[] = [], lane: AsideLane = 'quick'): Promise<SqlRecord[]> {
    const thread = this.asideThread(lane);
    if (thread === null) return this.query(sql, params);
    // Joiners share the thread's arrays; each asker's records are its own.
    const answer = thread.reads.read(readKey(sql, params), () => this.askThread(thread, sql, params));
    return answer.then(({ columns, rows }) => recordsOf(columns, rows));
  }

  private askThread(thread: AsideThread, sql: string, params: readonly unknown[]): Promise<AsideRows> {
    const id = thread.next++;
    return new Promise<AsideRows>((resolve, reject) => {
      // Waited for, the thread keeps the process alive (a CLI awaiting its answer); idle, it does not.
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, sql, params: [...params] });
    });
  }

  private asideThread(lane: AsideLane): AsideThread | null {
    const running = this.aside.get(lane);
    if (running !== undefined) return running;
    const script = readerThreadScript();
    if (script === null) return null;
    const worker = new Worker(script, { workerData: { file: this.file } });
    const thread: AsideThread = { worker, pending: new Map(), reads: new SharedReads(), next: 1 };
    const fail = (e: unknown) => {
      if (this.aside.get(lane) === thread) this.aside.delete(lane);
      for (const { reject } of thread.pending.values()) reject(toStoreError('query', e));
      thread.pending.clear();
    };
    worker.on('message', (answer: AsideAnswer) => {
      const waiting = thread.pending.get(answer.id);
      if (waiting === undefined) return;
      thread.pending.delete(answer.id);
      if (thread.pending.size === 0) thread.worker.unref();
      if ('error' in answer) waiting.reject(toStoreError('query', answer.error));
      else waiting.resolve(answer);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the read-model reader thread exited (code ${code})`)));
    worker.unref();
    this.aside.set(lane, thread);
    return thread;
  }

  private tx(db: Database.Database, cache: Map<string, Statement>): SqlTransaction {
    return {
      query: async (sql, params = []) => this.run(db, cache, sql, params),
      insertMany: async (table, columns, rows, onConflict = '', stored) => {
        if (rows.length === 0) return;
        const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ${onConflict}`;
        const s = this.prepare(db, cache, sql);
        if (stored) this.upsertChanged(db, cache, s, table, columns, rows, stored);
        else for (const r of rows) s.run(...r);
      },
      selectWhereIn: async (table, column, values) =>
        values.length === 0
          ? []
          : this.prepare(
              db,
              cache,
              `SELECT * FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`,
            ).all(JSON.stringify(values)),
      deleteWhereIn: async (table, column, values) => {
        if (values.length === 0) return;
        this.prepare(
          db,
          cache,
          `DELETE FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`,
        ).run(JSON.stringify(values));
      },
    };
  }

  /**
   * An upsert that knows the rows it replaces. A new row goes through the upsert; a stored one gets an
   * UPDATE of just its changed columns, or nothing when none changed. Why: SQLite rewrites every index
   * whose columns a statement sets, changed or not, and an upsert into a table with an AFTER INSERT
   * trigger writing a full-text index pays for that trigger even when the row conflicts and is updated
   * (case_summary, registry: about 28 µs a row, docs/benchmarks.md "Projection"). When the row is not
   * there after all, the whole row is upserted, so the table ends as the upsert would leave it.
   */
  private upsertChanged(
    db: Database.Database,
    cache: Map<string, Statement>,
    upsert: Statement,
    table: string,
    columns: readonly string[],
    rows: readonly unknown[][],
    stored: StoredRows,
  ): void {
    const keyAt = stored.key.map((k) => columns.indexOf(k));
    if (keyAt.some((j) => j < 0) || stored.rows.length !== rows.length) {
      throw new ReadModelStoreFailed({
        operation: 'insert',
        reason: `${table}: the stored rows do not match the rows written (key ${stored.key.join(', ')})`,
      });
    }
    const where = stored.key.map((k) => `${k} = ?`).join(' AND ');
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as unknown[];
      const old = stored.rows[i];
      if (!old) {
        upsert.run(...row);
        continue;
      }
      const set: number[] = [];
      for (let j = 0; j < columns.length; j++) if (row[j] !== old[j] && !keyAt.includes(j)) set.push(j);
      if (set.length === 0) continue;
      const update = this.prepare(
        db,
        cache,
        `UPDATE ${table} SET ${set.map((j) => `${columns[j]} = ?`).join(', ')} WHERE ${where}`,
      );
      const params = set.map((j) => row[j]);
      for (const j of keyAt) params.push(row[j]);
      if (update.run(...params).changes === 0) upsert.run(...row);
    }
  }

  beforeCommit(steps: readonly CommitStep[]): void {
    this.commitSteps = steps;
  }

  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.writeLock.run(async () => {
      // IMMEDIATE takes the write lock up front, so a second projector waits instead of failing mid-batch.
      this.writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.tx(this.writer, this.writerStatements));
        runCommitSteps(this.commitSteps, (sql) => this.prepare(this.writer, this.writerStatements, sql));
        this.writer.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        throw toStoreError('transaction', e);
      }
    });
  }

  snapshot<T>(work: (tx: Pick<SqlTransaction, 'query' | 'selectWhereIn'>) => Promise<T>): Promise<T> {
    return this.readLock.run(async () => {
      this.reader.exec('BEGIN');
      try {
        return await work(this.tx(this.reader, this.readerStatements));
      } catch (e) {
        throw toStoreError('snapshot', e);
      } finally {
        if (this.reader.inTransaction) this.reader.exec('COMMIT');
      }
    });
  }

  async close(): Promise<void> {
    const aside = [...this.aside.values()];
    this.aside.clear();
    await Promise.all(aside.map((thread) => thread.worker.terminate()));
    await this.writeLock.run(async () => undefined);
    this.reader.close();
    this.writer.close();
    const shared = writeLocks.get(this.lockKey);
    if (shared && --shared.users === 0) writeLocks.delete(this.lockKey);
  }
}
