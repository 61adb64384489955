import * as testing from '@sanksi/testing';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { readModelBackends } from '../testing/read-model-backends.harness';
import { createReadModelStore } from './create-read-model-store';
import { READ_MODEL_MIGRATIONS } from './read-model.schema';

jest.setTimeout(60_000);

const backends = readModelBackends(testing);
const NEWEST = Math.max(...READ_MODEL_MIGRATIONS.map((m) => m.version));
const refusal = { code: 'READ_MODEL_SCHEMA_TOO_NEW', known: NEWEST, found: NEWEST + 1 };

describe.each(backends.all)('a read-model database a newer build migrated ($name)', (backend) => {
  it('given every migration of this build and one after them, when a store opens it, then it refuses to read or write and changes nothing', async () => {
    const db = await backend.open();
    try {
      await db.store.migrate();
      await db.execute(
        `INSERT INTO read_model_migrations (version, name, applied_at) VALUES (${NEWEST + 1}, 'from a newer build', '2027-01-01T00:00:00Z')`,
      );
      const before = await db.dump();

      const older = db.reopen();
      await expect(older.migrate()).rejects.toMatchObject(refusal);
      await expect(older.migrate()).rejects.toThrow(/knows up to \d+: a newer build migrated it/);
      await expect(older.applyBatch([], { expectedPosition: 0, toPosition: 1 })).rejects.toMatchObject(
        refusal,
      );
      await expect(older.getCheckpoint()).rejects.toMatchObject(refusal);

      expect(await db.dump()).toEqual(before);
    } finally {
      await db.cleanup();
    }
  });
});

describe('a SQLite read-model file of an older schema that a newer build migrates meanwhile', () => {
  let dir: testing.TemporaryDirectory;
  beforeEach(() => {
    dir = testing.temporaryDirectory('sanksi-schema-too-new');
  });
  afterEach(() => dir.remove());

  const versions = (file: string): number[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare('SELECT version FROM read_model_migrations ORDER BY version')
        .pluck()
        .all() as number[];
    } finally {
      db.close();
    }
  };

  const atVersion3 = (file: string): void => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(
      `CREATE TABLE read_model_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    );
    for (const m of READ_MODEL_MIGRATIONS.filter((m) => m.version <= 3)) {
      for (const statement of m.statements('sqlite')) db.exec(statement);
      db.prepare(`INSERT INTO read_model_migrations VALUES (?, ?, ?)`).run(m.version, m.name, '2026-01-01');
    }
    db.close();
  };

  it('given a file at migration 3 that also has a newer build’s migration, when a store opens it, then it applies none of its own', async () => {
    const file = path.join(dir.path, 'read-models.db');
    atVersion3(file);
    const db = new Database(file);
    db.prepare(`INSERT INTO read_model_migrations VALUES (?, 'from a newer build', '2027-01-01')`).run(
      NEWEST + 1,
    );
    db.close();

    const store = createReadModelStore({ kind: 'sqlite', file });
    try {
      await expect(store.migrate()).rejects.toMatchObject(refusal);
    } finally {
      await store.close();
    }
    expect(versions(file)).toEqual([1, 2, 3, NEWEST + 1]);
  });

  it('given a newer build migrating while the store waits for the write lock, when it gets the lock, then it looks again and refuses', async () => {
    const file = path.join(dir.path, 'read-models.db');
    atVersion3(file);
    // The newer build, in a process of its own (the store waits for SQLite's lock synchronously), holds
    // the write lock with its migration written, not yet committed, and commits half a second later: the
    // store's first look (a read) sees migration 3 only and goes on to migrate under the lock.
    const newer = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require(${JSON.stringify(require.resolve('better-sqlite3'))}))(${JSON.stringify(file)});
         db.exec('BEGIN IMMEDIATE');
         db.prepare("INSERT INTO read_model_migrations VALUES (?, 'from a newer build', '2027-01-01')").run(${NEWEST + 1});
         process.stdout.write('held\\n');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 500);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => newer.on('exit', resolve));
    await new Promise((resolve) => newer.stdout.once('data', resolve));

    const store = createReadModelStore({ kind: 'sqlite', file });
    try {
      await expect(store.migrate()).rejects.toMatchObject(refusal);
    } finally {
      await store.close();
      await exited;
    }
    expect(versions(file)).toEqual([1, 2, 3, NEWEST + 1]);
  });
});
