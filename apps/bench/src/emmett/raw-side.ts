// The raw driver limits: the same rows written by the bare driver with the same durability, doing
// only what any caller must (serialise JSON in, parse it out, one transaction per event; with the
// projection, load-fold-upsert the summary in that transaction), with no store around it. The table
// has only what the optimistic check needs (a unique stream and revision): no other index, no AUTOINCREMENT.
import type { CaseSummaryRow, SourceEvent } from '@sanksi/read-models';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { CaseStream, HistoryEvent } from './case-histories';
import type { Sqlite3Database } from './emmett-modules';
import { perWriter, Tally, timed, type BenchSide } from './side';
import { foldSummary, summaryTableSql } from './summary-projection';

const SQLITE_EVENTS = `CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
  event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
  UNIQUE (stream_id, revision))`;
const POSTGRES_EVENTS = `CREATE TABLE IF NOT EXISTS events (
  position BIGSERIAL PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
  event_id TEXT NOT NULL, type TEXT NOT NULL, data json NOT NULL, metadata json NOT NULL,
  UNIQUE (stream_id, revision))`;
const INSERT = 'INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES';
const UPSERT_SUMMARY = 'ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, position = excluded.position';

function source(streamId: string, revision: number, position: number, e: HistoryEvent): SourceEvent {
  return {
    eventId: '',
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    schemaVersion: 1,
    streamId,
    revision,
    position,
    createdAt: '',
  };
}

/** A raw side whose `write` stores one event (and with `projected`, its summary) in one transaction. */
function rawSide(
  write: (streamId: string, revision: number, e: HistoryEvent, writer: number) => Promise<void>,
  read: (streamId: string) => Promise<number>,
  close: () => Promise<void>,
): BenchSide {
  return {
    append: (streams, writers) =>
      timed(async () => {
        const tally = new Tally();
        const writerOf = new Map(streams.map((s, i) => [s.streamId, i % writers]));
        await perWriter(streams, writers, async (stream: CaseStream) => {
          for (const [revision, e] of stream.events.entries()) {
            try {
              await write(stream.streamId, revision, e, writerOf.get(stream.streamId) ?? 0);
              tally.events++;
            } catch (error) {
              tally.fail(error);
              return;
            }
          }
        });
        return tally.result();
      }),
    readBack: (streams) =>
      timed(async () => {
        const tally = new Tally();
        for (const stream of streams) tally.events += await read(stream.streamId);
        return tally.result();
      }),
    close,
  };
}

/** Raw better-sqlite3 (Sanksi's driver) on a WAL file with the given `synchronous`. */
export function rawBetterSqlite(file: string, synchronous: 'NORMAL' | 'FULL', projected: boolean): BenchSide {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(SQLITE_EVENTS);
  db.exec(summaryTableSql('TEXT'));
  const insert = db.prepare(`${INSERT} (?, ?, ?, ?, ?, ?)`);
  const load = db.prepare<[string], { doc: string }>('SELECT doc FROM case_summaries WHERE id = ?');
  const upsert = db.prepare(
    `INSERT INTO case_summaries (id, doc, position) VALUES (?, ?, ?) ${UPSERT_SUMMARY}`,
  );
  const page = db.prepare<[string], { data: string; metadata: string }>(
    'SELECT * FROM events WHERE stream_id = ? ORDER BY revision',
  );
  const writeOne = (streamId: string, revision: number, e: HistoryEvent): void => {
    const { lastInsertRowid } = insert.run(
      streamId,
      revision,
      randomUUID(),
      e.type,
      JSON.stringify(e.data),
      JSON.stringify(e.metadata),
    );
    if (!projected) return;
    const found = load.get(streamId);
    const row = foldSummary(
      found ? (JSON.parse(found.doc) as CaseSummaryRow) : undefined,
      source(streamId, revision, Number(lastInsertRowid), e),
    );
    upsert.run(streamId, JSON.stringify(row), Number(lastInsertRowid));
  };
  const write = projected ? db.transaction(writeOne) : writeOne;
  return rawSide(
    async (streamId, revision, e) => write(streamId, revision, e),
    async (streamId) => {
      const rows = page.all(streamId);
      for (const r of rows) {
        JSON.parse(r.data);
        JSON.parse(r.metadata);
      }
      return rows.length;
    },
    async () => {
      db.close();
    },
  );
}

