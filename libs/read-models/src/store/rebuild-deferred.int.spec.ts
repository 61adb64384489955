import { createEventStore, type EventStore } from '@sanksi/event-store';
import * as testing from '@sanksi/testing';
import path from 'node:path';
import { holderIsGone, Projector } from '../projector/projector';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { type OpenedBackend, readModelBackends, toAppend } from '../testing/read-model-backends.harness';
import { julyAugust2022 } from '../testing/scenario.fixture';
import { SEARCH_AUTOMERGE } from './read-model.schema';

jest.setTimeout(60_000);

const backends = readModelBackends(testing);

/** Every index and trigger of the database (the read models' schema on PostgreSQL), by name, with its SQL. */
const SCHEMA_OBJECTS = {
  sqlite: `SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name`,
  postgres: `SELECT 'index' AS type, indexname AS name, indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> 'rebuild_deferred'
    UNION ALL SELECT 'trigger', trigger_name, action_statement FROM information_schema.triggers
    WHERE trigger_schema = current_schema() ORDER BY name`,
};

// A rebuild sets the search and order indexes aside and builds them at its end (rebuild-deferred.ts).
describe.each(backends.all)(
  'a rebuild sets indexes aside and puts them back ($name read models)',
  (backend) => {
    let dir: testing.TemporaryDirectory;
    let events: EventStore;
    let db: OpenedBackend;

    const schemaObjects = () => db.sql(SCHEMA_OBJECTS[backend.name]);
    /** What the register's and the case table's searches find for a few texts (the trigram indexes' work). */
    const searches = async () => {
      const found: Record<string, string[]> = {};
      for (const q of ['toko', 'pay', 'DJAI', '.com', 'newco']) {
        found[`registry:${q}`] = (await db.store.getRegistry({ q, limit: 1000 })).items.map((r) => r.pseId);
        found[`cases:${q}`] = (await db.store.listCases({ q, limit: 1000 })).items.map((r) => r.pseId);
      }
      return found;
    };

    beforeEach(async () => {
      dir = testing.temporaryDirectory('sanksi-rebuild-deferred');
      events = createEventStore({ kind: 'sqlite', file: path.join(dir.path, 'events.db') });
      for (const e of julyAugust2022().events)
        await events.appendToStream(e.streamId, [toAppend(e)], { expectedRevision: 'any' });
      db = await backend.open();
      await new Projector({ source: events, store: db.store, batchSize: 4 }).runOnce();
    });
    afterEach(async () => {
      await events.close();
      await db.cleanup();
      dir.remove();
    });

    it('given projected read models, when rebuilt, then the same rows, the same indexes and triggers, and the same search results', async () => {
      const [rows, objects, found] = [await db.dump(), await schemaObjects(), await searches()];
      expect(Object.values(found).filter((ids) => ids.length > 0).length).toBeGreaterThanOrEqual(6);
      // when
      await new Projector({ source: events, store: db.store }).rebuild();
      // then
      expect(await db.dump()).toEqual(rows);
      expect(await schemaObjects()).toEqual(objects);
      expect(await searches()).toEqual(found);
      expect(await db.sql(`SELECT * FROM rebuild_deferred`)).toEqual([]);
      if (backend.name === 'postgres') {
        // the search indexes' short pending lists (migration 10) come back with them
        const search = objects.filter((o) => /^(case|registry)_search_\d$/.test(String(o.name)));
        expect(search).toHaveLength(9);
        for (const o of search) expect(String(o.sql)).toContain("gin_pending_list_limit='256'");
      } else {
        // the search indexes keep no positions and merge sixteen segments at a time (migrations 20 and 21),
        // emptied and rebuilt alike
        for (const fts of ['case_search', 'registry_search']) {
          expect(await db.sql(`SELECT v FROM ${fts}_config WHERE k = 'automerge'`)).toEqual([
            { v: SEARCH_AUTOMERGE },
          ]);
          const [table] = await db.sql(`SELECT sql FROM sqlite_master WHERE name = '${fts}'`);
          expect(String(table?.sql)).toContain("detail='none'");
        }
      }
    });

    it('given a reset without deferIndexes (a following projector replays), then every index and trigger stays', async () => {
      const objects = await schemaObjects();
      await db.store.reset();
      expect(await schemaObjects()).toEqual(objects);
    });

    it('given a reset, then the order indexes and search triggers are set aside but the case lookups the projector needs stay', async () => {
      await db.store.reset(undefined, { deferIndexes: true });
      const names = (await schemaObjects()).map((o) => String(o.name));
      expect(names).not.toContain('case_summary_by_name');
      expect(names).toContain('blocklist_case');
      const deferred = (await db.sql(`SELECT name FROM rebuild_deferred ORDER BY name`)).map((r) => r.name);
      expect(deferred).toContain('case_summary_by_name');
      if (backend.name === 'sqlite') {
        expect(names).not.toContain('registry_search_insert');
        expect(names).not.toContain('case_search_update');
        expect(deferred).toContain('registry_search_insert');
      } else {
        // the register's trigram GIN indexes, the costliest per row
        expect(names).not.toContain('registry_search_0');
        expect(deferred).toContain('registry_search_0');
      }
    });

    it('given a rebuild that stopped after its reset and part of its replay, when the store is opened again, then everything set aside is back and searches find every row', async () => {
      const [rows, objects, found] = [await db.dump(), await schemaObjects(), await searches()];
      await db.store.reset(undefined, { deferIndexes: true });
      await new Projector({ source: events, store: db.store, batchSize: 4 }).runOnce();
      // when: another process opens the store (its migration step restores what was set aside)
      const reopened = db.reopen();
      await reopened.migrate();
      // then
      expect(await schemaObjects()).toEqual(objects);
      expect(await db.dump()).toEqual(rows);
      expect(await searches()).toEqual(found);
      await reopened.close();
    });

    it('given a rebuild still replaying (its holder holds the lease), when another process opens the store, then what it set aside stays aside until the lease lapses', async () => {
      const objects = await schemaObjects();
      expect(await db.store.claimProjectorLease('read-models', 'rebuilder', 60_000)).toBe(true);
      await db.store.reset(undefined, { deferIndexes: true, holder: 'rebuilder' });
      const aside = await schemaObjects();
      expect(aside.length).toBeLessThan(objects.length);
      // when: another process opens the store, and another projector wants the lease
      const reopened = db.reopen();
      await reopened.migrate();
      expect(await reopened.restoreAbandonedRebuild()).toBe(false);
      // then
      expect(await schemaObjects()).toEqual(aside);
      // when: the rebuild's lease is released (it stopped), the next open puts them back
      await db.store.releaseProjectorLease('read-models', 'rebuilder');
      const third = db.reopen();
      await third.migrate();
      expect(await schemaObjects()).toEqual(objects);
      await Promise.all([reopened.close(), third.close()]);
    });

    it('given a rebuild that stopped with its lease still live, when a follower takes the lease once it lapsed, then what it set aside is back and the follower projects with every index', async () => {
      const [rows, objects, found] = [await db.dump(), await schemaObjects(), await searches()];
      expect(await db.store.claimProjectorLease('read-models', 'rebuilder', 200)).toBe(true);
      await db.store.reset(undefined, { deferIndexes: true, holder: 'rebuilder' });
      // when: a follower stands by, then takes the lease once it lapsed
      const follower = new Projector({ source: events, store: db.store, leaseTtlMs: 300 });
      follower.start();
      await testing.eventually(async () => expect((await follower.status()).role).toBe('follower'));
      await testing.eventually(async () => expect((await follower.status()).lag).toBe(0));
      await follower.stop();
      // then
      expect(await schemaObjects()).toEqual(objects);
      expect(await db.dump()).toEqual(rows);
      expect(await searches()).toEqual(found);
    });

    it("given a rebuild, then it holds the checkpoint's lease throughout — through its reset and its finish for as long as they may take — and gives it up at its end", async () => {
      const leases: Record<string, Array<{ holder?: string; forMs: number }>> = {};
      const store = db.store;
      const lease = async (step: string) => {
        const held = await store.projectorLeaseHolder('read-models');
        (leases[step] ??= []).push({
          holder: held?.holder,
          forMs: Date.parse(held?.expiresAt ?? '') - Date.now(),
        });
      };
      const spied = Object.create(store) as typeof store;
      spied.reset = async (...args) => {
        await lease('reset');
        return store.reset(...args);
      };
      const source = Object.create(events) as EventStore;
      source.readAll = async (...args) => {
        await lease('replay');
        return events.readAll(...args);
      };
      spied.finishRebuild = async () => {
        await lease('finish');
        return store.finishRebuild();
      };
      await new Projector({
        source,
        store: spied,
        holder: 'rebuilder',
        leaseTtlMs: 15_000,
      }).rebuild();
      // SQLite resets and builds the indexes synchronously, no renewal runs meanwhile: the lease covers each
      // step whole; while it replays, it lapses soon should the rebuild die.
      const all = Object.values(leases).flat();
      expect(all.every((l) => l.holder === 'rebuilder')).toBe(true);
      expect(Object.keys(leases)).toEqual(['reset', 'replay', 'finish']);
      expect(leases.reset[0].forMs).toBeGreaterThan(9 * 60_000);
      expect(leases.replay.every((l) => l.forMs <= 15_000)).toBe(true);
      expect(leases.finish[0].forMs).toBeGreaterThan(9 * 60_000);
      expect(await store.projectorLeaseHolder('read-models')).toBeNull();
    });

    it('given a replay longer than the lease, then the rebuild renews its lease between batches and keeps it to the end', async () => {
      const expired: number[] = [];
      const source = Object.create(events) as EventStore;
      source.readAll = async (...args) => {
        const held = await db.store.projectorLeaseHolder('read-models');
        if (held?.holder !== 'rebuilder') expired.push(Date.now());
        // each batch some synchronous work, as a batch of thousands of events is
        const until = Date.now() + 60;
        while (Date.now() < until);
        return events.readAll(...args);
      };
      const reads = jest.spyOn(source, 'readAll');
      const started = Date.now();
      await new Projector({
        source,
        store: db.store,
        holder: 'rebuilder',
        leaseTtlMs: 600,
        catchUpBatchSize: 1,
      }).rebuild();
      // then: the replay outlasted the lease twice over, and every batch found it held
      expect(Date.now() - started).toBeGreaterThan(1200);
      expect(reads.mock.calls.length).toBeGreaterThan(20);
      expect(expired).toEqual([]);
    });

    it('given a follower catching up a backlog longer than its lease, then it renews the lease between batches', async () => {
      await db.store.reset();
      const expired: number[] = [];
      let stopping = false;
      const source = Object.create(events) as EventStore;
      let reads = 0;
      source.readAll = async (...args) => {
        // the subscription's reads (batches of 2), not the status's look at the next event (1)
        if (args[0]?.limit === 2) {
          reads += 1;
          const held = await db.store.projectorLeaseHolder('read-models');
          // (a read still pending as it stops comes after the release)
          if (held?.holder !== 'follower' && !stopping) expired.push(Date.now());
          const until = Date.now() + 120;
          while (Date.now() < until);
        }
        return events.readAll(...args);
      };
      const follower = new Projector({
        source,
        store: db.store,
        holder: 'follower',
        leaseTtlMs: 600,
        batchSize: 2,
      });
      const started = Date.now();
      follower.start();
      await testing.eventually(async () => expect((await follower.status()).lag).toBe(0));
      stopping = true;
      await follower.stop();
      expect(Date.now() - started).toBeGreaterThan(1200);
      expect(reads).toBeGreaterThan(10);
      expect(expired).toEqual([]);
    });

    it('given a lease held for minutes by a process of this host that is gone (a rebuild killed mid-finish), when rebuilt, then the rebuild takes it over and sets indexes aside again', async () => {
      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      const gone = `${hostname()}:${dead}:killed`;
      expect(await db.store.claimProjectorLease('read-models', gone, 10 * 60_000)).toBe(true);
      const [rows, objects] = [await db.dump(), await schemaObjects()];
      const holders: Array<string | undefined> = [];
      const spied = Object.create(db.store) as typeof db.store;
      spied.finishRebuild = async () => {
        holders.push((await db.store.projectorLeaseHolder('read-models'))?.holder);
        return db.store.finishRebuild();
      };
      // when
      const result = await new Projector({ source: events, store: spied, holder: 'rebuilder' }).rebuild();
      // then
      expect(result.by).toBe('self');
      expect(holders).toEqual(['rebuilder']);
      expect(await db.dump()).toEqual(rows);
      expect(await schemaObjects()).toEqual(objects);
    });

    it('given a lease held by a live process, or by another host, then it is not taken over', async () => {
      expect(holderIsGone(`${hostname()}:${process.pid}:a-thread`)).toBe(false);
      expect(holderIsGone(`${hostname()}:${process.ppid}:parent`)).toBe(false);
      expect(holderIsGone(`another-host.example:${spawnSync(process.execPath, ['-e', '']).pid}:x`)).toBe(
        false,
      );
      expect(holderIsGone('rebuilder')).toBe(false);
      expect(holderIsGone(`${hostname()}:${spawnSync(process.execPath, ['-e', '']).pid}:x`)).toBe(true);
    });

    it('given another process holding the write lock for long (a rebuild building its indexes), when the store is opened, then the open reads what it needs without waiting for the lock', async () => {
      const position = await db.store.getCheckpoint();
      const release = await db.holdWriteLock();
      try {
        // when (before: SQLite's busy timeout ran out after 10 s; PostgreSQL waited for the lock)
        const reopened = db.reopen();
        await reopened.migrate();
        // then
        expect(await reopened.getCheckpoint()).toBe(position);
        expect((await reopened.listCases({ limit: 1 })).items).toHaveLength(1);
      } finally {
        await release();
      }
    });
  },
);

