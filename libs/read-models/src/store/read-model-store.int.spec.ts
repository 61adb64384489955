import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceEvent } from '../events/event-source.port';
import {
  CASE_STATES,
  type CaseState,
  type ReadModelEvent,
  toReadModelEvent,
} from '../events/read-model-event';
import { CheckpointConflict, InvalidQuery, ReadModelStoreFailed } from '../read-model.errors';
import { FAR_FUTURE } from './read-model.schema';
import { dueDeadlinesPage, warningCasesPage } from './sql-read-model.store';
import * as testing from '@sanksi/testing';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';
import { GlobalLog } from '../testing/case-history.fixture';
import { julyAugust2022, lateRecords2022 } from '../testing/scenario.fixture';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

const scenario = (): ReadModelEvent[] => julyAugust2022().events.map(toReadModelEvent);

const noCases = (): Record<CaseState, number> =>
  Object.fromEntries(CASE_STATES.map((s) => [s, 0])) as Record<CaseState, number>;
const countsOf = (partial: Partial<Record<CaseState, number>>): Record<CaseState, number> => ({
  ...noCases(),
  ...partial,
});

/** The last instant a bound admits, by its plain reading: a date is the end of that day in WIB. */
const boundMs = (bound: string): number =>
  Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(bound) ? `${bound}T23:59:59.999+07:00` : bound);

/**
 * docs/regulation.md §9.6 spelt out over the recorded envelopes, with no SQL: per case, the last event by revision
 * that occurred by `asOf` and was recorded by `knownAt`; the state it led to.
 */
function expectedCounts(events: readonly SourceEvent[], asOf: string, knownAt?: string) {
  const occurredBy = boundMs(asOf);
  const recordedBy = knownAt === undefined ? Infinity : boundMs(knownAt);
  const last = new Map<string, { revision: number; state: CaseState }>();
  for (const e of events) {
    const m = e.metadata as {
      pseId: string;
      occurredAt: string;
      recordedAt: string;
      state: { state: CaseState };
    };
    if (Date.parse(m.occurredAt) > occurredBy || Date.parse(m.recordedAt) > recordedBy) continue;
    const seen = last.get(m.pseId);
    if (!seen || e.revision > seen.revision)
      last.set(m.pseId, { revision: e.revision, state: m.state.state });
  }
  const counts = noCases();
  for (const { state } of last.values()) counts[state] += 1;
  return counts;
}

/** Random histories: per case, business and record time never go backwards; records may lag by days. */
const DAY_MS = 86_400_000;
const JULY_1_WIB = Date.parse('2022-07-01T00:00:00+07:00');
const wibDayStart = (ms: number) => JULY_1_WIB + Math.floor((ms - JULY_1_WIB) / DAY_MS) * DAY_MS;
const wibIso = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
// Ends and starts of WIB days are where an off-by-one bound would show.
const timeOfDay = fc.oneof(
  fc.constantFrom(0, DAY_MS - 1, 10 * 3_600_000),
  fc.integer({ min: 0, max: DAY_MS - 1 }),
);
interface Step {
  afterDays: number;
  at: number;
  lagDays: number;
  lagAt: number;
  state: CaseState;
}
const step: fc.Arbitrary<Step> = fc.record({
  afterDays: fc.integer({ min: 0, max: 6 }),
  at: timeOfDay,
  lagDays: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10 })),
  lagAt: timeOfDay,
  state: fc.constantFrom(...CASE_STATES),
});
const population = fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });
const bound = fc.oneof(
  fc.integer({ min: 0, max: 70 }).map((d) => wibIso(JULY_1_WIB + d * DAY_MS).slice(0, 10)),
  fc.tuple(fc.integer({ min: 0, max: 70 }), timeOfDay).map(([d, t]) => wibIso(JULY_1_WIB + d * DAY_MS + t)),
);

function populationEvents(cases: ReadonlyArray<readonly Step[]>): SourceEvent[] {
  const log = new GlobalLog();
  const timed: Array<{ recordedAt: number; append: () => void }> = [];
  cases.forEach((steps, i) => {
    const history = log.case(`case-${i}`);
    let occurred = JULY_1_WIB;
    let recorded = JULY_1_WIB;
    for (const s of steps) {
      occurred = Math.max(occurred, wibDayStart(occurred) + s.afterDays * DAY_MS + s.at);
      recorded = Math.max(recorded, occurred, wibDayStart(occurred) + s.lagDays * DAY_MS + s.lagAt);
      const at = { occurredAt: wibIso(occurred), recordedAt: wibIso(recorded), state: s.state };
      timed.push({
        recordedAt: recorded,
        append: () =>
          history.learntAt(at.recordedAt).event('Happened', at.occurredAt, {}, { state: at.state }),
      });
    }
  });
  // The log is appended in record order, as the event store would have appended it.
  timed.sort((a, b) => a.recordedAt - b.recordedAt).forEach((t) => t.append());
  return log.all();
}

