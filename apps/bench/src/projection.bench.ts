// Projection throughput against the raw write limit of the same driver, database and batch sizes,
// in the same run: the projector's path (parse the envelope, load the touched rows, fold, upsert,
// move the checkpoint, one transaction per batch) beside plain INSERTs of exactly the rows it wrote,
// into copies of the same tables with the same indexes (not unique), same durability and batches. Scale with BENCH_SCALE (default 1 = 2,000 cases).
import { createTemporaryPostgresDatabase } from '@sanksi/testing';
import {
  advanceContext,
  type BatchContext,
  createReadModelStore,
  planBatch,
  PROJECTED_TABLES,
  type ReadModelEvent,
  type ReadModelStore,
  type SourceEvent,
  type SqlWrite,
  toReadModelEvent,
  toSqlWrites,
} from '@sanksi/read-models';
import { GlobalLog } from '@sanksi/read-models/testing';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

const SCALE = Math.max(0.05, Number(process.env.BENCH_SCALE ?? '1'));
const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? '6'));
const BATCH = Math.max(1, Number(process.env.BENCH_PROJECTION_BATCH ?? '500'));

/** A population walking the 2022 ladder, interleaved across cases as a real log would be. */
function population(cases: number): SourceEvent[] {
  const log = new GlobalLog();
  const histories = Array.from({ length: cases }, (_, i) =>
    log.case(`pse-${i}`, {
      name: `System ${i}`,
      domains: [`s${i}.example`, `www.s${i}.example`],
      origin: i % 3 === 0 ? 'domestic' : 'foreign',
    }),
  );
  const day = (d: number, i: number) => new Date(Date.UTC(2022, 6, 1 + d, 2, i % 60)).toISOString();
  const steps: Array<(c: (typeof histories)[number], i: number) => void> = [
    (c, i) => c.identified(day(0, i)),
    (c, i) => c.warned(day(20, i), `B-${i}/2022`, day(27, i)),
    (c, i) => c.deadlineElapsed(day(28, i), ['BlockAccess']),
    (c, i) => c.blocked(day(29, i), `ORD-${i}/2022`),
    (c, i) => (i % 4 === 0 ? c.temporarilyRestored(day(30, i), day(35, i)) : c.submitted(day(30, i), 'oss')),
    (c, i) =>
      i % 4 === 0
        ? c.reBlocked(day(36, i))
        : c.confirmed(day(37, i), `${String(i).padStart(6, '0')}.01/DJAI.PSE/08/2022`, true),
    (c, i) =>
      i % 5 === 0
        ? c.fined(day(60, i), `F-${i}`, 1_000_000, day(90, i))
        : c.profileUpdated(day(60, i), [`s${i}.example`]),
    (c, i) =>
      i % 5 === 0
        ? c.paid(day(80, i), `F-${i}`, 1_000_000)
        : c.profileUpdated(day(80, i), [`s${i}.example`, `m.s${i}.example`]),
  ];
  for (const step of steps) histories.forEach((c, i) => step(c, i));
  return log.all();
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Each batch's write plan, computed once and untimed: the raw side inserts exactly these rows. */
function writePlans(batches: readonly SourceEvent[][]): SqlWrite[][] {
  let context: BatchContext = {
    summaries: new Map(),
    blocklist: new Map(),
    registry: new Map(),
    warningToRegistration: new Map(),
    fines: new Map(),
    deadlines: new Map(),
  };
  return batches.map((batch) => {
    const changes = planBatch(context, batch.map(toReadModelEvent));
    context = advanceContext(context, changes);
    return toSqlWrites(changes);
  });
}

interface RawTarget {
  /** Inserts one batch's rows in one transaction: no reads, no deletes, no conflict handling. */
  insertBatch(writes: readonly SqlWrite[]): Promise<void>;
  close(): Promise<void>;
}

// The raw tables carry the same indexes as the read model (the analysts' queries and the API need
// them), but none unique: a plain INSERT of a row the projection upserts would otherwise conflict.
// Rows the projection updates in place therefore pile up in raw tables, which only makes raw slower.

function rawSqlite(file: string): RawTarget {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  for (const t of PROJECTED_TABLES) {
    db.exec(`CREATE TABLE raw_${t} AS SELECT * FROM ${t} WHERE 0`);
    const indexes = db.prepare<[], { name: string }>(`SELECT name FROM pragma_index_list('${t}')`).all();
    for (const { name } of indexes) {
      // Key columns with their collation; an expression key (name null, `lower(name)` …) is read from the
      // index's own SQL, which pragma_index_xinfo does not give.
      const keys = db
        .prepare<
          [string],
          { name: string | null; coll: string; desc: number }
        >(`SELECT name, coll, desc FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`)
        .all(name);
      const own = db
        .prepare<
          [string],
          { sql: string | null }
        >(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`)
        .get(name);
      const columns =
        keys.every((k) => k.name !== null) || !own?.sql
          ? keys.map((k) => `${k.name} COLLATE ${k.coll}${k.desc ? ' DESC' : ''}`).join(', ')
          : own.sql.slice(own.sql.indexOf('(') + 1, own.sql.lastIndexOf(')'));
      db.exec(`CREATE INDEX raw_${name} ON raw_${t} (${columns})`);
    }
  }
  const statements = new Map<string, Database.Statement<unknown[]>>();
  const insert = db.transaction((writes: readonly SqlWrite[]) => {
    for (const w of writes) {
      if (w.kind !== 'insert') continue;
      const sql = `INSERT INTO raw_${w.table} (${w.columns.join(', ')}) VALUES (${w.columns.map(() => '?').join(', ')})`;
      let s = statements.get(sql);
      if (!s) statements.set(sql, (s = db.prepare<unknown[]>(sql)));
      for (const r of w.rows) s.run(...r);
    }
  });
  return {
    insertBatch: async (writes) => insert(writes),
    close: async () => {
      db.close();
    },
  };
}

async function rawPostgres(connectionString: string, schema: string): Promise<RawTarget> {
  const client = new Client({ connectionString, options: `-c search_path=${schema}` });
  await client.connect();
  const types = new Map<string, Map<string, string>>();
  for (const t of PROJECTED_TABLES) {
    await client.query(`CREATE TABLE raw_${t} (LIKE ${t})`);
    const indexes = await client.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`,
      [schema, t],
    );
    for (const { indexdef } of indexes.rows) {
      await client.query(
        indexdef
          .replace(/^CREATE UNIQUE INDEX /, 'CREATE INDEX ')
          .replace(/^CREATE INDEX (\S+) ON (\S+\.)?(\S+) /, 'CREATE INDEX raw_$1 ON raw_$3 '),
      );
    }
    const columns = await client.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
       WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
      [t],
    );
    types.set(t, new Map(columns.rows.map((c) => [c.name, c.type])));
  }
  return {
    async insertBatch(writes) {
      await client.query('BEGIN');
      for (const w of writes) {
        if (w.kind !== 'insert') continue;
        // The same statement shape as the store's PostgreSQL client: one typed array per column,
        // unnested, prepared once per connection.
        const typed = types.get(w.table);
        const text =
          `INSERT INTO raw_${w.table} (${w.columns.join(', ')}) SELECT * FROM unnest(` +
          `${w.columns.map((c, j) => `$${j + 1}::${typed?.get(c) ?? 'text'}[]`).join(', ')})`;
        await client.query({
          name: `raw_${w.table}_${w.columns.length}`,
          text,
          values: w.columns.map((_, j) => w.rows.map((r) => r[j])),
        });
      }
      await client.query('COMMIT');
    },
    close: () => client.end(),
  };
}

/** Wall-clock seconds and this process's CPU seconds (user + system) of one piece of work. */
async function timed(work: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

/** Alternates projection and raw slices so both live through the same machine noise. */
async function measure(
  label: string,
  store: ReadModelStore,
  raw: RawTarget,
  batches: SourceEvent[][],
  plans: SqlWrite[][],
): Promise<number> {
  const perSlice = Math.ceil(batches.length / SLICES);
  let position = 0;
  let projected = 0;
  let rawSeconds = 0;
  // On a loaded machine wall-clock rates follow the load; CPU per event follows the work (for SQLite all
  // of it is in this process; PostgreSQL's server CPU is not counted here).
  let projectedCpu = 0;
  let rawCpu = 0;
  let events = 0;
  for (let s = 0; s < SLICES; s++) {
    const from = s * perSlice;
    const to = Math.min(batches.length, from + perSlice);
    if (from >= to) break;
    const projection = await timed(async () => {
      for (const batch of batches.slice(from, to)) {
        // What the projector does with a page of the log: parse every envelope, then one transaction.
        const parsed: ReadModelEvent[] = batch.map(toReadModelEvent);
        const last = parsed[parsed.length - 1] as ReadModelEvent;
        await store.applyBatch(parsed, { expectedPosition: position, toPosition: last.position });
        position = last.position;
      }
    });
    const rawRun = await timed(async () => {
      for (const writes of plans.slice(from, to)) await raw.insertBatch(writes);
    });
    projected += projection.wall;
    projectedCpu += projection.cpu;
    rawSeconds += rawRun.wall;
    rawCpu += rawRun.cpu;
    events += batches.slice(from, to).reduce((n, b) => n + b.length, 0);
  }
  const projection = events / projected;
  const limit = events / rawSeconds;
  const rows = plans.flat().reduce((n, w) => n + (w.kind === 'insert' ? w.rows.length : 0), 0);
  console.log(
    `  ${label.padEnd(10)} ${events.toLocaleString('en-US').padStart(8)} events ${rows.toLocaleString('en-US').padStart(8)} rows ` +
      `${fmt(projection)} ${fmt(limit)}   ${(projection / limit).toFixed(2)}   ` +
      `CPU ${((projectedCpu / events) * 1e6).toFixed(1)} vs ${((rawCpu / events) * 1e6).toFixed(1)} µs/event: ${(rawCpu / projectedCpu).toFixed(2)}`,
  );
  return projection / limit;
}

function fmt(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')} ev/s`.padStart(14);
}

/** Prints projection throughput on SQLite and PostgreSQL read models beside the raw insert limit, as a ratio. */
export async function run(): Promise<void> {
  const cases = Math.round(2000 * SCALE);
  const events = population(cases);
  const batches = chunk(events, BATCH);
  const plans = writePlans(batches);
  console.log(
    `  ${cases.toLocaleString('en-US')} cases, batches of ${BATCH} (BENCH_PROJECTION_BATCH), ${SLICES} alternating slices (BENCH_SLICES)\n` +
      `  raw inserts: the same rows into tables with the same indexes (none unique), no reads, no upserts\n` +
      `  ${'backend'.padEnd(10)} ${'events'.padStart(15)} ${'rows'.padStart(13)} ${'projection'.padStart(14)} ${'raw inserts'.padStart(14)}   ratio   CPU in this process: projection vs raw, ratio`,
  );

  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-rm-'));
  try {
    const file = path.join(dir, 'read-models.db');
    const store = createReadModelStore({ kind: 'sqlite', file });
    await store.migrate();
    const raw = rawSqlite(file);
    try {
      await measure('sqlite', store, raw, batches, plans);
    } finally {
      await raw.close();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (process.env.BENCH_SKIP_POSTGRES === '1') {
    console.log('  postgres: skipped (BENCH_SKIP_POSTGRES=1)');
    return;
  }
  const database = await createTemporaryPostgresDatabase('sanksi_bench_rm');
  try {
    const schema = 'read_models';
    const store = createReadModelStore({
      kind: 'postgres',
      connectionString: database.url,
      schema,
    });
    await store.migrate();
    const raw = await rawPostgres(database.url, schema);
    try {
      await measure('postgres', store, raw, batches, plans);
    } finally {
      await raw.close();
      await store.close();
    }
  } finally {
    await database.drop();
  }
}
