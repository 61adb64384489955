import path from 'node:path';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { SqliteEventStore } from '@sanksi/event-store';
import type { Kafka } from 'kafkajs';
import { createKafka, ensureTopics } from './kafka.client';
import { KafkaJsPublisher } from './kafkajs.publisher';
import { KafkaRelay } from './kafka-relay';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';
import {
  appendCases,
  caseEvent,
  consumeUntil,
  distinctIds,
  revisionsPerCaseAfterDedup,
  testBrokers,
  uniqueTopic,
  deleteTestTopics,
} from './__fixtures__/kafka-test.helpers';

jest.setTimeout(120_000);

describe('KafkaRelay against the real broker', () => {
  let dir: TemporaryDirectory;
  let kafka: Kafka;
  let store: SqliteEventStore;
  let checkpoints: SqliteCheckpointStore;
  let publisher: KafkaJsPublisher;
  let relay: KafkaRelay | undefined;

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-relay');
    kafka = createKafka(testBrokers(), { clientId: 'relay-int-test' });
    store = new SqliteEventStore({ file: path.join(dir.path, 'events.db') });
    checkpoints = new SqliteCheckpointStore(path.join(dir.path, 'checkpoints.db'));
    publisher = new KafkaJsPublisher(kafka);
  });

  afterEach(async () => {
    await deleteTestTopics(kafka);
    await relay?.stop();
    relay = undefined;
    await publisher.close();
    await checkpoints.close();
    await store.close();
    dir.remove();
  });

  it('given events of many cases, when relayed, then each arrives once, in order per case, keyed by pseId, with CloudEvents headers', async () => {
    const topic = uniqueTopic('case-events');
    await ensureTopics(kafka, [{ topic, numPartitions: 6, replicationFactor: 1 }]);
    const ids = await appendCases(store, { cases: 12, perCase: 9, runId: 'a' });
    relay = new KafkaRelay({ store, publisher, checkpoints, topic, batchSize: 17, pollIntervalMs: 20 });

    await relay.start();
    await relay.caughtUp();
    const seen = await consumeUntil(kafka, topic, (s) => s.length >= ids.length);

    expect(seen).toHaveLength(ids.length);
    expect(distinctIds(seen)).toEqual(new Set(ids));
    for (const revisions of revisionsPerCaseAfterDedup(seen).values()) {
      expect(revisions).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    }
    // One case, one partition: per-case order is Kafka's per-partition order.
    const partitionsPerKey = new Map<string, Set<number>>();
    for (const m of seen)
      partitionsPerKey.set(m.key, (partitionsPerKey.get(m.key) ?? new Set()).add(m.partition));
    expect([...partitionsPerKey.values()].every((p) => p.size === 1)).toBe(true);
    expect(new Set(seen.map((m) => m.partition)).size).toBeGreaterThan(1);

    const stored = (await store.readAll({ limit: 1 }))[0];
    const message = seen.find((m) => m.body.eventId === stored.eventId);
    expect(message?.key).toBe(stored.metadata['pseId']);
    expect(message?.headers).toEqual({
      id: stored.eventId,
      source: '/sanksi/pse-cases',
      type: 'sanksi.pse-case.PseIdentified',
      subject: stored.metadata['pseId'],
      time: stored.metadata['occurredAt'],
      dataSchema: 'https://sanksi.dev/schemas/events/v1/PseIdentified.json',
      dataContentType: 'application/json',
      extensions: {},
    });
    expect(message?.rawHeaders?.['ce_specversion']?.toString()).toBe('1.0');
    expect(message?.body).toMatchObject({
      eventId: stored.eventId,
      type: 'PseIdentified',
      pseId: stored.metadata['pseId'],
      data: stored.data,
      occurredAt: stored.metadata['occurredAt'],
      recordedAt: stored.metadata['recordedAt'],
      actor: stored.metadata['actor'],
      revision: 0,
      prevHash: null,
      hash: 'h0',
      position: stored.position,
    });

    const status = relay.status();
    expect(status).toMatchObject({ state: 'running', position: await store.headPosition(), lag: 0 });
    expect(status.publishedTotal).toBe(ids.length);
    expect(status.batchesTotal).toBe(Math.ceil(ids.length / 17));
    expect(status.eventsPerSecond).toBeGreaterThan(0);
    expect(status.lastError).toBeNull();
    expect(await checkpoints.load(status.name)).toBe(status.position);
  });

  it('given a running relay, when more events are appended, then it follows the log and a restart resumes from the checkpoint', async () => {
    const topic = uniqueTopic('case-events-live');
    await ensureTopics(kafka, [{ topic, numPartitions: 3, replicationFactor: 1 }]);
    const first = await appendCases(store, { cases: 4, perCase: 3, runId: 'b' });
    relay = new KafkaRelay({ store, publisher, checkpoints, topic, batchSize: 5, pollIntervalMs: 20 });
    await relay.start();
    await relay.caughtUp();

    const second = await appendCases(store, { cases: 4, perCase: 3, runId: 'b', startRevision: 3 });
    await relay.caughtUp();
    await relay.stop();
    const third = await appendCases(store, { cases: 4, perCase: 2, runId: 'b', startRevision: 6 });
    relay = new KafkaRelay({ store, publisher, checkpoints, topic, batchSize: 5, pollIntervalMs: 20 });
    await relay.start();
    await relay.caughtUp();

    const all = [...first, ...second, ...third];
    const seen = await consumeUntil(kafka, topic, (s) => s.length >= all.length);
    expect(seen).toHaveLength(all.length);
    expect(distinctIds(seen)).toEqual(new Set(all));
    for (const revisions of revisionsPerCaseAfterDedup(seen).values()) {
      expect(revisions).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it('given a case event it cannot date, when relayed, then the relay stops there with a typed error instead of skipping it', async () => {
    const topic = uniqueTopic('case-events-poison');
    await ensureTopics(kafka, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
    const good = await appendCases(store, { cases: 2, perCase: 2, runId: 'p' });
    const poison = caseEvent('PSE-p-0', 2, 'p');
    delete poison.metadata['occurredAt'];
    await store.appendToStream('pse-PSE-p-0', [poison], { expectedRevision: 1 });
    await appendCases(store, { cases: 1, perCase: 1, runId: 'p', prefix: 'LATER' });
    relay = new KafkaRelay({ store, publisher, checkpoints, topic, batchSize: 2, pollIntervalMs: 20 });

    await relay.start();
    await expect(relay.start()).rejects.toMatchObject({ code: 'RELAY_ALREADY_STARTED' });
    await expect(relay.caughtUp()).rejects.toMatchObject({ code: 'RELAY_NOT_RUNNING' });

    const status = relay.status();
    expect(status.state).toBe('failed');
    expect(status.lastError?.code).toBe('RELAY_EVENT_INVALID');
    const goodPositions = (await store.readAll())
      .filter((e) => good.includes(e.eventId))
      .map((e) => e.position);
    expect(status.position).toBe(Math.max(...goodPositions));
    const seen = await consumeUntil(kafka, topic, (s) => s.length >= good.length);
    expect(distinctIds(seen)).toEqual(new Set(good));
  });

  it('given a batch bigger than the broker accepts in one request, when relayed, then it still goes out whole and in order', async () => {
    const topic = uniqueTopic('case-events-large');
    await ensureTopics(kafka, [{ topic, numPartitions: 1, replicationFactor: 1 }]);
    // 200 events of ~8 KB on one partition: 1.6 MB in one batch, beyond message.max.bytes (1 MiB).
    const bulky = 'x'.repeat(8 * 1024);
    const events = Array.from({ length: 200 }, (_, revision) => {
      const event = caseEvent('PSE-big', revision, 'big');
      event.data = { note: bulky, revision };
      return event;
    });
    await store.appendToStream('pse-PSE-big', events, { expectedRevision: 'no_stream' });
    relay = new KafkaRelay({ store, publisher, checkpoints, topic, batchSize: 200, pollIntervalMs: 20 });

    await relay.start();
    await relay.caughtUp();

    expect(relay.status()).toMatchObject({ batchesTotal: 1, consecutiveFailures: 0 });
    const seen = await consumeUntil(kafka, topic, (s) => s.length >= events.length);
    expect(seen.map((m) => m.body.revision)).toEqual(events.map((_, i) => i));
  });
});
