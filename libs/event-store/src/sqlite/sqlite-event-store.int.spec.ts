import { fork } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { temporaryDirectory } from '@sanksi/testing';
import Database from 'better-sqlite3';
import { describeEventStoreContract, testEvent } from '../testing/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';
import { SQLITE_SCHEMA_VERSION } from './sqlite-schema';

const dir = temporaryDirectory('sanksi-es-sqlite');
afterAll(() => dir.remove());
let databases = 0;

/** Takes a file of this version's schema back to the commands table of schema version 4 (before migration 5). */
function commandsAsInVersion4(db: Database.Database): void {
  db.exec(`DROP INDEX commands_store_scoped;
    ALTER TABLE commands DROP COLUMN store_scoped;
    CREATE INDEX commands_command_id ON commands (command_id);`);
}

describeEventStoreContract('sqlite', {
  open: async (options) =>
    new SqliteEventStore({
      file: path.join(dir.path, 'contract', 'events.db'),
      upcasters: options?.upcasters,
    }),
  freshDatabase: async () => {
    const file = path.join(dir.path, `fresh-${++databases}`, 'events.db');
    return { open: async () => new SqliteEventStore({ file }), dispose: async () => undefined };
  },
});

describe('SqliteEventStore on a shared file', () => {
  it('given two store instances in one process on one file, when both append concurrently, then no busy error and nothing lost', async () => {
    const file = path.join(dir.path, `shared-${++databases}.db`);
    const a = new SqliteEventStore({ file, synchronous: 'FULL' });
    const b = new SqliteEventStore({ file, synchronous: 'FULL' });
    try {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 === 0 ? a : b).appendToStream(`pse-${i % 20}`, [testEvent('Tick', { i })], {
            expectedRevision: 'any',
          }),
        ),
      );
      const all = await a.readAll();
      expect(all).toHaveLength(200);
      for (let s = 0; s < 20; s++) {
        expect((await b.readStream(`pse-${s}`)).map((e) => e.revision)).toEqual(
          Array.from({ length: 10 }, (_, i) => i),
        );
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('given two processes and this one appending to one fresh file at once, then every append lands and none sees a busy error', async () => {
    const file = path.join(dir.path, `processes-${++databases}`, 'events.db');
    const perProcess = 300;
    const child = (name: string): Promise<{ code: number | null; output: string }> =>
      new Promise((resolve) => {
        const proc = fork(
          path.join(__dirname, '__fixtures__', 'sqlite-append-worker.js'),
          [file, name, String(perProcess)],
          {
            stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          },
        );
        let output = '';
        proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
        proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
        proc.on('exit', (code) => resolve({ code, output }));
      });

    const local = new SqliteEventStore({ file });
    const localAppends = (async () => {
      for (let i = 0; i < perProcess; i++) {
        await local.appendToStream(`local-${i % 10}`, [testEvent('Local', { i })], {
          expectedRevision: 'any',
        });
      }
    })();
    const [p1, p2] = await Promise.all([child('p1'), child('p2'), localAppends]);

    expect(p1).toEqual({ code: 0, output: expect.stringContaining(`appended ${perProcess}`) });
    expect(p2).toEqual({ code: 0, output: expect.stringContaining(`appended ${perProcess}`) });
    const all = await local.readAll();
    expect(all).toHaveLength(3 * perProcess);
    for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);
    expect((await local.readStream('p1-shared')).map((e) => e.revision)).toEqual(
      Array.from({ length: perProcess / 3 }, (_, i) => i),
    );
    await local.close();
  }, 60_000);

  it('given a subscriber in one instance, when another process appends, then polling delivers the event', async () => {
    const file = path.join(dir.path, `poll-${++databases}.db`);
    const reader = new SqliteEventStore({ file, pollIntervalMs: 20 });
    await reader.whenReady();
    const stop = new AbortController();
    const received = (async () => {
      for await (const event of reader.subscribe({ signal: stop.signal })) {
        stop.abort();
        return event;
      }
      return undefined;
    })();
    const proc = fork(
      path.join(__dirname, '__fixtures__', 'sqlite-append-worker.js'),
      [file, 'remote', '3'],
      { stdio: 'ignore' },
    );
    await new Promise((resolve) => proc.on('exit', resolve));
    expect(await received).toMatchObject({ streamId: 'remote-shared', type: 'Remote' });
    await reader.close();
  }, 30_000);

  it('given a process killed while it writes a large append, when the file is reopened, then the append is wholly there or wholly absent', async () => {
    const file = path.join(dir.path, `killed-${++databases}`, 'events.db');
    const count = 20_000;
    const proc = fork(
      path.join(__dirname, '__fixtures__', 'sqlite-append-worker.js'),
      [file, 'killed', String(count), 'bulk'],
      {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    );
    const finished: string[] = [];
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    let walBytesAtKill = 0;
    proc.on('message', (message) => {
      finished.push(String(message));
      if (message !== 'appending') return;
      // Kill once uncommitted pages spill into the WAL: the transaction is provably half-way.
      const poll = (): void => {
        const wal = `${file}-wal`;
        const size = existsSync(wal) ? statSync(wal).size : 0;
        if (size > 1_000_000 || finished.includes('appended')) {
          walBytesAtKill = size;
          proc.kill('SIGKILL');
        } else setImmediate(poll);
      };
      poll();
    });
    await exited;

    const reopened = new SqliteEventStore({ file });
    const stored = await reopened.readStream('killed-bulk');
    expect(finished[0]).toBe('appending');
    expect([0, count]).toContain(stored.length);
    if (finished.includes('appended')) expect(stored).toHaveLength(count);
    else expect(walBytesAtKill).toBeGreaterThan(1_000_000);
    const next = await reopened.appendToStream('killed-bulk', [testEvent('After')], {
      expectedRevision: stored.length === 0 ? 'no_stream' : count - 1,
    });
    expect(next.nextExpectedRevision).toBe(stored.length);
    await reopened.close();
  }, 60_000);

  it('given synchronous FULL, when reopened, then the file keeps its events and its schema is not re-created', async () => {
    const file = path.join(dir.path, `reopen-${++databases}.db`);
    const first = new SqliteEventStore({ file, synchronous: 'FULL' });
    await first.appendToStream('pse-1', [testEvent('A')], { expectedRevision: 'no_stream' });
    await first.close();
    const second = new SqliteEventStore({ file });
    expect(await second.readStream('pse-1')).toHaveLength(1);
    await second.appendToStream('pse-1', [testEvent('B')], { expectedRevision: 0 });
    expect(await second.headPosition()).toBe(2);
    await second.close();
  });

  it('given a file a newer build migrated, when opened, then the store refuses, naming its own newest version and the file’s, and writes nothing', async () => {
    const file = path.join(dir.path, `newer-${++databases}.db`);
    const first = new SqliteEventStore({ file });
    await first.appendToStream('pse-1', [testEvent('A')], { expectedRevision: 'no_stream' });
    await first.close();
    const newer = new Database(file);
    newer.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 2}`);
    newer.close();

    const older = new SqliteEventStore({ file });
    const refusal = {
      code: 'EVENT_STORE_SCHEMA_TOO_NEW',
      known: SQLITE_SCHEMA_VERSION,
      found: SQLITE_SCHEMA_VERSION + 2,
    };
    await expect(older.whenReady()).rejects.toMatchObject(refusal);
    await expect(
      older.appendToStream('pse-1', [testEvent('B')], { expectedRevision: 0 }),
    ).rejects.toMatchObject(refusal);
    await older.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION + 2);
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });

  it('given a file from schema version 2, when reopened, then it gains the category index and a category read seeks it', async () => {
    const file = path.join(dir.path, `category-${++databases}.db`);
    const first = new SqliteEventStore({ file });
    for (let i = 0; i < 20; i++) {
      await first.appendToStream(`pse-${i}`, [testEvent('A', { i })], { expectedRevision: 'no_stream' });
    }
    await first.appendToStream('traffic-1', [testEvent('T')], { expectedRevision: 'no_stream' });
    await first.close();
    const old = new Database(file);
    old.exec('DROP INDEX events_category_position');
    commandsAsInVersion4(old);
    old.pragma('user_version = 2');
    old.close();

    const second = new SqliteEventStore({ file });
    const traffic = await second.readAll({ category: 'traffic', after: 0 });
    await second.appendToStream('traffic-2', [testEvent('T')], { expectedRevision: 'no_stream' });
    const later = await second.readAll({ category: 'traffic', after: traffic[0].position });
    await second.close();

    expect(traffic.map((e) => [e.streamId, e.position])).toEqual([['traffic-1', 21]]);
    expect(later.map((e) => [e.streamId, e.position])).toEqual([['traffic-2', 22]]);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      const plan = db
        .prepare(
          'EXPLAIN QUERY PLAN SELECT * FROM events WHERE position > ? AND category = ? ORDER BY position LIMIT ?+0',
        )
        .all(0, 'traffic', 500) as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join('; ')).toMatch(
        /USING (COVERING )?INDEX events_category_position \(category=\? AND position>\?\)/,
      );
    } finally {
      db.close();
    }
  });

  it('given a file from schema version 3, when reopened, then it gains the index of stream starts and listing them reads only that index', async () => {
    const file = path.join(dir.path, `starts-${++databases}.db`);
    const first = new SqliteEventStore({ file });
    for (let i = 0; i < 5; i++) {
      await first.appendToStream(`pse-${i}`, [testEvent('A'), testEvent('B')], {
        expectedRevision: 'no_stream',
      });
    }
    await first.close();
    const old = new Database(file);
    old.exec('DROP INDEX events_stream_starts');
    commandsAsInVersion4(old);
    old.pragma('user_version = 3');
    old.close();

    const second = new SqliteEventStore({ file });
    const starts = await second.readStreamStarts({ after: 2, upTo: 7, category: 'pse' });
    await second.close();

    expect(starts).toEqual([
      { streamId: 'pse-1', position: 3 },
      { streamId: 'pse-2', position: 5 },
      { streamId: 'pse-3', position: 7 },
    ]);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT stream_id, position FROM events INDEXED BY events_stream_starts
           WHERE revision = 0 AND position > ? AND position <= ? AND category = ? ORDER BY position LIMIT ?+0`,
        )
        .all(0, 10, 'pse', -1) as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join('; ')).toBe(
        'SEARCH events USING COVERING INDEX events_stream_starts (position>? AND position<?)',
      );
    } finally {
      db.close();
    }
  });

  it('given a file from schema version 4 with command records, when reopened, then they stay store-wide and only store-scoped ids enter the index (migration 5)', async () => {
    const file = path.join(dir.path, `scoped-${++databases}.db`);
    const first = new SqliteEventStore({ file });
    await first.appendToStream('pse-1', [testEvent('A')], {
      expectedRevision: 'no_stream',
      commandId: 'old',
    });
    await first.close();
    const old = new Database(file);
    commandsAsInVersion4(old);
    old.pragma('user_version = 4');
    old.close();

    const second = new SqliteEventStore({ file });
    // recorded before the scope was: still taken store-wide
    await expect(
      second.appendToStream('pse-2', [testEvent('A')], {
        expectedRevision: 'no_stream',
        commandId: 'old',
        commandIdScope: 'store',
      }),
    ).rejects.toMatchObject({ code: 'COMMAND_ID_IN_USE', recordedOn: 'pse-1' });
    await second.appendToStream('pse-3', [testEvent('A')], {
      expectedRevision: 'no_stream',
      commandId: 'own',
    });
    await second.appendToStream('pse-4', [testEvent('A')], {
      expectedRevision: 'no_stream',
      commandId: 'wide',
      commandIdScope: 'store',
    });
    await second.close();

    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      const indexed = db
        .prepare(
          'SELECT command_id FROM commands INDEXED BY commands_store_scoped WHERE store_scoped = 1 ORDER BY 1',
        )
        .pluck()
        .all();
      expect(indexed).toEqual(['old', 'wide']);
      const plan = db
        .prepare(
          'EXPLAIN QUERY PLAN SELECT stream_id FROM commands WHERE command_id = ? AND store_scoped = 1 AND stream_id <> ? ORDER BY stream_id LIMIT 1',
        )
        .all('x', 'y') as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join('; ')).toMatch(
        /USING (COVERING )?INDEX commands_store_scoped \(command_id=\?/,
      );
    } finally {
      db.close();
    }
  });
});

describe('SqliteEventStore statements', () => {
  it('given its source, then every row limit it binds is written `?+0` (a bare bound LIMIT is parsed and planned again at every call since SQLite 3.47)', () => {
    const source = readFileSync(path.join(__dirname, 'sqlite-event-store.ts'), 'utf8');
    // (the statements' text; the comment naming the bare form quotes it in backticks)
    expect(source.match(/(?<!`)LIMIT \?(?!\+0)/g) ?? []).toEqual([]);
    // readAll, both stream reads and both listings of stream starts
    expect(source.match(/\$\{BOUND_LIMIT\}/g)).toHaveLength(5);
  });
});
