import Database from 'better-sqlite3';
import { timeStatements } from './sqlite-statements.preload';

describe('timeStatements (the SQLite statement profile preload)', () => {
  it('given statements prepared and run, then each SQL text is reported with its calls and its longest call, costliest first', () => {
    const report = timeStatements(Database);
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (n INTEGER)');
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
    for (let i = 0; i < 3; i++) insert.run(i);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 3 });
    db.close();

    const lines = report().trim().split('\n');
    const calls = Object.fromEntries(lines.map((l) => [l.split('\t')[4], Number(l.split('\t')[1])]));
    expect(calls).toEqual({
      ':memory:: EXEC CREATE TABLE t (n INTEGER)': 1,
      ':memory:: INSERT INTO t (n) VALUES (?)': 3,
      ':memory:: SELECT count(*) AS n FROM t': 1,
    });
    const seconds = lines.map((l) => Number.parseFloat(l));
    expect([...seconds].sort((a, b) => b - a)).toEqual(seconds);
    // the longest call of each, in milliseconds to a tenth, no shorter than its mean (in µs)
    for (const l of lines) {
      const [, , mean, max] = l.split('\t');
      expect(max).toMatch(/^max \d+\.\d ms$/);
      expect(Number.parseFloat(max.slice(4)) * 1000 + 50).toBeGreaterThanOrEqual(Number.parseFloat(mean));
    }
  });
});
