import { SqliteEventStore } from '@sanksi/event-store';
import { temporaryDirectory } from '@sanksi/testing';
import Database from 'better-sqlite3';
import path from 'node:path';
import { caseHistories, eventCount } from './case-histories';
import { rawBetterSqlite } from './raw-side';
import { sanksiSide, sqliteSummarySink } from './sanksi-side';

// The Sanksi and raw sides of the emmett bench on real SQLite files (the Emmett side needs its own
// install and is exercised by the bench itself): same histories in, same rows out, failures counted.
describe('emmett bench sides (SQLite)', () => {
  const dir = temporaryDirectory('sanksi-bench-emmett-test');
  afterAll(() => dir.remove());
  const file = (name: string): string => path.join(dir.path, name);
  const summaries = (db: string): Array<{ id: string; doc: unknown }> => {
    const handle = new Database(db, { readonly: true });
    try {
      return handle
        .prepare<[], { id: string; doc: string }>('SELECT id, doc FROM case_summaries ORDER BY id')
        .all()
        .map((r) => ({ id: r.id, doc: JSON.parse(r.doc) }));
    } finally {
      handle.close();
    }
  };

  it('given 12 histories appended by 4 writers with the projection, then Sanksi and raw hold the same events and the same summaries', async () => {
    const streams = caseHistories('int', 12);
    const sanksi = sanksiSide(
      new SqliteEventStore({ file: file('sanksi.db'), synchronous: 'FULL' }),
      sqliteSummarySink(file('sanksi-read-models.db'), 'NORMAL'),
    );
    const raw = rawBetterSqlite(file('raw.db'), 'FULL', true);

    const appended = await sanksi.append(streams, 4);
    const rawAppended = await raw.append(streams, 4);
    const read = await sanksi.readBack(streams);
    const rawRead = await raw.readBack(streams);
    await sanksi.close();
    await raw.close();

    expect(appended).toMatchObject({ events: eventCount(streams), errors: 0 });
    expect(rawAppended).toMatchObject({ events: eventCount(streams), errors: 0 });
    expect(appended.seconds).toBeGreaterThan(0);
    expect(read).toMatchObject({ events: 96, errors: 0 });
    expect(rawRead).toMatchObject({ events: 96, errors: 0 });
    const projected = summaries(file('sanksi-read-models.db'));
    expect(projected).toHaveLength(12);
    expect(projected).toEqual(summaries(file('raw.db')));
    expect(projected.map((r) => r.id)).toEqual(streams.map((s) => s.streamId).sort());
  });

  it('given histories already appended, when appended again expecting new streams, then every stream fails once, is counted and nothing is written', async () => {
    const streams = caseHistories('again', 6);
    const store = new SqliteEventStore({ file: file('again.db'), synchronous: 'FULL' });
    const sanksi = sanksiSide(store);
    await sanksi.append(streams, 2);

    const again = await sanksi.append(streams, 2);

    expect(again).toMatchObject({ events: 0, errors: 6 });
    expect(again.firstError).toMatch(/^WrongExpectedRevision/);
    expect(await store.readAll({ limit: 1000 })).toHaveLength(eventCount(streams));
    await sanksi.close();
  });
});
