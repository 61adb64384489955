import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  createKafka,
  KafkaJsPublisher,
  KafkaRelay,
  parseTraceparent,
  projectTopics,
  SqliteCheckpointStore,
  CASE_EVENTS_TOPIC,
  type TopicSpec,
} from '@sanksi/messaging';
import type { Kafka } from 'kafkajs';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

/** Reads a topic from the beginning with a group of its own until `count` messages came, or fails. */
async function readMessages(
  kafka: Kafka,
  topic: string,
  count: number,
): Promise<Array<{ key: string; headers: Record<string, string> }>> {
  const consumer = kafka.consumer({ groupId: `trace-test-${randomUUID()}` });
  const got: Array<{ key: string; headers: Record<string, string> }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${got.length} of ${count} messages came`)),
        60_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {}))
            if (value !== undefined) headers[name] = value.toString();
          got.push({ key: message.key?.toString() ?? '', headers });
          if (got.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe('a traced request, end to end: HTTP → event metadata → Kafka traceparent', () => {
  let h: ApiHarness;
  let kafka: Kafka;
  const topic = `test.trace.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    h = await startApiHarness();
    kafka = createKafka(BROKERS, { clientId: 'trace-test' });
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await h?.close();
  });

  it('given a command sent with a traceparent, when the relay publishes its events, then every message carries that trace in a traceparent header beside its CloudEvents headers', async () => {
    const opened = await h.app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: {
        authorization: `Bearer ${TEST_KEYS.operator}`,
        traceparent: `00-${TRACE}-b7ad6b7169203331-01`,
      },
      payload: {
        pseId: 'trace.shop',
        name: 'Trace Shop',
        origin: 'foreign',
        domains: ['trace-shop.example'],
      },
    });
    expect(opened.statusCode).toBe(201);
    expect(opened.headers['x-request-id']).toBe(TRACE);
    const untraced = await h.app.inject({
      method: 'POST',
      url: '/v1/cases/trace.shop/warnings',
      headers: { authorization: `Bearer ${TEST_KEYS.operator}` },
      payload: { letterNumber: 'B-9/2022' },
    });
    expect(untraced.statusCode).toBe(201);
    const stored = await h.runtime.eventStore.readStream('pse-trace.shop');
    const [first, warning] = [stored[0], stored.find((e) => e.type === 'WarningIssued')];
    expect(first.metadata).toMatchObject({ traceId: TRACE, correlationId: TRACE });
    const otherTrace = warning?.metadata['traceId'] as string;
    expect(otherTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(otherTrace).not.toBe(TRACE);

    const caseEvents = projectTopics().find((t) => t.topic === CASE_EVENTS_TOPIC) as TopicSpec;
    const publisher = new KafkaJsPublisher(kafka, { topics: [{ ...caseEvents, topic, numPartitions: 1 }] });
    const checkpoints = new SqliteCheckpointStore(
      path.join(h.runtime.config.dataDir, 'relay-checkpoints.db'),
    );
    const relay = new KafkaRelay({
      store: h.runtime.eventStore,
      publisher,
      checkpoints,
      topic,
      pollIntervalMs: 50,
    });
    await relay.start();
    try {
      await relay.caughtUp();
    } finally {
      await relay.stop();
      await publisher.close();
      await checkpoints.close();
    }
    const messages = await readMessages(kafka, topic, stored.length);

    expect(messages).toHaveLength(stored.length);
    for (const [i, message] of messages.entries()) {
      expect(message.key).toBe('trace.shop');
      expect(message.headers['ce_id']).toBe(stored[i].eventId);
      expect(message.headers['ce_specversion']).toBe('1.0');
      const expected = stored[i].metadata['traceId'];
      expect(parseTraceparent(message.headers['traceparent'])?.traceId).toBe(expected);
    }
    expect(messages.filter((m) => m.headers['traceparent']?.includes(TRACE))).toHaveLength(
      stored.filter((e) => e.metadata['traceId'] === TRACE).length,
    );
  });
});
