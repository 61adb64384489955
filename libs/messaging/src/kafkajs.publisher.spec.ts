import fc from 'fast-check';
import type { Kafka, PartitionMetadata, ProducerConfig, ProducerRecord } from 'kafkajs';
import type { OutboundMessage } from './case-event.message';
import { chunksOf, KafkaJsPublisher } from './kafkajs.publisher';

function message(key: string, valueBytes: number): OutboundMessage {
  return { key, value: 'v'.repeat(valueBytes), headers: { ce_id: `${key}-${valueBytes}` } };
}

function bytesOf(m: OutboundMessage): number {
  let bytes = Buffer.byteLength(m.key) + Buffer.byteLength(m.value);
  for (const [name, value] of Object.entries(m.headers)) bytes += name.length + Buffer.byteLength(value);
  return bytes;
}

const metadataOf = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));

describe('chunksOf', () => {
  const messages = fc.array(
    fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), size: fc.integer({ min: 0, max: 400 }) }),
    { maxLength: 60 },
  );

  it('given any batch and partitions, then the chunks are the batch in order, each partition and request under its limit (or a message over it alone)', () => {
    fc.assert(
      fc.property(
        messages,
        fc.integer({ min: 50, max: 1500 }),
        fc.integer({ min: 50, max: 3000 }),
        fc.boolean(),
        (specs, maxBatchBytes, maxRequestBytes, known) => {
          const batch = specs.map((s) => message(s.key, s.size));
          const partitionOf = (m: OutboundMessage): number | undefined =>
            known ? m.key.charCodeAt(0) % 3 : undefined;
          const chunks = chunksOf(batch, { maxBatchBytes, maxRequestBytes }, partitionOf);
          expect(chunks.flat()).toEqual(batch);
          for (const chunk of chunks) {
            expect(chunk.length).toBeGreaterThan(0);
            if (chunk.length === 1) continue;
            const perPartition = new Map<number, OutboundMessage[]>();
            for (const m of chunk) {
              const p = partitionOf(m) ?? -1;
              perPartition.set(p, [...(perPartition.get(p) ?? []), m]);
            }
            // A message over the limit by itself is its partition's only one in the chunk.
            for (const inPartition of perPartition.values()) {
              if (inPartition.length === 1) continue;
              expect(inPartition.reduce((n, m) => n + bytesOf(m), 0)).toBeLessThanOrEqual(maxBatchBytes);
            }
            expect(chunk.reduce((n, m) => n + bytesOf(m), 0)).toBeLessThanOrEqual(maxRequestBytes);
          }
          // Greedy: a chunk ends only where the next message would break a limit.
          for (let i = 0; i + 1 < chunks.length; i++) {
            const next = chunks[i + 1][0];
            const p = partitionOf(next) ?? -1;
            const inPartition = chunks[i]
              .filter((m) => (partitionOf(m) ?? -1) === p)
              .reduce((n, m) => n + bytesOf(m), 0);
            const inRequest = chunks[i].reduce((n, m) => n + bytesOf(m), 0);
            expect(
              inPartition + bytesOf(next) > maxBatchBytes || inRequest + bytesOf(next) > maxRequestBytes,
            ).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('given partitions unknown, then the whole request counts as one partition (each chunk under the batch limit)', () => {
    const batch = Array.from({ length: 10 }, (_, i) => message(`k${i}`, 100));
    const chunks = chunksOf(batch, { maxBatchBytes: 350, maxRequestBytes: 10_000 });
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 3, 1]);
  });
});

/** A kafkajs stand-in: partitions each message with the producer's own partitioner, records each send. */
function fakeKafka(partitionCount: number): {
  kafka: Kafka;
  sends: Array<Array<{ partition: number; bytes: number }>>;
  repartition: (count: number) => void;
} {
  const sends: Array<Array<{ partition: number; bytes: number }>> = [];
  let partitionMetadata = metadataOf(partitionCount);
  const repartition = (count: number): void => {
    partitionMetadata = metadataOf(count);
  };
  const kafka = {
    producer: (config: ProducerConfig) => {
      const partitioner = (config.createPartitioner as NonNullable<ProducerConfig['createPartitioner']>)();
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        send: async (record: ProducerRecord) => {
          sends.push(
            record.messages.map((m) => ({
              partition: partitioner({ topic: record.topic, partitionMetadata, message: m }),
              bytes: bytesOf(m as OutboundMessage),
            })),
          );
          return [];
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, sends, repartition };
}

describe('KafkaJsPublisher batches', () => {
  // 500 messages of ~1.2 KB over 200 keys: ~600 KB, over 512 KiB as one request, far under it per partition.
  const batch = Array.from({ length: 500 }, (_, i) => message(`BENCH-${i % 200}`, 1200));

  it('given a batch over the batch limit spread over 6 partitions, when sent twice, then the first goes as the whole request allows and the second in one request, every partition under the limit', async () => {
    const { kafka, sends } = fakeKafka(6);
    const publisher = new KafkaJsPublisher(kafka);

    await publisher.publish('t', batch);
    // The partitions are not known before the first send: split as one partition, as before.
    expect(sends.length).toBe(2);
    await publisher.publish('t', batch);
    expect(sends.length).toBe(3);
    expect(sends[2].length).toBe(500);
    for (const send of sends) {
      const perPartition = new Map<number, number>();
      for (const m of send) perPartition.set(m.partition, (perPartition.get(m.partition) ?? 0) + m.bytes);
      for (const bytes of perPartition.values()) expect(bytes).toBeLessThanOrEqual(512 * 1024);
    }
    await publisher.close();
  });

  it('given the same batch on a topic of one partition, when sent twice, then each send is split to stay under the batch limit', async () => {
    const { kafka, sends } = fakeKafka(1);
    const publisher = new KafkaJsPublisher(kafka);

    await publisher.publish('t', batch);
    await publisher.publish('t', batch);
    expect(sends.length).toBe(4);
    for (const send of sends) {
      expect(send.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(512 * 1024);
    }
    await publisher.close();
  });

  it('given a topic whose partition count changes between sends, then every send keeps each partition under the limit as the producer partitions it', async () => {
    const { kafka, sends, repartition } = fakeKafka(6);
    const publisher = new KafkaJsPublisher(kafka, { maxBatchBytes: 8 * 1024 });
    const keys = Array.from({ length: 300 }, (_, i) => message(`PSE-${i % 40}`, 900));

    let previous = 0;
    for (const count of [6, 6, 8, 8, 3, 3, 1, 1, 7]) {
      repartition(count);
      const from = sends.length;
      await publisher.publish('t', keys);
      // A publish splits by the count the producer reported on the publish before: right after a
      // change it may be over (the broker then refuses and the relay sends one by one); after, never.
      if (count === previous) {
        for (const send of sends.slice(from)) {
          const perPartition = new Map<number, number>();
          for (const m of send) perPartition.set(m.partition, (perPartition.get(m.partition) ?? 0) + m.bytes);
          for (const bytes of perPartition.values()) expect(bytes).toBeLessThanOrEqual(8 * 1024);
        }
      }
      previous = count;
    }
    expect(sends.flat().length).toBe(9 * 300);
    await publisher.close();
  });

  it('given a small request limit, then it holds across partitions too', async () => {
    const { kafka, sends } = fakeKafka(6);
    const publisher = new KafkaJsPublisher(kafka, { maxRequestBytes: 100 * 1024 });

    await publisher.publish('t', batch);
    await publisher.publish('t', batch);
    for (const send of sends) expect(send.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(100 * 1024);
    expect(sends.flat().length).toBe(1000);
    await publisher.close();
  });
});
