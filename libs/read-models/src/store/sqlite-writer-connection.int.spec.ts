import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withSortsOnFiles } from './rebuild-deferred';
import { SqliteSqlClient } from './sqlite-sql.client';

// The projector's connection is set for batches of rows (docs/benchmarks.md, "Statement journals in
// memory"): a 64 MiB page cache, and statement journals in memory — a row of `case_summary` fires the
// search index's trigger, and a journal spilled to a temporary file costs a `pwrite` a page. The readers
// keep the defaults: their large sorts may spill to temporary files rather than to memory.
describe('the SQLite read models’ connections', () => {
  let dir: string;
  let client: SqliteSqlClient;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sanksi-writer-connection-'));
    client = new SqliteSqlClient(path.join(dir, 'rm.db'));
  });
  afterEach(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes with statement journals in memory and a 64 MiB cache', async () => {
    const [temp] = await client.transaction((tx) => tx.query(`PRAGMA temp_store`));
    const [cache] = await client.transaction((tx) => tx.query(`PRAGMA cache_size`));
    expect(temp).toEqual({ temp_store: 2 });
    expect(cache).toEqual({ cache_size: -65_536 });
  });

  it('reads with SQLite’s own temporary files and better-sqlite3’s own cache', async () => {
    expect(await client.query(`PRAGMA temp_store`)).toEqual([{ temp_store: 0 }]);
    expect(await client.query(`PRAGMA cache_size`)).toEqual([{ cache_size: -16_000 }]);
  });

  // A rebuild builds its deferred indexes with the sorts on files and helper threads (rebuild-deferred.ts),
  // then the writer is as it was: a journal spilled to a file later would cost a `pwrite` a page again.
  it('sorts a rebuild’s deferred indexes on files with helper threads, and puts the settings back', async () => {
    const settings = async (tx: { query(sql: string): Promise<Array<Record<string, unknown>>> }) => ({
      ...(await tx.query(`PRAGMA temp_store`))[0],
      ...(await tx.query(`PRAGMA threads`))[0],
    });
    const seen: unknown[] = [];
    await client.transaction((tx) => withSortsOnFiles(tx, async () => void seen.push(await settings(tx))));
    expect(seen).toEqual([{ temp_store: 1, threads: 2 }]);
    expect(await client.transaction(settings)).toEqual({ temp_store: 2, threads: 0 });
    // and when the build fails, the failure goes on and the settings are back all the same
    await expect(
      client.transaction((tx) =>
        withSortsOnFiles(tx, async () => {
          await tx.query(`CREATE INDEX broken ON no_such_table (x)`);
        }),
      ),
    ).rejects.toThrow(/no_such_table/);
    expect(await client.transaction(settings)).toEqual({ temp_store: 2, threads: 0 });
  });
});
