import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { temporaryDirectory } from '@sanksi/testing';
import Database from 'better-sqlite3';
import { testEvent } from '../testing/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';
import { WalCheckpointer } from './wal-checkpointer';

const dir = temporaryDirectory('sanksi-es-wal-checkpoints');
afterAll(() => dir.remove());
let files = 0;

function freshFile(): string {
  return path.join(dir.path, `store-${++files}`, 'events.db');
}

/** Appends `streams` streams of one ~2 KB event each, 50 appends a transaction-sized burst. */
async function appendMany(store: SqliteEventStore, prefix: string, streams: number): Promise<void> {
  for (let from = 0; from < streams; from += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, streams - from) }, (_, i) =>
        store.appendToStream(
          `${prefix}-${from + i}`,
          [testEvent('Filled', { text: 'x'.repeat(2_000), n: from + i })],
          { expectedRevision: 'no_stream' },
        ),
      ),
    );
  }
}

/** Waits until `check` holds, looking every 20 ms for up to 10 s. */
async function eventually(check: () => boolean): Promise<void> {
  const until = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > until) throw new Error('the condition did not hold within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

describe('WAL checkpoints on a thread of their own', () => {
  it('given the default, when appends fill the log with fewer pages than any writer would checkpoint at, then the thread copies them into the file while the store is open', async () => {
    // given
    const file = freshFile();
    const store = new SqliteEventStore({ file });
    try {
      await store.whenReady();
      const empty = sizeOf(file);
      // when: ~1 MB of events in 8 commits, about 300 log frames: below even SQLite's own 1,000 (and the
      // writer's is 16,384)
      await appendMany(store, 'pse-fill', 400);
      // then: in WAL mode only a checkpoint writes the database file
      await eventually(() => sizeOf(file) > empty + 700_000);
      expect(await store.readAll({ limit: 1_000 })).toHaveLength(400);
    } finally {
      await store.close();
    }
    // and the last connection closed removed the log
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('given appends whose checkpoint is asked for, when waiting for the thread to be idle, then every frame of the log is in the file already', async () => {
    // given
    const file = freshFile();
    const store = new SqliteEventStore({ file });
    const checkpointer = WalCheckpointer.forFile(file, () => undefined);
    try {
      await store.whenReady();
      await appendMany(store, 'pse-idle', 400);
      // when
      await checkpointer.whenIdle();
      // then: the database file holds every page the log's last commit says it has (a file only grows by
      // checkpoints in WAL mode; the probe reads, it does not copy)
      const probe = new Database(file, { readonly: true });
      try {
        const pages = probe.pragma('page_count', { simple: true }) as number;
        const pageSize = probe.pragma('page_size', { simple: true }) as number;
        expect(pages * pageSize).toBeGreaterThan(700_000);
        expect(sizeOf(file)).toBe(pages * pageSize);
      } finally {
        probe.close();
      }
    } finally {
      await checkpointer.close();
      await store.close();
    }
  });

  it('given two stores on one file, when the first closes, then the second still has its log checkpointed, and closing it ends the thread', async () => {
    // given
    const file = freshFile();
    const first = new SqliteEventStore({ file });
    const second = new SqliteEventStore({ file });
    await Promise.all([first.whenReady(), second.whenReady()]);
    await appendMany(first, 'pse-first', 100);
    // when
    await first.close();
    const before = sizeOf(file);
    await appendMany(second, 'pse-second', 400);
    // then
    await eventually(() => sizeOf(file) > before + 700_000);
    await second.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("given checkpoints inline, when appends fill the log, then the writer checkpoints at SQLite's 1,000 pages itself", async () => {
    // given
    const file = freshFile();
    const store = new SqliteEventStore({ file, checkpoints: 'inline' });
    try {
      await store.whenReady();
      // when: ~6 MB, past 1,000 pages
      await appendMany(store, 'pse-inline', 3_000);
      // then: the file grew inside the commits, with no thread to wait for
      expect(sizeOf(file)).toBeGreaterThan(3_000_000);
    } finally {
      await store.close();
    }
  });

  it('given a file its thread cannot open, when it is asked to checkpoint, then it reports the failure once and asks no more', async () => {
    // given
    const failures: Error[] = [];
    const checkpointer = WalCheckpointer.forFile(path.join(dir.path, 'missing', 'events.db'), (e) =>
      failures.push(e),
    );
    try {
      // when
      checkpointer.wrote();
      await eventually(() => failures.length > 0);
      checkpointer.wrote();
      // then
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(failures).toHaveLength(1);
      expect(failures[0]?.message).toMatch(/unable to open|does not exist|directory/i);
    } finally {
      await checkpointer.close();
    }
  });
});
