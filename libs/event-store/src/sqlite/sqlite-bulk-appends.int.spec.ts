import path from 'node:path';
import { temporaryDirectory } from '@sanksi/testing';
import Database from 'better-sqlite3';
import { bulkAppendsOf } from '../core/bulk-appends';
import { WrongExpectedRevision } from '../core/event-store.errors';
import { WriteTurns } from '../core/write-turns';
import { testEvent } from '../testing/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';

const dir = temporaryDirectory('sanksi-es-sqlite-bulk');
afterAll(() => dir.remove());
let files = 0;

/** Counts transactions run through better-sqlite3's `transaction` (the store's writes, its migration). */
function countTransactions(): { count: () => number; restore: () => void } {
  let transactions = 0;
  const original = Database.prototype.transaction;
  const spy = jest.spyOn(Database.prototype, 'transaction').mockImplementation(function (
    this: Database.Database,
    fn,
  ) {
    return original.call(this, (...args: unknown[]) => {
      transactions++;
      return fn(...args);
    });
  });
  return { count: () => transactions, restore: () => spy.mockRestore() };
}

/** 32 writers, each appending `rounds` times to its own stream with uneven work between its appends. */
async function writers(store: SqliteEventStore, prefix: string, rounds: number): Promise<void> {
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      for (let revision = 0; revision < rounds; revision++) {
        for (let hop = 0; hop < w; hop++) await Promise.resolve();
        await store.appendToStream(`${prefix}-${w}`, [testEvent('Stepped', { w, revision })], {
          expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
          commandId: `step-${revision}`,
        });
      }
    }),
  );
}

describe('SqliteEventStore bulk appends', () => {
  it('given a bulk burst, when 32 writers append with uneven work between appends, then each round is one transaction, and after the burst the usual window is back', async () => {
    // given
    const transactions = countTransactions();
    const store = new SqliteEventStore({ file: path.join(dir.path, `bulk-${++files}`, 'events.db') });
    try {
      await store.whenReady();
      const bulk = bulkAppendsOf(store);
      expect(bulk).toBeDefined();
      const end = bulk?.beginBulkAppends();
      const opened = transactions.count();
      // when
      await writers(store, 'pse-bulk', 3);
      // then
      expect(transactions.count() - opened).toBe(3);
      const all = await store.readAll();
      expect(all).toHaveLength(96);
      expect(await store.readStream('pse-bulk-31')).toMatchObject([
        { revision: 0, data: { w: 31, revision: 0 } },
        { revision: 1, data: { w: 31, revision: 1 } },
        { revision: 2, data: { w: 31, revision: 2 } },
      ]);

      // when the burst ends, the adaptive window commits the same work in more, smaller transactions
      end?.();
      const before = transactions.count();
      await writers(store, 'pse-usual', 3);
      expect(transactions.count() - before).toBeGreaterThan(3);
    } finally {
      transactions.restore();
      await store.close();
    }
  });

  it('given a bulk burst, then an append with a stale expected revision is refused alone, a retried command id appends nothing, and its neighbours commit', async () => {
    const store = new SqliteEventStore({ file: path.join(dir.path, `bulk-${++files}`, 'events.db') });
    try {
      const end = store.beginBulkAppends();
      await store.appendToStream('pse-a', [testEvent('Opened')], {
        expectedRevision: 'no_stream',
        commandId: 'open',
      });
      const [stale, retried, other] = await Promise.allSettled([
        store.appendToStream('pse-a', [testEvent('Stale')], { expectedRevision: 'no_stream' }),
        store.appendToStream('pse-a', [testEvent('Opened')], {
          expectedRevision: 'no_stream',
          commandId: 'open',
        }),
        store.appendToStream('pse-b', [testEvent('Opened')], { expectedRevision: 'no_stream' }),
      ]);
      end();
      expect(stale.status === 'rejected' && stale.reason).toBeInstanceOf(WrongExpectedRevision);
      expect(retried).toMatchObject({
        status: 'fulfilled',
        value: { duplicate: true, nextExpectedRevision: 0 },
      });
      expect(other).toMatchObject({ status: 'fulfilled', value: { duplicate: false } });
      expect((await store.readAll()).map((e) => [e.streamId, e.type])).toEqual([
        ['pse-a', 'Opened'],
        ['pse-b', 'Opened'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('given nested bursts, then the larger page cache stays until the last one ends, ending twice changes nothing, and a burst begun before the file is open applies once it is', async () => {
    const pragmas: string[] = [];
    const original = Database.prototype.pragma;
    const spy = jest.spyOn(Database.prototype, 'pragma').mockImplementation(function (
      this: Database.Database,
      source: string,
      options?: Database.PragmaOptions,
    ) {
      if (source.startsWith('cache_size')) pragmas.push(source);
      return original.call(this, source, options);
    });
    const store = new SqliteEventStore({
      file: path.join(dir.path, `bulk-${++files}`, 'events.db'),
      bulkCacheKiB: 8_192,
    });
    // The driver's own default (better-sqlite3 builds SQLite with a 16 MiB cache), read at the first burst.
    const probe = new Database(':memory:');
    const usual = probe.pragma('cache_size', { simple: true }) as number;
    probe.close();
    pragmas.length = 0;
    try {
      const outer = store.beginBulkAppends();
      await store.whenReady();
      await new Promise((resolve) => setImmediate(resolve));
      expect(pragmas).toEqual(['cache_size', 'cache_size = -8192']);
      const inner = store.beginBulkAppends();
      inner();
      inner();
      expect(pragmas).toHaveLength(2);
      outer();
      expect(pragmas).toEqual(['cache_size', 'cache_size = -8192', `cache_size = ${usual}`]);
      await store.appendToStream('pse-a', [testEvent('Opened')], { expectedRevision: 'no_stream' });
    } finally {
      spy.mockRestore();
      await store.close();
    }
  });

  it('given a burst in a rotation, then each of its transactions takes and passes the turn; a second rotation on the store is refused, and its end lets the next burst keep one', async () => {
    // given: a rotation of one writer, whose turns are counted
    const store = new SqliteEventStore({ file: path.join(dir.path, `bulk-${++files}`, 'events.db') });
    const turns = new WriteTurns(WriteTurns.shared(1), 0);
    const taken = jest.spyOn(turns, 'take');
    const passed = jest.spyOn(turns, 'pass');
    try {
      await store.whenReady();
      const end = store.beginBulkAppends({ turns });
      // when
      await writers(store, 'pse-turns', 2);
      // then: one turn a round's transaction, each passed on
      expect(taken).toHaveBeenCalledTimes(2);
      expect(passed).toHaveBeenCalledTimes(2);
      expect(() => store.beginBulkAppends({ turns })).toThrow(
        'a burst already writes in a rotation on this store',
      );
      end();
      await store.appendToStream('pse-after', [testEvent('Opened')], { expectedRevision: 'no_stream' });
      expect(taken).toHaveBeenCalledTimes(2);
      store.beginBulkAppends({ turns })();
      expect(await store.readAll()).toHaveLength(65);
    } finally {
      await store.close();
    }
  });
});
