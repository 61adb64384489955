import { createHash } from 'node:crypto';
import { describePoolError, postgresPoolTimeouts, type PostgresTimeouts } from '@sanksi/event-store';
import { Pool, type PoolClient, types as pgTypes } from 'pg';
import { ReadModelStoreFailed, toStoreError } from '../read-model.errors';
import type { CommitStep, SqlClient, SqlRecord, SqlTransaction, SqlWriteScript } from './sql-client';
import { readKey, SharedReads } from './shared-reads';
import { dollarQuoted, withLiterals } from './sql-literals';

/** `?` placeholders to PostgreSQL's `$n` (the store's SQL never contains a literal `?`). */
export function toPgPlaceholders(sql: string, offset = 0): string {
  let n = offset;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * PostgreSQL's text form of a timestamptz (session TimeZone UTC) to ISO `...Z` with milliseconds, as
 * `Date#toISOString` writes it. The common form (`2022-07-21 02:00:00[.ffffff]+00`) is rewritten in place —
 * a page of cases holds hundreds of instants, and parsing each into a `Date` was a twentieth of the server's
 * time serving case lists at a million; anything else (years past 9999, BC) goes through `Date`.
 */
export function timestampToIso(value: string): string {
  const n = value.length;
  if (
    n >= 22 &&
    value.charCodeAt(10) === 32 &&
    value.charCodeAt(n - 3) === 43 &&
    value.charCodeAt(n - 2) === 48 &&
    value.charCodeAt(n - 1) === 48 &&
    (n === 22 || value.charCodeAt(19) === 46)
  ) {
    const fraction = n === 22 ? '.000' : `${value.slice(19, n - 3)}000`.slice(0, 4);
    return `${value.slice(0, 10)}T${value.slice(11, 19)}${fraction}Z`;
  }
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(iso).toISOString();
}

// Read models hold whole rupiah and positions well below 2^53, so int8 and numeric read as numbers.
const PARSERS: Record<number, (value: string) => unknown> = {
  20: Number,
  1700: Number,
  1184: timestampToIso,
  1114: (v) => timestampToIso(`${v}+00`),
};

const typeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    PARSERS[oid] ?? pgTypes.getTypeParser(oid, format as 'text')) as typeof pgTypes.getTypeParser,
};

