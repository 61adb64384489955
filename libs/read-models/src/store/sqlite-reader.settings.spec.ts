import Database from 'better-sqlite3';
import { plannedOnce } from './sqlite-reader.settings';

describe('plannedOnce', () => {
  it('given SQL with bound limits, then each bare LIMIT ? becomes LIMIT ?+0 and nothing else changes', () => {
    expect(
      plannedOnce(
        'SELECT max(p) FROM (SELECT p FROM t WHERE p > ? ORDER BY p LIMIT ?) x WHERE y = ? ORDER BY p LIMIT ? OFFSET ?',
      ),
    ).toBe(
      'SELECT max(p) FROM (SELECT p FROM t WHERE p > ? ORDER BY p LIMIT ?+0) x WHERE y = ? ORDER BY p LIMIT ?+0 OFFSET ?',
    );
    for (const sql of [
      'SELECT 1 LIMIT 10',
      'SELECT 1 LIMIT ?+0',
      'SELECT 1 FROM t WHERE a = ?',
      'SELECT 1 OFFSET ?',
    ])
      expect(plannedOnce(sql)).toBe(sql);
  });

  it('given the rewritten statement, then a limit still limits and -1 still means none, with the parameters in their places', () => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE t (p INTEGER PRIMARY KEY, y TEXT)');
      const insert = db.prepare('INSERT INTO t (y) VALUES (?)');
      for (let p = 1; p <= 10; p++) insert.run(p % 2 === 0 ? 'even' : 'odd');
      const page = db
        .prepare(plannedOnce('SELECT p FROM t WHERE p > ? AND y = ? ORDER BY p LIMIT ? OFFSET ?'))
        .pluck();
      expect(page.all(0, 'even', 2, 1)).toEqual([4, 6]);
      expect(page.all(0, 'odd', -1, 0)).toEqual([1, 3, 5, 7, 9]);
      expect(page.all(4, 'odd', 0, 0)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
