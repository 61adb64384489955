import fc from 'fast-check';
import * as testing from '@sanksi/testing';
import type { SourceEvent } from '../events/event-source.port';
import {
  CASE_STATES,
  type CaseState,
  type ReadModelEvent,
  toReadModelEvent,
} from '../events/read-model-event';
import { normaliseDomains } from '../projections/blocklist.projection';
import { InvalidQuery } from '../read-model.errors';
import type { ReadModelStore } from './read-model-store.port';
import { GlobalLog } from '../testing/case-history.fixture';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';
import { julyAugust2022, lateRecords2022 } from '../testing/scenario.fixture';
import { businessDatesBetween, dailyDeltaTablesSql } from './daily-series';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

const boundMs = (bound: string): number =>
  Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(bound) ? `${bound}T23:59:59.999+07:00` : bound);

interface Recorded {
  pseId: string;
  occurredAt: string;
  recordedAt: string;
  state: { state: CaseState; onBlocklist: boolean; domains: string[] };
}

/**
 * docs/regulation.md §9.6 spelt out over the envelopes, with no SQL: per case, the last event by revision
 * that occurred by the end of `date` (WIB) and was recorded by `knownAt`; its state and its listed domains.
 */
function plainReading(events: readonly SourceEvent[], date: string, knownAt?: string) {
  const occurredBy = boundMs(date);
  const recordedBy = knownAt === undefined ? Infinity : boundMs(knownAt);
  const last = new Map<string, { revision: number; m: Recorded }>();
  for (const e of events) {
    const m = e.metadata as unknown as Recorded;
    if (Date.parse(m.occurredAt) > occurredBy || Date.parse(m.recordedAt) > recordedBy) continue;
    const seen = last.get(m.pseId);
    if (!seen || e.revision > seen.revision) last.set(m.pseId, { revision: e.revision, m });
  }
  const counts = Object.fromEntries(CASE_STATES.map((s) => [s, 0])) as Record<CaseState, number>;
  let size = 0;
  for (const { m } of last.values()) {
    counts[m.state.state] += 1;
    if (m.state.onBlocklist) size += normaliseDomains(m.state.domains).length;
  }
  return { counts, total: last.size, size };
}

/** Random histories in which business time may go back (a retraction dates before what it retracts). */
const DAY_MS = 86_400_000;
const JULY_1_WIB = Date.parse('2022-07-01T00:00:00+07:00');
const wibIso = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().replace('Z', '+07:00');
/** A time of a WIB day: its edges, a UTC date's edges (07:00 WIB), or any. */
const timeOfDay = fc.oneof(
  fc.constantFrom(0, DAY_MS - 1, 7 * 3_600_000, 7 * 3_600_000 - 1),
  fc.integer({ min: 0, max: DAY_MS - 1 }),
);
/** What an event sets: its state, whether its domains are listed, how many domains. */
const outcome = {
  state: fc.constantFrom(...CASE_STATES),
  onBlocklist: fc.boolean(),
  domains: fc.integer({ min: 1, max: 3 }),
};
const step = fc.record({
  dayShift: fc.integer({ min: -4, max: 6 }),
  at: timeOfDay,
  lagDays: fc.integer({ min: 0, max: 5 }),
  ...outcome,
});
const population = fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 });
/**
 * Histories whose events often share an instant (an automatic block at its deadline's elapse is one: the two are
 * appended together and occur at the same moment), listing other domains or the same ones.
 */
const sameInstantStep = fc.record({
  dayShift: fc.constantFrom(0, 0, 0, 1, -1),
  at: fc.constantFrom(0, DAY_MS - 1),
  lagDays: fc.constantFrom(0, 0, 1),
  ...outcome,
});
const sameInstantPopulation = fc.array(fc.array(sameInstantStep, { minLength: 1, maxLength: 8 }), {
  minLength: 1,
  maxLength: 8,
});

