// Event store throughput against the raw limit of the same driver, same durability, same machine,
// same run: see docs/storage.md for what each line means. Scale with BENCH_SCALE (default 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresEventStore, SqliteEventStore, WalCheckpointer, type EventStore } from '@sanksi/event-store';
import { createTemporaryPostgresDatabase } from '@sanksi/testing';
import { Client } from 'pg';
import {
  benchSizes,
  storeBatchedAppends,
  storeReadAll,
  storeSingleAppends,
} from './event-store/bench-workload';
import {
  addSpent,
  backendsOf,
  postgresCpuProbe,
  processCpuProbe,
  spent,
  type CpuProbe,
  type CpuSpent,
} from './event-store/cpu-meter';
import { rawPostgres, rawSqlite, type RawDriver } from './event-store/raw-drivers';

interface Line extends Sides {
  backend: string;
  scenario: string;
}

/** Events per second of each side, and CPU per event in nanoseconds (client, and server when readable). */
interface Sides {
  store: number;
  raw: number;
  storeCpu: CpuSpent;
  rawCpu: CpuSpent;
}

/** How each side's CPU is read: the store's and the raw driver's (their server processes differ). */
interface Probes {
  store: CpuProbe;
  raw: CpuProbe;
  /**
   * Waits, after each of the store's slices, for work the store left to a thread of its own (SQLite's log
   * copied back by the checkpoint thread): outside the slice's wall clock — its writer does not wait for
   * it either — but inside its CPU, and never inside the raw side's next slice.
   */
  settleStore?: () => Promise<void>;
}

const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? '6'));
/**
 * The single-writer line of an fsync-bound backend waits on one WAL flush per append, so one slow
 * flush queue moves a short run: it gets more slices (the two sides' slices interleaved) and more events.
 */
const FSYNC_BOUND_SINGLE_SLICES = Math.max(SLICES, Number(process.env.BENCH_SINGLE_SLICES ?? '12'));

const ZERO: CpuSpent = { client: 0, server: 0 };

async function withCpu(
  probe: CpuProbe,
  work: () => Promise<void>,
  settle?: () => Promise<void>,
): Promise<{ seconds: number; cpu: CpuSpent }> {
  const before = await probe();
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await settle?.();
  return { seconds, cpu: spent(before, await probe()) };
}

/**
 * Runs the store and the raw driver in alternating slices and compares total events over total
 * time: the machine is shared, so both sides must live through the same noise. CPU per event (this
 * process, and the database server's processes when it runs here) is summed over the same slices.
 */
async function compare(
  events: number,
  slices: number,
  probes: Probes,
  storeSlice: (slice: number, count: number) => Promise<void>,
  rawSlice: (slice: number, count: number) => Promise<void>,
): Promise<Sides> {
  const count = Math.max(1, Math.round(events / slices));
  let storeSeconds = 0;
  let rawSeconds = 0;
  let storeCpu = ZERO;
  let rawCpu = ZERO;
  for (let slice = 0; slice < slices; slice++) {
    const s = await withCpu(probes.store, () => storeSlice(slice, count), probes.settleStore);
    storeSeconds += s.seconds;
    storeCpu = addSpent(storeCpu, s.cpu);
    const r = await withCpu(probes.raw, () => rawSlice(slice, count));
    rawSeconds += r.seconds;
    rawCpu = addSpent(rawCpu, r.cpu);
  }
  const events_ = count * slices;
  return {
    store: events_ / storeSeconds,
    raw: events_ / rawSeconds,
    storeCpu: perEvent(storeCpu, events_),
    rawCpu: perEvent(rawCpu, events_),
  };
}

function perEvent(c: CpuSpent, events: number): CpuSpent {
  return { client: c.client / events, server: c.server === null ? null : c.server / events };
}