/** A stable name for a statement text: node-postgres then parses and plans it once per connection. */
function statementName(text: string): string {
  return `rm_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
}

/** A schema name safe to splice into SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Options of the PostgreSQL read-model client. */
export interface PostgresSqlClientOptions {
  /** Connect, statement and idle timeouts (defaults: `DEFAULT_POSTGRES_TIMEOUTS`). */
  timeouts?: PostgresTimeouts;
  /** Where an idle connection dropped by the server is reported. */
  logger?: { warn(obj: object, msg: string): void };
}

/**
 * Rows inserted from one JSON array per column (`sources`: a parameter or a literal each), zipped into rows by
 * `ROWS FROM` and cast to the columns' types. The text does not depend on the row count, so with parameters
 * it is prepared once per connection instead of parsed and planned per batch with thousands of bind
 * parameters (what a multi-row VALUES list costs). JSON rather than PostgreSQL's array literal:
 * `JSON.stringify` writes a column in native code, where node-postgres escaped every element in JavaScript
 * (an eighth of a rebuild's client CPU, docs/benchmarks.md "PostgreSQL read models at a million"); the
 * server reads each element back as text, cast to the column's type as the array literal's elements were.
 */
function insertFromJson(
  table: string,
  columns: readonly string[],
  types: ReadonlyMap<string, string>,
  sources: readonly (readonly string[])[],
  onConflict: string,
): string[] {
  const parts = [
    `INSERT INTO ${table} (${columns.join(', ')}) `,
    `SELECT ${columns.map((c, j) => `c${j}::${types.get(c) ?? 'text'}`).join(', ')} FROM ROWS FROM (`,
  ];
  sources.forEach((source, j) =>
    parts.push(j === 0 ? '' : ', ', 'json_array_elements_text(', ...source, '::json)'),
  );
  parts.push(`) AS r(${columns.map((_, j) => `c${j}`).join(', ')}) ${onConflict}`);
  return parts;
}

/** Each column's values as a JSON array. */
function jsonColumns(columns: readonly string[], rows: readonly unknown[][]): string[] {
  return columns.map((_, j) => JSON.stringify(rows.map((r) => r[j] ?? null)));
}

/** The statements `query` may share with an identical one in flight: plain reads. */
const SHARED_STATEMENT = /^\s*SELECT\b/i;

/** node-postgres behind `SqlClient`, on a pool whose sessions use `schema` and UTC. */
export class PostgresSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly migrationLock = `SELECT pg_advisory_xact_lock(hashtext('sanksi.read-models.migrate'))`;
  readonly forUpdate = 'FOR UPDATE';
  private readonly pool: Pool;
  /** Column types per table (as `format_type` spells them), read once from the catalogue. */
  private readonly types = new Map<string, Map<string, string>>();
  /** The `SELECT`s of `query` in flight, by what they ask. */
  private readonly reads = new SharedReads<SqlRecord[]>();

  constructor(
    connectionString: string,
    readonly schema: string,
    poolSize = 4,
    options: PostgresSqlClientOptions = {},
  ) {
    this.pool = new Pool({
      connectionString,
      max: poolSize,
      types: typeParsers,
      // No JIT: its compilation (tens to a hundred ms) is paid by any statement whose estimated cost passes
      // jit_above_cost — every statement that must scan while a batch rules scans out (`enable_seqscan =
      // off` puts the estimate at 10^10), and the larger reads of a million-case population — where the
      // statements here run in milliseconds (docs/benchmarks.md, "A PostgreSQL rebuild overlapped, and
      // sessions without JIT").
      options: `-c search_path=${quoteIdent(schema)} -c TimeZone=UTC -c jit=off`,
      application_name: 'sanksi-read-models',
      ...postgresPoolTimeouts(options.timeouts),
    });
    // An idle pooled connection the server drops (restart, terminate) emits 'error' on the pool; left
    // unhandled it would crash the process. The pool discards it and the next query reconnects.
    this.pool.on('error', (error) =>
      options.logger?.warn(
        { pool: 'read-models', ...describePoolError(error) },
        'idle postgres connection lost',
      ),
    );
  }

  /** A pooled client with an 'error' listener while checked out (a dying socket must only fail its query). */
  private async checkout(): Promise<PoolClient & { done(): void }> {
    const client = await this.pool.connect().catch((e: unknown) => {
      throw toStoreError('connect', e);
    });
    const ignore = (): void => undefined;
    client.on('error', ignore);
    return Object.assign(client, {
      done: () => {
        client.off('error', ignore);
        client.release();
      },
    });
  }

  /** Creates the schema if needed (before any migration). */
  async ensureSchema(): Promise<void> {
    // Looked for first, without the lock another process may hold for long (a rebuild building its indexes).
    const [found] = await this.query(`SELECT 1 AS found FROM pg_namespace WHERE nspname = ?`, [this.schema]);
    if (found !== undefined) return;
    // IF NOT EXISTS still races between sessions (unique violation on pg_namespace): lock first.
    await this.transaction(async (tx) => {
      await tx.query(this.migrationLock);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
    });
  }

  /**
   * A read on a pooled connection. A `SELECT` identical to one still unanswered (the same statement and
   * parameters) joins it instead of taking another connection (docs/decisions/0020): 32 clients asking the
   * same page of a common search wait for one statement, not for eight rounds of four connections each
   * running a copy. Its answer is then the database as of that statement's start; a joiner gets copies of
   * its rows. Other statements run as asked.
   */
  query(sql: string, params: readonly unknown[] = []): Promise<SqlRecord[]> {
    return this.reads.read(
      SHARED_STATEMENT.test(sql) ? readKey(sql, params) : undefined,
      async () => {
        try {
          const r = await this.pool.query(toPgPlaceholders(sql), [...params]);
          return r.rows as SqlRecord[];
        } catch (e) {
          throw toStoreError('query', e);
        }
      },
      (rows) => rows.map((row) => ({ ...row })),
    );
  }

  /** Column types of `table`, read once from the catalogue (on `client`, or a connection of its own). */
  private async columnTypes(
    table: string,
    columns: readonly string[],
    client?: PoolClient,
  ): Promise<Map<string, string>> {
    const known = this.types.get(table);
    if (known && columns.every((c) => known.has(c))) return known;
    if (!client) return this.withClient((own) => this.columnTypes(table, columns, own));
    // to_regclass resolves through the session's search_path: the table this client writes.
    const r = await client.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
       WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
      [table],
    );
    const types = new Map(r.rows.map((row) => [row.name, row.type]));
    this.types.set(table, types);
    return types;
  }

  private tx(client: PoolClient): SqlTransaction {
    return {
      query: async (sql, params = []) =>
        (await client.query(toPgPlaceholders(sql), [...params])).rows as SqlRecord[],
      // One parameter per column, a JSON array of its values (insertFromJson).
      insertMany: async (table, columns, rows, onConflict = '') => {
        if (rows.length === 0) return;
        const text = insertFromJson(
          table,
          columns,
          await this.columnTypes(table, columns, client),
          columns.map((_, j) => [`$${j + 1}`]),
          onConflict,
        ).join('');
        await client.query({ name: statementName(text), text, values: jsonColumns(columns, rows) });
      },
      selectWhereIn: async (table, column, values) =>
        values.length === 0
          ? []
          : ((await client.query(`SELECT * FROM ${table} WHERE ${column} = ANY($1::text[])`, [values]))
              .rows as SqlRecord[]),
      deleteWhereIn: async (table, column, values) => {
        if (values.length === 0) return;
        await client.query(`DELETE FROM ${table} WHERE ${column} = ANY($1::text[])`, [values]);
      },
    };
  }

  /**
   * Statements recorded with their parameters written in as literals, sent as one simple query from BEGIN to
   * COMMIT: the server works through a batch while this thread plans the next one (`prepareBatch`). The
   * column types an insert casts to are read when it is recorded, on a connection of its own.
   */
  writeScript(): SqlWriteScript {
    // The text in pieces, joined once when sent: a batch's columns are megabytes, each copy of them counts.
    const parts: string[] = [];
    const statement = (...pieces: string[]): void => {
      for (const piece of pieces) parts.push(piece);
      parts.push(';\n');
    };
    const tx: SqlTransaction = {
      query: async (sql, params = []) => {
        statement(withLiterals(sql, params));
        return [];
      },
      insertMany: async (table, columns, rows, onConflict = '') => {
        if (rows.length === 0) return;
        const types = await this.columnTypes(table, columns);
        const json = jsonColumns(columns, rows).map(dollarQuoted);
        statement(...insertFromJson(table, columns, types, json, onConflict));
      },
      selectWhereIn: () => Promise.reject(new TypeError('a write script answers no reads')),
      deleteWhereIn: async (table, column, values) => {
        if (values.length === 0) return;
        statement(
          `DELETE FROM ${table} WHERE ${column} = ANY(ARRAY(SELECT json_array_elements_text(`,
          ...dollarQuoted(JSON.stringify(values)),
          '::json)))',
        );
      },
    };
    return {
      tx,
      run: async () => {
        if (parts.length === 0) return;
        const text = ['BEGIN;\n', ...parts, 'COMMIT'].join('');
        parts.length = 0;
        await this.withClient(async (client) => {
          try {
            await client.query(text);
          } catch (e) {
            // A failed statement skips the rest of the text, COMMIT included, and leaves the transaction aborted.
            await client.query('ROLLBACK').catch(() => undefined);
            throw toStoreError('transaction', e);
          }
        });
      },
    };
  }

  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.checkout();
    try {
      return await work(client);
    } finally {
      client.done();
    }
  }

  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(this.tx(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw toStoreError('transaction', e);
      }
    });
  }

  async snapshot<T>(work: (tx: Pick<SqlTransaction, 'query' | 'selectWhereIn'>) => Promise<T>): Promise<T> {
    const client = await this.checkout();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await work(this.tx(client));
      } finally {
        await client.query('COMMIT');
      }
    } catch (e) {
      throw toStoreError('snapshot', e);
    } finally {
      client.done();
    }
  }

  private closing: Promise<void> | null = null;

  /** Ends the pool; closing again (a second owner of the client shutting down) waits for the first. */
  /** Its search indexes (pg_trgm GIN) are kept by the database itself: there is nothing to run at commit. */
  beforeCommit(steps: readonly CommitStep[]): void {
    if (steps.length > 0)
      throw new ReadModelStoreFailed({
        operation: 'open',
        reason: 'PostgreSQL read models take no commit steps',
      });
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
