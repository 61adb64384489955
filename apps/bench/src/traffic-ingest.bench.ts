// Traffic ingest from a file (issue 14): a CSV of Zipf-like observations read line by line, every row
// validated (host-name normaliser, period, counts), deduplicated and appended as TrafficObserved facts in
// batches — beside the raw limit of the same driver measured in the same run: plain better-sqlite3 INSERTs
// of the very same rows (each observation's JSON, the batch's metadata JSON, a UUID, one traffic stream)
// into the events table (the store's DDL), in transactions of the same size, with nothing else done.
// Then the traffic projection of those facts into traffic_observations. BENCH_TRAFFIC_ROWS (default
// 1,000,000) times BENCH_SCALE; BENCH_TRAFFIC_BATCH (default 5,000) rows per append.
import { ManualClock, parseTrafficLines, TrafficIngestService } from '@sanksi/application';
import { createEventStore, sqliteMigrations } from '@sanksi/event-store';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { createReadModelStore, Projector } from '@sanksi/read-models';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const SCALE = Math.max(0.001, Number(process.env.BENCH_SCALE ?? '1'));
const ROWS = Math.max(1000, Math.round(Number(process.env.BENCH_TRAFFIC_ROWS ?? '1000000') * SCALE));
const BATCH = Math.max(100, Number(process.env.BENCH_TRAFFIC_BATCH ?? '5000'));
/** The goal of issue 14: at least this many rows a second from a file. */
const GOAL = 50_000;

/** The observation of row `i`: domain d<i>.example at rank i with 50,000,000 / i visits, one month, one source. */
const observation = (i: number) => ({
  domain: `d${i}.example`,
  period: '2022-07',
  visits: Math.max(1, Math.floor(50_000_000 / i)),
  rank: i,
  source: 'bench',
});

/** A CSV of `rows` observations. */
function writeTrafficFile(file: string, rows: number): void {
  const lines = ['domain,period,visits,rank,source'];
  for (let i = 1; i <= rows; i++) {
    const o = observation(i);
    lines.push(`${o.domain},${o.period},${o.visits},${o.rank},${o.source}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * The driver's own limit for these rows: INSERTs of the same facts (data JSON per row, metadata JSON once
 * per transaction, a UUID per row) into a file with the store's DDL, WAL and synchronous NORMAL as the
 * store has them, `batch` rows a transaction. No reading, validation, dedupe or ids by key.
 */
function rawTrafficInserts(file: string, rows: number, batch: number): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    for (const m of sqliteMigrations) db.exec(m.sql);
    const insert = db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, category, schema_version, data, metadata, created_at)
       VALUES ('traffic-bench-2022-07', ?, ?, 'TrafficObserved', 'traffic', 1, ?, ?, ?)`,
    );
    const append = db.transaction((from: number, to: number) => {
      const metadata = JSON.stringify({
        recordedAt: '2022-08-05T00:00:00.000Z',
        actor: { id: 'bench', role: 'admin' },
        correlationId: null,
      });
      const createdAt = new Date().toISOString();
      for (let i = from; i < to; i++)
        insert.run(i - 1, randomUUID(), JSON.stringify(observation(i)), metadata, createdAt);
    });
    for (let from = 1; from <= rows; from += batch) append(from, Math.min(rows + 1, from + batch));
  } finally {
    db.close();
  }
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} rows/s`.padStart(16);

/** Prints file ingest and projection rates beside the raw insert limit of the same run, and the goal. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-traffic-'));
  try {
    const file = path.join(dir, 'traffic.csv');
    writeTrafficFile(file, ROWS);
    console.log(
      `  ${ROWS.toLocaleString('en-US')} rows (${(statSync(file).size / 1e6).toFixed(1)} MB CSV), appends of ${BATCH} (BENCH_TRAFFIC_BATCH), SQLite, synchronous NORMAL`,
    );
    const store = createEventStore({ kind: 'sqlite', file: path.join(dir, 'events.db') });
    const ingest = new TrafficIngestService(store, new ManualClock('2022-08-05T00:00:00Z'), {
      batchSize: BATCH,
    });
    let recorded = 0;
    const ingestSeconds = await seconds(async () => {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      const report = await ingest.ingest(parseTrafficLines(lines, 'csv'), {
        actor: { id: 'bench', role: 'admin' },
      });
      recorded = report.recorded;
      if (report.rejected > 0 || report.recorded !== ROWS)
        throw new Error(`ingest recorded ${report.recorded} of ${ROWS}`);
    });

    const rawSeconds = await seconds(async () => rawTrafficInserts(path.join(dir, 'raw.db'), ROWS, BATCH));

    const readModels = createReadModelStore({ kind: 'sqlite', file: path.join(dir, 'read-models.db') });
    await readModels.migrate();
    const projector = new Projector({
      source: store,
      store: readModels,
      projection: 'traffic',
      batchSize: BATCH,
    });
    let projected = 0;
    const projectSeconds = await seconds(async () => {
      projected = (await projector.runOnce()).applied;
    });
    await readModels.close();
    await store.close();

    const ratio = recorded / ingestSeconds / (ROWS / rawSeconds);
    console.log(
      `  ${'file ingest'.padEnd(34)} ${rate(recorded, ingestSeconds)}  (goal ${GOAL.toLocaleString('en-US')} rows/s: ${recorded / ingestSeconds >= GOAL ? 'met' : 'NOT met'})`,
    );
    console.log(`  ${'raw INSERTs, same rows and batches'.padEnd(34)} ${rate(ROWS, rawSeconds)}`);
    console.log(`  ${'ingest / raw'.padEnd(34)} ${ratio.toFixed(2).padStart(16)}`);
    console.log(`  ${'traffic projection'.padEnd(34)} ${rate(projected, projectSeconds)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
