import path from 'node:path';
import { createTemporaryPostgresDatabase, temporaryDirectory, waitUntil } from '@sanksi/testing';
import { SqliteEventStore } from '@sanksi/event-store';
import type { CheckpointStore } from './checkpoint-store.port';
import { createKafka, ensureTopics } from './kafka.client';
import { KafkaJsPublisher } from './kafkajs.publisher';
import { KafkaRelay } from './kafka-relay';
import { PostgresCheckpointStore } from './postgres-checkpoint.store';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';
import {
  appendCases,
  consumeUntil,
  deleteTestTopics,
  distinctIds,
  revisionsPerCaseAfterDedup,
  testBrokers,
  topicMessageCount,
  uniqueTopic,
} from './__fixtures__/kafka-test.helpers';

jest.setTimeout(120_000);

interface Harness {
  /** A checkpoint store of its own on the shared database, as a second relay process would open. */
  open(): CheckpointStore;
  cleanup(): Promise<void>;
}

const adapters: Array<[string, (dir: string) => Promise<Harness>]> = [
  [
    'SQLite',
    async (dir) => ({
      open: () => new SqliteCheckpointStore(path.join(dir, 'checkpoints.db')),
      cleanup: async () => undefined,
    }),
  ],
  [
    'PostgreSQL',
    async () => {
      const db = await createTemporaryPostgresDatabase('sanksi_lease');
      return { open: () => new PostgresCheckpointStore(db.url), cleanup: db.drop };
    },
  ],
];

describe.each(adapters)('two relays with one checkpoint name, lease in %s', (_name, makeHarness) => {
  it('publishes every event once while both run, and the standby relay takes over when the holder stops', async () => {
    const dir = temporaryDirectory('sanksi-lease');
    const harness = await makeHarness(dir.path);
    const kafka = createKafka(testBrokers(), { clientId: 'relay-lease-test' });
    const store = new SqliteEventStore({ file: path.join(dir.path, 'events.db') });
    const topic = uniqueTopic('lease');
    await ensureTopics(kafka, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
    const relays = ['a', 'b'].map((owner) => {
      const checkpoints = harness.open();
      const publisher = new KafkaJsPublisher(kafka);
      const relay = new KafkaRelay({
        store,
        publisher,
        checkpoints,
        topic,
        batchSize: 7,
        pollIntervalMs: 20,
        lease: { ttlMs: 1500, owner: `relay-${owner}` },
      });
      return { relay, publisher, checkpoints };
    });
    try {
      // given events, and two relays with the same checkpoint name started together
      const first = await appendCases(store, { cases: 6, perCase: 5, runId: 'lease1' });
      await Promise.all(relays.map((r) => r.relay.start()));
      await waitUntil('one relay holding the lease', () => relays.some((r) => r.relay.status().leaseHeld));
      const [holder, standby] = relays[0].relay.status().leaseHeld ? relays : [relays[1], relays[0]];
      await holder.relay.caughtUp();
      // then only the holder published, and every event is on the topic exactly once
      expect(standby.relay.status()).toMatchObject({ state: 'standby', leaseHeld: false, publishedTotal: 0 });
      expect(holder.relay.status()).toMatchObject({ state: 'running', publishedTotal: first.length });
      expect(await topicMessageCount(kafka, topic)).toBe(first.length);

      // when the holder stops and more events are appended
      await holder.relay.stop();
      const second = await appendCases(store, { cases: 6, perCase: 3, runId: 'lease1', startRevision: 5 });
      // then the standby relay takes over from the holder's checkpoint and publishes only the new events
      await waitUntil('the standby relay holding the lease', () => standby.relay.status().leaseHeld, 30_000);
      await standby.relay.caughtUp();
      expect(standby.relay.status()).toMatchObject({ state: 'running', publishedTotal: second.length });
      const all = [...first, ...second];
      const seen = await consumeUntil(kafka, topic, (s) => s.length >= all.length);
      expect(seen).toHaveLength(all.length);
      expect(distinctIds(seen)).toEqual(new Set(all));
      for (const revisions of revisionsPerCaseAfterDedup(seen).values()) {
        expect(revisions).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      }
    } finally {
      for (const r of relays) {
        await r.relay.stop();
        await r.publisher.close();
        await r.checkpoints.close();
      }
      await store.close();
      await deleteTestTopics(kafka);
      await harness.cleanup();
      dir.remove();
    }
  });
});
