import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ReadModelEvent, toReadModelEvent } from '../events/read-model-event';
import { CheckpointConflict, InvalidQuery, ReadModelStoreFailed } from '../read-model.errors';
import * as testing from '@sanksi/testing';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';
import { julyAugust2022 } from '../testing/scenario.fixture';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

const scenario = (): ReadModelEvent[] => julyAugust2022().events.map(toReadModelEvent);

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
        { domain: 'liar.example', pseId: 'liar', since: '2022-09-09T02:00:00.000Z' },
        { domain: 'steamcommunity.com', pseId: 'steam', since: '2022-07-30T03:05:00.000Z' },
        { domain: 'store.steampowered.com', pseId: 'steam', since: '2022-07-30T03:05:00.000Z' },
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
      expect(w).toMatchObject({ registered: 1, pending: 4, medianDays: 16.125, averageDays: 16.125 });
      expect(w.cases.find((c) => c.pseId === 'paypal')).toEqual({
        pseId: 'paypal',
        warnedAt: '2022-07-25T02:00:00.000Z',
        submittedAt: '2022-08-08T02:00:00.000Z',
        registeredAt: '2022-08-10T05:00:00.000Z',
        days: 16.125,
      });
    });

    it('then due deadlines and the escalation queue show what awaits operators', async () => {
      expect(await db.store.getDueDeadlines('2022-09-30T00:00:00+07:00')).toEqual([
        {
          pseId: 'newco',
          name: 'NewCo',
          kind: 'warningResponse',
          dueAt: '2022-09-08T16:59:00.000Z',
          fineId: null,
          caseState: 'warned',
        },
      ]);
      expect(await db.store.getDueDeadlines('2022-09-08T00:00:00+07:00')).toEqual([]);
      expect(await db.store.getEscalationQueue()).toEqual([
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
      expect((await db.store.getEscalationQueue())[0]).toMatchObject({
        pseId: 'slowco',
        visits: 400,
        rank: 70,
      });
      const analyst = await db.sql(`SELECT domain FROM discovery_candidates ORDER BY domain`);
      expect(analyst.map((r) => r['domain'])).toEqual(['tinyshop.example', 'www.bigshop.example']);
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

  it('given the population, then every example query of docs/read-models.md runs as written', async () => {
    await applyAll(scenario());
    const doc = readFileSync(path.join(__dirname, '../../../../docs/read-models.md'), 'utf8');
    const queries = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((m) =>
      (m[1] ?? '')
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
      field: 'asOfDate',
    });
    await expect(db.store.getDueDeadlines('soon')).rejects.toMatchObject({ field: 'before' });
    await expect(db.store.listCases({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
  });
});
