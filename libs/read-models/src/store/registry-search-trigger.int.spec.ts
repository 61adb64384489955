import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createReadModelStore } from './create-read-model-store';
import type { ReadModelStore } from './read-model-store.port';
import { SEARCH_INDEX_FLUSH } from './read-model.schema';
import { trigramQuery } from './sql-read-model.store';
import { runCommitSteps } from './sqlite-sql.client';

// Migration 7: the register's search index is re-written only when a row's indexed text changes. Since migration
// 22 the triggers queue the rows and the store's write transactions index them before they commit: these writes
// are made outside the store, so each runs the same steps in its own transaction.
describe('registry search trigger (SQLite, migrations 7 and 22)', () => {
  let dir: string;
  let store: ReadModelStore;
  let db: Database.Database;

  const search = (q: string): string[] =>
    db
      .prepare<[string], { pse_id: string }>(
        `SELECT r.pse_id FROM registry_search s JOIN registry r ON r.rowid = s.rowid
         WHERE registry_search MATCH ? ORDER BY r.pse_id`,
      )
      .all(trigramQuery(q) ?? '')
      .map((r) => r.pse_id);
  /** A write as the store makes it: the statement, then the search indexes' queues, in one transaction. */
  const write = (sql: string): void =>
    db.transaction(() => {
      db.exec(sql);
      runCommitSteps(SEARCH_INDEX_FLUSH, (s) => db.prepare(s));
    })();
  /** Rows written by a statement, its triggers' and the index's writes included. */
  const written = (sql: string): number => {
    const before = db.prepare<[], number>('SELECT total_changes()').pluck().get() as number;
    write(sql);
    return (db.prepare<[], number>('SELECT total_changes()').pluck().get() as number) - before;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sanksi-registry-trigger-'));
    const file = path.join(dir, 'read-models.db');
    store = createReadModelStore({ kind: 'sqlite', file });
    await store.migrate();
    db = new Database(file);
    write(`INSERT INTO registry (pse_id, registration_number, name, company, sector, origin, domains, status, registered_at, updated_at)
      VALUES ('pse-1', '000001.01/DJAI.PSE/07/2022', 'Toko Kilat', 'PT Kilat', 'e-commerce', 'domestic', 'kilat.example', 'active',
              '2022-07-20T00:00:00.000Z', '2022-07-20T00:00:00.000Z')`);
  });

  afterEach(async () => {
    db.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a register row, when only its status and times change, then the search index is not rewritten and still finds it', () => {
    expect(
      written(
        `UPDATE registry SET status = 'suspended', updated_at = '2022-08-01T00:00:00.000Z' WHERE pse_id = 'pse-1'`,
      ),
    ).toBe(1);
    expect(search('kilat')).toEqual(['pse-1']);
  });

  it('given a register row, when its name changes, then the index forgets the old text and finds the new', () => {
    // The row and the index's own rows (FTS5 keeps its trigrams in tables of its own).
    expect(written(`UPDATE registry SET name = 'Warung Qwzx' WHERE pse_id = 'pse-1'`)).toBeGreaterThan(1);
    expect(search('qwzx')).toEqual(['pse-1']);
    expect(search('toko')).toEqual([]);
    // The company still says Kilat.
    expect(search('kilat')).toEqual(['pse-1']);
  });

  it('given a register row, when its domains or certificate number change (an upsert), then the index follows', () => {
    write(`INSERT INTO registry (pse_id, registration_number, name, company, sector, origin, domains, status, registered_at, updated_at)
      VALUES ('pse-1', '000002.01/DJAI.PSE/08/2022', 'Toko Kilat', 'PT Kilat', 'e-commerce', 'domestic', 'baru.example', 'active',
              '2022-07-20T00:00:00.000Z', '2022-08-02T00:00:00.000Z')
      ON CONFLICT (pse_id) DO UPDATE SET registration_number = excluded.registration_number, domains = excluded.domains`);
    expect(search('baru.example')).toEqual(['pse-1']);
    expect(search('000002')).toEqual(['pse-1']);
    expect(search('000001')).toEqual([]);
    // FTS5 throws SQLITE_CORRUPT_VTAB when the index disagrees with the rows it indexes.
    expect(() =>
      db.exec(`INSERT INTO registry_search (registry_search) VALUES ('integrity-check')`),
    ).not.toThrow();
  });
});
