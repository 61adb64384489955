import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { type ConsumedMessage, KafkaConsumerLoop, type MessageSettlement } from './consumer-loop';
import { createKafka } from './kafka.client';
import { deleteTestTopics, testBrokers, uniqueTopic } from './__fixtures__/kafka-test.helpers';
import { waitUntil } from '@sanksi/testing';

jest.setTimeout(120_000);

class Poisoned extends Error {
  readonly code = 'POISONED';
}
class StoreAway extends Error {
  readonly code = 'STORE_AWAY';
}

/** Every message of a topic as it stands (a throw-away group, nothing committed for anyone). */
async function readTopic(kafka: Kafka, topic: string, expected: number): Promise<KafkaMessage[]> {
  const seen: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: `read-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    await waitUntil(`${expected} messages on ${topic}`, () => seen.length >= expected);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

describe('KafkaConsumerLoop (the one loop of the OSS and traffic consumers) on the broker', () => {
  const kafka = createKafka(testBrokers(), { clientId: 'consumer-loop-spec' });

  afterAll(async () => {
    await deleteTestTopics(kafka);
  });

  function loopOn(
    topic: string,
    groupId: string,
    settle: (messages: readonly ConsumedMessage[]) => Promise<MessageSettlement[]>,
    batch: boolean,
    settled: Array<[string, string, number]>,
  ): KafkaConsumerLoop {
    return new KafkaConsumerLoop({
      kafka,
      name: 'spec consumer',
      topic,
      dlqTopic: `${topic}.dlq`,
      groupId,
      topics: [
        { topic, numPartitions: 1, replicationFactor: 1 },
        { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 },
      ],
      settle,
      batch,
      messageIdOf: (m) => `${m.topic}/${m.partition}/${m.offset}`,
      isTransient: (e) => e instanceof StoreAway,
      maxAttempts: 3,
      retryBackoff: { initialMs: 5, maxMs: 20 },
      onSettled: (m, s, attempts) => settled.push([m.value?.toString() ?? '', s.kind, attempts]),
    });
  }

  async function produce(topic: string, values: string[]): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
    } finally {
      await producer.disconnect();
    }
  }

  it('given a batch with one message that fails every time, when settled, then only that message is parked (handler-failed, with its attempts) and the rest are settled and committed', async () => {
    // given a topic with a poisoned message among good ones, and a batch handler that fails on it
    const topic = uniqueTopic('consumer-loop-poison');
    const groupId = `loop-${randomUUID()}`;
    const settled: Array<[string, string, number]> = [];
    const batches: number[] = [];
    const settle = async (messages: readonly ConsumedMessage[]): Promise<MessageSettlement[]> => {
      batches.push(messages.length);
      if (messages.some((m) => m.value?.toString() === 'poison')) throw new Poisoned('cannot record poison');
      return messages.map(() => ({ kind: 'settled' }));
    };
    const first = loopOn(topic, groupId, settle, true, settled);
    await first.start();
    try {
      await waitUntil('the topic', () => first.status().state === 'running');
      await produce(topic, ['a', 'b', 'poison', 'c']);
      // when the loop settles them
      await waitUntil('four settled', () => settled.length >= 4);
    } finally {
      await first.stop();
    }
    // then the poisoned one alone is dead-lettered after three attempts, and the others are settled
    expect(settled.map(([v, kind]) => [v, kind])).toEqual([
      ['a', 'settled'],
      ['b', 'settled'],
      ['poison', 'dead-letter'],
      ['c', 'settled'],
    ]);
    expect(settled.find(([v]) => v === 'poison')?.[2]).toBe(3);
    expect(batches.some((n) => n > 1)).toBe(true);
    const [letter] = await readTopic(kafka, `${topic}.dlq`, 1);
    expect(letter.value?.toString()).toBe('poison');
    expect(header(letter, 'x-dlq-reason')).toBe('handler-failed');
    expect(header(letter, 'x-dlq-attempts')).toBe('3');
    expect(header(letter, 'x-dlq-detail')).toMatch(/POISONED: cannot record poison \(failed 3 time/);
    expect(header(letter, 'x-dlq-source')).toBe(`${topic}/0/2`);
    expect(first.status().retries).toBeGreaterThanOrEqual(3);

    // and the offsets were committed: the same group, started again, is given nothing more
    const again: Array<[string, string, number]> = [];
    const second = loopOn(topic, groupId, settle, true, again);
    await second.start();
    try {
      await produce(topic, ['d']);
      await waitUntil('the next message', () => again.length >= 1);
    } finally {
      await second.stop();
    }
    expect(again.map(([v]) => v)).toEqual(['d']);
  });

  it('given a handler that fails transiently, when settled one message at a time, then it is retried past the attempt limit until it passes, and nothing is parked', async () => {
    const topic = uniqueTopic('consumer-loop-transient');
    let failures = 0;
    const settled: Array<[string, string, number]> = [];
    const loop = loopOn(
      topic,
      `loop-${randomUUID()}`,
      async (messages) => {
        // Five transient failures: more than maxAttempts (3), which bounds only the other kind.
        if (failures < 5) {
          failures++;
          throw new StoreAway('the store is away');
        }
        return messages.map(() => ({ kind: 'settled' }));
      },
      false,
      settled,
    );
    await loop.start();
    try {
      await waitUntil('the topic', () => loop.status().state === 'running');
      await produce(topic, ['x', 'y']);
      await waitUntil('two settled', () => settled.length >= 2);
    } finally {
      await loop.stop();
    }
    expect(settled).toEqual([
      ['x', 'settled', 6],
      ['y', 'settled', 1],
    ]);
    expect(loop.status()).toMatchObject({ retries: 5, lastError: { code: 'STORE_AWAY' } });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(`${topic}.dlq`);
      expect(offsets.map((o) => o.high)).toEqual(['0']);
    } finally {
      await admin.disconnect();
    }
  });
});