async function measure(
  backend: string,
  store: EventStore,
  raw: RawDriver,
  fsyncBound: boolean,
  probes: Probes,
  lines: Line[],
): Promise<void> {
  const s = benchSizes(fsyncBound);
  const add = (scenario: string, result: Sides): void => {
    lines.push({ backend, scenario, ...result });
    console.log(
      `  ${backend.padEnd(14)} ${scenario.padEnd(46)} ${fmt(result.store)} ${fmt(result.raw)} ${(result.store / result.raw).toFixed(2)}` +
        `   ${cpu(result.storeCpu)} ${cpu(result.rawCpu)} ${(total(result.rawCpu) / total(result.storeCpu)).toFixed(2)}`,
    );
  };
  // Warm-up: statement preparation, connection set-up and JIT out of the measured runs.
  await storeSingleAppends(store, 'warm', 200, 2);
  await raw.singleRows(200, 2);

  const singleSlices = fsyncBound ? FSYNC_BOUND_SINGLE_SLICES : SLICES;
  add(
    `append 1 event/call, 1 writer (${singleSlices} slices)`,
    await compare(
      s.singleAppends,
      singleSlices,
      probes,
      (i, n) => storeSingleAppends(store, `one${i}`, n, 1),
      (_i, n) => raw.singleRows(n, 1),
    ),
  );
  // The raw side has no group commit: one row per transaction is its best for independent writes.
  add(
    `append 1 event/call, ${s.writers} writers (raw: 1 row/tx)`,
    await compare(
      s.concurrentAppends,
      SLICES,
      probes,
      (i, n) => storeSingleAppends(store, `many${i}`, n, s.writers),
      (_i, n) => raw.singleRows(n, s.writers),
    ),
  );
  add(
    `append ${s.batchSize} events/call (raw: ${s.batchSize} rows/tx)`,
    await compare(
      s.batches * s.batchSize,
      SLICES,
      probes,
      (i, n) =>
        storeBatchedAppends(store, `batch${i}`, Math.max(1, Math.round(n / s.batchSize)), s.batchSize),
      (_i, n) => raw.batchedRows(Math.max(1, Math.round(n / s.batchSize)), s.batchSize),
    ),
  );
  const totals = {
    store: { count: 0, seconds: 0, cpu: ZERO },
    raw: { count: 0, seconds: 0, cpu: ZERO },
  };
  for (let round = 0; round < 3; round++) {
    for (const [side, read] of [
      ['store', () => storeReadAll(store)],
      ['raw', () => raw.readAll()],
    ] as const) {
      let count = 0;
      const { seconds, cpu: used } = await withCpu(
        probes[side],
        async () => {
          count = await read();
        },
        side === 'store' ? probes.settleStore : undefined,
      );
      totals[side].count += count;
      totals[side].seconds += seconds;
      totals[side].cpu = addSpent(totals[side].cpu, used);
    }
  }
  add(`readAll, pages of 1000 (${Math.round(totals.store.count / 3000)}k rows, 3 rounds)`, {
    store: totals.store.count / totals.store.seconds,
    raw: totals.raw.count / totals.raw.seconds,
    storeCpu: perEvent(totals.store.cpu, totals.store.count),
    rawCpu: perEvent(totals.raw.cpu, totals.raw.count),
  });
}

/** Client plus server CPU per event, in nanoseconds (the server's share counts as 0 when unknown). */
function total(c: CpuSpent): number {
  return c.client + (c.server ?? 0);
}

/** `12.3+45.6`: client + server CPU per event in µs (`?` for the server when not readable). */
function cpu(c: CpuSpent): string {
  const us = (ns: number): string => (ns / 1000).toFixed(1);
  return `${us(c.client)}+${c.server === null ? '?' : us(c.server)}`.padStart(13);
}

function fmt(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`.padStart(12);
}

/** Prints the event store benchmark table (SQLite NORMAL and FULL, PostgreSQL) with ratios to raw. */
export async function run(): Promise<void> {
  const lines: Line[] = [];
  console.log(
    `  store and raw alternate in ${SLICES} slices per line (BENCH_SLICES; single-writer lines of fsync-bound stores: ${FSYNC_BOUND_SINGLE_SLICES}, BENCH_SINGLE_SLICES); counts scaled by BENCH_SCALE=${process.env.BENCH_SCALE ?? '1'}\n` +
      `  CPU per event in µs, client (this process) + server (PostgreSQL backends' /proc/<pid>/schedstat; ? when not readable); cpu ratio = raw/store\n` +
      `  ${'backend'.padEnd(14)} ${'scenario'.padEnd(46)} ${'store'.padStart(12)} ${'raw'.padStart(12)} ratio   ${'cpu store'.padStart(13)} ${'cpu raw'.padStart(13)} cpu ratio`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-es-'));
  // The store's log copied back on a thread (the default) or inside its commits, as the product's setting.
  const checkpoints = process.env.SANKSI_SQLITE_CHECKPOINTS === 'inline' ? 'inline' : 'thread';
  console.log(
    `  SQLite store's checkpoints: ${checkpoints} (SANKSI_SQLITE_CHECKPOINTS); raw: SQLite's own, inline`,
  );
  try {
    for (const synchronous of ['NORMAL', 'FULL'] as const) {
      const file = path.join(dir, `store-${synchronous}.db`);
      const store = new SqliteEventStore({ file, synchronous, checkpoints });
      const checkpointer = WalCheckpointer.forFile(file, () => undefined);
      const probes: Probes = {
        store: processCpuProbe,
        raw: processCpuProbe,
        settleStore: () => checkpointer.whenIdle(),
      };
      const raw = rawSqlite(path.join(dir, `raw-${synchronous}.db`), synchronous);
      try {
        await measure(`sqlite ${synchronous}`, store, raw, synchronous === 'FULL', probes, lines);
      } finally {
        await checkpointer.close();
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
      // Reads which backends serve each side; its own backend's work is on neither side.
      const monitor = new Client({
        connectionString: database.url,
        application_name: 'sanksi-bench-monitor',
      });
      await monitor.connect();
      try {
        const probes: Probes = {
          store: postgresCpuProbe(database.url, () => backendsOf(monitor, 'sanksi-event-store')),
          raw: postgresCpuProbe(database.url, async () => raw.serverPids()),
        };
        await measure('postgres', store, raw, true, probes, lines);
      } finally {
        await monitor.end();
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
  const worstCpu = lines
    .filter((l) => !l.scenario.includes('writers'))
    .reduce((min, l) => Math.min(min, total(l.rawCpu) / total(l.storeCpu)), Infinity);
  console.log(`  lowest store/raw ratio outside the concurrent lines: ${worst.toFixed(2)} (goal >= 0.80)`);
  console.log(
    `  lowest CPU ratio (raw/store CPU per event) outside the concurrent lines: ${worstCpu.toFixed(2)}`,
  );
}
