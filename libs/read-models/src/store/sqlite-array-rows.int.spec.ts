import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteSqlClient } from './sqlite-sql.client';

// A query that names its result columns is read as arrays and made into records in this process (half
// the cost of better-sqlite3's row objects, docs/benchmarks.md "Case lists"); one with `*` is read as
// objects. Either way the caller gets the same records, before and after the table changes under it.
describe('SQLite reads of named columns as arrays', () => {
  let dir: string;
  let file: string;
  let client: SqliteSqlClient;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sanksi-array-rows-'));
    file = path.join(dir, 'rm.db');
    client = new SqliteSqlClient(file);
    await client.transaction(async (tx) => {
      await tx.query(`CREATE TABLE t (k TEXT PRIMARY KEY, a INTEGER, b TEXT, c REAL)`);
      await tx.insertMany(
        't',
        ['k', 'a', 'b', 'c'],
        [
          ['x', 1, 'one', 1.5],
          ['y', null, null, null],
          ['z', 3, 'três ✓', -0.25],
        ],
      );
    });
  });
  afterEach(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the records better-sqlite3 gives, every type and NULL, in column order', async () => {
    const named = await client.query(`SELECT k, a, b, c, a + 1 AS next FROM t ORDER BY k`);
    const direct = new Database(file, { readonly: true });
    try {
      const objects = direct.prepare(`SELECT k, a, b, c, a + 1 AS next FROM t ORDER BY k`).all();
      expect(named).toEqual(objects);
      expect(named.map((r) => Object.keys(r))).toEqual(objects.map((r) => Object.keys(r as object)));
    } finally {
      direct.close();
    }
    expect(named[0]).toEqual({ k: 'x', a: 1, b: 'one', c: 1.5, next: 2 });
    expect(await client.query(`SELECT k FROM t WHERE k = ?`, ['none'])).toEqual([]);
  });

  it('keeps named columns what the text says, and `*` the table as it is, after another connection alters it', async () => {
    const named = `SELECT k, b FROM t ORDER BY k`;
    const all = `SELECT * FROM t ORDER BY k`;
    expect(await client.query(named)).toHaveLength(3);
    expect(Object.keys((await client.query(all))[0])).toEqual(['k', 'a', 'b', 'c']);
    // Another process (a migration) adds a column and recreates the table with its columns reordered.
    const other = new Database(file);
    try {
      other.exec(`ALTER TABLE t ADD COLUMN d TEXT NOT NULL DEFAULT 'new'`);
      other.exec(`CREATE TABLE t2 (d TEXT, c REAL, b TEXT, a INTEGER, k TEXT PRIMARY KEY)`);
      other.exec(`INSERT INTO t2 (d, c, b, a, k) SELECT d, c, b, a, k FROM t`);
      other.exec(`DROP TABLE t`);
      other.exec(`ALTER TABLE t2 RENAME TO t`);
    } finally {
      other.close();
    }
    expect(await client.query(named)).toEqual([
      { k: 'x', b: 'one' },
      { k: 'y', b: null },
      { k: 'z', b: 'três ✓' },
    ]);
    expect((await client.query(all))[0]).toEqual({ d: 'new', c: 1.5, b: 'one', a: 1, k: 'x' });
    expect(Object.keys((await client.query(all))[0])).toEqual(['d', 'c', 'b', 'a', 'k']);
  });

  it('reads inside a snapshot and a write transaction the same way', async () => {
    const inSnapshot = await client.snapshot((tx) => tx.query(`SELECT k, a FROM t WHERE a IS NOT NULL`));
    const inTransaction = await client.transaction((tx) =>
      tx.query(`SELECT k, a FROM t WHERE a IS NOT NULL`),
    );
    expect(inSnapshot).toEqual([
      { k: 'x', a: 1 },
      { k: 'z', a: 3 },
    ]);
    expect(inTransaction).toEqual(inSnapshot);
  });
});
