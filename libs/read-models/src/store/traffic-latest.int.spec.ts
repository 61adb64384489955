import * as testing from '@sanksi/testing';
import type { DiscoveryQuery } from './read-model-store.port';
import { toReadModelEvent, type ReadModelEvent } from '../events/read-model-event';
import { julyAugust2022 } from '../testing/scenario.fixture';
import { caseSummaryTable } from './row-mapping';
import { TRAFFIC_LATEST_LOCK } from './read-model.schema';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

// The view traffic_latest as it was until read-model migration 28: each domain's latest period, computed from every
// observation. The table the traffic projector now keeps must hold exactly its rows after every write.
const COMPUTED = `SELECT t.domain,
    CASE WHEN lower(t.domain) LIKE 'www.%' THEN substr(lower(t.domain), 5) ELSE lower(t.domain) END AS domain_key,
    t.period, max(t.visits) AS visits, min(t.rank) AS rank, min(t.source) AS source
  FROM traffic_observations t
  WHERE t.period = (SELECT max(t2.period) FROM traffic_observations t2 WHERE t2.domain = t.domain)
  GROUP BY t.domain, t.period ORDER BY t.domain`;
const KEPT = `SELECT domain, domain_key, period, visits, rank, source FROM traffic_latest ORDER BY domain`;
// Each case domain's visits as kept (migration 30) beside the largest visits of its key computed from every observation.
const CASE_DOMAIN_VISITS = `SELECT cd.pse_id, cd.domain_key, cd.visits AS kept,
    (SELECT max(t.visits) FROM traffic_observations t
      WHERE CASE WHEN lower(t.domain) LIKE 'www.%' THEN substr(lower(t.domain), 5) ELSE lower(t.domain) END = cd.domain_key
        AND t.period = (SELECT max(t2.period) FROM traffic_observations t2 WHERE t2.domain = t.domain)) AS computed
  FROM case_domains cd ORDER BY cd.pse_id, cd.domain_key`;

// Discovery without a period as it was computed until it read the kept rows: each address's latest period from every
// observation, every group sorted.
const discoveryComputed = (dialect: 'sqlite' | 'postgres', q: DiscoveryQuery, limit: number): string => {
  const where = [
    `NOT EXISTS (SELECT 1 FROM case_domains d WHERE d.domain_key =
      CASE WHEN lower(t.domain) LIKE 'www.%' THEN substr(lower(t.domain), 5) ELSE lower(t.domain) END)`,
    't.period = (SELECT max(t2.period) FROM traffic_observations t2 WHERE t2.domain = t.domain)',
  ];
  if (q.domain !== undefined) where.push(`t.domain = '${q.domain}'`);
  const having = q.minVisits !== undefined ? `HAVING max(t.visits) >= ${q.minVisits}` : '';
  const aggregate = dialect === 'postgres' ? `string_agg(t.source, ',')` : `group_concat(t.source, ',')`;
  return `SELECT t.domain, t.period, max(t.visits) AS visits, min(t.rank) AS rank, ${aggregate} AS sources
    FROM traffic_observations t WHERE ${where.join(' AND ')}
    GROUP BY t.domain, t.period ${having}
    ORDER BY max(t.visits) DESC NULLS LAST, min(t.rank) ASC NULLS LAST, t.domain LIMIT ${limit}`;
};

