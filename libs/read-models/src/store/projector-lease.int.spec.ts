import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createReadModelStore } from './create-read-model-store';
import { SqliteSqlClient } from './sqlite-sql.client';
import type { ReadModelStore } from './read-model-store.port';

const ADMIN_URL = process.env['TEST_ADMIN_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `sanksi_projector_lease_${process.pid}`;

describe.each(['sqlite', 'postgres'] as const)('projector lease on %s', (kind) => {
  let store: ReadModelStore;
  let dir: string;
  let admin: Client | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sanksi-lease-'));
    if (kind === 'postgres') {
      admin = new Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
      await admin.query(`CREATE DATABASE ${DB}`);
      store = createReadModelStore({ kind, connectionString: ADMIN_URL.replace(/\/[^/]*$/, `/${DB}`) });
    } else {
      store = createReadModelStore({ kind, file: path.join(dir, 'read-models.db') });
    }
  });

  afterAll(async () => {
    await store.close();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a live holder, another cannot take the lease until it expires or is released', async () => {
    expect(await store.claimProjectorLease('read-models', 'a', 300)).toBe(true);
    expect(await store.claimProjectorLease('read-models', 'b', 300)).toBe(false);
    expect(await store.claimProjectorLease('read-models', 'a', 300)).toBe(true); // renewal
    expect((await store.projectorLeaseHolder('read-models'))?.holder).toBe('a');
    await new Promise((r) => setTimeout(r, 350));
    expect(await store.projectorLeaseHolder('read-models')).toBeNull();
    expect(await store.claimProjectorLease('read-models', 'b', 300)).toBe(true);
    await store.releaseProjectorLease('read-models', 'a'); // not a's any more: nothing happens
    expect((await store.projectorLeaseHolder('read-models'))?.holder).toBe('b');
    await store.releaseProjectorLease('read-models', 'b');
    expect(await store.projectorLeaseHolder('read-models')).toBeNull();
    expect(await store.claimProjectorLease('read-models', 'a', 300)).toBe(true);
  });

  if (kind === 'sqlite') {
    it('given a batch of this process in hand that waits on a timer, a lease claim waits for it instead of failing after the busy timeout', async () => {
      // The projector's batch and the lease renewal of another projector of the same process share the
      // file: the claim must queue behind the batch, not wait on SQLite's lock on the event loop the
      // batch needs to finish (which held everything for the 10 s busy timeout, then failed the claim).
      const other = new SqliteSqlClient(path.join(dir, 'read-models.db'));
      try {
        let batchDone = false;
        let begun: () => void = () => undefined;
        const inBatch = new Promise<void>((resolve) => (begun = resolve));
        const batch = other.transaction(async (tx) => {
          await tx.query(`UPDATE projector_leases SET expires_at_ms = expires_at_ms WHERE name = 'none'`);
          begun();
          await new Promise((r) => setTimeout(r, 200));
          batchDone = true;
        });
        await inBatch;
        const claimed = await store.claimProjectorLease('traffic-observations', 'c', 5_000);
        expect(claimed).toBe(true);
        expect(batchDone).toBe(true);
        await batch;
        await store.releaseProjectorLease('traffic-observations', 'c');
        expect(await store.projectorLeaseHolder('traffic-observations')).toBeNull();
      } finally {
        await other.close();
      }
    });
  }
});
