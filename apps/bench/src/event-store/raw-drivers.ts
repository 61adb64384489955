import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { postgresMigrations, sqliteMigrations } from '@sanksi/event-store';
import { DATA, METADATA, share } from './bench-workload';

/**
 * The raw driver limits: plain INSERTs of the rows the store writes, into a table of identical shape
 * (the store's own DDL), doing the work any caller of the bare driver must do: serialise each row's
 * payload to JSON on the way in, decode it on the way out (pg decodes `json` columns itself).
 */
export interface RawDriver {
  /** One row per transaction, from `writers` concurrent writers (SQLite has one connection: writers do not matter). */
  singleRows(total: number, writers: number): Promise<void>;
  /** `batches` transactions of `batchSize` rows each. */
  batchedRows(batches: number, batchSize: number): Promise<void>;
  /** Reads the whole table in pages of `pageSize`, as the driver returns rows; returns the row count. */
  readAll(pageSize?: number): Promise<number>;
  /** The server processes doing the driver's work (PostgreSQL backends); empty for an embedded database. */
  serverPids(): number[];
  close(): Promise<void>;
}

/** Raw better-sqlite3 on its own WAL file with the given `synchronous` setting and the store's DDL. */
export function rawSqlite(file: string, synchronous: 'NORMAL' | 'FULL'): RawDriver {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  for (const m of sqliteMigrations) db.exec(m.sql);
  const insert = db.prepare(
    `INSERT INTO events (stream_id, revision, event_id, type, category, schema_version, data, metadata, created_at)
     VALUES (?, ?, ?, ?, 'pse', 1, ?, ?, ?)`,
  );
  // `?+0` as the store writes it: a bare bound LIMIT is planned again on every call (SQLite 3.47+).
  const page = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?+0');
  let stream = 0;
  const row = (streamId: string, revision: number): void => {
    insert.run(
      streamId,
      revision,
      randomUUID(),
      'WarningIssued',
      JSON.stringify(DATA),
      JSON.stringify(METADATA),
      new Date().toISOString(),
    );
  };
  const batch = db.transaction((streamId: string, size: number) => {
    for (let r = 0; r < size; r++) row(streamId, r);
  });
  return {
    async singleRows(total) {
      const revisions = new Map<string, number>();
      const run = ++stream;
      for (let i = 0; i < total; i++) {
        const streamId = `pse-raw${run}s${i % 64}`;
        const revision = (revisions.get(streamId) ?? -1) + 1;
        revisions.set(streamId, revision);
        row(streamId, revision);
      }
    },
    async batchedRows(batches, batchSize) {
      const run = ++stream;
      for (let b = 0; b < batches; b++) batch(`pse-raw${run}b${b}`, batchSize);
    },
    async readAll(pageSize = 1000) {
      let after = 0;
      let count = 0;
      for (;;) {
        const rows = page.all(after, pageSize) as Array<{ position: number; data: string; metadata: string }>;
        if (rows.length === 0) return count;
        for (const r of rows) {
          JSON.parse(r.data);
          JSON.parse(r.metadata);
        }
        count += rows.length;
        after = rows[rows.length - 1].position;
      }
    },
    serverPids: () => [],
    async close() {
      db.close();
    },
  };
}

/** Raw pg on its own schema with the store's DDL, default durability (synchronous_commit on). */
export async function rawPostgres(connectionString: string, writers: number): Promise<RawDriver> {
  const clients = await Promise.all(
    Array.from({ length: writers }, async () => {
      const c = new Client({ connectionString });
      await c.connect();
      return c;
    }),
  );
  const [first] = clients;
  const pids = await Promise.all(
    clients.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid),
  );
  await first.query('CREATE SCHEMA raw');
  for (const m of postgresMigrations) await first.query(m.sql('raw'));
  const insertOne = `INSERT INTO raw.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
                     VALUES ($1, $2, $3, 'WarningIssued', 'pse', 1, $4, $5)`;
  const insertMany = `INSERT INTO raw.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
                      SELECT $1, r, e, 'WarningIssued', 'pse', 1, d, m
                        FROM unnest($2::int8[], $3::text[], $4::json[], $5::json[]) AS t(r, e, d, m)`;
  let stream = 0;
  return {
    async singleRows(total, concurrent) {
      const run = ++stream;
      await Promise.all(
        clients.slice(0, concurrent).map(async (client, w) => {
          const revisions = new Map<string, number>();
          for (let i = 0; i < share(total, concurrent, w); i++) {
            const streamId = `pse-raw${run}w${w}s${i % 64}`;
            const revision = (revisions.get(streamId) ?? -1) + 1;
            revisions.set(streamId, revision);
            await client.query({
              name: 'raw-one',
              text: insertOne,
              values: [streamId, revision, randomUUID(), JSON.stringify(DATA), JSON.stringify(METADATA)],
            });
          }
        }),
      );
    },
    async batchedRows(batches, batchSize) {
      const run = ++stream;
      const revisions = Array.from({ length: batchSize }, (_, r) => r);
      for (let b = 0; b < batches; b++) {
        await first.query('BEGIN');
        await first.query({
          name: 'raw-many',
          text: insertMany,
          values: [
            `pse-raw${run}b${b}`,
            revisions,
            revisions.map(() => randomUUID()),
            revisions.map(() => JSON.stringify(DATA)),
            revisions.map(() => JSON.stringify(METADATA)),
          ],
        });
        await first.query('COMMIT');
      }
    },
    async readAll(pageSize = 1000) {
      let after = 0;
      let count = 0;
      for (;;) {
        const rows = (
          await first.query<{ position: string }>({
            name: 'raw-page',
            text: 'SELECT * FROM raw.events WHERE position > $1 ORDER BY position LIMIT $2',
            values: [after, pageSize],
          })
        ).rows;
        if (rows.length === 0) return count;
        count += rows.length;
        after = Number(rows[rows.length - 1].position);
      }
    },
    serverPids: () => pids,
    async close() {
      await Promise.all(clients.map((c) => c.end()));
    },
  };
}
