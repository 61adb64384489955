import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toReadModelEvent } from '../events/read-model-event';
import type { SourceEvent } from '../events/event-source.port';
import { ReadModelStoreFailed } from '../read-model.errors';
import { GlobalLog } from '../testing/case-history.fixture';
import { julyAugust2022 } from '../testing/scenario.fixture';
import { PROJECTED_TABLES } from './read-model.schema';
import type { SqlClient } from './sql-client';
import { SqlReadModelStore, trigramQuery } from './sql-read-model.store';
import { SqliteSqlClient } from './sqlite-sql.client';

// An upsert that is handed the rows it replaces updates only the changed columns of each stored row
// (docs/benchmarks.md "Projection"): the tables must end exactly as the plain upsert leaves them.
describe('SQLite upserts of changed columns only', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sanksi-changed-columns-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('the client', () => {
    let client: SqliteSqlClient;
    let db: Database.Database;
    const columns = ['k', 'a', 'b'];
    const upsert = 'ON CONFLICT (k) DO UPDATE SET a = excluded.a, b = excluded.b';
    /** Which columns each statement set, as `AFTER UPDATE OF` triggers see them. */
    const updated = () =>
      db
        .prepare<[], { what: string }>(`SELECT what FROM log ORDER BY rowid`)
        .all()
        .map((r) => r.what);
    const rows = () => db.prepare(`SELECT k, a, b FROM t ORDER BY k`).raw().all();

    beforeEach(() => {
      const file = path.join(dir, 'client.db');
      client = new SqliteSqlClient(file);
      client.execScript(`CREATE TABLE t (k TEXT PRIMARY KEY, a TEXT, b INTEGER);
        CREATE TABLE log (what TEXT NOT NULL);
        CREATE TRIGGER t_a AFTER UPDATE OF a ON t BEGIN INSERT INTO log VALUES ('a ' || new.k); END;
        CREATE TRIGGER t_b AFTER UPDATE OF b ON t BEGIN INSERT INTO log VALUES ('b ' || new.k); END;
        INSERT INTO t VALUES ('x', 'one', 1), ('y', 'two', 2);`);
      db = new Database(file);
    });
    afterEach(async () => {
      db.close();
      await client.close();
    });

    it('given stored rows, when one column of one row changed, then only that column of that row is set', async () => {
      await client.transaction((tx) =>
        tx.insertMany(
          't',
          columns,
          [
            ['x', 'one', 10],
            ['y', 'two', 2],
          ],
          upsert,
          {
            key: ['k'],
            rows: [
              ['x', 'one', 1],
              ['y', 'two', 2],
            ],
          },
        ),
      );
      expect(rows()).toEqual([
        ['x', 'one', 10],
        ['y', 'two', 2],
      ]);
      expect(updated()).toEqual(['b x']);
    });

    it('given a new row and a row said to be stored that is not, then both are written whole', async () => {
      await client.transaction((tx) =>
        tx.insertMany(
          't',
          columns,
          [
            ['z', 'three', 3],
            ['w', 'four', 4],
          ],
          upsert,
          { key: ['k'], rows: [null, ['w', 'four', 0]] },
        ),
      );
      expect(rows()).toEqual([
        ['w', 'four', 4],
        ['x', 'one', 1],
        ['y', 'two', 2],
        ['z', 'three', 3],
      ]);
      expect(updated()).toEqual([]);
    });

    it('given a new row whose key is already stored, then the upsert replaces it (as without stored rows)', async () => {
      await client.transaction((tx) =>
        tx.insertMany('t', columns, [['x', 'uno', 11]], upsert, { key: ['k'], rows: [null] }),
      );
      expect(rows()[0]).toEqual(['x', 'uno', 11]);
    });

    it('given stored rows that do not line up with the rows written, then the write is refused', async () => {
      await expect(
        client.transaction((tx) =>
          tx.insertMany('t', columns, [['x', 'one', 1]], upsert, { key: ['k'], rows: [] }),
        ),
      ).rejects.toBeInstanceOf(ReadModelStoreFailed);
      await expect(
        client.transaction((tx) =>
          tx.insertMany('t', columns, [['x', 'one', 1]], upsert, { key: ['id'], rows: [null] }),
        ),
      ).rejects.toBeInstanceOf(ReadModelStoreFailed);
      expect(rows()[0]).toEqual(['x', 'one', 1]);
    });
  });

  describe('the store', () => {
    /** A client whose upserts ignore the stored rows: every row written whole, as before. */
    const plainUpserts = (inner: SqliteSqlClient): SqlClient => ({
      dialect: inner.dialect,
      migrationLock: inner.migrationLock,
      forUpdate: inner.forUpdate,
      query: (sql, params) => inner.query(sql, params),
      transaction: (work) =>
        inner.transaction((tx) =>
          work({
            ...tx,
            insertMany: (table, cols, rows, onConflict) => tx.insertMany(table, cols, rows, onConflict),
          }),
        ),
      snapshot: (work) => inner.snapshot(work),
      beforeCommit: (steps) => inner.beforeCommit(steps),
      close: () => inner.close(),
    });

    /** The 2022 scenario plus profile changes: new and changed domains, app ids and IP addresses. */
    function events(): SourceEvent[] {
      const base = julyAugust2022().events;
      const log = new GlobalLog();
      for (const e of base) log.record(e);
      const shop = log.case('shopco', { name: 'ShopCo', domains: ['shop.example'], company: 'PT Shop' });
      shop.identified('2022-08-01T09:00:00+07:00');
      shop.profileUpdated('2022-08-02T09:00:00+07:00', ['shop.example', 'm.shop.example']);
      shop.addressesUpdated('2022-08-03T09:00:00+07:00', {
        appIds: ['id.shop'],
        ipAddresses: ['203.0.113.7'],
      });
      shop.warned('2022-08-04T09:00:00+07:00', 'B-7/2022', '2022-08-11T23:59:00+07:00');
      shop.profileUpdated('2022-08-05T09:00:00+07:00', ['shop.example']);
      shop.addressesUpdated('2022-08-06T09:00:00+07:00', { appIds: [], ipAddresses: [] });
      return log.all();
    }

    /** Projects `all` in batches of `size`, with a new store (nothing cached) after `reopenAt` events. */
    async function project(
      file: string,
      all: readonly SourceEvent[],
      size: number,
      reopenAt: number,
      plain: boolean,
    ): Promise<void> {
      const open = () => {
        const client = new SqliteSqlClient(file);
        return new SqlReadModelStore(plain ? plainUpserts(client) : client);
      };
      let store = open();
      let position = 0;
      for (let i = 0; i < all.length; i += size) {
        if (i >= reopenAt && i - size < reopenAt) {
          await store.close();
          store = open();
        }
        const batch = all.slice(i, i + size).map(toReadModelEvent);
        const last = batch[batch.length - 1]?.position ?? position;
        await store.applyBatch(batch, { expectedPosition: position, toPosition: last });
        position = last;
      }
      await store.close();
    }

    function dump(file: string): Record<string, unknown> {
      const db = new Database(file, { readonly: true });
      try {
        const out: Record<string, unknown> = {};
        for (const t of PROJECTED_TABLES) {
          // A table WITHOUT ROWID (the record-time deltas, migration 23) is in its key's order, every column of it.
          const keyed = db.prepare(`SELECT wr FROM pragma_table_list WHERE name = ?`).pluck().get(t) === 1;
          const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[];
          out[t] = db
            .prepare(`SELECT * FROM ${t} ORDER BY ${keyed ? columns.join(', ') : 'rowid'}`)
            .raw()
            .all();
        }
        for (const fts of ['case_search', 'registry_search']) {
          // Each text by its trigrams, as the store asks (the indexes keep no positions: migration 21).
          for (const text of ['shop', 'pay', 'djai', '.com', 'm.shop', 'newco']) {
            out[`${fts} "${text}"`] = db
              .prepare(`SELECT rowid FROM ${fts} WHERE ${fts} MATCH ? ORDER BY rowid`)
              .pluck()
              .all(trigramQuery(text));
          }
        }
        return out;
      } finally {
        db.close();
      }
    }

    it.each([1, 3, 50])(
      'given the same events in batches of %i, when projected with changed-column upserts, then every table and search equals the plain upserts’',
      async (size) => {
        const all = events();
        const changed = path.join(dir, 'changed.db');
        const plain = path.join(dir, 'plain.db');
        await project(changed, all, size, Math.floor(all.length / 2), false);
        await project(plain, all, size, Math.floor(all.length / 2), true);

        const ours = dump(changed);
        expect(ours).toEqual(dump(plain));
        expect((ours['case_summary'] as unknown[]).length).toBe(9);
        expect(ours['case_search "m.shop"']).toEqual([]);
        // FTS5 throws SQLITE_CORRUPT_VTAB when an index disagrees with the rows it indexes.
        const db = new Database(changed);
        try {
          db.exec(`INSERT INTO case_search (case_search) VALUES ('integrity-check')`);
          db.exec(`INSERT INTO registry_search (registry_search) VALUES ('integrity-check')`);
        } finally {
          db.close();
        }
      },
    );
  });
});
