import type { Client } from 'pg';
import { EventStoreMigrationFailed } from '../core/event-store.errors';

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
];

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
