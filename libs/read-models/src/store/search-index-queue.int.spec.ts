import Database from 'better-sqlite3';
import fc from 'fast-check';
import * as testing from '@sanksi/testing';
import path from 'node:path';
import { SEARCH_INDEX_FLUSH } from './read-model.schema';
import type { SqlRecord } from './sql-client';
import { SqlReadModelStore, trigramQuery } from './sql-read-model.store';
import { SqliteSqlClient } from './sqlite-sql.client';

// Migration 22: the search triggers queue the rows a write touches; each write transaction of the store's client
// indexes the queue in rowid order just before it commits. Whatever the writes — new rows, text changes, changes
// that leave the text alone, deletes, a deleted row's rowid taken again, a row moved to another rowid, several of
// them to one row in one transaction — the index after every commit is the index of the rows as they are. FTS5's
// own `integrity-check` is the judge: on an external-content index it compares the index with the table's rows
// and fails (SQLITE_CORRUPT_VTAB) on any difference.
jest.setTimeout(60_000);

const WORDS = ['toko', 'kilat', 'warung', 'shop', 'bayar', 'pintar', 'qwzx', 'nusantara'];

type Write =
  | { kind: 'insert'; word: number; other: number }
  | { kind: 'rename'; at: number; word: number }
  | { kind: 'domains'; at: number; word: number }
  | { kind: 'touch'; at: number }
  | { kind: 'delete'; at: number }
  | { kind: 'deleteLastAndInsert'; word: number }
  | { kind: 'moveRowid'; at: number };

const write: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), word: fc.nat(7), other: fc.nat(7) }),
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), word: fc.nat(7) }),
  fc.record({ kind: fc.constant('domains' as const), at: fc.nat(), word: fc.nat(7) }),
  fc.record({ kind: fc.constant('touch' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('deleteLastAndInsert' as const), word: fc.nat(7) }),
  fc.record({ kind: fc.constant('moveRowid' as const), at: fc.nat() }),
);

/** The case row's columns the writes do not vary, all NOT NULL. */
const CASE_FIXED: Record<string, string | number> = {
  origin: 'domestic',
  state: 'warned',
  state_since: '2022-08-01T00:00:00.000Z',
  on_blocklist: 0,
  warnings: 1,
  blocks: 0,
  fines_imposed_idr: 0,
  fines_paid_idr: 0,
  fines_annulled_idr: 0,
  fines_outstanding_idr: 0,
  escalation_pending: 0,
  escalation_allowed: '[]',
  policy_version: 'kominfo-2022',
  version: 1,
  last_position: 1,
  last_event_type: 'PseIdentified',
  opened_at: '2022-08-01T00:00:00.000Z',
  recorded_at: '2022-08-01T00:00:00.000Z',
};
const REGISTRY_FIXED: Record<string, string | null> = {
  registration_number: '000001.01/DJAI.PSE/07/2022',
  company: null,
  sector: null,
  origin: 'domestic',
  status: 'active',
  registered_at: '2022-07-20T00:00:00.000Z',
};

