import { createEventStore, type EventStore } from '@sanksi/event-store';
import * as testing from '@sanksi/testing';
import path from 'node:path';
import { Projector } from '../projector/projector';
import { type OpenedBackend, readModelBackends, toAppend } from '../testing/read-model-backends.harness';
import { julyAugust2022 } from '../testing/scenario.fixture';

jest.setTimeout(60_000);

/** The tables a batch reads or deletes from by case (`pse_id = ANY(...)`), each with an index led by pse_id. */
const BY_CASE = ['case_summary', 'case_domains', 'blocklist', 'registry', 'fines', 'deadlines'];

// The plans PostgreSQL makes for the read models' hot statements, checked by what they read.
describe('PostgreSQL read models: batches and pages read by index', () => {
  let dir: testing.TemporaryDirectory;
  let events: EventStore;
  let db: OpenedBackend;

  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-read-plans');
    events = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db') });
    for (const e of julyAugust2022().events)
      await events.appendToStream(e.streamId, [toAppend(e)], { expectedRevision: 'any' });
    db = await readModelBackends(testing).postgres.open();
  });
  afterEach(async () => {
    await events.close();
    await db.cleanup();
    dir.remove();
  });

  /**
   * The story's cases copied under new ids (`copy-<n>-<id>`, n zero-padded: they sort in copy order) until
   * case_summary holds about `total`, so the planner weighs indexes as it does at scale; the number of copies.
   */
  async function copyCases(total: number): Promise<number> {
    const columns = (
      await db.sql(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'case_summary' AND table_schema = current_schema() ORDER BY ordinal_position`,
      )
    ).map((r) => String(r.column_name));
    const copied = columns
      .map((c) => (c === 'pse_id' ? `'copy-' || lpad(g::text, 6, '0') || '-' || pse_id` : c))
      .join(', ');
    const factor = Math.ceil(total / (await db.sql(`SELECT pse_id FROM case_summary`)).length);
    await db.sql(
      `INSERT INTO case_summary (${columns.join(', ')}) SELECT ${copied} FROM case_summary, generate_series(1, ${factor}) g`,
    );
    return factor;
  }

  // A batch's reads by case must use the index however small the statistics say the table is: scanning
  // whole tables made a PostgreSQL replay's cost grow with the square of the population.
  it('given a replay from empty in small batches, then the by-case tables are scanned whole only by the migrations, not once a batch', async () => {
    await db.store.migrate();
    const scans = async () => {
      // A backend's counters reach the shared statistics when it ends or idles a second: ending the store's
      // connections (closing it) publishes them.
      const rows = await db.sql(
        `SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname IN (${BY_CASE.map((t) => `'${t}'`).join(', ')})`,
      );
      return Object.fromEntries(rows.map((r) => [String(r.relname), Number(r.seq_scan)]));
    };
    const store = db.reopen();
    await store.migrate();
    await store.close();
    const before = await scans();
    // when: a replay of the story four events at a time (eight batches)
    const replaying = db.reopen();
    const { applied } = await new Projector({ source: events, store: replaying, batchSize: 4 }).runOnce();
    await replaying.close();
    // then
    expect(applied).toBeGreaterThan(24);
    const after = await scans();
    for (const table of BY_CASE)
      expect({ table, scans: after[table] - before[table] }).toEqual({ table, scans: 0 });
  });

  // A page of one state's cases is a walk of the (state, case id) index from the cursor, not a walk of the
  // whole table in id order reading cases of every state until a page is full, nor every case of the state
  // sorted for one page. (Ordering by the id in byte order, as the migration-9 sort indexes do, would lose
  // that index: it keeps the database's collation.) The blocked cases here all sort after the others, as
  // at a million many of them did: a walk of the primary key betting on a page of them soon would read
  // every other case first.
  it('given 40,000 cases of which one in eight is blocked, all of them last in id order, when pages of the blocked are listed, then the cases read are about the pages and no more, and the pages are the blocked in id order', async () => {
    await new Projector({ source: events, store: db.store }).runOnce();
    // The story's cases copied until the table is large enough for the planner to weigh indexes as it does at
    // scale; most are not blocked.
    await copyCases(40_000);
    await db.sql(`UPDATE case_summary SET pse_id = 'zz-' || pse_id WHERE state = 'blocked'`);
    // Rows stored in id order, as a replay in log order leaves many of them: a walk of the primary key then
    // looks cheap to the planner, reading the table in its own order.
    await db.sql(`CLUSTER case_summary USING case_summary_pkey`);
    await db.sql(`ANALYZE case_summary`);
    const blocked = (
      await db.sql(`SELECT pse_id FROM case_summary WHERE state = 'blocked' ORDER BY pse_id COLLATE "C"`)
    ).map((r) => String(r.pse_id));
    const total = Number((await db.sql(`SELECT count(*) AS n FROM case_summary`))[0]?.n);
    expect(blocked.length).toBeGreaterThan(100);
    expect(blocked.length).toBeLessThan(total / 4);
    const read = async () => {
      const [row] = await db.sql(
        `SELECT seq_scan, coalesce(idx_tup_fetch, 0) AS fetched FROM pg_stat_user_tables WHERE relname = 'case_summary'`,
      );
      return { scans: Number(row?.seq_scan), fetched: Number(row?.fetched) };
    };
    const before = await read();

    // when: three pages of 50 (the store's connections end before the counters are read: that publishes them)
    const store = db.reopen();
    const pages: string[][] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 3; i++) {
      const page = await store.listCases({ state: 'blocked', limit: 50, cursor });
      pages.push(page.items.map((c) => c.pseId));
      cursor = page.nextCursor ?? undefined;
    }
    await store.close();
    const after = await read();

    // then
    expect(pages.flat()).toEqual(blocked.slice(0, 150));
    expect(after.scans - before.scans).toBe(0);
    // three pages of 51 rows (the one past the page tells whether another follows), give or take a few
    expect(after.fetched - before.fetched).toBeLessThan(3 * 100);
  });

  // Migration 30: each traffic write sets the visits of the cases' domains of its keys, and each case batch those of
  // the domains it adds. On tables a large import has just filled (no statistics yet) PostgreSQL answered the largest
  // visits of a key down the visits index, filtering every entry (65 s for 500 domains among 270,000), and scanned
  // whole tables for lists of a few hundred domains.
  it('given thousands of domains no case has, recorded on tables without statistics, when the cases and their traffic are written, then domains are found by key: no scan, no walk of the visits index', async () => {
    await db.store.migrate();
    await db.store.recordTrafficObservations(
      Array.from({ length: 30_000 }, (_, i) => ({
        domain: `nocase-${i}.example`,
        period: '2022-08',
        visits: 10 + i,
      })),
    );
    const domains = julyAugust2022()
      .events.filter((e) => e.type === 'PseIdentified')
      .flatMap((e) => ((e.data as { domains?: string[] }).domains ?? []).map((d) => d.toLowerCase()));
    expect(domains.length).toBeGreaterThan(4);
    const TABLES = ['case_domains', 'traffic_latest_domains', 'traffic_observations'];
    const counters = async (): Promise<Record<string, number>> => {
      const tables = await db.sql(
        `SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname IN (${TABLES.map((t) => `'${t}'`).join(', ')})`,
      );
      const [visits] = await db.sql(
        `SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'traffic_latest_domains_visits'`,
      );
      return {
        ...Object.fromEntries(tables.map((r) => [String(r.relname), Number(r.seq_scan)])),
        visitsIndexRead: Number(visits?.idx_tup_read),
      };
    };
    // No statistics on the tables the statements read (the server may run without autovacuum, as here).
    const analysed = await db.sql(
      `SELECT count(*) AS n FROM pg_stats WHERE schemaname = current_schema() AND tablename IN (${TABLES.map((t) => `'${t}'`).join(', ')})`,
    );
    expect(Number(analysed[0]?.n)).toBe(0);
    await db.store.close();
    const before = await counters();

    // when: traffic of the cases' domains before them, the cases in batches of four, their traffic again
    const store = db.reopen();
    await store.recordTrafficObservations(
      domains.map((domain, i) => ({ domain, period: '2022-08', visits: i + 1 })),
    );
    await new Projector({ source: events, store, batchSize: 4 }).runOnce();
    await store.recordTrafficObservations(
      domains.map((domain, i) => ({ domain, period: '2022-09', visits: 2 * i })),
    );
    await store.close();
    const after = await counters();

    // then
    const read = Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] as number)]));
    expect(read).toEqual({
      case_domains: 0,
      traffic_latest_domains: 0,
      traffic_observations: 0,
      visitsIndexRead: 0,
    });
    const kept = await db.sql(`SELECT count(*) AS n FROM case_domains WHERE visits IS NOT NULL`);
    expect(Number(kept[0]?.n)).toBeGreaterThan(4);
  });

  // The traffic order's second walk (the cases without a count of visits, in id order from the cursor) merged the cases
  // with their domains in id order, and PostgreSQL did not carry the cursor over to the domains: a page deep in the
  // walk read every domain before it again (an export of 100,000 cases: 11 s).
  it('given 20,000 cases with their domains, when a page deep in the traffic order is listed, then the domains read are about the page, not the cases before it', async () => {
    await new Projector({ source: events, store: db.store }).runOnce();
    const factor = await copyCases(20_000);
    await db.sql(
      `INSERT INTO case_domains (pse_id, domain_key) SELECT 'copy-' || lpad(g::text, 6, '0') || '-' || pse_id, g || '-' || domain_key
       FROM case_domains, generate_series(1, ${factor}) g`,
    );
    // One case in a hundred with visits (the first walk's), spread over the ids, as the bench's population has them.
    const counted = await db.sql(`SELECT domain_key FROM case_domains WHERE pse_id LIKE 'copy-%00-%'`);
    expect(counted.length).toBeGreaterThan(100);
    await db.store.recordTrafficObservations(
      counted.map((r, i) => ({ domain: String(r.domain_key), period: '2022-08', visits: 100 + i })),
    );
    await db.sql(`ANALYZE`);
    // A cursor deep in the second walk (the cases without visits, in id order).
    const store = db.reopen();
    let cursor: string | undefined;
    for (let i = 0; i < 220; i++)
      cursor = (await store.listCases({ sort: 'traffic', limit: 50, cursor })).nextCursor ?? undefined;
    await store.close();
    expect(cursor).toBeDefined();
    const read = async () => {
      const [row] = await db.sql(
        `SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'case_domains_pkey'`,
      );
      return Number(row?.idx_tup_read);
    };
    const before = await read();

    // when: the next page (the store's connections end before the counters are read: that publishes them)
    const deep = db.reopen();
    const page = await deep.listCases({ sort: 'traffic', limit: 50, cursor });
    await deep.close();
    const after = await read();

    // then: its cases' domains and a few more, not the 10,000 cases' domains before the cursor
    expect(page.items).toHaveLength(50);
    expect(after - before).toBeLessThan(1_000);
  });
});
