import * as testing from '@sanksi/testing';
import type { DiscoveryQuery } from './read-model-store.port';
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
});
