import { toReadModelEvent, type ReadModelEvent } from '../events/read-model-event';
import type { CaseSummaryRow } from '../projections/case-summary.projection';
import { InvalidQuery } from '../read-model.errors';
import * as testing from '@sanksi/testing';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';
import { GlobalLog } from '../testing/case-history.fixture';
import { julyAugust2022 } from '../testing/scenario.fixture';
import { CASE_SORTS, type CaseSort, type ListCasesQuery } from './read-model-store.port';
import { caseSummaryTable } from './row-mapping';
import { caseOrder, escalationOldestPage } from './sql-read-model.store';
import { COUNTED_CASES, OPEN_FOR_TRAFFIC } from './read-model.schema';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

const FAR_FUTURE = '9999-12-31T23:59:59.999Z';

/** The order each sort promises, spelt out in plain TypeScript over the rows (the case id breaks ties). */
const KEYS: Record<string, (c: CaseSummaryRow) => ReadonlyArray<string | number>> = {
  id: () => [],
  name: (c) => [c.name.toLowerCase()],
  state: (c) => [c.state, c.substate ?? ''],
  policy: (c) => [c.policyVersion],
  deadline: (c) => [c.nextDeadlineAt ?? FAR_FUTURE],
  updated: (c) => [c.updatedAt],
  outstanding: (c) => [c.finesOutstandingIdr],
};

function expectedOrder(rows: readonly CaseSummaryRow[], sort: CaseSort): string[] {
  const descending = sort.startsWith('-');
  const keyOf = KEYS[descending ? sort.slice(1) : sort] as (c: CaseSummaryRow) => Array<string | number>;
  const compare = (a: CaseSummaryRow, b: CaseSummaryRow): number => {
    const x = [...keyOf(a), a.pseId];
    const y = [...keyOf(b), b.pseId];
    for (let i = 0; i < x.length; i += 1) {
      const p = x[i] as string | number;
      const q = y[i] as string | number;
      if (p < q) return -1;
      if (p > q) return 1;
    }
    return 0;
  };
  return [...rows].sort((a, b) => (descending ? compare(b, a) : compare(a, b))).map((c) => c.pseId);
}