describe.each(readModelBackends(testing).all)('each domain latest traffic, kept on $name', (backend) => {
  let db: OpenedBackend;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  async function expectKeptAsComputed(): Promise<Record<string, unknown>[]> {
    const kept = await db.sql(KEPT);
    expect(kept).toEqual(await db.sql(COMPUTED));
    return kept;
  }

  it('when observations are recorded, corrected, superseded by a later period and outlived by an earlier one, then the kept rows are the computed ones', async () => {
    await db.store.recordTrafficObservations([
      { domain: 'a.example', period: '2022-07', visits: 100, rank: 4, source: 'sw' },
      { domain: 'a.example', period: '2022-07', visits: 300, source: 'crawler' },
      { domain: 'www.b.example', period: '2022-07', visits: 50 },
      { domain: 'c.example', period: '2022-07', rank: 9 },
    ]);
    const first = await expectKeptAsComputed();
    expect(first).toHaveLength(3);
    expect(first[0]).toMatchObject({ domain: 'a.example', period: '2022-07', rank: 4 });
    expect(Number(first[0]?.visits)).toBe(300);
    // A correction of one source's figure, a later period for one domain, an earlier one for another.
    await db.store.recordTrafficObservations([
      { domain: 'a.example', period: '2022-07', visits: 20, source: 'crawler' },
      { domain: 'www.b.example', period: '2022-08', rank: 2 },
      { domain: 'c.example', period: '2022-06', visits: 7_000 },
    ]);
    const second = await expectKeptAsComputed();
    expect(second.map((r) => [r.domain, r.period, r.visits === null ? null : Number(r.visits)])).toEqual([
      ['a.example', '2022-07', 100],
      ['c.example', '2022-07', null],
      ['www.b.example', '2022-08', null],
    ]);
    // Matched by its key, as the cases' domains are.
    expect(second[2]?.domain_key).toBe('b.example');
  });

  it('when the traffic projector applies a batch, then the kept rows follow; when it is reset, they are gone', async () => {
    await db.store.applyTrafficBatch(
      [
        { domain: 'a.example', period: '2022-07', visits: 10, rank: null, source: 'x', position: 1 },
        { domain: 'a.example', period: '2022-08', visits: 5, rank: null, source: 'x', position: 2 },
        { domain: 'a.example', period: '2022-08', visits: 8, rank: 1, source: 'y', position: 3 },
        { domain: 'd.example', period: '2022-08', visits: null, rank: 3, source: 'y', position: 4 },
      ],
      { expectedPosition: 0, toPosition: 4 },
    );
    const kept = await expectKeptAsComputed();
    expect(
      kept.map((r) => [r.domain, r.period, r.visits === null ? null : Number(r.visits), r.rank]),
    ).toEqual([
      ['a.example', '2022-08', 8, 1],
      ['d.example', '2022-08', null, 3],
    ]);
    // A replayed fact is a no-op; the first fact of a (domain, period, source) stays.
    await db.store.applyTrafficBatch(
      [{ domain: 'a.example', period: '2022-08', visits: 9_999, rank: null, source: 'x', position: 5 }],
      { expectedPosition: 4, toPosition: 5 },
    );
    await expectKeptAsComputed();
    await db.store.resetTraffic();
    expect(await db.sql(KEPT)).toEqual([]);
    expect(await db.sql(COMPUTED)).toEqual([]);
  });

  it('when two writers record the same domains at once, then neither fails and the kept rows are the computed ones', async () => {
    // Another process's store on the same database: on PostgreSQL both transactions run at once.
    const other = db.reopen();
    try {
      const domains = Array.from({ length: 40 }, (_, i) => `shared-${i}.example`);
      for (let round = 0; round < 5; round += 1) {
        const write = (store: typeof db.store, source: string, visits: number) =>
          store.recordTrafficObservations(
            domains.map((domain, i) => ({
              domain,
              period: `2022-0${1 + round}`,
              visits: visits + i,
              source,
            })),
          );
        await Promise.all([write(db.store, 'one', 100 * round), write(other, 'two', 100 * round + 50)]);
      }
      const kept = await expectKeptAsComputed();
      expect(kept).toHaveLength(40);
      expect(kept.every((r) => r.period === '2022-05' && Number(r.visits) >= 450)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('when discovery lists each address in its latest period, then it reads the kept rows and gives what the computation over every observation gave', async () => {
    // 120 addresses over three periods and two sources: ties of visits (broken by rank, then name), addresses with a
    // rank alone, some with neither, some spelled with www. or in capitals, some covered by a case, a latest period
    // without visits after an earlier one with many.
    let seed = 11;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor(seed / 65_536) % n;
    };
    const observations = [];
    for (let i = 0; i < 120; i += 1) {
      const domain =
        i % 9 === 0 ? `www.site-${i}.example` : i % 13 === 0 ? `Site-${i}.example` : `site-${i}.example`;
      for (const period of ['2022-06', '2022-07', '2022-08'].slice(next(3))) {
        for (const source of next(3) === 0 ? ['sw', 'crawler'] : ['sw']) {
          const kind = i % 7 === 0 ? 1 : i % 11 === 0 ? 0 : next(6);
          observations.push({
            domain,
            period,
            ...(kind === 0 ? {} : kind === 1 ? { rank: 1 + next(50) } : { visits: 100 * next(8) }),
            ...(kind > 2 ? { rank: 1 + next(50) } : {}),
            source,
          });
        }
      }
    }
    await db.store.recordTrafficObservations(observations);
    const covered = [
      'site-1.example',
      'site-9.example',
      'site-26.example',
      'site-40.example',
      'site-55.example',
    ];
    await db.execute(
      covered
        .map((d, i) => `INSERT INTO case_domains (pse_id, domain_key) VALUES ('c${i}', '${d}')`)
        .join(';'),
    );

    const dialect = backend.name;
    const asComputed = async (q: DiscoveryQuery, limit: number) =>
      (await db.sql(discoveryComputed(dialect, q, limit))).map((r, i) => ({
        rankInList: i + 1,
        domain: r.domain,
        period: r.period,
        visits: r.visits === null ? null : Number(r.visits),
        rank: r.rank === null ? null : Number(r.rank),
        sources: String(r.sources)
          .split(',')
          .filter((x) => x !== '')
          .sort(),
      }));
    const all = await db.store.findDiscoveryCandidates({ limit: 1000 });
    expect(all).toEqual(await asComputed({}, 1000));
    // Both walks show: addresses with visits, then with a rank alone or nothing; the covered ones are not listed.
    expect(all.length).toBeGreaterThan(80);
    expect(all.some((c) => c.visits === null && c.rank !== null)).toBe(true);
    expect(all.some((c) => c.visits === null && c.rank === null)).toBe(true);
    expect(all.some((c) => c.domain.startsWith('www.'))).toBe(true);
    expect(all.filter((c) => covered.includes(c.domain))).toEqual([]);
    const firstNull = all.findIndex((c) => c.visits === null);
    for (const limit of [1, 7, firstNull, firstNull + 1, firstNull + 5])
      expect(await db.store.findDiscoveryCandidates({ limit })).toEqual(await asComputed({}, limit));
    expect(await db.store.findDiscoveryCandidates({ minVisits: 300, limit: 1000 })).toEqual(
      await asComputed({ minVisits: 300 }, 1000),
    );
    // The analysts' list of the same (GET /v1/stats/discovery) is the view discovery_candidates in that order.
    const view = await db.sql(`SELECT domain, period, visits, rank FROM discovery_candidates
      ORDER BY visits DESC NULLS LAST, rank ASC NULLS LAST, domain LIMIT 1000`);
    expect(await db.store.getDiscoveryCandidates(1000)).toEqual(
      view.map((r) => ({ ...r, visits: r.visits === null ? null : Number(r.visits) })),
    );
    for (const domain of ['www.site-9.example', 'www.site-18.example', 'site-20.example', 'none.example'])
      expect(await db.store.findDiscoveryCandidates({ domain })).toEqual(await asComputed({ domain }, 100));
  });

  /** The 2022 cases' events in batches of `size`, to apply in turn from position 0. */
  function caseBatches(size: number): Array<{ events: ReadModelEvent[]; from: number; to: number }> {
    const events: ReadModelEvent[] = julyAugust2022().events.map(toReadModelEvent);
    const batches = [];
    for (let i = 0; i < events.length; i += size) {
      const chunk = events.slice(i, i + size);
      batches.push({
        events: chunk,
        from: i === 0 ? 0 : (events[i - 1] as ReadModelEvent).position,
        to: (chunk[chunk.length - 1] as ReadModelEvent).position,
      });
    }
    return batches;
  }

  /** The domains the 2022 cases are identified with, lower case, in the story's order. */
  const storyDomains = (): string[] =>
    julyAugust2022()
      .events.filter((e) => e.type === 'PseIdentified')
      .flatMap((e) => ((e.data as { domains?: string[] }).domains ?? []).map((d) => d.toLowerCase()));

  async function expectCaseDomainVisitsAsComputed(): Promise<Record<string, unknown>[]> {
    const rows = await db.sql(CASE_DOMAIN_VISITS);
    const num = (v: unknown) => (v === null ? null : Number(v));
    expect(rows.map((r) => [r.pse_id, r.domain_key, num(r.kept)])).toEqual(
      rows.map((r) => [r.pse_id, r.domain_key, num(r.computed)]),
    );
    return rows;
  }

  it('when traffic comes before the cases, after them, changes, and is reset, then each case domain carries its latest visits', async () => {
    const batches = caseBatches(1_000_000);
    const domainsOf = storyDomains();
    expect(domainsOf.length).toBeGreaterThan(4);
    const [a, b, c, d] = domainsOf as [string, string, string, string];
    // Before the cases: the case projector takes the visits as it writes their domains.
    await db.store.recordTrafficObservations([
      { domain: a, period: '2022-07', visits: 500 },
      { domain: `www.${b}`, period: '2022-07', visits: 70, source: 'sw' },
    ]);
    const batch = batches[0] as { events: ReadModelEvent[]; to: number };
    await db.store.applyBatch(batch.events, { expectedPosition: 0, toPosition: batch.to });
    const first = await expectCaseDomainVisitsAsComputed();
    expect(first.filter((r) => r.kept !== null)).toHaveLength(2);
    // After them, by the traffic writes: a later period without visits, another spelling with more, a rank alone.
    await db.store.recordTrafficObservations([
      { domain: a, period: '2022-08', rank: 4 },
      { domain: b, period: '2022-07', visits: 900 },
      { domain: c, period: '2022-08', rank: 2 },
      { domain: d, period: '2022-08', visits: 5 },
    ]);
    const second = await expectCaseDomainVisitsAsComputed();
    expect(second.filter((r) => r.kept !== null).map((r) => [r.domain_key, Number(r.kept)])).toEqual(
      expect.arrayContaining([
        [b, 900],
        [d, 5],
      ]),
    );
    await db.store.resetTraffic();
    expect((await expectCaseDomainVisitsAsComputed()).every((r) => r.kept === null)).toBe(true);
  });

  it('when a store writes traffic while another projects the cases, then neither fails and the visits are the computed ones', async () => {
    // Another process's store on the same database: on PostgreSQL both transactions run at once.
    const other = db.reopen();
    try {
      const domains = storyDomains();
      let round = 0;
      for (const batch of caseBatches(3)) {
        round += 1;
        await Promise.all([
          db.store.applyBatch(batch.events, { expectedPosition: batch.from, toPosition: batch.to }),
          other.recordTrafficObservations(
            domains.map((domain, i) => ({
              domain,
              period: '2022-08',
              visits: 10 * round + i,
              source: `s${round}`,
            })),
          ),
        ]);
      }
      const rows = await expectCaseDomainVisitsAsComputed();
      expect(rows.filter((r) => r.kept !== null).length).toBeGreaterThan(4);
    } finally {
      await other.close();
    }
  });

  it('when the cases are projected while a traffic write of their domains is in flight, then they take its visits once it commits', async () => {
    // The traffic projector's transaction by hand, held open: the observation, the domain's kept row and the visits of
    // the cases' domains it can see (none yet). Projected meanwhile, the cases must not take the figures committed before
    // it and be missed by it: on PostgreSQL their batch waits for the traffic lock; SQLite has one writer at a time.
    const batch = caseBatches(1_000_000)[0] as { events: ReadModelEvent[]; to: number };
    const identified = batch.events.find((e) => e.type === 'PseIdentified');
    const domain = ((identified?.data as { domains?: string[] }).domains ?? [])[0]?.toLowerCase();
    expect(domain).toBeDefined();
    await db.store.getDiscoveryCandidates(); // the schema, migrated
    const release = await db.holdTransaction([
      ...(backend.name === 'postgres' ? [TRAFFIC_LATEST_LOCK] : []),
      `INSERT INTO traffic_observations (domain, period, visits, rank, source) VALUES ('${domain}', '2022-08', 500, NULL, '')`,
      `INSERT INTO traffic_latest_domains (domain, domain_key, period, visits, rank, source)
        VALUES ('${domain}', '${domain}', '2022-08', 500, NULL, '')`,
      `UPDATE case_domains SET visits = 500 WHERE domain_key = '${domain}'`,
    ]);
    const project = () => db.store.applyBatch(batch.events, { expectedPosition: 0, toPosition: batch.to });
    if (backend.name === 'postgres') {
      const projected = project();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await release();
      await projected;
    } else {
      // One writer at a time, and the store's statements wait on this thread: the batch can only follow the commit.
      await release();
      await project();
    }
    const rows = await expectCaseDomainVisitsAsComputed();
    expect(rows.filter((r) => r.domain_key === domain).map((r) => Number(r.kept))).toEqual([500]);
  });

  it('when the analysts list the open cases by traffic, then it walks the counted ones and is the view in its order', async () => {
    const events: ReadModelEvent[] = julyAugust2022().events.map(toReadModelEvent);
    const last = events[events.length - 1] as ReadModelEvent;
    await db.store.applyBatch(events, { expectedPosition: 0, toPosition: last.position });
    // Sixty copies of an open case under new ids, each with two domains of its own, beside the 2022 cases.
    const [open] = await db.sql(
      `SELECT pse_id FROM case_summary WHERE state NOT IN ('registered', 'reRegistered', 'exempted') ORDER BY pse_id LIMIT 1`,
    );
    const columns = caseSummaryTable.columns;
    const copied = columns.map((c) => (c === 'pse_id' ? `'copy-' || (100 + i)` : c));
    await db.execute(`INSERT INTO case_summary (${columns.join(', ')})
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
      SELECT ${copied.join(', ')} FROM case_summary, n WHERE pse_id = '${String(open?.pse_id)}'`);
    await db.execute(`INSERT INTO case_domains (pse_id, domain_key)
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
      SELECT 'copy-' || (100 + i), 'copy-' || (100 + i) || '-' || x.d || '.example' FROM n, (SELECT 'a' AS d UNION ALL SELECT 'b') x`);
    // Every domain observed: visits of three figures (ties, broken by best rank, then id), one case in five by rank
    // alone, a case's second domain in an earlier period with more visits (not its latest figure); and traffic of
    // many domains no case has, with more visits than any case's.
    const domains = await db.sql(`SELECT pse_id, domain_key FROM case_domains ORDER BY pse_id, domain_key`);
    await db.store.recordTrafficObservations([
      ...domains.flatMap((d, i) => {
        const domain = String(d.domain_key);
        const rank = 1 + ((i * 7) % 11);
        return [
          (i >> 1) % 5 === 4
            ? { domain, period: '2022-08', rank }
            : { domain, period: '2022-08', visits: 100 * (1 + (i % 3)), rank },
          ...(i % 2 === 1 ? [{ domain, period: '2022-07', visits: 1_000_000 }] : []),
        ];
      }),
      ...Array.from({ length: 200 }, (_, i) => ({
        domain: `nocase-${i}.example`,
        period: '2022-08',
        visits: 5_000 + i,
      })),
    ]);
    await expectCaseDomainVisitsAsComputed();
    const inView = async (limit: number) =>
      (
        await db.sql(`SELECT pse_id, name, state, visits, best_rank, period FROM open_cases_by_traffic
          ORDER BY visits DESC NULLS LAST, best_rank ASC NULLS LAST, pse_id LIMIT ${limit}`)
      ).map((r) => ({
        pseId: r.pse_id,
        name: r.name,
        state: r.state,
        visits: r.visits === null ? null : Number(r.visits),
        rank: r.best_rank === null ? null : Number(r.best_rank),
        period: r.period,
      }));
    const whole = await inView(1000);
    // Open cases with a count, ties at each figure, and cases by rank alone after them.
    expect(whole.length).toBeGreaterThan(60);
    expect(new Set(whole.map((c) => c.visits)).size).toBeGreaterThan(2);
    expect(whole[whole.length - 1]?.visits).toBeNull();
    for (let limit = 1; limit <= whole.length + 1; limit += 1)
      expect(await db.store.getOpenCasesByTraffic(limit)).toEqual(await inView(limit));
  });
});
