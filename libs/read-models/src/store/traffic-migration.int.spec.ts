import * as testing from '@sanksi/testing';
import Database from 'better-sqlite3';
import path from 'node:path';
import { createReadModelStore } from './create-read-model-store';
import { READ_MODEL_MIGRATIONS } from './read-model.schema';

describe('read-model migration 5 on a SQLite file with traffic recorded before it', () => {
  let dir: testing.TemporaryDirectory;
  beforeEach(() => {
    dir = testing.temporaryDirectory('sanksi-traffic-migration');
  });
  afterEach(() => dir.remove());

  it('given rows keyed by (domain, period) with and without a source, then they survive keyed by (domain, period, source) and the views read them', async () => {
    const file = path.join(dir.path, 'read-models.db');
    const db = new Database(file);
    db.exec(
      `CREATE TABLE read_model_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    );
    for (const m of READ_MODEL_MIGRATIONS.filter((m) => m.version < 4)) {
      for (const statement of m.statements('sqlite')) db.exec(statement);
      db.prepare(`INSERT INTO read_model_migrations VALUES (?, ?, ?)`).run(m.version, m.name, '2026-01-01');
    }
    db.exec(`INSERT INTO traffic_observations (domain, period, visits, rank, source) VALUES
      ('a.example', '2022-07', 100, 1, 'sw'), ('b.example', '2022-07', 50, NULL, NULL), ('a.example', '2022-06', 90, 2, NULL)`);
    db.close();

    const store = createReadModelStore({ kind: 'sqlite', file });
    try {
      await store.migrate();
      // A second source for the same domain and month is now a row of its own; the first row stays.
      await store.recordTrafficObservations([
        { domain: 'a.example', period: '2022-07', visits: 300, source: 'crawler' },
      ]);
      const check = new Database(file, { readonly: true });
      try {
        expect(
          check.prepare(`SELECT * FROM traffic_observations ORDER BY domain, period, source`).all(),
        ).toEqual([
          { domain: 'a.example', period: '2022-06', visits: 90, rank: 2, source: '' },
          { domain: 'a.example', period: '2022-07', visits: 300, rank: null, source: 'crawler' },
          { domain: 'a.example', period: '2022-07', visits: 100, rank: 1, source: 'sw' },
          { domain: 'b.example', period: '2022-07', visits: 50, rank: null, source: '' },
        ]);
      } finally {
        check.close();
      }
      expect(await store.getDiscoveryCandidates(10)).toEqual([
        { domain: 'a.example', period: '2022-07', visits: 300, rank: 1 },
        { domain: 'b.example', period: '2022-07', visits: 50, rank: null },
      ]);
    } finally {
      await store.close();
    }
  });
});
