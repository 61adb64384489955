import * as testing from '@sanksi/testing';
import path from 'node:path';
import { ReadModelStoreFailed } from '../read-model.errors';
import { READER_MMAP_BYTES } from './sqlite-reader.settings';
import { SqliteSqlClient } from './sqlite-sql.client';

// A statement that keeps SQLite busy for a while (a few hundred milliseconds here): long enough that a timer
// set when it starts comes due before it ends. Only the order of events is asserted, never a duration.
const LONG = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000)
  SELECT count(*) AS n, sum(x) AS total FROM c`;

describe('the long reads of the SQLite read-model client, on a thread of their own', () => {
  let dir: testing.TemporaryDirectory;
  let client: SqliteSqlClient;
  beforeEach(async () => {
    dir = testing.temporaryDirectory('sanksi-reader-thread');
    client = new SqliteSqlClient(path.join(dir.path, 'read-models.db'));
    await client.transaction(async (tx) => {
      await tx.query(`CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, note TEXT)`);
      await tx.insertMany(
        't',
        ['k', 'n', 'note'],
        [
          ['a', 1, null],
          ['b', 2, 'two'],
          ['c', 3, 'three'],
        ],
      );
    });
  });
  afterEach(async () => {
    await client.close();
    dir.remove();
  });

  it('given committed rows, when read aside, then the answer is the reader connection’s, column for column', async () => {
    const sql = `SELECT k, n, note FROM t WHERE n >= ? ORDER BY k`;
    expect(await client.queryAside(sql, [2])).toEqual(await client.query(sql, [2]));
    expect(await client.queryAside(`SELECT * FROM t ORDER BY n DESC LIMIT 1`)).toEqual([
      { k: 'c', n: 3, note: 'three' },
    ]);
    // Writes committed after the thread started are seen by the next read.
    await client.transaction((tx) => tx.query(`INSERT INTO t VALUES ('d', 4, NULL)`));
    expect(await client.queryAside(`SELECT count(*) AS n FROM t`)).toEqual([{ n: 4 }]);
  });

  it('then both readers map the file into memory (the request loop’s and the thread’s), the writer does not', async () => {
    const mapped = [{ mmap_size: READER_MMAP_BYTES }];
    expect(await client.query(`PRAGMA mmap_size`)).toEqual(mapped);
    expect(await client.queryAside(`PRAGMA mmap_size`)).toEqual(mapped);
    expect(await client.transaction((tx) => tx.query(`PRAGMA mmap_size`))).toEqual([{ mmap_size: 0 }]);
  });

  it('given a bad statement or a write, when read aside, then it fails as the store fails, and the thread goes on', async () => {
    const bad = await client.queryAside(`SELECT nope FROM t`).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ReadModelStoreFailed);
    expect(bad).toMatchObject({ operation: 'query', driverCode: 'SQLITE_ERROR' });
    expect((bad as Error).message).toContain('no such column: nope');
    const write = await client.queryAside(`DELETE FROM t`).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(ReadModelStoreFailed);
    expect(await client.query(`SELECT count(*) AS n FROM t`)).toEqual([{ n: 3 }]);
    expect(await client.queryAside(`SELECT count(*) AS n FROM t`)).toEqual([{ n: 3 }]);
  });

  it('given a long read, then aside the event loop runs a timer before it ends, where the reader connection holds it', async () => {
    const order = async (read: () => Promise<unknown>) => {
      const seen: string[] = [];
      const timer = new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.push('timer');
          resolve();
        }, 0),
      );
      await read().then(() => seen.push('read'));
      await timer;
      return seen;
    };
    await client.queryAside(`SELECT 1`); // the thread is up before the timer is set
    expect(await order(() => client.queryAside(LONG))).toEqual(['timer', 'read']);
    expect(await order(() => client.query(LONG))).toEqual(['read', 'timer']);
    expect(await client.queryAside(LONG)).toEqual(await client.query(LONG));
  });

  it('given identical reads asked while one is unanswered, then they share its statement, each with rows of its own', async () => {
    // `random()` tells one run of a statement from another: a shared run answers every asker the same value.
    const sql = `SELECT random() AS r, count(*) AS n FROM t WHERE n >= ?`;
    await client.queryAside(`SELECT 1`); // the thread is up
    const long = client.queryAside(LONG); // holds the lane, so the reads below are all asked before any runs
    const same = await Promise.all([1, 2, 3, 4].map(() => client.queryAside(sql, [2])));
    await long;
    expect(new Set(same.map(([row]) => row.r)).size).toBe(1);
    expect(same.map(([row]) => row.n)).toEqual([2, 2, 2, 2]);
    same[0][0].n = 99; // an asker's rows are its own
    expect(same[1][0].n).toBe(2);

    // Other parameters, another lane or a statement asked again after the answer run again, and see commits.
    const apart = await Promise.all([
      client.queryAside(sql, [2]),
      client.queryAside(sql, [3]),
      client.queryAside(sql, [2], 'history'),
    ]);
    expect(apart.map(([row]) => row.n)).toEqual([2, 1, 2]);
    expect(new Set([same[1][0].r, ...apart.map(([row]) => row.r)]).size).toBe(4);
    await client.transaction((tx) => tx.query(`INSERT INTO t VALUES ('d', 4, NULL)`));
    expect((await client.queryAside(sql, [2]))[0].n).toBe(3);
  });

  it('given identical reads that fail, then every asker gets the error, and the next read runs', async () => {
    await client.queryAside(`SELECT 1`);
    const long = client.queryAside(LONG);
    const failed = await Promise.all(
      [1, 2, 3].map(() => client.queryAside(`SELECT nope FROM t`).catch((e: unknown) => e)),
    );
    await long;
    for (const e of failed) expect(e).toMatchObject({ operation: 'query', driverCode: 'SQLITE_ERROR' });
    expect(await client.queryAside(`SELECT count(*) AS n FROM t`)).toEqual([{ n: 3 }]);
  });

  it('given a long read of the history lane, then a quick read aside is answered before it ends; in one lane, after', async () => {
    // Both lanes' threads up first, so that neither read waits for a thread to start.
    await Promise.all([client.queryAside(`SELECT 1`, [], 'history'), client.queryAside(`SELECT 1`)]);
    const order = async (lane: 'quick' | 'history') => {
      const seen: string[] = [];
      const long = client.queryAside(LONG, [], 'history').then(() => seen.push('long'));
      const quick = client
        .queryAside(`SELECT count(*) AS n FROM t`, [], lane)
        .then((rows) => seen.push(`quick ${JSON.stringify(rows)}`));
      await Promise.all([long, quick]);
      return seen;
    };
    expect(await order('quick')).toEqual(['quick [{"n":3}]', 'long']);
    expect(await order('history')).toEqual(['long', 'quick [{"n":3}]']);
  });
});
