import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
});
