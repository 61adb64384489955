import path from 'node:path';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { SqliteEventStore } from '@sanksi/event-store';
import type { Kafka } from 'kafkajs';
import { EVENT_TOO_LARGE_TYPE } from './case-event.message';
import { createKafka, ensureTopics } from './kafka.client';
import { KafkaJsPublisher } from './kafkajs.publisher';
import { KafkaRelay } from './kafka-relay';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';
import {
  appendCases,
  caseEvent,
  consumeUntil,
  deleteTestTopics,
  testBrokers,
  uniqueTopic,
} from './__fixtures__/kafka-test.helpers';

jest.setTimeout(120_000);

describe('KafkaRelay and an event over the broker size limit', () => {
  let dir: TemporaryDirectory;
  let kafka: Kafka;
  let store: SqliteEventStore;
  let checkpoints: SqliteCheckpointStore;
  let publisher: KafkaJsPublisher;
  let relay: KafkaRelay | undefined;

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-oversize');
    kafka = createKafka(testBrokers(), { clientId: 'relay-oversize-test' });
    store = new SqliteEventStore({ file: path.join(dir.path, 'events.db') });
    checkpoints = new SqliteCheckpointStore(path.join(dir.path, 'checkpoints.db'));
    publisher = new KafkaJsPublisher(kafka);
  });

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await deleteTestTopics(kafka);
    await publisher.close();
    await checkpoints.close();
    await store.close();
    dir.remove();
  });

  it('publishes an EventTooLarge pointer in its place, in order, and the relay drains instead of retrying forever', async () => {
    // given a topic that refuses messages over 4 KiB, and one 20 KB event among small ones
    const topic = uniqueTopic('oversize');
    await ensureTopics(kafka, [
      {
        topic,
        numPartitions: 2,
        replicationFactor: 1,
        configEntries: [{ name: 'max.message.bytes', value: '4096' }],
      },
    ]);
    const small = await appendCases(store, { cases: 3, perCase: 2, runId: 'big' });
    const big = caseEvent('PSE-big-1', 2, 'big');
    big.data = { note: 'x'.repeat(20_000) };
    await store.appendToStream('pse-PSE-big-1', [big], { expectedRevision: 1 });
    const next = caseEvent('PSE-big-1', 3, 'big');
    await store.appendToStream('pse-PSE-big-1', [next], { expectedRevision: 2 });
    const ids = [...small, big.eventId, next.eventId];

    // when relayed
    relay = new KafkaRelay({
      store,
      publisher,
      checkpoints,
      topic,
      pollIntervalMs: 20,
      backoff: { initialMs: 20 },
    });
    await relay.start();
    await relay.caughtUp();

    // then every event is on the topic, the big one as a pointer with its id, key and where to fetch it
    const seen = await consumeUntil(
      kafka,
      topic,
      (s) => new Set(s.map((m) => m.headers?.id)).size >= ids.length,
    );
    expect(new Set(seen.map((m) => m.headers?.id))).toEqual(new Set(ids));
    const pointer = seen.find((m) => m.headers?.id === big.eventId);
    if (!pointer) throw new Error(`no message for ${big.eventId}`);
    expect(pointer.key).toBe('PSE-big-1');
    expect(pointer.rawHeaders?.['ce_type']?.toString()).toBe(EVENT_TOO_LARGE_TYPE);
    expect(pointer.rawHeaders?.['sanksi-original-type']?.toString()).toBe('sanksi.pse-case.WarningIssued');
    const body = pointer.body as unknown as Record<string, unknown>;
    expect(body).toMatchObject({
      eventId: big.eventId,
      pseId: 'PSE-big-1',
      revision: 2,
      type: 'WarningIssued',
    });
    expect(body['sizeBytes']).toBeGreaterThan(20_000);
    expect(body['href']).toBe(`/v1/events?after=${Number(body['position']) - 1}&limit=1`);
    const [fetched] = await store.readAll({ after: Number(body['position']) - 1, limit: 1 });
    expect(fetched.eventId).toBe(big.eventId);
    // and the case's order holds: 0, 1, the pointer for 2, then 3
    const bigCase = seen
      .filter((m) => m.key === 'PSE-big-1')
      .sort((a, b) => Number(a.offset) - Number(b.offset));
    const firstSeen = [...new Map(bigCase.map((m) => [m.headers?.id, m.body.revision])).values()];
    expect(firstSeen).toEqual([0, 1, 2, 3]);
    // and the relay counted it and is caught up, not stuck
    expect(relay.status()).toMatchObject({ state: 'running', oversizeTotal: 1, lag: 0, lastError: null });
  });
});
