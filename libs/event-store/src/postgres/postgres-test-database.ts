import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** A database created for one test run or benchmark, dropped by `drop()`. */
export interface TemporaryPostgresDatabase {
  connectionString: string;
  name: string;
  drop(): Promise<void>;
}

/** The server tests use: `DATABASE_URL` if set, else the local trust-auth server. */
export function postgresServerUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Creates an empty database on the test server (tests and benchmarks only). */
export async function createTemporaryPostgresDatabase(
  prefix = 'sanksi_es',
): Promise<TemporaryPostgresDatabase> {
  const server = postgresServerUrl();
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name,
    connectionString: url.toString(),
    drop: async () => {
      const dropper = new Client({ connectionString: server });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
