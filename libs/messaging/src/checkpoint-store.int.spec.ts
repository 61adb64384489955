import path from 'node:path';
import { createTemporaryPostgresDatabase, temporaryDirectory } from '@sanksi/testing';
import type { CheckpointStore } from './checkpoint-store.port';
import { CheckpointStoreFailed } from './messaging.errors';
import { PostgresCheckpointStore } from './postgres-checkpoint.store';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';

interface Harness {
  open(): CheckpointStore;
  cleanup(): Promise<void>;
}

const adapters: Array<[string, () => Promise<Harness>]> = [
  [
    'SQLite file',
    async () => {
      const dir = temporaryDirectory('sanksi-checkpoints');
      return {
        open: () => new SqliteCheckpointStore(path.join(dir.path, 'checkpoints.db')),
        cleanup: async () => dir.remove(),
      };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const db = await createTemporaryPostgresDatabase('sanksi_msg');
      return { open: () => new PostgresCheckpointStore(db.url), cleanup: db.drop };
    },
  ],
];

describe.each(adapters)('CheckpointStore on %s', (_name, makeHarness) => {
  let harness: Harness;
  const opened: CheckpointStore[] = [];
  const open = (): CheckpointStore => {
    const store = harness.open();
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    harness = await makeHarness();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await harness.cleanup();
  });

  it('gives a lease to one owner at a time, renews it for its holder, and hands it over once it lapses or is released', async () => {
    // given two stores on one database (two relay processes)
    const a = open();
    const b = open();
    // when A takes the lease, then B cannot, and A can renew it
    expect(await a.acquireLease('kafka-relay:t', 'relay-a', 400)).toBe(true);
    expect(await b.acquireLease('kafka-relay:t', 'relay-b', 400)).toBe(false);
    expect(await a.acquireLease('kafka-relay:t', 'relay-a', 400)).toBe(true);
    // and another name is another lease
    expect(await b.acquireLease('kafka-relay:other', 'relay-b', 400)).toBe(true);
    // when A stops renewing, then B takes over after the expiry and A has lost it
    await new Promise((r) => setTimeout(r, 600));
    expect(await b.acquireLease('kafka-relay:t', 'relay-b', 10_000)).toBe(true);
    expect(await a.acquireLease('kafka-relay:t', 'relay-a', 400)).toBe(false);
    // when B releases it, then A gets it at once; a release by a non-holder changes nothing
    await a.releaseLease('kafka-relay:t', 'relay-a');
    expect(await a.acquireLease('kafka-relay:t', 'relay-a', 400)).toBe(false);
    await b.releaseLease('kafka-relay:t', 'relay-b');
    expect(await a.acquireLease('kafka-relay:t', 'relay-a', 400)).toBe(true);
  });

  it('given nothing saved, when loaded, then the position is 0', async () => {
    expect(await open().load('kafka-relay:t')).toBe(0);
  });

  it('given a saved position, when loaded by a fresh store on the same database, then it comes back', async () => {
    const writer = open();
    await writer.save('kafka-relay:t', 41);
    await writer.save('kafka-relay:t', 42);
    await writer.save('other', 7);
    await writer.close();

    const reader = open();
    expect(await reader.load('kafka-relay:t')).toBe(42);
    expect(await reader.load('other')).toBe(7);
  });

  it('given a later position saved, when an older one is saved, then the checkpoint does not move back', async () => {
    const store = open();
    await store.save('kafka-relay:t', 100);

    await store.save('kafka-relay:t', 60);

    expect(await store.load('kafka-relay:t')).toBe(100);
  });

  it('given positions beyond 2^31, when saved, then they survive exactly', async () => {
    const store = open();
    await store.save('big', 2 ** 40 + 3);

    expect(await store.load('big')).toBe(2 ** 40 + 3);
  });
});

describe('PostgresCheckpointStore failures', () => {
  it('given an unreachable server, when loading, then a typed error names the checkpoint', async () => {
    const store = new PostgresCheckpointStore('postgres://postgres@127.0.0.1:1/none');
    try {
      await expect(store.load('kafka-relay:t')).rejects.toBeInstanceOf(CheckpointStoreFailed);
      await expect(store.load('kafka-relay:t')).rejects.toMatchObject({
        code: 'CHECKPOINT_STORE_FAILED',
        details: { name: 'kafka-relay:t', operation: 'load' },
      });
    } finally {
      await store.close();
    }
  });
});
