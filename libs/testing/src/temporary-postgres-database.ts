import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** A database created for one test run or benchmark; `drop()` removes it. */
export interface TemporaryPostgresDatabase {
  /** The database's own name (on the server of `postgresServerUrl()`). */
  name: string;
  /** Connection URL of the new database. */
  url: string;
  drop(): Promise<void>;
}

/** The server tests use: `DATABASE_URL` if set, else the local trust-auth server. */
export function postgresServerUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Creates an empty database on the test server; `drop()` removes it even with open connections. */
export async function createTemporaryPostgresDatabase(
  prefix = 'sanksi_test',
): Promise<TemporaryPostgresDatabase> {
  const server = postgresServerUrl();
  // Lower-case letters, digits and underscores only, so the name needs no quoting.
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await onServer(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => onServer(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function onServer(server: string, statement: string): Promise<void> {
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}