/**
 * Histories whose record times may also go back within a case (an import or a simulation states its own; a
 * clock steps back): the case's events are still appended in revision order, some say they were recorded
 * before the event before them.
 */
const descendingStep = fc.record({
  dayShift: fc.integer({ min: -2, max: 6 }),
  at: timeOfDay,
  lagDays: fc.integer({ min: 0, max: 5 }),
  recordedBackDays: fc.constantFrom(0, 0, 0, 1, 3, 8),
  ...outcome,
});
const descendingPopulation = fc.array(fc.array(descendingStep, { minLength: 1, maxLength: 6 }), {
  minLength: 1,
  maxLength: 10,
});

/**
 * An instant to ask "as known at" on a day of the histories: the business date itself (its end, WIB), or an
 * instant at either edge of a UTC date — where the changes kept per date of record meet those kept per instant.
 */
const knownAtKind = fc.constantFrom('date', 'utcMidnight', 'utcLast', 'utcNoon');
function knownAtOn(day: number, kind: 'date' | 'utcMidnight' | 'utcLast' | 'utcNoon'): string {
  const date = wibIso(JULY_1_WIB + day * DAY_MS).slice(0, 10);
  if (kind === 'date') return date;
  const midnight = Date.parse(`${date}T00:00:00.000Z`);
  const ms = { utcMidnight: midnight, utcLast: midnight + DAY_MS - 1, utcNoon: midnight + DAY_MS / 2 }[kind];
  return new Date(ms).toISOString();
}

type Step = (typeof step extends fc.Arbitrary<infer T> ? T : never) & { recordedBackDays?: number };

function populationEvents(cases: ReadonlyArray<readonly Step[]>): SourceEvent[] {
  const log = new GlobalLog();
  const timed: Array<{ recordedAt: number; order: number; append: () => void }> = [];
  cases.forEach((steps, i) => {
    const history = log.case(`case-${i}`);
    let day = 5;
    let recorded = JULY_1_WIB;
    for (const s of steps) {
      day = Math.max(0, day + s.dayShift);
      const occurred = JULY_1_WIB + day * DAY_MS + s.at;
      // The store appends a case's events in order; the record time they state never goes back, unless the
      // step says it was recorded earlier than that (descendingStep).
      recorded = Math.max(recorded, occurred + s.lagDays * DAY_MS);
      const stated = recorded - (s.recordedBackDays ?? 0) * DAY_MS;
      const at = { occurredAt: wibIso(occurred), recordedAt: wibIso(stated) };
      const patch = {
        state: s.state,
        onBlocklist: s.onBlocklist,
        domains: Array.from({ length: s.domains }, (_, d) => `d${d}.case-${i}.example`),
      };
      timed.push({
        recordedAt: recorded,
        order: timed.length,
        append: () => history.learntAt(at.recordedAt).event('Happened', at.occurredAt, {}, patch),
      });
    }
  });
  timed.sort((a, b) => a.recordedAt - b.recordedAt || a.order - b.order).forEach((t) => t.append());
  return log.all();
}

/** The events with every `every`th (0: none) appended as an import of the past appends it: today, long after. */
function backdate(events: readonly SourceEvent[], every: number): SourceEvent[] {
  return events.map((e, i) =>
    every > 0 && i % every === 0 ? { ...e, createdAt: '2026-12-01T00:00:00.000Z' } : e,
  );
}

