import { createHash } from 'node:crypto';
import { describePoolError, postgresPoolTimeouts, type PostgresTimeouts } from '@sanksi/event-store';
import { Pool, type PoolClient, types as pgTypes } from 'pg';
import { toStoreError } from '../read-model.errors';
import type { SqlClient, SqlRecord, SqlTransaction } from './sql-client';

/** `?` placeholders to PostgreSQL's `$n` (the store's SQL never contains a literal `?`). */
export function toPgPlaceholders(sql: string, offset = 0): string {
  let n = offset;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** PostgreSQL's text form of a timestamptz (session TimeZone UTC) to ISO `...Z`. */
function timestampToIso(value: string): string {
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

/** node-postgres behind `SqlClient`, on a pool whose sessions use `schema` and UTC. */
export class PostgresSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly migrationLock = `SELECT pg_advisory_xact_lock(hashtext('sanksi.read-models.migrate'))`;
  readonly forUpdate = 'FOR UPDATE';
  private readonly pool: Pool;
  /** Column types per table (as `format_type` spells them), read once from the catalogue. */
  private readonly types = new Map<string, Map<string, string>>();

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
      options: `-c search_path=${quoteIdent(schema)} -c TimeZone=UTC`,
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
    // IF NOT EXISTS still races between sessions (unique violation on pg_namespace): lock first.
    await this.transaction(async (tx) => {
      await tx.query(this.migrationLock);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
    });
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<SqlRecord[]> {
    try {
      const r = await this.pool.query(toPgPlaceholders(sql), [...params]);
      return r.rows as SqlRecord[];
    } catch (e) {
      throw toStoreError('query', e);
    }
  }

  private async columnTypes(
    client: PoolClient,
    table: string,
    columns: readonly string[],
  ): Promise<Map<string, string>> {
    const known = this.types.get(table);
    if (known && columns.every((c) => known.has(c))) return known;
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
      // One parameter per column, a JSON array of its values, zipped into rows: the statement text does not
      // depend on the row count, so it is prepared once per connection instead of parsed and planned per
      // batch with thousands of bind parameters (what a multi-row VALUES list costs). JSON rather than
      // PostgreSQL's array literal: `JSON.stringify` writes a column in native code, where node-postgres
      // escaped every element in JavaScript (an eighth of a rebuild's client CPU, docs/benchmarks.md
      // "PostgreSQL read models at a million"); the server reads each element back as text, cast to
      // the column's type as the array literal's elements were.
      insertMany: async (table, columns, rows, onConflict = '') => {
        if (rows.length === 0) return;
        const types = await this.columnTypes(client, table, columns);
        const text =
          `INSERT INTO ${table} (${columns.join(', ')}) ` +
          `SELECT ${columns.map((c, j) => `c${j}::${types.get(c) ?? 'text'}`).join(', ')} ` +
          `FROM ROWS FROM (${columns.map((_, j) => `json_array_elements_text($${j + 1}::json)`).join(', ')}) ` +
          `AS r(${columns.map((_, j) => `c${j}`).join(', ')}) ${onConflict}`;
        const values = columns.map((_, j) => JSON.stringify(rows.map((r) => r[j] ?? null)));
        await client.query({ name: statementName(text), text, values });
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

  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const client = await this.checkout();
    try {
      await client.query('BEGIN');
      try {
        const result = await work(this.tx(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw toStoreError('transaction', e);
      }
    } finally {
      client.done();
    }
  }

  async snapshot<T>(work: (tx: Pick<SqlTransaction, 'query'>) => Promise<T>): Promise<T> {
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
  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