// PostgreSQL reads committed rows only: an open must wait for a reset still writing its record before it looks.
describe('a store opened while a rebuild resets (postgres read models)', () => {
  let db: OpenedBackend;
  beforeEach(async () => {
    db = await backends.postgres.open();
    await db.store.migrate();
  });
  afterEach(() => db.cleanup());

  it('given a rebuild holding the lease whose reset has not committed, when another store checks for an abandoned rebuild, then it waits and leaves the record alone', async () => {
    expect(await db.store.claimProjectorLease('read-models', 'rebuilder', 60_000)).toBe(true);
    // the reset's transaction: its record written, not yet committed
    const resetting = db.execute(`BEGIN;
      INSERT INTO rebuild_deferred (name, kind, sql, holder)
        VALUES ('probe_index', 'index', 'CREATE INDEX probe_index ON case_summary (name)', 'rebuilder');
      SELECT pg_sleep(1);
      COMMIT;`);
    await testing.eventually(async () =>
      expect(
        await db.sql(`SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE c.relname = 'rebuild_deferred' AND l.mode = 'RowExclusiveLock' AND l.granted`),
      ).toHaveLength(1),
    );
    // when
    const other = db.reopen();
    const restored = await other.restoreAbandonedRebuild();
    await resetting;
    // then
    expect(restored).toBe(false);
    expect(await db.sql(`SELECT name FROM rebuild_deferred`)).toEqual([{ name: 'probe_index' }]);
    expect(await db.sql(`SELECT 1 FROM pg_indexes WHERE indexname = 'probe_index'`)).toEqual([]);
  });
});
