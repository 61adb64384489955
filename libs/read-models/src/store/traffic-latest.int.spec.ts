import * as testing from '@sanksi/testing';
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
});