describe.each(readModelBackends(testing).all)('daily series of the read-model store on $name', (backend) => {
  let db: OpenedBackend;
  beforeEach(async () => {
    db = await backend.open();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  /** Projects `events` in batches, by `store`, from the checkpoint `from` (the position before the first). */
  async function applyAll(
    events: ReadModelEvent[],
    batchSize = 7,
    store: ReadModelStore = db.store,
    from = 0,
  ): Promise<void> {
    let position = from;
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      const last = batch[batch.length - 1] as ReadModelEvent;
      await store.applyBatch(batch, { expectedPosition: position, toPosition: last.position });
      position = last.position;
    }
  }

  /**
   * The record-date roll-ups hold the changes kept by record time summed per UTC date of record, with no row that
   * sums to nothing (migration 24), whichever way the projector wrote them.
   */
  async function expectRecordedDaysSummed(): Promise<void> {
    const day =
      backend.name === 'sqlite'
        ? 'substr(recorded_at, 1, 10)'
        : `to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    const numbers = (rows: Array<Record<string, unknown>>) =>
      rows.map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v]),
        ),
      );
    // Live events' rows and backdated events' alike.
    const byInstant = (table: 'state' | 'blocklist', columns: string) =>
      `(SELECT ${columns} FROM ${table}_deltas_recorded UNION ALL SELECT ${columns} FROM ${table}_deltas_backdated)`;
    expect(
      numbers(
        await db.sql(`SELECT recorded_date, business_date, state, n FROM state_deltas_recorded_days
        ORDER BY recorded_date, business_date, state`),
      ),
    ).toEqual(
      numbers(
        await db.sql(`SELECT ${day} AS recorded_date, business_date, state, sum(n) AS n
        FROM ${byInstant('state', 'recorded_at, business_date, state, n')} r
        GROUP BY ${day}, business_date, state HAVING sum(n) <> 0 ORDER BY recorded_date, business_date, state`),
      ),
    );
    expect(
      numbers(
        await db.sql(`SELECT recorded_date, business_date, added, removed FROM blocklist_deltas_recorded_days
        ORDER BY recorded_date, business_date`),
      ),
    ).toEqual(
      numbers(
        await db.sql(`SELECT ${day} AS recorded_date, business_date, sum(added) AS added, sum(removed) AS removed
        FROM ${byInstant('blocklist', 'recorded_at, business_date, added, removed')} r GROUP BY ${day}, business_date
        HAVING sum(added) <> 0 OR sum(removed) <> 0 ORDER BY recorded_date, business_date`),
      ),
    );
  }

  /** Both series, each day as known at `knownAt`, and the population on one date, against the plain reading. */
  async function expectPlainReading(
    store: ReadModelStore,
    source: readonly SourceEvent[],
    knownAt: string,
  ): Promise<void> {
    const states = await store.getStateCountsDaily('2022-07-03', '2022-08-20', { knownAt });
    const blocklist = await store.getBlocklistDaily('2022-07-03', '2022-08-20', { knownAt });
    const got = states.days.map((d, i) => ({
      knownAt,
      date: d.date,
      counts: d.counts,
      size: blocklist.days[i]?.size,
    }));
    const want = businessDatesBetween('2022-07-03', '2022-08-20').map((date) => {
      const plain = plainReading(source, date, knownAt);
      return { knownAt, date, counts: plain.counts, size: plain.size };
    });
    expect(got).toEqual(want);
    expect((await store.getStateCounts('2022-07-20', { knownAt })).counts).toEqual(
      plainReading(source, '2022-07-20', knownAt).counts,
    );
  }

  describe('given the July–August 2022 population', () => {
    let events: SourceEvent[];
    beforeEach(async () => {
      events = julyAugust2022().events;
      await applyAll(events.map(toReadModelEvent));
    });

    it('when asking states per day, then every day equals the single-date count of that day', async () => {
      const series = await db.store.getStateCountsDaily('2022-07-15', '2022-08-31');
      expect(series.days.map((d) => d.date)).toEqual(businessDatesBetween('2022-07-15', '2022-08-31'));
      expect(series).toMatchObject({ from: '2022-07-15', to: '2022-08-31', knownAt: null });
      for (const day of series.days) {
        const single = await db.store.getStateCounts(day.date);
        expect({ date: day.date, counts: day.counts, total: day.total }).toEqual({
          date: day.date,
          counts: single.counts,
          total: single.total,
        });
      }
      expect(series.days.some((d) => d.counts.blocked > 0)).toBe(true);
    });

    it('when asking the blocklist per day, then it follows the plain reading and ends at the current list', async () => {
      const series = await db.store.getBlocklistDaily('2022-07-15', '2022-12-31');
      for (const day of series.days) expect(day.size).toBe(plainReading(events, day.date).size);
      const last = series.days[series.days.length - 1];
      expect(last?.size).toBe((await db.store.getBlocklist()).entries.length);
      expect(series.days.reduce((n, d) => n + d.added, 0)).toBeGreaterThan(0);
      for (const [i, day] of series.days.entries())
        expect(day.size).toBe((series.days[i - 1]?.size ?? 0) + day.added - day.removed);
    });

    it('when asking the latest blocklist changes, then they are the feed’s last lines, newest first', async () => {
      const feed = await db.store.getBlocklistChanges(0, 1000);
      const latest = await db.store.getLatestBlocklistChanges(3);
      expect(latest).toEqual(feed.slice(-3).reverse());
      expect(await db.store.getLatestBlocklistChanges(1000)).toEqual([...feed].reverse());
    });

    it('when asking warning-to-registration days, then the buckets count the registered cases by whole days', async () => {
      const stats = await db.store.getWarningToRegistration({ limit: 500 });
      const expected = new Map<number, number>();
      for (const c of stats.cases)
        if (c.days !== null) expected.set(Math.floor(c.days), (expected.get(Math.floor(c.days)) ?? 0) + 1);
      const buckets = await db.store.getWarningToRegistrationDays();
      expect(buckets).toEqual(
        [...expected.entries()].sort(([a], [b]) => a - b).map(([days, cases]) => ({ days, cases })),
      );
      expect(buckets.reduce((n, b) => n + b.cases, 0)).toBe(stats.registered);
    });

    it('when a series starts after every event, then it is flat at the final counts', async () => {
      const series = await db.store.getStateCountsDaily('2099-12-30', '2100-01-01');
      const final = await db.store.getStateCounts('2099-12-30');
      expect(series.days.map((d) => d.counts)).toEqual([final.counts, final.counts, final.counts]);
    });
  });

  describe('given a block that occurred on 30 July 2022 but was recorded on 6 August', () => {
    let events: SourceEvent[];
    beforeEach(async () => {
      events = lateRecords2022().events;
      await applyAll(events.map(toReadModelEvent), 4);
    });

    it('when asking as known at 5 and at 7 August, then each day is the plain reading as known then', async () => {
      for (const knownAt of ['2022-08-05', '2022-08-07', '2022-08-06T14:00:00+07:00']) {
        const states = await db.store.getStateCountsDaily('2022-07-18', '2022-08-15', { knownAt });
        const blocklist = await db.store.getBlocklistDaily('2022-07-18', '2022-08-15', { knownAt });
        for (const [i, day] of states.days.entries()) {
          const plain = plainReading(events, day.date, knownAt);
          expect({ knownAt, date: day.date, counts: day.counts, size: blocklist.days[i]?.size }).toEqual({
            knownAt,
            date: day.date,
            counts: plain.counts,
            size: plain.size,
          });
        }
      }
      const known5 = await db.store.getStateCountsDaily('2022-08-01', '2022-08-01', {
        knownAt: '2022-08-05',
      });
      expect(known5.days[0]?.counts).toMatchObject({ warned: 1, blocked: 1 });
      expect(known5.knownAt).toBe('2022-08-05');
      const instant = await db.store.getBlocklistDaily('2022-08-01', '2022-08-01', {
        knownAt: '2022-08-06T14:00:00+07:00',
      });
      expect(instant.knownAt).toBe('2022-08-06T07:00:00.000Z');
    });
  });

  it.each([
    ['business time goes back', population, 20221202],
    ['record time goes back too', descendingPopulation, 20261207],
  ])(
    'given random histories where %s, then every day of both series is the plain reading',
    async (_, cases, seed) => {
      const wholeHistory = db.reopen({ recordedAfterCap: 0, recordedByCap: 0, recordedDeltas: false });
      // Only the cases with an event recorded by the instant, whatever their number.
      const recordedBy = db.reopen({
        recordedAfterCap: 0,
        recordedByCap: Number.MAX_SAFE_INTEGER,
        recordedDeltas: false,
      });
      // The deltas kept by record time (decision 0019): the default sums the side with fewer dates of record;
      // these try the changes recorded by the instant first, or the kept deltas less those recorded after it.
      const recordedByFirst = db.reopen({ recordedFirst: 'by' });
      const recordedAfterFirst = db.reopen({ recordedFirst: 'after' });
      await fc.assert(
        fc.asyncProperty(
          cases,
          fc.option(fc.tuple(fc.integer({ min: 0, max: 40 }), knownAtKind), { nil: undefined }),
          fc.constantFrom(0, 1, 2, 3),
          async (cases, known, backdatedEvery) => {
            const events = populationEvents(cases);
            await db.store.reset();
            // None, all, or every second or third event appended as an import of the past appends it.
            await applyAll(backdate(events, backdatedEvery).map(toReadModelEvent), 16);
            await expectRecordedDaysSummed();
            const knownAt = known === undefined ? undefined : knownAtOn(...known);
            const want = businessDatesBetween('2022-07-03', '2022-08-20').map((date) => {
              const plain = plainReading(events, date, knownAt);
              return { date, counts: plain.counts, size: plain.size };
            });
            // As known earlier: the kept deltas corrected for what was recorded later, the cases recorded by
            // then, and the whole history.
            for (const store of [db.store, recordedByFirst, recordedAfterFirst, recordedBy, wholeHistory]) {
              const states = await store.getStateCountsDaily('2022-07-03', '2022-08-20', { knownAt });
              const blocklist = await store.getBlocklistDaily('2022-07-03', '2022-08-20', { knownAt });
              const got = states.days.map((d, i) => ({
                date: d.date,
                counts: d.counts,
                size: blocklist.days[i]?.size,
              }));
              expect(got).toEqual(want);
              const all = await Promise.all(
                [db.store, recordedByFirst, recordedAfterFirst, recordedBy, wholeHistory].map((s) =>
                  s.getBlocklistDaily('2022-07-03', '2022-08-20', { knownAt }),
                ),
              );
              for (const other of all.slice(1)) expect(other).toEqual(all[0]);
              const date = '2022-07-20';
              expect((await store.getStateCounts(date, { knownAt })).counts).toEqual(
                plainReading(events, date, knownAt).counts,
              );
            }
          },
        ),
        { numRuns: 20, seed },
      );
    },
  );

  it('given histories projected, when the timeline is emptied, then the series as known earlier still answer from the deltas kept by record time', async () => {
    // Proof that the way of decision 0019 answers: the timeline, which every other way reads, is gone.
    const [cases] = fc.sample(population, { numRuns: 1, seed: 19 });
    const events = populationEvents(cases ?? []);
    await applyAll(events.map(toReadModelEvent), 5);
    await db.execute('DELETE FROM case_timeline');
    const recordedByFirst = db.reopen({ recordedFirst: 'by' });
    const recordedAfterFirst = db.reopen({ recordedFirst: 'after' });
    for (const knownDay of [2, 9, 20]) {
      const knownAt = wibIso(JULY_1_WIB + knownDay * DAY_MS).slice(0, 10);
      for (const store of [db.store, recordedByFirst, recordedAfterFirst])
        await expectPlainReading(store, events, knownAt);
    }
    await recordedByFirst.close();
    await recordedAfterFirst.close();
  });

  it('given backdated events (appended long after their record time), then their changes are kept by record time apart and the series as known earlier answer from the kept changes alone', async () => {
    const [cases] = fc.sample(population, { numRuns: 1, seed: 190 });
    const source = populationEvents(cases ?? []);
    const half = Math.floor(source.length / 2);
    // The first half as an import of the past appends it: today, with the record times it states.
    const events = backdate(source.slice(0, half), 1).concat(source.slice(half)).map(toReadModelEvent);
    expect(events.map((e) => e.backdated ?? false)).toEqual(source.map((_, i) => i < half));
    await applyAll(events, 6);
    // No bound: the kept changes are complete from the start.
    expect(await db.sql(`SELECT name FROM timeline_bounds WHERE name = 'recorded-deltas'`)).toEqual([]);
    const ms = (at: unknown) => (at instanceof Date ? at.getTime() : Date.parse(String(at)));
    const recordedAt = (from: readonly ReadModelEvent[]) =>
      new Set(from.map((e) => Date.parse(e.recordedAt)));
    const [backdated, live] = [recordedAt(events.slice(0, half)), recordedAt(events.slice(half))];
    const appended = await db.sql(`SELECT recorded_at FROM state_deltas_backdated`);
    expect(appended.length).toBeGreaterThan(0);
    for (const r of appended) expect(backdated.has(ms(r['recorded_at']))).toBe(true);
    for (const r of await db.sql(`SELECT recorded_at FROM state_deltas_recorded`))
      expect(live.has(ms(r['recorded_at']))).toBe(true);
    // Every instant answers from the kept changes, the timeline gone.
    await db.execute('DELETE FROM case_timeline');
    const last = Math.max(...backdated);
    const instants = [last - 2 * DAY_MS, last - 1, last, last + 7_200_000, last + 4 * DAY_MS];
    const recordedByFirst = db.reopen({ recordedFirst: 'by' });
    const recordedAfterFirst = db.reopen({ recordedFirst: 'after' });
    for (const at of instants)
      for (const store of [db.store, recordedByFirst, recordedAfterFirst])
        await expectPlainReading(store, source, new Date(at).toISOString());
    await recordedByFirst.close();
    await recordedAfterFirst.close();
  });

  it('given read models projected before migration 25 (backdated events left to a bound), then as known before the bound they read the timeline, from it on the kept changes, and later backdated events are kept', async () => {
    const [cases] = fc.sample(population, { numRuns: 1, seed: 25 });
    const source = populationEvents(cases ?? []);
    const events = backdate(source, 2).map(toReadModelEvent);
    const half = Math.floor(events.length / 2);
    await applyAll(events.slice(0, half), 4);
    // The read models as version 24 left them: backdated events' changes by business date only, their record
    // times under the bound, the roll-ups of the live events' alone.
    const bound = events
      .slice(0, half)
      .filter((e) => e.backdated)
      .map((e) => e.recordedAt)
      .reduce((a, b) => (a > b ? a : b));
    const day =
      backend.name === 'sqlite'
        ? 'substr(recorded_at, 1, 10)'
        : `to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    await db.execute(
      `DROP TABLE state_deltas_backdated; DROP TABLE blocklist_deltas_backdated;
       DELETE FROM state_deltas_recorded_days; DELETE FROM blocklist_deltas_recorded_days;
       INSERT INTO state_deltas_recorded_days (recorded_date, business_date, state, n)
         SELECT ${day}, business_date, state, sum(n) FROM state_deltas_recorded
         GROUP BY ${day}, business_date, state HAVING sum(n) <> 0;
       INSERT INTO blocklist_deltas_recorded_days (recorded_date, business_date, added, removed)
         SELECT ${day}, business_date, sum(added), sum(removed) FROM blocklist_deltas_recorded
         GROUP BY ${day}, business_date HAVING sum(added) <> 0 OR sum(removed) <> 0;
       INSERT INTO timeline_bounds (name, max_occurred_at, max_recorded_at) VALUES ('recorded-deltas', '${bound}', '${bound}');
       DELETE FROM read_model_migrations WHERE version = 25`,
    );
    const reopened = db.reopen();
    await applyAll(events.slice(half), 4, reopened, events[half - 1]?.position ?? 0);
    expect((await db.sql(`SELECT recorded_at FROM state_deltas_backdated`)).length).toBeGreaterThan(0);
    const boundMs = Date.parse(bound);
    // Around the bound, and on either side of each later backdated event's record time.
    const instants = [
      boundMs - DAY_MS,
      boundMs - 1,
      boundMs,
      boundMs + 3_600_000,
      boundMs + 5 * DAY_MS,
    ].concat(
      events
        .slice(half)
        .filter((e) => e.backdated)
        .flatMap((e) => [Date.parse(e.recordedAt) - 1, Date.parse(e.recordedAt)]),
    );
    const recordedByFirst = db.reopen({ recordedFirst: 'by' });
    const recordedAfterFirst = db.reopen({ recordedFirst: 'after' });
    for (const ms of instants)
      for (const store of [reopened, recordedByFirst, recordedAfterFirst])
        await expectPlainReading(store, source, new Date(ms).toISOString());
    // From the bound on the kept changes answer alone (the timeline gone).
    await db.execute('DELETE FROM case_timeline');
    for (const store of [reopened, recordedByFirst, recordedAfterFirst])
      await expectPlainReading(store, source, new Date(boundMs + 3_600_000).toISOString());
    await reopened.close();
    await recordedByFirst.close();
    await recordedAfterFirst.close();
  });

  it('given read models projected before migration 23, then as known before the newest record time then they read the timeline, and from it on the kept deltas', async () => {
    const [cases] = fc.sample(population, { numRuns: 1, seed: 23 });
    const events = populationEvents(cases ?? []).map(toReadModelEvent);
    const half = Math.floor(events.length / 2);
    await applyAll(events.slice(0, half), 4);
    // The read models as version 22 left them.
    await db.execute(
      `DROP TABLE state_deltas_recorded; DROP TABLE blocklist_deltas_recorded; DROP TABLE record_order_descents;
       DELETE FROM read_model_migrations WHERE version = 23`,
    );
    const reopened = db.reopen();
    await reopened.getStateCounts('2022-07-20');
    const [bound] = await db.sql(
      `SELECT max_recorded_at FROM timeline_bounds WHERE name = 'recorded-deltas'`,
    );
    const stored = bound?.['max_recorded_at'];
    const boundMs = stored instanceof Date ? stored.getTime() : Date.parse(String(stored));
    expect(boundMs).toBe(Math.max(...events.slice(0, half).map((e) => Date.parse(e.recordedAt))));
    await applyAll(events.slice(half), 4, reopened, events[half - 1]?.position ?? 0);
    const source = populationEvents(cases ?? []);
    const instants = [boundMs - DAY_MS, boundMs - 1, boundMs, boundMs + 3_600_000, boundMs + 5 * DAY_MS];
    // Either side first: the changes recorded by an instant are never complete here (the bound).
    const recordedByFirst = db.reopen({ recordedFirst: 'by' });
    const recordedAfterFirst = db.reopen({ recordedFirst: 'after' });
    for (const ms of instants)
      for (const store of [reopened, recordedByFirst, recordedAfterFirst])
        await expectPlainReading(store, source, new Date(ms).toISOString());
    // From the bound on the kept deltas answer alone (the timeline gone); before it they may not.
    await db.execute('DELETE FROM case_timeline');
    for (const store of [reopened, recordedByFirst, recordedAfterFirst])
      await expectPlainReading(store, source, new Date(boundMs + 3_600_000).toISOString());
    await reopened.close();
    await recordedByFirst.close();
    await recordedAfterFirst.close();
  });

  it('given read models projected before migration 24, then migrating sums the changes kept by record time per date of record, as the projector would have', async () => {
    const [cases] = fc.sample(descendingPopulation, { numRuns: 1, seed: 24 });
    const events = populationEvents(cases ?? []);
    await applyAll(events.map(toReadModelEvent), 3);
    const projected = await db.dump();
    expect(projected['state_deltas_recorded_days']?.length).toBeGreaterThan(0);
    // The read models as version 23 left them.
    await db.execute(
      `DROP TABLE state_deltas_recorded_days; DROP TABLE blocklist_deltas_recorded_days;
       DELETE FROM read_model_migrations WHERE version = 24`,
    );
    const reopened = db.reopen();
    await reopened.getStateCounts('2022-07-20');
    expect(await db.dump()).toEqual(projected);
    await reopened.close();
  });

  it.each([
    ['random histories', population, 20261204],
    ['histories of events at the same instants', sameInstantPopulation, 20261206],
  ])(
    'given %s in batches of any size, then the kept daily deltas are what the whole timeline gives',
    async (_, cases, seed) => {
      const kept = async () => ({
        states: await db.sql(
          'SELECT business_date, state, n FROM state_deltas_daily ORDER BY business_date, state',
        ),
        blocklist: await db.sql(
          'SELECT business_date, added, removed FROM blocklist_deltas_daily ORDER BY business_date',
        ),
      });
      await fc.assert(
        fc.asyncProperty(cases, fc.integer({ min: 1, max: 12 }), async (generated, batchSize) => {
          await db.store.reset();
          await applyAll(populationEvents(generated).map(toReadModelEvent), batchSize);
          const incremental = await kept();
          // The migration's fill: every effective change of the timeline as it stands, in one statement each.
          await db.execute('DELETE FROM state_deltas_daily; DELETE FROM blocklist_deltas_daily;');
          await db.execute(`${dailyDeltaTablesSql(backend.name, 'BIGINT').join(';\n')};`);
          expect(incremental).toEqual(await kept());
          expect(incremental.states.length).toBeGreaterThan(0);
        }),
        { numRuns: 25, seed },
      );
    },
  );

  it('given read models projected before migration 11, then migrating fills the daily deltas from the timeline and the series answer from them', async () => {
    const [cases] = fc.sample(population, { numRuns: 1, seed: 11 });
    const events = populationEvents(cases ?? []);
    await applyAll(events.map(toReadModelEvent), 5);
    const kept = await db.dump();
    // The read models as version 10 left them: no kept deltas, the old entries and exits.
    await db.execute(
      `DROP TABLE state_deltas_daily; DROP TABLE blocklist_deltas_daily;
       CREATE TABLE state_counts_daily (business_date TEXT NOT NULL, state TEXT NOT NULL, entered BIGINT NOT NULL,
         exited BIGINT NOT NULL, PRIMARY KEY (business_date, state));
       DELETE FROM read_model_migrations WHERE version = 11`,
    );
    const reopened = db.reopen();
    const series = await reopened.getStateCountsDaily('2022-07-01', '2022-08-31');
    expect(await db.dump()).toEqual(kept);
    expect((await db.sql(`SELECT version FROM read_model_migrations WHERE version = 11`)).length).toBe(1);
    for (const day of series.days) expect(day.counts).toEqual(plainReading(events, day.date).counts);
    const tables = await db.sql(
      backend.name === 'sqlite'
        ? `SELECT name FROM sqlite_master WHERE name = 'state_counts_daily'`
        : `SELECT tablename FROM pg_tables WHERE tablename = 'state_counts_daily'`,
    );
    expect(tables).toEqual([]);
    await reopened.close();
  });

  it.each([
    ['2022-08-02', '2022-08-01', {}, 'from'],
    ['2022-02-30', '2022-03-01', {}, 'from'],
    ['2022-08-01', '2022-08-01T10:00:00+07:00', {}, 'to'],
    ['2000-01-01', '2022-01-01', {}, 'to'],
    ['2022-08-01', '2022-08-02', { knownAt: 'yesterday' }, 'knownAt'],
  ])(
    'given a bad range %s..%s, then both series refuse it with InvalidQuery naming the field',
    async (from, to, options, field) => {
      for (const query of [
        () => db.store.getStateCountsDaily(from, to, options),
        () => db.store.getBlocklistDaily(from, to, options),
      ]) {
        const error = await query().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidQuery);
        expect(error).toMatchObject({ field });
      }
    },
  );
});
