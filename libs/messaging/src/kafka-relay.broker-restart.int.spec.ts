import path from 'node:path';
import { freePort, temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { SqliteEventStore } from '@sanksi/event-store';
import type { Kafka } from 'kafkajs';
import { createKafka } from './kafka.client';
import { KafkaJsPublisher } from './kafkajs.publisher';
import { KafkaRelay, type RelayStatus } from './kafka-relay';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';
import {
  CASE_EVENTS_TOPIC,
  OSS_REGISTRATIONS_DLQ,
  OSS_REGISTRATIONS_TOPIC,
  projectTopics,
} from './topics.constants';
import {
  OwnBroker,
  appendCases,
  consumeUntil,
  distinctIds,
  revisionsPerCaseAfterDedup,
  topicMessageCount,
} from './__fixtures__/kafka-test.helpers';

jest.setTimeout(300_000);

async function until(relay: KafkaRelay, predicate: (s: RelayStatus) => boolean): Promise<RelayStatus> {
  for (;;) {
    const status = relay.status();
    if (predicate(status)) return status;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A broker of this test's own (random ports, its own data), so stopping it never disturbs the shared
// broker other tests use.
describe('KafkaRelay across a missing and a restarted broker', () => {
  let dir: TemporaryDirectory;
  let broker: OwnBroker;
  let kafka: Kafka;
  let store: SqliteEventStore;
  let checkpoints: SqliteCheckpointStore;
  let publisher: KafkaJsPublisher;
  let relay: KafkaRelay;

  beforeAll(async () => {
    dir = temporaryDirectory('sanksi-relay-broker');
    broker = new OwnBroker(path.join(dir.path, 'kafka'), await freePort(), await freePort());
    kafka = createKafka(broker.brokers, { clientId: 'relay-restart-test' });
    store = new SqliteEventStore({ file: path.join(dir.path, 'events.db') });
    checkpoints = new SqliteCheckpointStore(path.join(dir.path, 'checkpoints.db'));
    // The publisher creates the project's topics itself once a broker answers.
    publisher = new KafkaJsPublisher(kafka, {
      retries: 2,
      topics: projectTopics({ caseEventsPartitions: 3 }),
    });
    relay = new KafkaRelay({
      store,
      publisher,
      checkpoints,
      batchSize: 8,
      pollIntervalMs: 20,
      backoff: { initialMs: 100, maxMs: 1000 },
    });
  });

  afterAll(async () => {
    await relay.stop();
    await publisher.close();
    await checkpoints.close();
    await store.close();
    await broker.stop();
    dir.remove();
  });

  it('given no broker at start-up and a broker restart mid-stream, when it comes back, then the relay catches up and nothing is lost or reordered', async () => {
    const ids = await appendCases(store, { cases: 6, perCase: 5, runId: 'r' });

    // No broker yet: start() still succeeds; the outage shows in the status and is retried.
    await relay.start();
    const down = await until(relay, (s) => s.consecutiveFailures >= 2);
    expect(down.state).toBe('waiting-for-broker');
    expect(down.position).toBe(0);
    expect(['KAFKA_UNAVAILABLE', 'KAFKA_PUBLISH_FAILED']).toContain(down.lastError?.code);

    await broker.start();
    await relay.caughtUp();
    expect(relay.status()).toMatchObject({ state: 'running', consecutiveFailures: 0 });

    // Commands keep being appended while the broker goes away and comes back.
    let appending = true;
    let revision = 5;
    const appender = (async () => {
      while (appending || revision < 12) {
        ids.push(
          ...(await appendCases(store, { cases: 6, perCase: 1, runId: 'r', startRevision: revision })),
        );
        revision += 1;
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
    await until(relay, (s) => s.publishedTotal > 30);
    await broker.stop();
    await until(relay, (s) => s.state === 'waiting-for-broker');
    await broker.start();
    appending = false;
    await appender;
    await relay.caughtUp();

    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({
      topics: [CASE_EVENTS_TOPIC, OSS_REGISTRATIONS_TOPIC, OSS_REGISTRATIONS_DLQ],
    });
    await admin.disconnect();
    expect(new Map(metadata.topics.map((t) => [t.name, t.partitions.length]))).toEqual(
      new Map([
        [CASE_EVENTS_TOPIC, 3],
        [OSS_REGISTRATIONS_TOPIC, 3],
        [OSS_REGISTRATIONS_DLQ, 1],
      ]),
    );
    const total = await topicMessageCount(kafka, CASE_EVENTS_TOPIC);
    const seen = await consumeUntil(kafka, CASE_EVENTS_TOPIC, (s) => s.length >= total);
    expect(distinctIds(seen)).toEqual(new Set(ids));
    const perCase = revisionsPerCaseAfterDedup(seen);
    expect(perCase.size).toBe(6);
    for (const revisions of perCase.values()) {
      expect(revisions).toEqual(Array.from({ length: revision }, (_, i) => i));
    }
    expect(relay.status()).toMatchObject({ state: 'running', lag: 0 });
  });
});
