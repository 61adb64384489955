// The case orders paged to their end, in process (`ReadModelStore.listCases` by each order, `getEscalationQueue`
// oldest first): an export follows the cursor page after page, so a page must cost the same wherever it falls. The
// population shares its keys as a national one does — nine cases in ten unregistered, one policy, most without a
// deadline or a fine, half awaiting an operator since one of ten instants — so every order has groups of tens of
// thousands; every case has a domain, one in a hundred (BENCH_ORDERS_TRAFFIC_EVERY) has visits counted, and 100,000
// domains no case has (BENCH_ORDERS_UNCOVERED) have visits among and above the cases', as discovery records them. The
// limit, measured in the same run, is the export in case id order (the primary key's walk, no key shared); each
// order's line prints its export's time against it, and the median of its first and of its last ten pages (a deep
// page should cost what an early one does).
//
// Knobs: BENCH_ORDERS_CASES (default 200,000), BENCH_ORDERS_PAGE (default 1,000 cases a page),
// BENCH_ORDERS_TRAFFIC_EVERY, BENCH_ORDERS_UNCOVERED, BENCH_ORDERS_BACKEND=postgres (DATABASE_URL, a schema of its
// own, dropped after) or sqlite (default, a temporary file), BENCH_ORDERS_ONLY (the orders to run beside the id
// order, comma-separated: `state,-deadline,escalation`).
import { createReadModelStore, type CaseSort, type ReadModelStore } from '@sanksi/read-models';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

const CASES = Math.max(1_000, Number(process.env.BENCH_ORDERS_CASES ?? 200_000));
const PAGE = Math.max(10, Number(process.env.BENCH_ORDERS_PAGE ?? 1_000));
/** One case in this many has a domain with visits counted (BENCH_ORDERS_TRAFFIC_EVERY, default 100). */
const TRAFFIC_EVERY = Math.max(1, Math.floor(Number(process.env.BENCH_ORDERS_TRAFFIC_EVERY ?? 100)));
/**
 * Domains no case has (BENCH_ORDERS_UNCOVERED, default 100,000), their visits spread over twice the cases' range: the
 * traffic discovery records, among and above the cases', which the traffic orders' walks must not read (read-model
 * migration 30).
 */
const UNCOVERED = Math.max(0, Math.floor(Number(process.env.BENCH_ORDERS_UNCOVERED ?? 100_000)));
const BACKEND = process.env.BENCH_ORDERS_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
const ORDERS = [
  'state',
  '-state',
  'policy',
  'deadline',
  '-deadline',
  'outstanding',
  'name',
  'updated',
  'traffic',
  'escalation',
  'escalation-traffic',
];
const ONLY = process.env.BENCH_ORDERS_ONLY?.split(',').filter(Boolean);

/** The population's rows as INSERT … SELECTs over the numbers 1…CASES, for either dialect. */
function populationSql(dialect: 'sqlite' | 'postgres'): string[] {
  const ts = (expr: string) => (dialect === 'postgres' ? `CAST(${expr} AS TIMESTAMPTZ)` : expr);
  // Days 10…28 of August: two digits on both dialects without padding.
  const day = (expr: string) => `'2022-08-' || (10 + (${expr}) % 19) || 'T01:00:00.000Z'`;
  const columns: Record<string, string> = {
    pse_id: `'case-' || (1000000 + i)`,
    name: `'Toko ' || (i % 5000)`,
    origin: `'domestic'`,
    domains: `'[]'`,
    state: `CASE WHEN i % 10 = 0 THEN 'blocked' ELSE 'unregistered' END`,
    substate: `CASE WHEN i % 10 = 0 THEN 'enforced' END`,
    state_since: ts(`'2022-07-20T00:00:00.000Z'`),
    on_blocklist: `CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END`,
    warnings: '0',
    blocks: '0',
    fines_imposed_idr: '0',
    fines_paid_idr: '0',
    fines_annulled_idr: '0',
    fines_outstanding_idr: `CASE WHEN i % 20 = 0 THEN 1000000 * (i % 7) ELSE 0 END`,
    next_deadline_at: `CASE WHEN i % 5 = 0 THEN ${ts(day('i'))} END`,
    escalation_pending: `i % 2`,
    escalation_allowed: `'[]'`,
    escalation_since: `CASE WHEN i % 2 = 1 THEN ${ts(day('i % 10'))} END`,
    policy_version: `'kominfo-2022'`,
    version: '1',
    last_position: 'i',
    last_event_type: `'CaseOpened'`,
    opened_at: ts(`'2022-07-20T00:00:00.000Z'`),
    updated_at: ts(day('i % 1000')),
    recorded_at: ts(`'2022-07-20T00:00:00.000Z'`),
  };
  const numbers =
    dialect === 'postgres'
      ? `generate_series(1, ${CASES}) AS n(i)`
      : `(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${CASES}) SELECT i FROM n)`;
  // Every case has a domain; one in TRAFFIC_EVERY has traffic, recorded through the store (`recordTraffic`).
  const domain = `'d' || i || '.example'`;
  return [
    `INSERT INTO case_summary (${Object.keys(columns).join(', ')})
      SELECT ${Object.values(columns).join(', ')} FROM ${numbers}`,
    `INSERT INTO case_domains (pse_id, domain_key) SELECT ${columns.pse_id}, ${domain} FROM ${numbers}`,
  ];
}

