import * as testing from '@sanksi/testing';
import path from 'node:path';
import { type ReadModelEvent, toReadModelEvent } from '../events/read-model-event';
import { lateRecords2022 } from '../testing/scenario.fixture';
import type { AsideLane, SqlRecord, SqlTransaction } from './sql-client';
import { SqlReadModelStore } from './sql-read-model.store';
import { SqliteSqlClient } from './sqlite-sql.client';

/** The SQLite client, noting which statements ran on the request loop and which on a thread (and its lane). */
class WatchedClient extends SqliteSqlClient {
  onLoop: string[] = [];
  offLoop: Array<{ sql: string; lane: AsideLane }> = [];

  override query(sql: string, params?: readonly unknown[]): Promise<SqlRecord[]> {
    this.onLoop.push(sql);
    return super.query(sql, params);
  }

  override snapshot<T>(
    work: (tx: Pick<SqlTransaction, 'query' | 'selectWhereIn'>) => Promise<T>,
  ): Promise<T> {
    return super.snapshot((tx) =>
      work({
        query: (sql, params) => {
          this.onLoop.push(sql);
          return tx.query(sql, params);
        },
        selectWhereIn: (...args) => tx.selectWhereIn(...args),
      }),
    );
  }

  override queryAside(
    sql: string,
    params: readonly unknown[] = [],
    lane: AsideLane = 'quick',
  ): Promise<SqlRecord[]> {
    this.offLoop.push({ sql, lane });
    return super.queryAside(sql, params, lane);
  }
}

const readsTimelines = (sql: string): boolean => /\bcase_timeline\b/.test(sql);

describe('series and counts as known at an earlier instant read the timelines off the request loop (SQLite)', () => {
  let dir: testing.TemporaryDirectory;
  let client: WatchedClient;
  let store: SqlReadModelStore;
  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-history-aside');
    client = new WatchedClient(path.join(dir.path, 'read-models.db'));
    store = new SqlReadModelStore(client);
    // A block that occurred on 30 July 2022 but was recorded on 6 August: as known on 5 August, the kept
    // deltas must be corrected for it.
    const events: ReadModelEvent[] = lateRecords2022().events.map(toReadModelEvent);
    await store.applyBatch(events, { expectedPosition: 0, toPosition: events[events.length - 1].position });
    client.onLoop = [];
    client.offLoop = [];
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('given no knownAt, when asking the population on a past date, then the kept deltas answer and no timeline is read', async () => {
    const counts = await store.getStateCounts('2022-08-01');
    const series = await store.getStateCountsDaily('2022-08-01', '2022-08-01');

    expect(counts.counts).toEqual(series.days[0]?.counts);
    expect(counts.total).toBeGreaterThan(0);
    expect([...client.onLoop, ...client.offLoop.map((a) => a.sql)].filter(readsTimelines)).toEqual([]);
  });

  it('given the deltas kept by record time, when asking as known at 5 August, then they answer on the history lane without reading a timeline', async () => {
    const states = await store.getStateCountsDaily('2022-07-28', '2022-08-02', { knownAt: '2022-08-05' });
    const counts = await store.getStateCounts('2022-08-01', { knownAt: '2022-08-05' });

    expect(states.days.find((d) => d.date === '2022-08-01')?.counts).toMatchObject({ warned: 1, blocked: 1 });
    expect(counts.counts).toEqual(states.days.find((d) => d.date === '2022-08-01')?.counts);
    const recorded = client.offLoop.filter((a) => /\bstate_deltas_recorded(_days)?\b/.test(a.sql));
    // The count that chooses the side and the sums, each query on the history lane; no timeline read at all.
    expect(recorded.map((a) => a.lane)).toEqual(['history', 'history', 'history', 'history']);
    expect([...client.onLoop, ...client.offLoop.map((a) => a.sql)].filter(readsTimelines)).toEqual([]);
  });

  it.each([
    ['the kept deltas corrected for what was recorded after', { recordedDeltas: false }],
    ['the whole history, read by the cases recorded by then', { recordedAfterCap: 0, recordedDeltas: false }],
    ['the whole history in table order', { recordedAfterCap: 0, recordedByCap: 0, recordedDeltas: false }],
  ])(
    'given %s, when asking as known at 5 August, then every statement that reads timelines runs on the history lane',
    async (_way, tuning) => {
      const tuned = new SqlReadModelStore(client, undefined, tuning);
      const states = await tuned.getStateCountsDaily('2022-07-28', '2022-08-02', { knownAt: '2022-08-05' });
      const blocklist = await tuned.getBlocklistDaily('2022-07-28', '2022-08-02', { knownAt: '2022-08-05' });
      const counts = await tuned.getStateCounts('2022-08-01', { knownAt: '2022-08-05' });

      expect(states.days.find((d) => d.date === '2022-08-01')?.counts).toMatchObject({
        warned: 1,
        blocked: 1,
      });
      expect(counts.counts).toEqual(states.days.find((d) => d.date === '2022-08-01')?.counts);
      expect(blocklist.days).toHaveLength(6);
      expect(client.onLoop.filter(readsTimelines)).toEqual([]);
      const timelineReads = client.offLoop.filter((a) => readsTimelines(a.sql));
      expect(timelineReads.length).toBeGreaterThan(0);
      expect(new Set(timelineReads.map((a) => a.lane))).toEqual(new Set(['history']));
    },
  );
});
