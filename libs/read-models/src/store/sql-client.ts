import type { SqlDialect } from './read-model.schema';

/** A row as the driver returns it. */
export type SqlRecord = Record<string, unknown>;

/**
 * The rows a keyed upsert replaces, as stored before it (`null`: no row yet), one per row written, and
 * the key columns they are matched on.
 */
export interface StoredRows {
  key: readonly string[];
  rows: readonly (readonly unknown[] | null)[];
}

/** Statements inside one transaction. SQL uses `?` placeholders in every dialect. */
export interface SqlTransaction {
  query(sql: string, params?: readonly unknown[]): Promise<SqlRecord[]>;
  /**
   * Inserts many rows of the same columns, with an optional `ON CONFLICT ...` clause. With `stored`
   * (an upsert's replaced rows), a client may leave unchanged rows alone and update only the columns
   * that changed; the table must end up as the plain upsert would leave it.
   */
  insertMany(
    table: string,
    columns: readonly string[],
    rows: readonly unknown[][],
    onConflict?: string,
    stored?: StoredRows,
  ): Promise<void>;
  /** Rows of `table` whose `column` is one of `values`. */
  selectWhereIn(table: string, column: string, values: readonly string[]): Promise<SqlRecord[]>;
  /** Deletes the rows of `table` whose `column` is one of `values`. */
  deleteWhereIn(table: string, column: string, values: readonly string[]): Promise<void>;
}

/**
 * A write transaction recorded rather than run: `tx` takes statements whose results are not read (its
 * calls answer nothing: `query` gives no rows, `selectWhereIn` refuses), and `run` sends them all, BEGIN to
 * COMMIT, in one round trip — so the database works through them while the caller goes on with its own.
 */
export interface SqlWriteScript {
  readonly tx: SqlTransaction;
  /** Runs the recorded statements in one transaction: all of them, or (it throws) none. */
  run(): Promise<void>;
}

/** The reader threads of `SqlClient.queryAside`: reads in one lane queue behind each other, never behind another lane's. */
export type AsideLane = 'quick' | 'history';

/** The little a read-model store needs of a database, so one store serves SQLite and PostgreSQL. */
/** Statements a write transaction runs just before it commits, when `when` returns a row. */
export interface CommitStep {
  when: string;
  run: readonly string[];
}

export interface SqlClient {
  readonly dialect: SqlDialect;
  /** A read outside any write transaction (on SQLite: a separate reader connection). */
  query(sql: string, params?: readonly unknown[]): Promise<SqlRecord[]>;
  /**
   * A long read that must not hold the caller's event loop: on SQLite, a thread of its own per lane; absent
   * where `query` never blocks it (PostgreSQL). `history` for reads of the whole history (seconds at a million
   * systems), so that they never hold up the `quick` lane's (the default: searches, the blocklist's load).
   */
  queryAside?(sql: string, params?: readonly unknown[], lane?: AsideLane): Promise<SqlRecord[]>;
  /** Runs `work` in a write transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** Runs `work` over one consistent snapshot of the database (reads only). */
  snapshot<T>(work: (tx: Pick<SqlTransaction, 'query' | 'selectWhereIn'>) => Promise<T>): Promise<T>;
  /**
   * A write transaction to record and run later in one round trip, where the dialect has one (PostgreSQL;
   * SQLite's statements run in this process, so there is nothing to overlap).
   */
  writeScript?(): SqlWriteScript;
  /**
   * Steps every later write transaction runs before its commit (SQLite: the search indexes' queues,
   * `SEARCH_INDEX_FLUSH`); set once the schema has what they name. PostgreSQL's search indexes are the
   * database's own: it is given none.
   */
  beforeCommit(steps: readonly CommitStep[]): void;
  /** SQL that locks the migration step against concurrent migrators, run inside its transaction. */
  readonly migrationLock: string | null;
  /** `FOR UPDATE` where the dialect locks rows, else empty (SQLite locks the database on BEGIN IMMEDIATE). */
  readonly forUpdate: string;
  close(): Promise<void>;
}

/** Serialises async critical sections on one connection. */
export class AsyncMutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` after every earlier holder finished. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