/** The traffic of the cases with a domain, recorded as the product records it (the store keeps each domain's latest). */
async function recordTraffic(store: ReadModelStore): Promise<void> {
  const rows = [];
  // Every other one an odd case (awaiting an operator: the escalation queue's first walk), whatever TRAFFIC_EVERY.
  for (let n = 1; n * TRAFFIC_EVERY <= CASES; n += 1) {
    const i = n * TRAFFIC_EVERY - (n % 2 === 1 && TRAFFIC_EVERY % 2 === 0 ? 1 : 0);
    rows.push({ domain: `d${i}.example`, period: '2022-08', visits: i % 9973, source: 'bench' });
  }
  for (let j = 0; j < UNCOVERED; j += 1)
    rows.push({
      domain: `u${j}.example`,
      period: '2022-08',
      visits: (j * 7) % 20_011,
      source: 'bench',
    });
  for (let i = 0; i < rows.length; i += 5_000)
    await store.recordTrafficObservations(rows.slice(i, i + 5_000));
}

interface Opened {
  store: ReadModelStore;
  fill(): Promise<void>;
  close(): Promise<void>;
}

async function open(): Promise<Opened> {
  if (BACKEND === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-orders-'));
    const file = path.join(dir, 'read-models.db');
    const store = createReadModelStore({ kind: 'sqlite', file });
    return {
      store,
      async fill() {
        await store.listCases({ limit: 1 }); // migrates
        const db = new Database(file);
        for (const sql of populationSql('sqlite')) db.exec(sql);
        await recordTraffic(store);
        db.exec('ANALYZE');
        db.close();
      },
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const schema = `bench_orders_${process.pid}`;
  const store = createReadModelStore({ kind: 'postgres', connectionString: url, schema });
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    store,
    async fill() {
      await store.listCases({ limit: 1 });
      await client.query(`SET search_path TO ${schema}`);
      for (const sql of populationSql('postgres')) await client.query(sql);
      await recordTraffic(store);
      await client.query('ANALYZE');
    },
    async close() {
      await store.close();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Follows `next`'s cursor to the end: the export's time, its pages' times, the rows it gave. */
async function exportAll(
  next: (cursor: string | undefined) => Promise<{ rows: number; nextCursor: string | null }>,
): Promise<{ ms: number; pages: number[]; rows: number }> {
  const pages: number[] = [];
  let rows = 0;
  let cursor: string | undefined;
  const started = performance.now();
  do {
    const t = performance.now();
    const page = await next(cursor);
    pages.push(performance.now() - t);
    rows += page.rows;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { ms: performance.now() - started, pages, rows };
}

export async function run(): Promise<void> {
  const db = await open();
  try {
    const filling = performance.now();
    await db.fill();
    console.log(
      `${BACKEND}: ${CASES.toLocaleString('en')} cases sharing their keys, one in ${TRAFFIC_EVERY} with visits, ${UNCOVERED.toLocaleString('en')} domains of no case among and above them, in ${Math.round(performance.now() - filling)} ms; pages of ${PAGE}`,
    );
    console.log(
      'order         | export ms | rows      | / id order | page 1 ms | pages 2-11, median ms | last 10 pages, median ms',
    );
    // The limit: the export in case id order, µs a row.
    let limit: number | undefined;
    for (const order of ['id', ...ORDERS.filter((o) => !ONLY || ONLY.includes(o))]) {
      const result = order.startsWith('escalation')
        ? await exportAll(async (cursor) => {
            const page = await db.store.getEscalationQueue({
              order: order === 'escalation' ? 'oldest' : 'traffic',
              limit: PAGE,
              cursor,
            });
            return { rows: page.items.length, nextCursor: page.nextCursor };
          })
        : await exportAll(async (cursor) => {
            const page = await db.store.listCases({ sort: order as CaseSort, limit: PAGE, cursor });
            return { rows: page.items.length, nextCursor: page.nextCursor };
          });
      if (order === 'id') limit = result.ms / result.rows;
      const ratio = limit === undefined ? '' : (result.ms / result.rows / limit).toFixed(2);
      // The first page has no cursor (no walk to start, a statement planned for the first time): printed apart; the
      // early pages are the next ten.
      const early = median(result.pages.slice(1, 11));
      const last = median(result.pages.slice(-10));
      console.log(
        `${order.padEnd(13)} | ${Math.round(result.ms).toString().padStart(9)} | ${result.rows.toString().padStart(9)} | ${ratio.padStart(10)} | ${(result.pages[0] ?? 0).toFixed(1).padStart(9)} | ${early.toFixed(1).padStart(21)} | ${last.toFixed(1).padStart(24)}`,
      );
    }
  } finally {
    await db.close();
  }
}