describe('the search indexes written at commit (SQLite, migration 22)', () => {
  let dir: testing.TemporaryDirectory;
  let file: string;
  let client: SqliteSqlClient;
  let store: SqlReadModelStore;
  let made: number;

  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-search-queue');
    file = path.join(dir.path, 'read-models.db');
    client = new SqliteSqlClient(file);
    store = new SqlReadModelStore(client);
    await store.migrate();
    made = 0;
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  /**
   * One write to both searched tables, by the transaction's own `query` — which also picks the row, so a row
   * written earlier in the same transaction may be written again.
   */
  async function apply(query: (sql: string, params?: unknown[]) => Promise<SqlRecord[]>, w: Write) {
    const ids = async (table: string): Promise<string[]> =>
      (await query(`SELECT pse_id FROM ${table} ORDER BY rowid`)).map((r) => String(r.pse_id));
    for (const table of ['case_summary', 'registry'] as const) {
      const present = await ids(table);
      const pick = 'at' in w && present.length > 0 ? present[w.at % present.length] : undefined;
      const insert = async (word: number, other: number) => {
        const pseId = `pse-${++made}`;
        const row: Record<string, unknown> = {
          ...(table === 'case_summary' ? CASE_FIXED : REGISTRY_FIXED),
          pse_id: pseId,
          name: `${WORDS[word]} ${WORDS[other]} ${made}`,
          domains: JSON.stringify([`${WORDS[other]}-${made}.example`]),
          updated_at: '2022-08-01T00:00:00.000Z',
        };
        const cols = Object.keys(row);
        await query(
          `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
          cols.map((c) => row[c]),
        );
      };
      switch (w.kind) {
        case 'insert':
          await insert(w.word, w.other);
          break;
        case 'rename':
          if (pick)
            await query(`UPDATE ${table} SET name = ? WHERE pse_id = ?`, [`${WORDS[w.word]} baru`, pick]);
          break;
        case 'domains':
          if (pick)
            await query(`UPDATE ${table} SET domains = ? WHERE pse_id = ?`, [
              JSON.stringify([`${WORDS[w.word]}.example`, `m.${WORDS[w.word]}.example`]),
              pick,
            ]);
          break;
        case 'touch':
          if (pick)
            await query(`UPDATE ${table} SET updated_at = ? WHERE pse_id = ?`, [
              '2022-09-01T00:00:00.000Z',
              pick,
            ]);
          break;
        case 'delete':
          if (pick) await query(`DELETE FROM ${table} WHERE pse_id = ?`, [pick]);
          break;
        case 'deleteLastAndInsert':
          // SQLite gives a new row the largest rowid plus one: the deleted row's rowid is taken again.
          await query(`DELETE FROM ${table} WHERE rowid = (SELECT max(rowid) FROM ${table})`);
          await insert(w.word, (w.word + 3) % WORDS.length);
          break;
        case 'moveRowid':
          if (pick)
            await query(
              `UPDATE ${table} SET rowid = (SELECT max(rowid) + 7 FROM ${table}) WHERE pse_id = ?`,
              [pick],
            );
          break;
      }
    }
  }

  const check = () => {
    const db = new Database(file);
    try {
      db.exec(`INSERT INTO case_search (case_search) VALUES ('integrity-check')`);
      db.exec(`INSERT INTO registry_search (registry_search) VALUES ('integrity-check')`);
      for (const queue of ['case_search_pending', 'registry_search_pending'])
        expect(db.prepare(`SELECT count(*) FROM ${queue}`).pluck().get()).toBe(0);
      // And the index answers: every row holding a word is among its candidates, and no other row.
      for (const [fts, table] of [
        ['case_search', 'case_summary'],
        ['registry_search', 'registry'],
      ] as const) {
        for (const word of WORDS) {
          const candidates = db
            .prepare(`SELECT rowid FROM ${fts} WHERE ${fts} MATCH ? ORDER BY rowid`)
            .pluck()
            .all(trigramQuery(word));
          const holding = db
            .prepare(
              `SELECT rowid FROM ${table} WHERE instr(lower(name || ' ' || domains), ?) > 0 ORDER BY rowid`,
            )
            .pluck()
            .all(word);
          expect(candidates).toEqual(holding);
        }
      }
    } finally {
      db.close();
    }
  };

  it('given any run of writes in transactions of the store’s client, then after every commit the indexes hold exactly the rows as they are and the queues are empty', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(write, { minLength: 1, maxLength: 6 }), { maxLength: 8 }),
        async (txs) => {
          for (const writes of txs) {
            await client.transaction(async (tx) => {
              for (const w of writes) await apply((sql, params) => tx.query(sql, params), w);
            });
            check();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('given a transaction that fails after its writes, then nothing of it reaches the table, the queue or the index', async () => {
    await client.transaction(async (tx) =>
      apply((sql, params) => tx.query(sql, params), { kind: 'insert', word: 0, other: 1 }),
    );
    await expect(
      client.transaction(async (tx) => {
        await apply((sql, params) => tx.query(sql, params), { kind: 'rename', at: 0, word: 6 });
        throw new Error('refused by the test');
      }),
    ).rejects.toThrow('refused by the test');
    check();
    expect(await client.query(`SELECT count(*) AS n FROM case_summary WHERE name LIKE '%qwzx%'`)).toEqual([
      { n: 0 },
    ]);
  });

  it('given writes committed without the steps, then the index falls behind and its check says so (the judge can fail)', async () => {
    client.beforeCommit([]);
    await client.transaction(async (tx) =>
      apply((sql, params) => tx.query(sql, params), { kind: 'insert', word: 0, other: 1 }),
    );
    await client.transaction(async (tx) =>
      apply((sql, params) => tx.query(sql, params), { kind: 'rename', at: 0, word: 6 }),
    );
    expect(check).toThrow();
    // The next transaction with the steps brings the index up to the rows, whatever waited in the queue.
    client.beforeCommit(SEARCH_INDEX_FLUSH);
    await client.transaction(async () => undefined);
    check();
  });
});
