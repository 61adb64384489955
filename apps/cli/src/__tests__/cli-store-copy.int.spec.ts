import { createTemporaryPostgresDatabase, type TemporaryPostgresDatabase } from '@sanksi/testing';
import Database from 'better-sqlite3';
import path from 'node:path';
import { Client } from 'pg';
import { runCli, tempDir } from './cli-process.fixture';

jest.setTimeout(300_000);

/** Every stored event of a log in position order, as its columns hold it (times as instants). */
type Row = [number, string, number, string, string, string, number, string, string, string];

const COLUMNS = 'position, stream_id, revision, event_id, type, category, schema_version';

/** One stored event as a `Row`, whichever database it came from (PostgreSQL's bigints come as text). */
function toRow(r: Record<string, unknown>): Row {
  return [
    Number(r.position),
    String(r.stream_id),
    Number(r.revision),
    String(r.event_id),
    String(r.type),
    String(r.category),
    Number(r.schema_version),
    String(r.data),
    String(r.metadata),
    new Date(r.created_at as string | Date).toISOString(),
  ];
}

function sqliteLog(dir: string): Row[] {
  const db = new Database(path.join(dir, 'events.db'), { readonly: true });
  try {
    return db
      .prepare<
        [],
        Record<string, unknown>
      >(`SELECT ${COLUMNS}, data, metadata, created_at FROM events ORDER BY position`)
      .all()
      .map(toRow);
  } finally {
    db.close();
  }
}

async function postgresQuery<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function postgresLog(url: string): Promise<Row[]> {
  const rows = await postgresQuery<Record<string, unknown>>(
    url,
    `SELECT ${COLUMNS}, data::text AS data, metadata::text AS metadata, created_at
       FROM event_store.events ORDER BY position`,
  );
  return rows.map(toRow);
}

describe('sanksi store copy: the embedded SQLite event store into PostgreSQL (the built process)', () => {
  const sqlite = tempDir('store-copy');
  const pgData = tempDir('store-copy-pg');
  let database: TemporaryPostgresDatabase;
  let postgres: Record<string, string>;

  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('sanksi_store_copy');
    postgres = { SANKSI_DATA_DIR: pgData.dir, SANKSI_EVENT_STORE: 'postgres', DATABASE_URL: database.url };
    const simulated = runCli(['simulate', '--systems', '200', '--seed', '3', '--json'], {
      SANKSI_DATA_DIR: sqlite.dir,
    });
    expect(simulated.code).toBe(0);
  });
  afterAll(async () => {
    sqlite.cleanup();
    pgData.cleanup();
    await database.drop();
  });

  it('given a simulated population, when copied into an empty database, then every event is there as stored, at its position, and the log verifies there', async () => {
    // when
    const copy = runCli(['store', 'copy', '--to', database.url, '--json'], { SANKSI_DATA_DIR: sqlite.dir });
    // then
    expect(copy.code).toBe(0);
    const source = sqliteLog(sqlite.dir);
    expect(JSON.parse(copy.stdout)).toMatchObject({
      events: source.length,
      headPosition: source[source.length - 1][0],
      commands: expect.any(Number),
    });
    expect(await postgresLog(database.url)).toEqual(source);
    const verified = runCli(['verify', '--json'], postgres);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, cases: 200, events: source.length });
  });

  it('then the idempotency keys came along: the same simulation again on PostgreSQL appends nothing', () => {
    const again = runCli(['simulate', '--systems', '200', '--seed', '3', '--json'], postgres);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      casesCreated: 0,
      casesAlreadyPresent: 200,
      commandsApplied: 0,
      eventsAppended: 0,
    });
  });

  it('then a new case appended on PostgreSQL takes the position after the last one copied', async () => {
    const head = sqliteLog(sqlite.dir).length;
    const opened = runCli(
      [
        'case',
        'open',
        '--pse-id',
        'after-copy',
        '--name',
        'After the copy',
        '--origin',
        'domestic',
        '--domains',
        'after-copy.example',
        '--json',
      ],
      postgres,
    );
    expect(opened.code).toBe(0);
    const rows = await postgresQuery<{ position: string }>(
      database.url,
      `SELECT position FROM event_store.events WHERE stream_id = 'pse-after-copy'`,
    );
    expect(rows.map((r) => Number(r.position))).toEqual([head + 1]);
  });

  it('given a target that already holds events, when copied into, then it is refused naming what is allowed, and the target is unchanged', async () => {
    const before = await postgresQuery<{ n: string }>(
      database.url,
      'SELECT count(*) AS n FROM event_store.events',
    );
    const copy = runCli(['store', 'copy', '--to', database.url], { SANKSI_DATA_DIR: sqlite.dir });
    expect(copy.code).toBe(2);
    expect(copy.stderr).toContain('copy into an empty PostgreSQL event store');
    expect(await postgresQuery(database.url, 'SELECT count(*) AS n FROM event_store.events')).toEqual(before);
  });

  it('given bad arguments or a configuration whose event store is not SQLite, then usage errors that say what is allowed, and nothing is copied', () => {
    const none = runCli(['store', 'copy'], { SANKSI_DATA_DIR: sqlite.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--to');
    const http = runCli(['store', 'copy', '--to', 'http://example.com/db'], { SANKSI_DATA_DIR: sqlite.dir });
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('postgres://');
    const fromPostgres = runCli(['store', 'copy', '--to', database.url], postgres);
    expect(fromPostgres.code).toBe(2);
    expect(fromPostgres.stderr).toContain('SANKSI_EVENT_STORE=sqlite');
  });

  it('given a database that does not answer, when copied into, then it fails as unavailable without echoing a password', () => {
    const copy = runCli(['store', 'copy', '--to', 'postgres://someone:hunter2@127.0.0.1:1/none'], {
      SANKSI_DATA_DIR: sqlite.dir,
    });
    expect(copy.code).toBe(7);
    expect(copy.stderr).toContain('nothing was committed');
    expect(`${copy.stdout}${copy.stderr}`).not.toContain('hunter2');
  });
});