describe.each(readModelBackends(testing).all)('cases sorted by a column on $name', (backend) => {
  let db: OpenedBackend;
  let everyCase: CaseSummaryRow[];

  beforeAll(async () => {
    db = await backend.open();
    const events: ReadModelEvent[] = julyAugust2022().events.map(toReadModelEvent);
    const last = events[events.length - 1] as ReadModelEvent;
    await db.store.applyBatch(events, { expectedPosition: 0, toPosition: last.position });
    everyCase = (await db.store.listCases({ limit: 1000 })).items;
  });
  afterAll(async () => {
    await db.cleanup();
  });

  /** Every case id of every page, following the cursor from the first page. */
  async function allPages(query: ListCasesQuery): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await db.store.listCases({ ...query, cursor });
      pages += 1;
      ids.push(...page.items.map((c) => c.pseId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && pages < 50);
    return { ids, pages };
  }

  it('given the 2022 population, then it has ties, mixed-case names, no-deadline cases and fines to sort by', () => {
    expect(everyCase.length).toBe(8);
    expect(new Set(everyCase.map((c) => c.state)).size).toBeLessThan(everyCase.length);
    expect(everyCase.some((c) => c.nextDeadlineAt === null)).toBe(true);
    expect(everyCase.some((c) => c.nextDeadlineAt !== null)).toBe(true);
    expect(everyCase.some((c) => c.name !== c.name.toLowerCase())).toBe(true);
  });

  it.each(CASE_SORTS.filter((s) => s !== 'traffic'))(
    'when sorted by %s, then every page follows the order, each case exactly once, across pages of 3',
    async (sort) => {
      const whole = await db.store.listCases({ sort, limit: 1000 });
      expect(whole.nextCursor).toBeNull();
      expect(whole.items.map((c) => c.pseId)).toEqual(expectedOrder(everyCase, sort));
      const paged = await allPages({ sort, limit: 3 });
      expect(paged.ids).toEqual(whole.items.map((c) => c.pseId));
      expect(paged.pages).toBe(3);
    },
  );

  it('when sorted descending, then the whole order is the ascending one reversed (ties included)', async () => {
    const up = await allPages({ sort: 'state', limit: 2 });
    const down = await allPages({ sort: '-state', limit: 2 });
    expect(down.ids).toEqual([...up.ids].reverse());
  });

  it('when filtered and sorted, then only the matching cases come, in the order', async () => {
    const foreign = everyCase.filter((c) => c.origin === 'foreign');
    const paged = await allPages({ origin: 'foreign', sort: '-deadline', limit: 2 });
    expect(paged.ids).toEqual(expectedOrder(foreign, '-deadline'));
  });

  it('when a cursor of another order (or a made-up one) comes back, then it is refused and nothing is listed', async () => {
    const byName = await db.store.listCases({ sort: 'name', limit: 2 });
    const byTraffic = await db.store.listCases({ sort: 'traffic', limit: 2 });
    const byId = await db.store.listCases({ limit: 2 });
    await expect(
      db.store.listCases({ sort: 'updated', cursor: byName.nextCursor ?? undefined }),
    ).rejects.toBeInstanceOf(InvalidQuery);
    await expect(
      db.store.listCases({ sort: '-name', cursor: byName.nextCursor ?? undefined }),
    ).rejects.toBeInstanceOf(InvalidQuery);
    await expect(
      db.store.listCases({ sort: 'name', cursor: byTraffic.nextCursor ?? undefined }),
    ).rejects.toBeInstanceOf(InvalidQuery);
    await expect(
      db.store.listCases({ sort: 'name', cursor: byId.nextCursor ?? undefined }),
    ).rejects.toBeInstanceOf(InvalidQuery);
    const forged = Buffer.from(JSON.stringify(['outstanding', 'lots', 'paypal'])).toString('base64url');
    await expect(db.store.listCases({ sort: 'outstanding', cursor: forged })).rejects.toBeInstanceOf(
      InvalidQuery,
    );
  });

  it('when an unknown order is asked for, then it is refused', async () => {
    await expect(db.store.listCases({ sort: 'colour' as CaseSort })).rejects.toBeInstanceOf(InvalidQuery);
  });
});