function promisify(db: Sqlite3Database) {
  const run = (sql: string, params: unknown[] = []): Promise<void> =>
    new Promise((resolve, reject) => db.run(sql, params, (error) => (error ? reject(error) : resolve())));
  const all = <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    new Promise((resolve, reject) =>
      db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))),
    );
  return { run, all };
}

/**
 * Raw `sqlite3` (Emmett's driver), one connection in WAL mode at SQLite's default `synchronous` (FULL,
 * as Emmett leaves it); transactions are serialised because one `sqlite3` connection cannot interleave them.
 */
export async function rawSqlite3(
  open: (file: string) => Sqlite3Database,
  file: string,
  projected: boolean,
): Promise<BenchSide> {
  const db = open(file);
  const { run, all } = promisify(db);
  await run('PRAGMA journal_mode = WAL');
  await run(SQLITE_EVENTS);
  await run(summaryTableSql('TEXT'));
  let queue: Promise<void> = Promise.resolve();
  const serially = (work: () => Promise<void>): Promise<void> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };
  const insertOne = (streamId: string, revision: number, e: HistoryEvent): Promise<void> =>
    run(`${INSERT} (?, ?, ?, ?, ?, ?)`, [
      streamId,
      revision,
      randomUUID(),
      e.type,
      JSON.stringify(e.data),
      JSON.stringify(e.metadata),
    ]);
  return rawSide(
    (streamId, revision, e) =>
      projected
        ? serially(async () => {
            await run('BEGIN IMMEDIATE');
            try {
              await insertOne(streamId, revision, e);
              const [{ position }] = await all<{ position: number }>(
                'SELECT last_insert_rowid() AS position',
              );
              const [found] = await all<{ doc: string }>('SELECT doc FROM case_summaries WHERE id = ?', [
                streamId,
              ]);
              const row = foldSummary(
                found ? (JSON.parse(found.doc) as CaseSummaryRow) : undefined,
                source(streamId, revision, position, e),
              );
              await run(`INSERT INTO case_summaries (id, doc, position) VALUES (?, ?, ?) ${UPSERT_SUMMARY}`, [
                streamId,
                JSON.stringify(row),
                position,
              ]);
              await run('COMMIT');
            } catch (error) {
              await run('ROLLBACK');
              throw error;
            }
          })
        : insertOne(streamId, revision, e),
    async (streamId) => {
      const rows = await all<{ data: string; metadata: string }>(
        'SELECT * FROM events WHERE stream_id = ? ORDER BY revision',
        [streamId],
      );
      for (const r of rows) {
        JSON.parse(r.data);
        JSON.parse(r.metadata);
      }
      return rows.length;
    },
    () => new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve()))),
  );
}

/** Raw pg (the driver of both stores on PostgreSQL), one connection per writer, default commit. */
export async function rawPostgres(
  connectionString: string,
  writers: number,
  projected: boolean,
): Promise<BenchSide> {
  const clients = await Promise.all(
    Array.from({ length: writers }, async () => {
      const c = new Client({ connectionString });
      await c.connect();
      return c;
    }),
  );
  await clients[0].query(POSTGRES_EVENTS);
  await clients[0].query(summaryTableSql('jsonb'));
  const insert = `${INSERT} ($1, $2, $3, $4, $5, $6) RETURNING position`;
  return rawSide(
    async (streamId, revision, e, writer) => {
      const client = clients[writer % clients.length];
      const values = [
        streamId,
        revision,
        randomUUID(),
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
      ];
      if (!projected) {
        await client.query({ name: 'raw-insert', text: insert, values });
        return;
      }
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<{ position: string }>({
          name: 'raw-insert',
          text: insert,
          values,
        });
        const position = Number(rows[0].position);
        const found = await client.query<{ doc: CaseSummaryRow }>({
          name: 'raw-load',
          text: 'SELECT doc FROM case_summaries WHERE id = $1',
          values: [streamId],
        });
        const row = foldSummary(found.rows[0]?.doc, source(streamId, revision, position, e));
        await client.query({
          name: 'raw-upsert',
          text: `INSERT INTO case_summaries (id, doc, position) VALUES ($1, $2, $3) ${UPSERT_SUMMARY}`,
          values: [streamId, JSON.stringify(row), position],
        });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    async (streamId) => {
      const { rows } = await clients[0].query({
        name: 'raw-read',
        text: 'SELECT * FROM events WHERE stream_id = $1 ORDER BY revision',
        values: [streamId],
      });
      return rows.length;
    },
    async () => {
      await Promise.all(clients.map((c) => c.end()));
    },
  );
}
