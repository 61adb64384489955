// Traffic ingest from a file (issue 14): a CSV of Zipf-like observations read line by line, every row
// validated (host-name normaliser, period, counts), deduplicated and appended as TrafficObserved facts in
// batches — beside the raw limit of the same driver measured in the same run: plain better-sqlite3 INSERTs
// of the very same rows (each observation's JSON, the batch's metadata JSON, a UUID, one traffic stream)
// into the events table (the store's DDL), in transactions of the same size, with nothing else done.
// Then the traffic projection of those facts into traffic_observations. BENCH_TRAFFIC_ROWS (default
// 1,000,000) times BENCH_SCALE; BENCH_TRAFFIC_BATCH (default 5,000) rows per append; BENCH_SLICES (default
// 5) files, ingest and raw alternating file by file into the same stream and the same raw table.
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
const SLICES = Math.max(1, Math.round(Number(process.env.BENCH_SLICES ?? '5')));
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

/** A CSV of observations `from` to `to` (inclusive). */
function writeTrafficFile(file: string, from: number, to: number): void {
  const lines = ['domain,period,visits,rank,source'];
  for (let i = from; i <= to; i++) {
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
function openRawTraffic(file: string): {
  insert(from: number, to: number, batch: number): void;
  close(): void;
} {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const m of sqliteMigrations) db.exec(m.sql);
  const statement = db.prepare(
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
      statement.run(i - 1, randomUUID(), JSON.stringify(observation(i)), metadata, createdAt);
  });
  return {
    insert(from, to, batch) {
      for (let start = from; start <= to; start += batch) append(start, Math.min(to + 1, start + batch));
    },
    close: () => db.close(),
  };
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
    // The rows in slices, each its own file (the same stream: one source, one month): ingest and raw
    // alternate slice by slice, so both see the same machine load (a shared machine's load moves more
    // between two phases than the code does).
    const slices = Array.from({ length: SLICES }, (_, k) => {
      const from = Math.floor((k * ROWS) / SLICES) + 1;
      const to = Math.floor(((k + 1) * ROWS) / SLICES);
      const file = path.join(dir, `traffic-${k}.csv`);
      writeTrafficFile(file, from, to);
      return { from, to, file };
    });
    const bytes = slices.reduce((n, s) => n + statSync(s.file).size, 0);
    console.log(
      `  ${ROWS.toLocaleString('en-US')} rows (${(bytes / 1e6).toFixed(1)} MB CSV in ${SLICES} files, BENCH_SLICES, ingest and raw alternating), appends of ${BATCH} (BENCH_TRAFFIC_BATCH), SQLite, synchronous NORMAL`,
    );
    const store = createEventStore({ kind: 'sqlite', file: path.join(dir, 'events.db') });
    const ingest = new TrafficIngestService(store, new ManualClock('2022-08-05T00:00:00Z'), {
      batchSize: BATCH,
    });
    const raw = openRawTraffic(path.join(dir, 'raw.db'));
    let recorded = 0;
    let ingestSeconds = 0;
    let rawSeconds = 0;
    for (const slice of slices) {
      ingestSeconds += await seconds(async () => {
        const lines = createInterface({ input: createReadStream(slice.file), crlfDelay: Infinity });
        const report = await ingest.ingest(parseTrafficLines(lines, 'csv'), {
          actor: { id: 'bench', role: 'admin' },
        });
        recorded += report.recorded;
        if (report.rejected > 0 || report.recorded !== slice.to - slice.from + 1)
          throw new Error(`ingest recorded ${report.recorded} of ${slice.to - slice.from + 1}`);
      });
      rawSeconds += await seconds(async () => raw.insert(slice.from, slice.to, BATCH));
    }
    raw.close();

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
