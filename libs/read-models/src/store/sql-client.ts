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

/** The little a read-model store needs of a database, so one store serves SQLite and PostgreSQL. */
export interface SqlClient {
  readonly dialect: SqlDialect;
  /** A read outside any write transaction (on SQLite: a separate reader connection). */
  query(sql: string, params?: readonly unknown[]): Promise<SqlRecord[]>;
  /** Runs `work` in a write transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** Runs `work` over one consistent snapshot of the database (reads only). */
  snapshot<T>(work: (tx: Pick<SqlTransaction, 'query'>) => Promise<T>): Promise<T>;
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