describe.each(readModelBackends(testing).all)('the escalation queue in either order on $name', (backend) => {
  let db: OpenedBackend;
  beforeAll(async () => {
    db = await backend.open();
    // Four cases awaiting an operator, escalated on 6, 7, 8 and 9 August; the newest has the most traffic.
    const log = new GlobalLog();
    for (let i = 0; i < 4; i += 1) {
      const history = log.case(`queued-${i}`, { domains: [`queued-${i}.example`] });
      const at = (day: number, time: string) => `2022-08-0${day}T${time}+07:00`;
      history.identified(at(1 + i, '08:00:00'));
      history.warned(at(1 + i, '09:00:00'), `B-${i}/2022`, at(5 + i, '23:59:00'));
      history.deadlineElapsed(at(6 + i, '00:00:00'), ['BlockAccess']);
    }
    const events = log.all().map(toReadModelEvent);
    const last = events[events.length - 1] as ReadModelEvent;
    await db.store.applyBatch(events, { expectedPosition: 0, toPosition: last.position });
    await db.store.recordTrafficObservations([
      { domain: 'queued-3.example', period: '2022-08', visits: 5_000_000 },
      { domain: 'queued-0.example', period: '2022-08', visits: 10 },
    ]);
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('when asked oldest first, then the queue is by escalation time, page by page, and holds the same cases', async () => {
    const oldest = await db.store.getEscalationQueue({ order: 'oldest', limit: 100 });
    const byTraffic = await db.store.getEscalationQueue({ limit: 100 });
    expect(oldest.items.map((e) => e.pseId)).toEqual(['queued-0', 'queued-1', 'queued-2', 'queued-3']);
    expect(byTraffic.items.map((e) => e.pseId)).toEqual(['queued-3', 'queued-0', 'queued-1', 'queued-2']);
    const since = oldest.items.map((e) => e.since ?? FAR_FUTURE);
    expect(since).toEqual([...since].sort());
    expect(new Set(oldest.items.map((e) => e.pseId))).toEqual(new Set(byTraffic.items.map((e) => e.pseId)));
    // The newest escalation has the largest traffic: first by traffic, last oldest first.
    expect(byTraffic.items[0]?.pseId).toBe(oldest.items[oldest.items.length - 1]?.pseId);
    expect(byTraffic.items[0]?.visits).toBe(5_000_000);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await db.store.getEscalationQueue({ order: 'oldest', limit: 1, cursor });
      paged.push(...page.items.map((e) => e.pseId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && paged.length < 100);
    expect(paged).toEqual(oldest.items.map((e) => e.pseId));
  });

  it('when a cursor of the other order comes back, then it is refused', async () => {
    const byTraffic = await db.store.getEscalationQueue({ limit: 1 });
    const oldest = await db.store.getEscalationQueue({ order: 'oldest', limit: 1 });
    await expect(
      db.store.getEscalationQueue({ order: 'oldest', cursor: byTraffic.nextCursor ?? undefined }),
    ).rejects.toBeInstanceOf(InvalidQuery);
    await expect(
      db.store.getEscalationQueue({ cursor: oldest.nextCursor ?? undefined }),
    ).rejects.toBeInstanceOf(InvalidQuery);
  });
});

describe.each(readModelBackends(testing).all)(
  'case orders over hundreds of cases sharing their keys on $name',
  (backend) => {
    // A million cases in one state, under one policy, without a deadline or awaiting an operator: a page deep in such
    // a group started its walk at the group's first row and read every row before the cursor again (239 ms against
    // 19 at a million cases by state). Each order's page now starts at the cursor's row value.
    const SHARED = 300;
    let db: OpenedBackend;
    const since = '2022-08-20T01:00:00.000Z';

    beforeAll(async () => {
      db = await backend.open();
      const events: ReadModelEvent[] = julyAugust2022().events.map(toReadModelEvent);
      const last = events[events.length - 1] as ReadModelEvent;
      await db.store.applyBatch(events, { expectedPosition: 0, toPosition: last.position });
      // Copies of one case under new ids: every key of every order shared, the id apart; all awaiting an operator.
      const [{ pse_id: source }] = await db.sql(`SELECT pse_id FROM case_summary ORDER BY pse_id LIMIT 1`);
      const columns = caseSummaryTable.columns;
      const copied = columns.map((c) =>
        c === 'pse_id'
          ? `'shared-' || (1000 + i)`
          : c === 'escalation_pending'
            ? '1'
            : c === 'escalation_since'
              ? `'${since}'`
              : c,
      );
      await db.execute(`INSERT INTO case_summary (${columns.join(', ')})
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SHARED})
      SELECT ${copied.join(', ')} FROM case_summary, n WHERE pse_id = '${String(source)}'`);
    });
    afterAll(async () => {
      await db.cleanup();
    });

    /** Every id of every page of `next`, following its cursor (at most 500 pages). */
    async function allIds(
      next: (cursor: string | undefined) => Promise<{ ids: string[]; nextCursor: string | null }>,
    ) {
      const ids: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await next(cursor);
        ids.push(...page.ids);
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined && pages < 500);
      return ids;
    }

    it.each(CASE_SORTS.filter((s) => s !== 'traffic'))(
      'when sorted by %s, then pages of 7 and of 50 give every case once, in the order',
      async (sort) => {
        const whole = await db.store.listCases({ sort, limit: 1000 });
        expect(whole.items.length).toBeGreaterThan(SHARED);
        expect(whole.items.map((c) => c.pseId)).toEqual(expectedOrder(whole.items, sort));
        for (const limit of [7, 50]) {
          const ids = await allIds(async (cursor) => {
            const page = await db.store.listCases({ sort, limit, cursor });
            return { ids: page.items.map((c) => c.pseId), nextCursor: page.nextCursor };
          });
          expect(ids).toEqual(whole.items.map((c) => c.pseId));
        }
      },
    );

    it('when the escalation queue is paged oldest first, then pages of 7 give every pending case once, in the order', async () => {
      const expected = (
        await db.sql(
          `SELECT pse_id FROM escalation_queue ORDER BY coalesce(escalation_since, '${FAR_FUTURE}'), pse_id`,
        )
      ).map((r) => String(r.pse_id));
      expect(expected.length).toBeGreaterThan(SHARED);
      for (const order of ['oldest', 'traffic'] as const) {
        const ids = await allIds(async (cursor) => {
          const page = await db.store.getEscalationQueue({ order, limit: 7, cursor });
          return { ids: page.items.map((e) => e.pseId), nextCursor: page.nextCursor };
        });
        // No case here has traffic: both orders are the oldest escalation first.
        expect(ids).toEqual(expected);
      }
    });

    it('when sorted by traffic, then the cases with visits come first, the rest by id, every case once in pages of 7 and 50', async () => {
      // Three of the 2022 cases get traffic (one by rank alone: no count, so among the rest); the copies have none.
      const counted = await db.sql(
        `SELECT pse_id, domains FROM case_summary WHERE pse_id NOT LIKE 'shared-%' ORDER BY pse_id`,
      );
      const domainOf = (i: number) => (JSON.parse(String(counted[i]?.domains)) as string[])[0] as string;
      await db.store.recordTrafficObservations([
        { domain: domainOf(0), period: '2022-08', visits: 40 },
        { domain: domainOf(1), period: '2022-08', visits: 7_000 },
        { domain: domainOf(2), period: '2022-08', rank: 3 },
      ]);
      // A case with several domains counted once at its largest (two of them tied), and a settled case's traffic, which
      // does not count: the walk of the domains by visits must give each open case once, where the view puts it.
      const [several] = await db.sql(
        `SELECT s.pse_id, s.domains FROM case_summary s WHERE (SELECT count(*) FROM case_domains d WHERE d.pse_id = s.pse_id) >= 2
           AND s.pse_id NOT LIKE 'shared-%' AND s.state NOT IN ('registered', 'reRegistered', 'exempted') ORDER BY s.pse_id DESC LIMIT 1`,
      );
      const [settled] = await db.sql(
        `SELECT pse_id, domains FROM case_summary WHERE state IN ('registered', 'reRegistered', 'exempted') ORDER BY pse_id LIMIT 1`,
      );
      expect(several).toBeDefined();
      expect(settled).toBeDefined();
      const [a, b] = JSON.parse(String(several?.domains)) as string[];
      const [registered] = JSON.parse(String(settled?.domains)) as string[];
      await db.store.recordTrafficObservations([
        { domain: String(a), period: '2022-08', visits: 900 },
        { domain: String(b), period: '2022-08', visits: 900, source: 'other' },
        { domain: String(b), period: '2022-07', visits: 1_000_000 },
        { domain: String(registered), period: '2022-08', visits: 1_000_000 },
      ]);
      const oracle = async (filter = '') =>
        (
          await db.sql(`SELECT s.pse_id FROM case_summary s LEFT JOIN open_cases_by_traffic o ON o.pse_id = s.pse_id
          ${filter} ORDER BY coalesce(o.visits, -1) DESC, s.pse_id`)
        ).map((r) => String(r.pse_id));
      const expected = await oracle();
      expect(expected.length).toBeGreaterThan(SHARED);
      const whole = await db.store.listCases({ sort: 'traffic', limit: 1000 });
      expect(whole.items.map((c) => c.pseId)).toEqual(expected);
      expect(whole.items.slice(0, 3).map((c) => c.pseId)).toEqual([
        counted[1]?.pse_id,
        several?.pse_id,
        counted[0]?.pse_id,
      ]);
      for (const limit of [1, 2, 7, 50]) {
        const ids = await allIds(async (cursor) => {
          const page = await db.store.listCases({ sort: 'traffic', limit, cursor });
          return { ids: page.items.map((c) => c.pseId), nextCursor: page.nextCursor };
        });
        expect(ids).toEqual(expected);
      }
      // Filtered, and searched: the same order among the matches.
      const state = (await db.store.getCaseSummary(String(counted[1]?.pse_id)))?.state;
      expect(state).toBeDefined();
      const filtered = await allIds(async (cursor) => {
        const page = await db.store.listCases({ sort: 'traffic', state, limit: 7, cursor });
        return { ids: page.items.map((c) => c.pseId), nextCursor: page.nextCursor };
      });
      expect(filtered).toEqual(await oracle(`WHERE s.state = '${String(state)}'`));
      const searched = await allIds(async (cursor) => {
        const page = await db.store.listCases({ sort: 'traffic', q: 'shared-12', limit: 3, cursor });
        return { ids: page.items.map((c) => c.pseId), nextCursor: page.nextCursor };
      });
      expect(searched).toEqual((await oracle()).filter((id) => id.includes('shared-12')));
      expect(searched.length).toBeGreaterThan(3);
    });

    if (backend.name === 'sqlite') {
      it.each(CASE_SORTS.filter((s) => s !== 'traffic' && s !== 'id' && s !== '-id'))(
        'when sorted by %s, then a page after a cursor walks the order index from the cursor itself',
        async (sort) => {
          const order = caseOrder('sqlite', sort as Exclude<CaseSort, 'id' | '-id' | 'traffic' | '-traffic'>);
          const after = order.after(order.columns.map(() => 'x'));
          const plan = await db.sql(
            `EXPLAIN QUERY PLAN SELECT pse_id FROM case_summary WHERE ${after.sql.replace(/\?/g, "'x'")}
           ORDER BY ${order.orderBy} LIMIT 8`,
          );
          const column = sort.replace(/^-/, '');
          const keys = Array.from(order.columns, () => '\\?').join(',');
          expect(plan.map((r) => String(r.detail))).toEqual([
            expect.stringMatching(
              new RegExp(
                `^SEARCH case_summary USING (COVERING )?INDEX case_summary_by_${column} \\(\\([a-z_,]+\\)[<>]\\(${keys}\\)\\)$`,
              ),
            ),
          ]);
        },
      );

      it('when the cases with visits are walked largest first, then the walk goes down the cases domains by visits alone', async () => {
        // Migration 30: traffic recorded of domains no case has is never walked (186 ms a page at 270,000 such domains).
        const plan = (
          await db.sql(`EXPLAIN QUERY PLAN SELECT s.pse_id FROM case_summary s JOIN (${COUNTED_CASES}) t
            ON t.t_pse_id = s.pse_id WHERE ${OPEN_FOR_TRAFFIC} ORDER BY t.traffic_visits DESC, s.pse_id LIMIT 8`)
        ).map((r) => String(r.detail));
        expect(plan[0]).toMatch(/^SEARCH cd USING (COVERING )?INDEX case_domains_visits /);
        expect(plan.join('\n')).not.toMatch(/traffic_latest_domains|SCAN/);
      });

      it('when the escalation queue is paged oldest first, then a page walks its index from the cursor itself', async () => {
        const page = escalationOldestPage('sqlite', ['x', 'y'], 8);
        const plan = (await db.sql(`EXPLAIN QUERY PLAN ${page.sql.replace(/\?/g, "'x'")}`)).map((r) =>
          String(r.detail),
        );
        expect(plan).toContain(
          'SEARCH s USING INDEX case_summary_escalation ((sort_escalation,pse_id)>(?,?))',
        );
        expect(plan.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      });
    }
  },
);
