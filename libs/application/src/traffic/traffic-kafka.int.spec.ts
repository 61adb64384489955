import { randomUUID } from 'node:crypto';
import { temporaryDirectory, type TemporaryDirectory, waitUntil } from '@sanksi/testing';
import {
  createKafka,
  ensureTopics,
  KafkaJsPublisher,
  KafkaRelay,
  SqliteCheckpointStore,
  TRAFFIC_EVENT_SOURCE,
  TRAFFIC_OBSERVED_CE_TYPE,
  toTrafficObservationMessage,
} from '@sanksi/messaging';
import type { Kafka, KafkaMessage } from 'kafkajs';
import path from 'node:path';
import pino from 'pino';
import { ManualClock } from '../cases/clock';
import { loadConfig } from '../config/sanksi-config';
import { createRuntime, type SanksiRuntime } from '../runtime/sanksi-runtime';
import { readDeadLetters } from '../oss/oss-dlq';
import { replayTrafficDeadLetters } from './traffic-dlq';
import { TrafficObservationConsumer } from './traffic-observation.consumer';

jest.setTimeout(120_000);

const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const unique = (label: string) => `test.${label}.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;

async function readTopic(kafka: Kafka, topic: string, expected: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: unique('reader') });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message);
      },
    });
    await waitUntil(`${expected} messages on ${topic}`, () => seen.length >= expected);
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

describe('traffic over Kafka (the shared test broker)', () => {
  let dir: TemporaryDirectory;
  let runtime: SanksiRuntime;
  let kafka: Kafka;
  beforeEach(async () => {
    dir = temporaryDirectory('sanksi-traffic-kafka');
    runtime = await createRuntime(loadConfig({ SANKSI_LOG_LEVEL: 'silent', SANKSI_DATA_DIR: dir.path }), {
      clock: new ManualClock('2022-08-05T03:00:00Z'),
      logger: pino({ level: 'silent' }),
    });
    kafka = createKafka(BROKERS, { clientId: 'traffic-test' });
  });
  afterEach(async () => {
    await runtime.close();
    dir.remove();
  });

  it('given good, repeated and bad messages on the inbound topic, then the good ones are facts once and the bad ones are in the DLQ with the reason', async () => {
    const topic = unique('traffic-in');
    const dlqTopic = `${topic}.dlq`;
    const consumer = new TrafficObservationConsumer(runtime, {
      brokers: BROKERS,
      topic,
      groupId: unique('group'),
    });
    const good = { domain: 'BigShop.example', period: '2022-07', visits: 900000, source: 'sw' };
    await ensureTopics(kafka, [
      { topic, numPartitions: 1, replicationFactor: 1 },
      { topic: dlqTopic, numPartitions: 1, replicationFactor: 1 },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { value: JSON.stringify(good) },
        { value: JSON.stringify(good) },
        { value: JSON.stringify({ ...good, domain: 'news.example', rank: 2 }) },
        { value: '{broken' },
        { value: JSON.stringify({ ...good, period: '2022-13' }) },
      ],
    });
    await producer.disconnect();
    await consumer.start();
    try {
      await waitUntil('every message settled', () => {
        const s = consumer.status();
        return s.recorded + s.duplicates + s.deadLettered >= 5;
      });
      expect(consumer.status()).toMatchObject({ recorded: 2, duplicates: 1, deadLettered: 2 });
      const facts = await runtime.eventStore.readStream('traffic-sw-2022-07');
      expect(facts.map((e) => (e.data as { domain: string }).domain)).toEqual([
        'bigshop.example',
        'news.example',
      ]);
      const parked = await readTopic(kafka, dlqTopic, 2);
      expect(parked.map((m) => m.headers?.['x-dlq-reason']?.toString())).toEqual([
        'invalid-observation',
        'invalid-observation',
      ]);
      expect(parked[0].headers?.['x-dlq-detail']?.toString()).toMatch(/not JSON/);
      expect(parked[1].headers?.['x-dlq-detail']?.toString()).toMatch(/^period: /);
      expect(parked[1].headers?.['x-dlq-source']?.toString()).toBe(`${topic}/0/4`);
    } finally {
      await consumer.stop();
    }
  });

  it('given a message that corrects a recorded figure, then it is dead-lettered as conflicting-figure, read back from the DLQ with its origin and append time, and replaying the DLQ records only what is now valid', async () => {
    const topic = unique('traffic-in');
    const dlqTopic = `${topic}.dlq`;
    const consumer = new TrafficObservationConsumer(runtime, {
      brokers: BROKERS,
      topic,
      groupId: unique('group'),
    });
    const first = { domain: 'shop.example', period: '2022-07', visits: 1000, source: 'sw' };
    await ensureTopics(kafka, [
      { topic, numPartitions: 1, replicationFactor: 1 },
      { topic: dlqTopic, numPartitions: 1, replicationFactor: 1 },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    const sentAt = Date.now();
    await producer.send({
      topic,
      messages: [
        { value: JSON.stringify(first) },
        { value: JSON.stringify({ ...first, visits: 1200 }), headers: { ce_id: 'correction-1' } },
        { value: JSON.stringify({ ...first, period: '2022-13' }) },
      ],
    });
    await producer.disconnect();
    await consumer.start();
    try {
      await waitUntil('every message settled', () => {
        const s = consumer.status();
        return s.recorded + s.duplicates + s.deadLettered >= 3;
      });
    } finally {
      await consumer.stop();
    }
    expect(consumer.status()).toMatchObject({ recorded: 1, duplicates: 0, deadLettered: 2 });

    const letters = await readDeadLetters(kafka, dlqTopic);
    expect(letters.map((l) => [l.offset, l.reason, l.source, l.messageId])).toEqual([
      ['0', 'conflicting-figure', `${topic}/0/1`, 'correction-1'],
      ['1', 'invalid-observation', `${topic}/0/2`, `${topic}/0/2`],
    ]);
    expect(letters[0].detail).toBe(
      'already recorded with a different figure: shop.example 2022-07 from sw has visits 1000, rank none, ' +
        'this row says visits 1200, rank none (a correction is not recorded, decision 0008)',
    );
    // The original's append time (epoch ms), not the time it was parked.
    expect(Number(letters[0].appendedAt)).toBeGreaterThanOrEqual(sentAt - 60_000);
    expect(Number(letters[0].appendedAt)).toBeLessThanOrEqual(Date.now());

    // when the DLQ is replayed: both still refused, nothing recorded
    const replayed = await replayTrafficDeadLetters(runtime, letters, topic);
    expect(replayed.map((r) => r.outcome)).toEqual([
      { kind: 'dead-letter', reason: 'conflicting-figure', detail: letters[0].detail },
      { kind: 'dead-letter', reason: 'invalid-observation', detail: expect.stringMatching(/^period: /) },
    ]);
    const facts = await runtime.eventStore.readStream('traffic-sw-2022-07');
    expect(facts.map((e) => e.data)).toEqual([
      { domain: 'shop.example', period: '2022-07', visits: 1000, rank: null, source: 'sw' },
    ]);
    // a letter whose observation is valid (parked under older rules) is recorded once, then a duplicate
    const parked = {
      ...letters[1],
      value: Buffer.from(JSON.stringify({ ...first, domain: 'fixed.example' })),
    };
    const once = await replayTrafficDeadLetters(runtime, [parked], topic);
    const twice = await replayTrafficDeadLetters(runtime, [parked], topic);
    expect([once[0].outcome.kind, twice[0].outcome.kind]).toEqual(['recorded', 'duplicate']);
  });

  it('given traffic facts in the log, then the traffic relay publishes them keyed by domain with CloudEvents headers, and case events stay off its topic', async () => {
    await runtime.commands.execute(
      {
        type: 'IdentifyPse',
        pseId: 'paypal',
        name: 'PayPal',
        origin: 'foreign',
        domains: ['paypal.com'],
        company: null,
        sector: null,
      },
      { actor: { id: 'op', role: 'operator' } },
    );
    await runtime.traffic.ingest(
      [
        {
          line: 1,
          ok: true,
          observation: { domain: 'a.example', period: '2022-07', visits: 5, source: 'sw' },
        },
        { line: 2, ok: true, observation: { domain: 'b.example', period: '2022-07', rank: 9, source: 'sw' } },
      ],
      { actor: { id: 'importer', role: 'service' } },
    );
    const topic = unique('traffic-out');
    await ensureTopics(kafka, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
    const publisher = new KafkaJsPublisher(kafka);
    const checkpoints = new SqliteCheckpointStore(path.join(dir.path, 'relay-checkpoints.db'));
    const relay = new KafkaRelay({
      store: runtime.eventStore,
      publisher,
      checkpoints,
      topic,
      category: 'traffic',
      source: TRAFFIC_EVENT_SOURCE,
      toMessage: toTrafficObservationMessage,
      pollIntervalMs: 20,
    });
    await relay.start();
    try {
      const messages = await readTopic(kafka, topic, 2);
      await waitUntil('the relay checkpointed', () => relay.status().position === 3);
      expect(messages.map((m) => m.key?.toString()).sort()).toEqual(['a.example', 'b.example']);
      const body = JSON.parse(
        messages.find((m) => m.key?.toString() === 'a.example')?.value?.toString() ?? '{}',
      );
      expect(body).toMatchObject({
        type: 'TrafficObserved',
        domain: 'a.example',
        period: '2022-07',
        visits: 5,
        rank: null,
        source: 'sw',
        position: 2,
      });
      expect(messages[0].headers?.['ce_type']?.toString()).toBe(TRAFFIC_OBSERVED_CE_TYPE);
      expect(relay.status().publishedTotal).toBe(2);
    } finally {
      await relay.stop();
      await publisher.close();
      await checkpoints.close();
    }
  });
});
