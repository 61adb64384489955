import {
  createTemporaryPostgresDatabase,
  type TemporaryDirectory,
  temporaryDirectory,
  type TemporaryPostgresDatabase,
} from '@sanksi/testing';
import Database from 'better-sqlite3';
import path from 'node:path';
import { Client } from 'pg';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { copySqliteToPostgres, StoreCopyRefused } from './sqlite-to-postgres';

jest.setTimeout(60_000);

async function countsIn(url: string): Promise<{ events: number; commands: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ events: string; commands: string }>(
      `SELECT (SELECT count(*) FROM event_store.events) AS events, (SELECT count(*) FROM event_store.commands) AS commands`,
    );
    return { events: Number(rows[0].events), commands: Number(rows[0].commands) };
  } finally {
    await client.end();
  }
}

describe('copySqliteToPostgres', () => {
  let dir: TemporaryDirectory;
  let database: TemporaryPostgresDatabase;
  let file: string;

  beforeEach(async () => {
    dir = temporaryDirectory('sanksi-store-copy');
    database = await createTemporaryPostgresDatabase('sanksi_copy_lib');
    file = path.join(dir.path, 'events.db');
    const store = new SqliteEventStore({ file });
    for (let i = 0; i < 30; i++) {
      await store.appendToStream(
        `pse-copy-${i}`,
        [
          { eventId: `a-${i}`, type: 'A', data: { i }, metadata: { n: 1 } },
          { eventId: `b-${i}`, type: 'B', data: { i }, metadata: { n: 2 } },
        ],
        {
          expectedRevision: 'no_stream',
          commandId: `command-${i}`,
          commandIdScope: i % 3 === 0 ? 'store' : 'stream',
        },
      );
    }
    await store.close();
  });
  afterEach(async () => {
    await database.drop();
    dir.remove();
  });

  it('given a row the target cannot take half-way through, when copied in small batches, then it fails and the target holds nothing, not the batches before it', async () => {
    // given: the 51st event's data is no longer JSON (PostgreSQL's json column refuses it)
    const db = new Database(file);
    db.prepare(`UPDATE events SET data = '{not json' WHERE position = 51`).run();
    db.close();
    // when
    const copying = copySqliteToPostgres({ sourceFile: file, connectionString: database.url, batchSize: 10 });
    // then
    await expect(copying).rejects.toThrow(/json/i);
    expect(await countsIn(database.url)).toEqual({ events: 0, commands: 0 });
  });

  it('given a copy that went through, when the progress is reported, then it counts up to every event, and the command records are all there', async () => {
    const seen: number[] = [];
    const result = await copySqliteToPostgres({
      sourceFile: file,
      connectionString: database.url,
      batchSize: 25,
      onProgress: (copied, total) => seen.push(copied, total),
    });
    expect(result).toEqual({ events: 60, commands: 30, headPosition: 60 });
    expect(seen).toEqual([25, 60, 50, 60, 60, 60]);
    expect(await countsIn(database.url)).toEqual({ events: 60, commands: 30 });
  });

  it('given command records of both scopes, then each keeps its scope; from a file of schema version 4 (no scope recorded), every one counts store-wide', async () => {
    const scopes = async (): Promise<number[]> => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ wide: number; own: number }>(
          `SELECT count(*) FILTER (WHERE store_scoped)::int AS wide, count(*) FILTER (WHERE NOT store_scoped)::int AS own
           FROM event_store.commands`,
        );
        return [rows[0].wide, rows[0].own];
      } finally {
        await client.end();
      }
    };
    await copySqliteToPostgres({ sourceFile: file, connectionString: database.url });
    expect(await scopes()).toEqual([10, 20]);

    await database.drop();
    database = await createTemporaryPostgresDatabase('sanksi_copy_lib');
    const old = new Database(file);
    old.exec(`DROP INDEX commands_store_scoped; ALTER TABLE commands DROP COLUMN store_scoped;
      CREATE INDEX commands_command_id ON commands (command_id); PRAGMA user_version = 4;`);
    old.close();
    await copySqliteToPostgres({ sourceFile: file, connectionString: database.url });
    expect(await scopes()).toEqual([30, 0]);
  });

  it('given no SQLite store at the source, or a file that is not one, then refused before the target is touched', async () => {
    await expect(
      copySqliteToPostgres({ sourceFile: path.join(dir.path, 'none.db'), connectionString: database.url }),
    ).rejects.toBeInstanceOf(StoreCopyRefused);
    const other = path.join(dir.path, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    await expect(copySqliteToPostgres({ sourceFile: other, connectionString: database.url })).rejects.toThrow(
      /not a Sanksi event store/,
    );
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'event_store'`);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
