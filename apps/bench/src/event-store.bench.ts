// Event store throughput against the raw limit of the same driver, same durability, same machine,
// same run: see docs/storage.md for what each line means. Scale with BENCH_SCALE (default 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresEventStore, SqliteEventStore, type EventStore } from '@sanksi/event-store';
import { createTemporaryPostgresDatabase } from '@sanksi/testing';
import {
  benchSizes,
  rate,
  storeBatchedAppends,
  storeReadAll,
  storeSingleAppends,
} from './event-store/bench-workload';
import { rawPostgres, rawSqlite, type RawDriver } from './event-store/raw-drivers';

interface Line {
  backend: string;
  scenario: string;
  store: number;
  raw: number;
}

const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? '6'));

/**
 * Runs the store and the raw driver in alternating slices and compares total events over total
 * time: the machine is shared, so both sides must live through the same noise.
 */
async function compare(
  events: number,
  storeSlice: (slice: number, count: number) => Promise<void>,
  rawSlice: (slice: number, count: number) => Promise<void>,
): Promise<{ store: number; raw: number }> {
  const count = Math.max(1, Math.round(events / SLICES));
  let storeSeconds = 0;
  let rawSeconds = 0;
  for (let slice = 0; slice < SLICES; slice++) {
    storeSeconds += count / (await rate(count, () => storeSlice(slice, count)));
    rawSeconds += count / (await rate(count, () => rawSlice(slice, count)));
  }
  return { store: (count * SLICES) / storeSeconds, raw: (count * SLICES) / rawSeconds };
}

async function timedRead(read: () => Promise<number>): Promise<{ count: number; seconds: number }> {
  const start = process.hrtime.bigint();
  const count = await read();
  return { count, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function measure(
  backend: string,
  store: EventStore,
  raw: RawDriver,
  fsyncBound: boolean,
  lines: Line[],
): Promise<void> {
  const s = benchSizes(fsyncBound);
  const add = (scenario: string, result: { store: number; raw: number }): void => {
    lines.push({ backend, scenario, ...result });
    console.log(
      `  ${backend.padEnd(14)} ${scenario.padEnd(42)} ${fmt(result.store)} ${fmt(result.raw)} ${(result.store / result.raw).toFixed(2)}`,
    );
  };
  // Warm-up: statement preparation, connection set-up and JIT out of the measured runs.
  await storeSingleAppends(store, 'warm', 200, 2);
  await raw.singleRows(200, 2);

  add(
    'append 1 event/call, 1 writer',
    await compare(
      s.singleAppends,
      (i, n) => storeSingleAppends(store, `one${i}`, n, 1),
      (_i, n) => raw.singleRows(n, 1),
    ),
  );
  // The raw side has no group commit: one row per transaction is its best for independent writes.
  add(
    `append 1 event/call, ${s.writers} writers (raw: 1 row/tx)`,
    await compare(
      s.concurrentAppends,
      (i, n) => storeSingleAppends(store, `many${i}`, n, s.writers),
      (_i, n) => raw.singleRows(n, s.writers),
    ),
  );
  add(
    `append ${s.batchSize} events/call (raw: ${s.batchSize} rows/tx)`,
    await compare(
      s.batches * s.batchSize,
      (i, n) =>
        storeBatchedAppends(store, `batch${i}`, Math.max(1, Math.round(n / s.batchSize)), s.batchSize),
      (_i, n) => raw.batchedRows(Math.max(1, Math.round(n / s.batchSize)), s.batchSize),
    ),
  );
  const totals = { store: { count: 0, seconds: 0 }, raw: { count: 0, seconds: 0 } };
  for (let round = 0; round < 3; round++) {
    for (const [side, read] of [
      ['store', () => storeReadAll(store)],
      ['raw', () => raw.readAll()],
    ] as const) {
      const { count, seconds } = await timedRead(read);
      totals[side].count += count;
      totals[side].seconds += seconds;
    }
  }
  add(`readAll, pages of 1000 (${Math.round(totals.store.count / 3000)}k rows, 3 rounds)`, {
    store: totals.store.count / totals.store.seconds,
    raw: totals.raw.count / totals.raw.seconds,
  });
}

function fmt(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`.padStart(12);
}

/** Prints the event store benchmark table (SQLite NORMAL and FULL, PostgreSQL) with ratios to raw. */
export async function run(): Promise<void> {
  const lines: Line[] = [];
  console.log(
    `  store and raw alternate in ${SLICES} slices per line (BENCH_SLICES); counts scaled by BENCH_SCALE=${process.env.BENCH_SCALE ?? '1'}\n` +
      `  ${'backend'.padEnd(14)} ${'scenario'.padEnd(42)} ${'store'.padStart(12)} ${'raw'.padStart(12)} ratio`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-es-'));
  try {
    for (const synchronous of ['NORMAL', 'FULL'] as const) {
      const store = new SqliteEventStore({ file: path.join(dir, `store-${synchronous}.db`), synchronous });
      const raw = rawSqlite(path.join(dir, `raw-${synchronous}.db`), synchronous);
      try {
        await measure(`sqlite ${synchronous}`, store, raw, synchronous === 'FULL', lines);
      } finally {
        await store.close();
        await raw.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (process.env.BENCH_SKIP_POSTGRES === '1') {
    console.log('  postgres: skipped (BENCH_SKIP_POSTGRES=1)');
  } else {
    const database = await createTemporaryPostgresDatabase('sanksi_bench_es');
    try {
      const store = new PostgresEventStore({ connectionString: database.url });
      const raw = await rawPostgres(database.url, benchSizes(true).writers);
      try {
        await measure('postgres', store, raw, true, lines);
      } finally {
        await store.close();
        await raw.close();
      }
    } finally {
      await database.drop();
    }
  }
  const worst = lines
    .filter((l) => !l.scenario.includes('writers'))
    .reduce((min, l) => Math.min(min, l.store / l.raw), Infinity);
  console.log(`  lowest store/raw ratio outside the concurrent lines: ${worst.toFixed(2)} (goal >= 0.80)`);
}
