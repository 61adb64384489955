import Database from 'better-sqlite3';
import path from 'node:path';
import { temporaryDirectory } from '@sanksi/testing';
import { SqliteEventStore } from '@sanksi/event-store';
import { storeBatchedAppends, storeReadAll, storeSingleAppends } from './bench-workload';
import { rawSqlite } from './raw-drivers';

describe('event-store bench workload', () => {
  const dir = temporaryDirectory('sanksi-bench-es-test');
  afterAll(() => dir.remove());

  it('given the store and the raw driver run the same scenario, then they write the same number of identical rows', async () => {
    const store = new SqliteEventStore({ file: path.join(dir.path, 'store.db') });
    const raw = rawSqlite(path.join(dir.path, 'raw.db'), 'NORMAL');

    await storeSingleAppends(store, 'a', 130, 4);
    await storeBatchedAppends(store, 'b', 3, 10);
    await raw.singleRows(130, 4);
    await raw.batchedRows(3, 10);

    expect(await storeReadAll(store, 50)).toBe(130 + 30);
    expect(await raw.readAll(50)).toBe(130 + 30);
    const streams = (await store.readAll()).reduce(
      (m, e) => m.set(e.streamId, e.revision),
      new Map<string, number>(),
    );
    expect([...streams.values()].every((last) => last >= 0)).toBe(true);
    await store.close();
    await raw.close();

    const columns = 'type, category, schema_version, data, metadata';
    const storeRow = new Database(path.join(dir.path, 'store.db'))
      .prepare(`SELECT ${columns} FROM events LIMIT 1`)
      .get();
    const rawRow = new Database(path.join(dir.path, 'raw.db'))
      .prepare(`SELECT ${columns} FROM events LIMIT 1`)
      .get();
    expect(rawRow).toEqual(storeRow);
  });
});
