import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server tests use: `DATABASE_URL` when set, else the local one (trust auth). */
export function postgresServerUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** A throw-away database on the real PostgreSQL server; `drop()` removes it. */
export async function createTempDatabase(
  prefix = 'sanksi_e2e',
): Promise<{ url: string; drop(): Promise<void> }> {
  const server = new URL(postgresServerUrl());
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: server.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: server.toString() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