describe.each(readModelBackends(testing).all)('read-model store on $name', (backend) => {
  let db: OpenedBackend;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  async function applyAll(events: ReadModelEvent[], batchSize = 7): Promise<void> {
    let position = 0;
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      const last = batch[batch.length - 1] as ReadModelEvent;
      await db.store.applyBatch(batch, { expectedPosition: position, toPosition: last.position });
      position = last.position;
    }
  }

  describe('given the July–August 2022 population projected in batches', () => {
    let events: ReadModelEvent[];
    beforeEach(async () => {
      events = scenario();
      await applyAll(events);
    });

    it('then the checkpoint is at the last event', async () => {
      expect(await db.store.getCheckpoint()).toBe(events[events.length - 1]?.position);
    });

    it('then case_summary holds PayPal re-registered, with its history counts', async () => {
      expect(await db.store.getCaseSummary('paypal')).toMatchObject({
        name: 'PayPal',
        company: 'PayPal Pte. Ltd.',
        domains: ['paypal.com', 'www.paypal.com'],
        state: 'reRegistered',
        substate: null,
        stateSince: '2022-08-10T05:00:00.000Z',
        onBlocklist: false,
        registrationNumber: '000789.01/DJAI.PSE/08/2022',
        warnings: 1,
        blocks: 1,
        version: 8,
        openedAt: '2022-07-21T02:00:00.000Z',
      });
      expect(await db.store.getCaseSummary('nobody')).toBeNull();
    });

    it('then the timeline reads as the case history in WIB', async () => {
      const lines = (await db.store.getTimeline('paypal')).map((t) => t.line);
      expect(lines).toEqual([
        '2022-07-21 09:00 WIB — Identified: foreign PSE "PayPal" of PayPal Pte. Ltd.: paypal.com, www.paypal.com',
        '2022-07-25 09:00 WIB — Written warning issued (letter B-100/2022), response due 2022-07-29 23:59 WIB',
        '2022-07-30 00:00 WIB — Deadline elapsed: warning response (due 2022-07-29 23:59 WIB)',
        '2022-07-30 10:00 WIB — Access blocked (order 123/2022): paypal.com, www.paypal.com',
        '2022-07-31 08:00 WIB — Access temporarily restored until 2022-08-05 23:59 WIB: users withdraw funds',
        '2022-08-06 00:00 WIB — Deadline elapsed: temporary restoration (due 2022-08-05 23:59 WIB)',
        '2022-08-08 09:00 WIB — Registration submitted through OSS',
        '2022-08-10 12:00 WIB — Registration confirmed (certificate 000789.01/DJAI.PSE/08/2022)',
      ]);
    });

    it('then the blocklist lists exactly the blocked and revoked cases’ domains, as of the checkpoint', async () => {
      const list = await db.store.getBlocklist();
      expect(list.position).toBe(events[events.length - 1]?.position);
      expect(list.entries).toEqual([
        { kind: 'domain', domain: 'liar.example', pseId: 'liar', since: '2022-09-09T02:00:00.000Z' },
        { kind: 'domain', domain: 'steamcommunity.com', pseId: 'steam', since: '2022-07-30T03:05:00.000Z' },
        {
          kind: 'domain',
          domain: 'store.steampowered.com',
          pseId: 'steam',
          since: '2022-07-30T03:05:00.000Z',
        },
      ]);
    });

    it('then replaying the change feed page by page gives the blocklist, and no page splits a position', async () => {
      const listed = new Set<string>();
      let after = 0;
      let pages = 0;
      for (;;) {
        const page = await db.store.getBlocklistChanges(after, 1);
        if (page.length === 0) break;
        pages += 1;
        expect(new Set(page.map((p) => p.position)).size).toBe(1);
        for (const c of page) {
          if (c.action === 'add') listed.add(`${c.domain} ${c.pseId}`);
          else listed.delete(`${c.domain} ${c.pseId}`);
        }
        after = page[page.length - 1]?.position ?? after;
      }
      expect(pages).toBe(6);
      expect([...listed].sort()).toEqual([
        'liar.example liar',
        'steamcommunity.com steam',
        'store.steampowered.com steam',
      ]);
    });

    it('then state counts on past business dates follow the transitions', async () => {
      const july31 = await db.store.getStateCounts('2022-07-31');
      expect(july31.counts).toMatchObject({
        registered: 2,
        blocked: 2,
        exempted: 1,
        warned: 1,
        unregistered: 0,
      });
      expect(july31.total).toBe(6);
      const aug10 = await db.store.getStateCounts('2022-08-10');
      expect(aug10.counts).toMatchObject({
        registered: 2,
        reRegistered: 1,
        blocked: 1,
        exempted: 1,
        warned: 1,
      });
      const end = await db.store.getStateCounts('2023-12-31');
      expect(end.counts).toEqual({
        unregistered: 0,
        registrationPending: 0,
        registered: 1,
        warned: 2,
        fined: 1,
        blocked: 1,
        reRegistered: 1,
        suspended: 0,
        revoked: 1,
        exempted: 1,
      });
      expect((await db.store.getStateCounts('2022-06-30')).total).toBe(0);
    });

    it('then transitions per day count state changes by WIB date', async () => {
      expect(await db.store.getTransitionsPerDay('2022-07-30', '2022-07-31')).toEqual([
        { date: '2022-07-30', fromState: 'warned', toState: 'blocked', count: 2 },
        { date: '2022-07-31', fromState: 'unregistered', toState: 'exempted', count: 1 },
      ]);
    });

    it('then fines per month follow imposition, payment and annulment', async () => {
      expect(await db.store.getFinesPerMonth()).toEqual([
        {
          month: '2023-01',
          imposedCount: 1,
          imposedIdr: 5_000_000,
          paidCount: 0,
          paidIdr: 0,
          annulledCount: 0,
          annulledIdr: 0,
        },
        {
          month: '2023-02',
          imposedCount: 0,
          imposedIdr: 0,
          paidCount: 1,
          paidIdr: 2_000_000,
          annulledCount: 0,
          annulledIdr: 0,
        },
        {
          month: '2023-03',
          imposedCount: 0,
          imposedIdr: 0,
          paidCount: 0,
          paidIdr: 0,
          annulledCount: 1,
          annulledIdr: 3_000_000,
        },
      ]);
      expect(await db.store.getFines('finco')).toEqual([
        expect.objectContaining({
          fineId: 'F1',
          amountIdr: 5_000_000,
          paidIdr: 2_000_000,
          status: 'annulled',
        }),
      ]);
    });

    it('then warning-to-registration gives PayPal’s 16 days 3 hours and the open cases as pending', async () => {
      const w = await db.store.getWarningToRegistration();
      expect(w).toMatchObject({
        registered: 1,
        pending: 4,
        medianDays: 16.125,
        averageDays: 16.125,
        nextCursor: null,
      });
      expect(w.cases.find((c) => c.pseId === 'paypal')).toEqual({
        pseId: 'paypal',
        warnedAt: '2022-07-25T02:00:00.000Z',
        submittedAt: '2022-08-08T02:00:00.000Z',
        registeredAt: '2022-08-10T05:00:00.000Z',
        days: 16.125,
      });
    });

    it('then due deadlines and the escalation queue show what awaits operators', async () => {
      expect((await db.store.getDueDeadlines('2022-09-30T00:00:00+07:00')).items).toEqual([
        {
          pseId: 'newco',
          name: 'NewCo',
          kind: 'warningResponse',
          dueAt: '2022-09-08T16:59:00.000Z',
          fineId: null,
          caseState: 'warned',
        },
      ]);
      expect(await db.store.getDueDeadlines('2022-09-08T00:00:00+07:00')).toEqual({
        items: [],
        nextCursor: null,
      });
      expect((await db.store.getEscalationQueue()).items).toEqual([
        {
          pseId: 'slowco',
          name: 'SlowCo',
          state: 'warned',
          substate: null,
          since: '2022-08-02T17:00:00.000Z',
          allowed: ['BlockAccess'],
          visits: null,
          rank: null,
        },
      ]);
    });

    it('then the registry lists certificates by name, paged, and searchable', async () => {
      const first = await db.store.getRegistry({ limit: 2 });
      expect(first.items.map((r) => [r.name, r.status])).toEqual([
        ['Liar App', 'revoked'],
        ['PayPal', 'active'],
      ]);
      const second = await db.store.getRegistry({ limit: 2, cursor: first.nextCursor ?? undefined });
      expect(second.items.map((r) => r.name)).toEqual(['Tokopedia']);
      expect(second.nextCursor).toBeNull();
      expect((await db.store.getRegistry({ q: 'DJAI.PSE/08' })).items.map((r) => r.pseId)).toEqual([
        'paypal',
      ]);
    });

    it('then cases filter by state, origin, text and deadline, and page by cursor', async () => {
      expect((await db.store.listCases({ state: 'blocked' })).items.map((c) => c.pseId)).toEqual(['steam']);
      expect((await db.store.listCases({ origin: 'domestic' })).items.map((c) => c.pseId)).toEqual([
        'finco',
        'liar',
        'tokopedia',
      ]);
      expect((await db.store.listCases({ q: 'PAY' })).items.map((c) => c.pseId)).toEqual(['paypal']);
      expect((await db.store.listCases({ q: 'steamcommunity' })).items.map((c) => c.pseId)).toEqual([
        'steam',
      ]);
      expect((await db.store.listCases({ q: '100%_' })).items).toEqual([]);
      expect(
        (await db.store.listCases({ deadlineBefore: '2022-09-30T00:00:00Z' })).items.map((c) => c.pseId),
      ).toEqual(['newco']);
      // The filter reads the deadline order's key, where a case without a deadline sorts last: still never a match.
      expect((await db.store.listCases({})).items.some((c) => c.nextDeadlineAt === null)).toBe(true);
      const everyPending = await db.store.listCases({ deadlineBefore: FAR_FUTURE });
      expect(everyPending.items.length).toBeGreaterThan(0);
      expect(everyPending.items.every((c) => c.nextDeadlineAt !== null)).toBe(true);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await db.store.listCases({ limit: 3, cursor });
        seen.push(...page.items.map((c) => c.pseId));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['finco', 'liar', 'newco', 'paypal', 'slowco', 'steam', 'tokopedia', 'xandr']);
      await expect(db.store.listCases({ cursor: 'garbage' })).rejects.toBeInstanceOf(InvalidQuery);
    });

    it('given traffic observations, then discovery finds uncovered domains and ranks open cases and the queue', async () => {
      await db.store.recordTrafficObservations([
        { domain: 'paypal.com', period: '2022-07', visits: 9000, rank: 3 },
        { domain: 'WWW.BigShop.example', period: '2022-07', visits: 5000, rank: 8 },
        { domain: 'tinyshop.example', period: '2022-07', visits: 10, rank: 900 },
        { domain: 'www.xandr.com', period: '2022-07', visits: 700, rank: 50 },
        { domain: 'steamcommunity.com', period: '2022-07', visits: 8000, rank: 5 },
        { domain: 'slow.example', period: '2022-06', visits: 300, rank: 80 },
        { domain: 'slow.example', period: '2022-07', visits: 400, rank: 70 },
      ]);
      expect(await db.store.getDiscoveryCandidates(10)).toEqual([
        { domain: 'www.bigshop.example', period: '2022-07', visits: 5000, rank: 8 },
        { domain: 'tinyshop.example', period: '2022-07', visits: 10, rank: 900 },
      ]);
      expect(await db.store.getOpenCasesByTraffic(10)).toEqual([
        { pseId: 'steam', name: 'Steam', state: 'blocked', visits: 8000, rank: 5, period: '2022-07' },
        { pseId: 'slowco', name: 'SlowCo', state: 'warned', visits: 400, rank: 70, period: '2022-07' },
      ]);
      expect((await db.store.getEscalationQueue()).items[0]).toMatchObject({
        pseId: 'slowco',
        visits: 400,
        rank: 70,
      });
      const analyst = await db.sql(`SELECT domain FROM discovery_candidates ORDER BY domain`);
      expect(analyst.map((r) => r['domain'])).toEqual(['tinyshop.example', 'www.bigshop.example']);
    });
  });

  describe('given more due deadlines, escalations and warnings than fit on one page', () => {
    // 23 cases in sixes that share their warning and due instants (and most their traffic), so the
    // cursor has to break ties on the later keys: 8 registered after 1–8 days, 8 awaiting an operator,
    // 7 with their warning's deadline still pending.
    const CASES = 23;
    const pseIdOf = (i: number) => `case-${String(i).padStart(2, '0')}`;
    beforeEach(async () => {
      const log = new GlobalLog();
      for (let i = 0; i < CASES; i += 1) {
        const history = log.case(pseIdOf(22 - i), { domains: [`site-${i}.example`] });
        const day = 1 + Math.floor(i / 6);
        const at = (d: number, time: string) => `2022-08-${String(d).padStart(2, '0')}T${time}+07:00`;
        history.identified(at(day, '08:00:00'));
        history.warned(at(day, '09:00:00'), `B-${i}/2022`, at(day + 5, '23:59:00'));
        if (i % 3 === 0) {
          history.submitted(at(day + 1, '09:00:00'), 'oss');
          history.confirmed(at(day + 1 + (i % 8), '09:00:00'), `REG-${i}`, false);
        } else if (i % 2 === 0) history.deadlineElapsed(at(day + 6, '00:00:00'), ['BlockAccess']);
      }
      await applyAll(log.all().map(toReadModelEvent), 11);
      await db.store.recordTrafficObservations(
        Array.from({ length: CASES }, (_, i) => ({
          domain: `site-${i}.example`,
          period: '2022-08',
          visits: i >= 16 ? null : 100,
        })),
      );
    });

    /** Every item of every page, following the cursor from the first page. */
    async function allPages<T>(
      fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
    ): Promise<{ items: T[]; pages: number }> {
      const items: T[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await fetch(cursor);
        pages += 1;
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && pages < 100);
      return { items, pages };
    }

    it('then due deadlines come page by page, every row exactly once, in the unpaged order', async () => {
      const before = '2022-12-31T00:00:00+07:00';
      const whole = await db.store.getDueDeadlines(before, { limit: 1000 });
      expect(whole.nextCursor).toBeNull();
      const [{ n }] = await db.sql(`SELECT count(*) AS n FROM deadlines`);
      expect(whole.items).toHaveLength(Number(n));
      expect(whole.items).toHaveLength(7);
      const paged = await allPages((cursor) => db.store.getDueDeadlines(before, { cursor, limit: 2 }));
      expect(paged.items).toEqual(whole.items);
      expect(paged.pages).toBe(4);
      expect(new Set(paged.items.map((d) => d.pseId)).size).toBe(whole.items.length);
      expect((await db.store.getDueDeadlines(before)).items).toHaveLength(Math.min(50, whole.items.length));
    });

    it('then a page of due deadlines walks the index of their order from the cursor itself, without sorting every due one', async () => {
      // The page the scheduler asks for (getDueDeadlines with a cursor): over an index of the instant alone it
      // joined and sorted every due deadline for each page (24 ms a page at a million systems under load); bounded
      // by the instant alone, it re-read every row due at the cursor's instant before it (a day's warnings fall
      // due at one instant), so the cursor is one row value, where the index walk starts.
      // The store's own statement, its parameters written in.
      const statement = dueDeadlinesPage('2022-12-31', ['2022-08-01', 'a', 'b', ''], 200);
      let next = 0;
      const page = statement.sql.replace(/\?/g, () => {
        const value = statement.params[next++];
        return typeof value === 'number' ? String(value) : `'${String(value)}'`;
      });
      expect(page).toMatch(/\(d\.due_at, d\.pse_id, d\.kind, d\.fine_id\) > \('2022-08-01', 'a', 'b', ''\)/);
      if (backend.name === 'sqlite') {
        const plan = (await db.sql(`EXPLAIN QUERY PLAN ${page}`)).map((r) => String(r.detail));
        expect(plan[0]).toMatch(
          /^SEARCH d USING INDEX deadlines_due \(\(due_at,pse_id,kind,fine_id\)>\(\?,\?,\?,\?\) AND due_at<\?\)$/,
        );
        expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
      } else {
        const [index] = await db.sql(`SELECT indexdef FROM pg_indexes WHERE indexname = 'deadlines_due'`);
        expect(String(index?.indexdef)).toMatch(/\(due_at, pse_id, kind, fine_id\)$/);
      }
    });

    it('given hundreds of deadlines due at one instant, then their pages give each exactly once, in order', async () => {
      const [{ pse_id: pseId }] = await db.sql(`SELECT pse_id FROM case_summary ORDER BY pse_id LIMIT 1`);
      const instant = '2022-09-01T16:59:59.999Z';
      await db.execute(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
        INSERT INTO deadlines (pse_id, kind, due_at, fine_id, case_state)
        SELECT '${String(pseId)}', CASE WHEN i % 2 = 0 THEN 'payment' ELSE 'response' END, '${instant}',
          'fine-' || (1000 + i), 'fined' FROM n`);
      try {
        const before = '2022-12-31T00:00:00+07:00';
        const whole = await db.store.getDueDeadlines(before, { limit: 1000 });
        const atInstant = whole.items.filter((d) => d.dueAt === instant);
        expect(atInstant).toHaveLength(300);
        const keys = whole.items.map((d) => [d.dueAt, d.pseId, d.kind, d.fineId ?? ''].join(' '));
        expect(keys).toEqual([...keys].sort());
        for (const limit of [7, 50]) {
          const paged = await allPages((cursor) => db.store.getDueDeadlines(before, { cursor, limit }));
          expect(paged.items).toEqual(whole.items);
        }
      } finally {
        await db.execute(`DELETE FROM deadlines WHERE due_at = '${instant}'`);
      }
    });

    it('then the escalation queue comes page by page, every case exactly once, largest traffic first', async () => {
      const whole = await db.store.getEscalationQueue({ limit: 1000 });
      const [{ n }] = await db.sql(`SELECT count(*) AS n FROM case_summary WHERE escalation_pending = 1`);
      expect(whole.items).toHaveLength(Number(n));
      expect(whole.items).toHaveLength(8);
      const visits = whole.items.map((e) => e.visits ?? -1);
      expect(visits).toEqual([...visits].sort((a, b) => b - a));
      const paged = await allPages((cursor) => db.store.getEscalationQueue({ cursor, limit: 2 }));
      expect(paged.items).toEqual(whole.items);
      expect(new Set(paged.items.map((e) => e.pseId)).size).toBe(whole.items.length);
      // Both walks (cases with traffic, then the rest) give the view's order, whatever the page size.
      expect(visits.some((v) => v >= 0) && visits.some((v) => v < 0)).toBe(true);
      const since = `coalesce(escalation_since, '9999-12-31T23:59:59.999Z')`;
      const ids = async (order: string) =>
        (await db.sql(`SELECT pse_id FROM escalation_queue ORDER BY ${order}`)).map((r) => r.pse_id);
      for (const limit of [1, 3, 7]) {
        const byTraffic = await allPages((cursor) => db.store.getEscalationQueue({ cursor, limit }));
        expect(byTraffic.items.map((e) => e.pseId)).toEqual(
          await ids(`coalesce(visits, -1) DESC, ${since}, pse_id`),
        );
        const oldest = await allPages((cursor) =>
          db.store.getEscalationQueue({ cursor, limit, order: 'oldest' }),
        );
        expect(oldest.items.map((e) => e.pseId)).toEqual(await ids(`${since}, pse_id`));
      }
    });

    it('then warning-to-registration pages its cases but its figures cover them all', async () => {
      const whole = await db.store.getWarningToRegistration({ limit: 1000 });
      expect(whole.cases).toHaveLength(CASES);
      expect(whole).toMatchObject({ registered: 8, pending: CASES - 8, nextCursor: null });
      const days = whole.cases.flatMap((c) => (c.days === null ? [] : [c.days])).sort((a, b) => a - b);
      expect(whole.medianDays).toBeCloseTo((days[3] + days[4]) / 2, 9);
      expect(whole.averageDays).toBeCloseTo(days.reduce((a, b) => a + b, 0) / days.length, 9);
      const pages: Array<Awaited<ReturnType<typeof db.store.getWarningToRegistration>>> = [];
      let cursor: string | undefined;
      do {
        const page = await db.store.getWarningToRegistration({ cursor, limit: 5 });
        pages.push(page);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(pages).toHaveLength(5);
      expect(pages.flatMap((p) => p.cases)).toEqual(whole.cases);
      for (const p of pages) {
        expect([p.registered, p.pending, p.medianDays, p.averageDays]).toEqual([
          whole.registered,
          whole.pending,
          whole.medianDays,
          whole.averageDays,
        ]);
      }
    });

    it('given hundreds of cases warned at one instant, then their pages give each exactly once, from the cursor itself', async () => {
      // A day's letters share their instant: the page walks warning_to_registration_warned from the cursor's
      // row value, not from the instant (which re-read every case warned then before the cursor, each page).
      const statement = warningCasesPage(['2022-08-01T02:00:00.000Z', 'a'], 50);
      expect(statement.sql).toMatch(
        /WHERE \(warned_at, pse_id\) > \(\?, \?\) ORDER BY warned_at, pse_id LIMIT \?$/,
      );
      if (backend.name === 'sqlite') {
        const plan = (await db.sql(`EXPLAIN QUERY PLAN ${statement.sql.replace(/\?/g, "'x'")}`)).map((r) =>
          String(r.detail),
        );
        expect(plan).toEqual([
          'SEARCH warning_to_registration USING INDEX warning_to_registration_warned ((warned_at,pse_id)>(?,?))',
        ]);
      }
      const instant = '2022-09-01T02:00:00.000Z';
      await db.execute(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
        INSERT INTO warning_to_registration (pse_id, warned_at, letter_number)
        SELECT 'mass-' || (1000 + i), '${instant}', 'B-' || i FROM n`);
      try {
        const whole = await db.store.getWarningToRegistration({ limit: 1000 });
        expect(whole.cases.filter((c) => c.warnedAt === instant)).toHaveLength(300);
        for (const limit of [7, 50]) {
          const paged = await allPages(async (cursor) => {
            const page = await db.store.getWarningToRegistration({ cursor, limit });
            return { items: page.cases, nextCursor: page.nextCursor };
          });
          expect(paged.items).toEqual(whole.cases);
        }
      } finally {
        await db.execute(`DELETE FROM warning_to_registration WHERE warned_at = '${instant}'`);
      }
    });

    it('given read models projected before migrations 14 and 16, then migrating counts the figures and the days from the rows there', async () => {
      const figures = await db.store.getWarningToRegistration({ limit: 1 });
      const days = await db.store.getWarningToRegistrationDays();
      const kept = await db.dump();
      await db.execute(
        `DROP TABLE warning_to_registration_totals; DROP TABLE warning_to_registration_days;
         DELETE FROM read_model_migrations WHERE version IN (14, 16)`,
      );
      const reopened = db.reopen();
      expect(await reopened.getWarningToRegistration({ limit: 1 })).toEqual(figures);
      expect(await reopened.getWarningToRegistrationDays()).toEqual(days);
      expect(days.length).toBeGreaterThan(0);
      expect(await db.dump()).toEqual(kept);
      expect(kept.warning_to_registration_totals).toHaveLength(1);
      await reopened.close();
    });

    it('then a cursor from another query or a bad limit is refused with InvalidQuery', async () => {
      const first = await db.store.getEscalationQueue({ limit: 1 });
      expect(first.nextCursor).not.toBeNull();
      await expect(
        db.store.getDueDeadlines('2022-12-31T00:00:00Z', { cursor: first.nextCursor ?? '' }),
      ).rejects.toMatchObject({ field: 'cursor' });
      await expect(db.store.getWarningToRegistration({ cursor: 'garbage' })).rejects.toBeInstanceOf(
        InvalidQuery,
      );
      await expect(db.store.getEscalationQueue({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    });
  });

  it('given a batch that fails in the database mid-way, then nothing of it is visible and the checkpoint stays', async () => {
    const events = scenario();
    await applyAll(events.slice(0, 10));
    const before = await db.dump();
    const batch = events.slice(10, 16);
    const dup = {
      ...(batch[3] as ReadModelEvent),
      eventId: 'dup',
      position: (batch[5] as ReadModelEvent).position + 1,
    };
    // Same case and revision as batch[3]: the timeline's key refuses it after the summaries were written.
    await expect(
      db.store.applyBatch([...batch, dup], {
        expectedPosition: events[9]?.position ?? 0,
        toPosition: dup.position,
      }),
    ).rejects.toMatchObject({
      code: 'READ_MODEL_STORE_FAILED',
      operation: 'transaction',
      message: expect.stringMatching(/case_timeline/),
    });
    expect(await db.dump()).toEqual(before);
    expect(await db.store.getCheckpoint()).toBe(events[9]?.position);
  });

  it('given a stale expected position, then the batch is refused with CheckpointConflict and nothing is written', async () => {
    const events = scenario();
    await applyAll(events.slice(0, 5));
    const before = await db.dump();
    await expect(
      db.store.applyBatch(events.slice(5, 8), { expectedPosition: 0, toPosition: events[7]?.position ?? 0 }),
    ).rejects.toBeInstanceOf(CheckpointConflict);
    expect(await db.dump()).toEqual(before);
  });

  it('given two stores racing to apply the same batch, then exactly one commits it', async () => {
    const events = scenario().slice(0, 12);
    const other = db.reopen();
    await Promise.all([db.store.migrate(), other.migrate()]);
    const to = events[events.length - 1]?.position ?? 0;
    const results = await Promise.allSettled([
      db.store.applyBatch(events, { expectedPosition: 0, toPosition: to }),
      other.applyBatch(events, { expectedPosition: 0, toPosition: to }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(CheckpointConflict);
    const [n] = await db.sql(`SELECT count(*) AS n FROM case_timeline`);
    expect(Number(n?.['n'])).toBe(12);
  });

  it('given two stores taking turns on one checkpoint, or a batch rolled back and retried, then the rows equal a single clean run', async () => {
    const events = scenario();
    const reference = await backend.open();
    try {
      let position = 0;
      for (const batch of [events.slice(0, 9), events.slice(9, 21), events.slice(21)]) {
        const to = (batch[batch.length - 1] as ReadModelEvent).position;
        await reference.store.applyBatch(batch, { expectedPosition: position, toPosition: to });
        position = to;
      }

      // Each store remembers the rows it wrote; the other's commits must invalidate that memory.
      const a = db.store;
      const b = db.reopen();
      const at = (i: number) => (events[i - 1] as ReadModelEvent).position;
      await a.applyBatch(events.slice(0, 9), { expectedPosition: 0, toPosition: at(9) });
      await b.applyBatch(events.slice(9, 15), { expectedPosition: at(9), toPosition: at(15) });
      const failing = [
        ...events.slice(15, 21),
        { ...(events[16] as ReadModelEvent), eventId: 'dup', position: at(events.length) + 100 },
      ];
      await expect(
        a.applyBatch(failing, { expectedPosition: at(15), toPosition: at(events.length) + 100 }),
      ).rejects.toBeInstanceOf(ReadModelStoreFailed);
      await a.applyBatch(events.slice(15, 21), { expectedPosition: at(15), toPosition: at(21) });
      await b.applyBatch(events.slice(21), { expectedPosition: at(21), toPosition: at(events.length) });

      expect(await db.dump()).toEqual(await reference.dump());
    } finally {
      await reference.cleanup();
    }
  });

  describe('given a block that occurred on 30 July 2022 but was recorded on 6 August', () => {
    let events: SourceEvent[];
    beforeEach(async () => {
      events = lateRecords2022().events;
      await applyAll(events.map(toReadModelEvent), 4);
    });

    it('then on 1 August as known at 5 August Steam counts as warned, and as known at 7 August as blocked', async () => {
      const known5 = await db.store.getStateCounts('2022-08-01', { knownAt: '2022-08-05' });
      expect(known5).toEqual({
        asOf: '2022-08-01',
        knownAt: '2022-08-05',
        counts: countsOf({ registered: 1, warned: 1, blocked: 1, exempted: 1 }),
        total: 4,
      });
      const known7 = await db.store.getStateCounts('2022-08-01', { knownAt: '2022-08-07' });
      expect(known7.counts).toEqual(countsOf({ registered: 1, blocked: 2, exempted: 1 }));
      expect(known7.total).toBe(4);
    });

    it('then everything recorded (no knownAt) is the later view, the same as knownAt far in the future', async () => {
      const now = await db.store.getStateCounts('2022-08-01');
      expect(now).toEqual({
        asOf: '2022-08-01',
        knownAt: null,
        counts: countsOf({ registered: 1, blocked: 2, exempted: 1 }),
        total: 4,
      });
      expect((await db.store.getStateCounts('2022-08-01', { knownAt: '2100-01-01' })).counts).toEqual(
        now.counts,
      );
    });

    it('then a case learnt later is not counted before it was known, and a knownAt before asOf sees only the older facts', async () => {
      expect((await db.store.getStateCounts('2022-08-01', { knownAt: '2022-08-01' })).counts).toEqual(
        countsOf({ registered: 1, warned: 1, blocked: 1 }),
      );
      expect((await db.store.getStateCounts('2022-08-01', { knownAt: '2022-07-24' })).counts).toEqual(
        countsOf({ registered: 1, unregistered: 2 }),
      );
      expect((await db.store.getStateCounts('2022-07-20', { knownAt: '2022-07-20' })).total).toBe(1);
      expect((await db.store.getStateCounts('2022-06-30', { knownAt: '2022-08-07' })).total).toBe(0);
    });

    it('then instants bound both axes exactly: the block counts from the instant it was recorded, and from when it took effect', async () => {
      const steamBlocked = async (asOf: string, knownAt?: string) =>
        (await db.store.getStateCounts(asOf, { knownAt })).counts.blocked === 2;
      expect(await steamBlocked('2022-08-01', '2022-08-06T13:59:59.999+07:00')).toBe(false);
      expect(await steamBlocked('2022-08-01', '2022-08-06T14:00:00+07:00')).toBe(true);
      expect(await steamBlocked('2022-08-01', '2022-08-06T07:00:00Z')).toBe(true);
      expect(await steamBlocked('2022-07-30T10:04:59+07:00')).toBe(false);
      expect(await steamBlocked('2022-07-30T10:05:00+07:00')).toBe(true);
      const instant = await db.store.getStateCounts('2022-07-30T10:02:00+07:00', {
        knownAt: '2022-08-06T14:00:00+07:00',
      });
      expect(instant).toEqual({
        asOf: '2022-07-30T03:02:00.000Z',
        knownAt: '2022-08-06T07:00:00.000Z',
        counts: countsOf({ registered: 1, blocked: 1, warned: 1, unregistered: 1 }),
        total: 4,
      });
    });

    it('then a later business date as known before the late record still shows Steam warned', async () => {
      expect((await db.store.getStateCounts('2022-08-15', { knownAt: '2022-08-05' })).counts).toEqual(
        countsOf({ registered: 1, warned: 1, blocked: 1, exempted: 1, unregistered: 1 }),
      );
      expect((await db.store.getStateCounts('2022-08-15')).counts).toEqual(
        countsOf({ registered: 1, reRegistered: 1, blocked: 1, exempted: 1, unregistered: 1 }),
      );
    });

    it('then every count equals the plain reading of docs/regulation.md §9.6 over the envelopes', async () => {
      for (const asOf of ['2022-07-21', '2022-07-30', '2022-07-31', '2022-08-01', '2022-08-06', '2022-08-11'])
        for (const knownAt of [
          undefined,
          '2022-07-21',
          '2022-08-02',
          '2022-08-05',
          '2022-08-06',
          '2022-08-11',
        ])
          expect({
            asOf,
            knownAt,
            counts: (await db.store.getStateCounts(asOf, { knownAt })).counts,
          }).toEqual({
            asOf,
            knownAt,
            counts: expectedCounts(events, asOf, knownAt),
          });
    });
  });

  it('given random histories with late records, then every count on any bounds equals the plain reading of docs/regulation.md §9.6', async () => {
    await fc.assert(
      fc.asyncProperty(
        population,
        fc.array(fc.tuple(bound, fc.option(bound, { nil: undefined })), { minLength: 8, maxLength: 8 }),
        async (cases, bounds) => {
          const events = populationEvents(cases);
          await db.store.reset();
          await applyAll(events.map(toReadModelEvent), 16);
          for (const [asOf, knownAt] of bounds) {
            const { counts } = await db.store.getStateCounts(asOf, { knownAt });
            expect({ asOf, knownAt, counts }).toEqual({
              asOf,
              knownAt,
              counts: expectedCounts(events, asOf, knownAt),
            });
          }
        },
      ),
      { numRuns: 25, seed: 20220801 },
    );
  });

  it('given the population, then every example query of docs/read-models.md runs as written', async () => {
    await applyAll(scenario());
    const doc = readFileSync(path.join(__dirname, '../../../../docs/read-models.md'), 'utf8');
    // ```sql blocks run on both dialects; ```sql sqlite / ```sql postgres only on their own.
    const queries = [...doc.matchAll(/```sql( sqlite| postgres)?\n([\s\S]*?)```/g)]
      .filter((m) => m[1] === undefined || m[1].trim() === backend.name)
      .flatMap((m) =>
        (m[2] ?? '')
          .split(';')
          .map((q) => q.replace(/--.*$/gm, '').trim())
          .filter((q) => q.length > 0),
      );
    expect(queries.length).toBeGreaterThanOrEqual(9);
    for (const q of queries) expect(Array.isArray(await db.sql(q))).toBe(true);
    const [median] = await db.sql(queries[2] as string);
    expect(Number(median?.['median_days'])).toBe(16.125);
  });

  it('given a reset, then every projected table is empty, the checkpoint is 0 and traffic stays', async () => {
    await applyAll(scenario());
    await db.store.recordTrafficObservations([{ domain: 'a.example', period: '2022-07', visits: 1 }]);
    await db.store.reset();
    const dump = await db.dump();
    for (const [table, rows] of Object.entries(dump)) {
      if (table !== 'projection_checkpoints') expect({ table, rows }).toEqual({ table, rows: [] });
    }
    expect(await db.store.getCheckpoint()).toBe(0);
    expect(await db.sql(`SELECT domain FROM traffic_observations`)).toEqual([{ domain: 'a.example' }]);
  });

  it('given queries with bad arguments, then they fail with InvalidQuery naming the field', async () => {
    await expect(db.store.getStateCounts('31-07-2022')).rejects.toMatchObject({
      code: 'INVALID_QUERY',
      field: 'asOf',
    });
    await expect(db.store.getStateCounts('2022-02-30')).rejects.toMatchObject({ field: 'asOf' });
    await expect(db.store.getStateCounts('2022-08-01T10:00:00')).rejects.toMatchObject({ field: 'asOf' });
    await expect(db.store.getStateCounts('2022-08-01', { knownAt: 'yesterday' })).rejects.toMatchObject({
      code: 'INVALID_QUERY',
      field: 'knownAt',
    });
    await expect(db.store.getDueDeadlines('soon')).rejects.toMatchObject({ field: 'before' });
    await expect(db.store.listCases({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
  });
});
