import { Partitioners, type Kafka, type PartitionMetadata, type Producer } from 'kafkajs';
import type { OutboundMessage } from './case-event.message';
import { connectFailure, ensureTopics } from './kafka.client';
import { KafkaPublishFailed } from './messaging.errors';
import { silentLogger, type MessagingLogger } from './messaging.logger';
import type { MessagePublisher } from './message-publisher.port';
import type { TopicSpec } from './topics.constants';

/** Tuning of the kafkajs producer behind the publisher port. */
export interface KafkaJsPublisherOptions {
  /** kafkajs's own retries of one send before it gives up and publish() rejects (default 5). */
  retries?: number;
  /** Wait this long for all in-sync replicas before the broker answers (default 30 s). */
  ackTimeoutMs?: number;
  /**
   * Most bytes (keys, values, headers) per partition in one produce request (default 512 KiB). The
   * broker refuses a partition's record batch over `message.max.bytes` (1 MiB by default), so a large
   * relay batch goes out as several requests, one after the other, in order. Until the producer has
   * seen the topic's partitions (its first send), the whole request is counted as one partition.
   */
  maxBatchBytes?: number;
  /** Most bytes (keys, values, headers) per produce request, all partitions together (default 4 MiB). */
  maxRequestBytes?: number;
  /**
   * Topics to create (ensureTopics) before the first send, e.g. projectTopics(). Done on connect, so a
   * broker that is missing at start-up is retried by the caller's backoff like any other outage.
   */
  topics?: TopicSpec[];
  logger?: MessagingLogger;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sizeOf(message: OutboundMessage): number {
  let bytes = Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  const headers = message.headers;
  for (const name in headers) bytes += name.length + Buffer.byteLength(headers[name]);
  return bytes;
}

const KEY_PARTITIONS_LIMIT = 65_536;

/** How a batch is split into produce requests. */
export interface ChunkLimits {
  /** Most bytes of one partition in one request (a bigger single message goes alone). */
  maxBatchBytes: number;
  /** Most bytes of one request. */
  maxRequestBytes: number;
}

/**
 * Splits messages, in order, into runs that keep each partition's bytes and the whole request's under
 * the limits (a bigger single message goes alone). `partitionOf` names the partition a message will go
 * to, or undefined when unknown: unknown messages are all counted as one partition.
 */
export function chunksOf(
  messages: OutboundMessage[],
  limits: ChunkLimits,
  partitionOf: (message: OutboundMessage) => number | undefined = () => undefined,
): OutboundMessage[][] {
  const sizes = messages.map(sizeOf);
  let total = 0;
  for (const size of sizes) total += size;
  // The usual batch fits as it is: no partition needs naming.
  if (total <= limits.maxBatchBytes && total <= limits.maxRequestBytes)
    return messages.length > 0 ? [messages] : [];
  const chunks: OutboundMessage[][] = [];
  let current: OutboundMessage[] = [];
  let requestBytes = 0;
  const partitionBytes = new Map<number, number>();
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    const size = sizes[i];
    const partition = partitionOf(message) ?? -1;
    const inPartition = partitionBytes.get(partition) ?? 0;
    if (
      current.length > 0 &&
      (inPartition + size > limits.maxBatchBytes || requestBytes + size > limits.maxRequestBytes)
    ) {
      chunks.push(current);
      current = [];
      requestBytes = 0;
      partitionBytes.clear();
    }
    current.push(message);
    requestBytes += size;
    partitionBytes.set(partition, (partitionBytes.get(partition) ?? 0) + size);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** MessagePublisher on a kafkajs idempotent producer with acks=all, one send in flight at a time. */
export class KafkaJsPublisher implements MessagePublisher {
  private producer: Producer | null = null;
  private topicsReady = false;
  /** Each topic's partitions as the producer last saw them (kafkajs hands them to the partitioner). */
  private readonly partitions = new Map<string, PartitionMetadata[]>();
  /**
   * A second instance of the producer's own partitioner: for a keyed message it is a function of the key
   * and the partition count alone, so it names the partition kafkajs will pick.
   */
  private readonly predictPartition = Partitioners.DefaultPartitioner();
  /**
   * The partition of each key seen, per topic and partition count: naming it costs a murmur2 in 64-bit
   * arithmetic (a few µs), and a case's key comes back batch after batch. Bounded; forgotten whole.
   */
  private readonly keyPartitions = new Map<string, { count: number; byKey: Map<string, number> }>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaJsPublisherOptions = {},
  ) {}

  /** Sends one batch and resolves once all of it is acknowledged by all in-sync replicas. */
  async publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.connected();
    try {
      const limits = {
        maxBatchBytes: this.options.maxBatchBytes ?? 512 * 1024,
        maxRequestBytes: this.options.maxRequestBytes ?? 4 * 1024 * 1024,
      };
      const partitionMetadata = this.partitions.get(topic);
      // Before the first send to the topic its partitions are unknown: the whole request counts as one.
      // After a topic gained partitions (never done by the project) one publish still splits by the old
      // count; a partition over the broker's limit is then refused and the relay sends one by one.
      const partitionOf = partitionMetadata
        ? (m: OutboundMessage): number => this.partitionOf(topic, partitionMetadata, m.key)
        : undefined;
      for (const chunk of chunksOf(messages, limits, partitionOf)) {
        await producer.send({
          topic,
          acks: -1,
          timeout: this.options.ackTimeoutMs ?? 30000,
          messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        });
      }
    } catch (e) {
      // After a failed send kafkajs's idempotent sequence numbers may no longer match the broker's:
      // drop this producer; the next publish starts a fresh one (a new producer id). The caller resends
      // the whole batch, so duplicates are possible and ordering per key is kept.
      await this.reset();
      throw new KafkaPublishFailed({ topic, messages: messages.length, reason: reason(e) }, { cause: e });
    }
  }

  /** The partition kafkajs's partitioner gives `key` on a topic of these partitions. */
  private partitionOf(topic: string, partitionMetadata: PartitionMetadata[], key: string): number {
    let known = this.keyPartitions.get(topic);
    if (known === undefined || known.count !== partitionMetadata.length) {
      known = { count: partitionMetadata.length, byKey: new Map() };
      this.keyPartitions.set(topic, known);
    }
    let partition = known.byKey.get(key);
    if (partition === undefined) {
      if (known.byKey.size >= KEY_PARTITIONS_LIMIT) known.byKey.clear();
      partition = this.predictPartition({ topic, partitionMetadata, message: { key, value: null } });
      known.byKey.set(key, partition);
    }
    return partition;
  }

  /** Disconnects the producer, if any. */
  async close(): Promise<void> {
    await this.reset();
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    if (!this.topicsReady && this.options.topics && this.options.topics.length > 0) {
      const report = await ensureTopics(this.kafka, this.options.topics);
      const logger = this.options.logger ?? silentLogger;
      if (report.created.length > 0) logger.info({ topics: report.created }, 'Kafka topics created');
      if (report.tooFewPartitions.length > 0) {
        logger.warn(
          { topics: report.tooFewPartitions },
          'Kafka topics have fewer partitions than configured; left as they are to keep per-key order',
        );
      }
      this.topicsReady = true;
    }
    const producer = this.kafka.producer({
      idempotent: true,
      // One request in flight: a retried request can never overtake the next one.
      maxInFlightRequests: 1,
      // The default partitioner, noting each topic's partitions so the next batch can be split by them.
      createPartitioner: () => {
        const partition = Partitioners.DefaultPartitioner();
        return (args) => {
          if (this.partitions.get(args.topic) !== args.partitionMetadata) {
            this.partitions.set(args.topic, args.partitionMetadata);
          }
          return partition(args);
        };
      },
      allowAutoTopicCreation: false,
      retry: { retries: this.options.retries ?? 5, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    try {
      await producer.connect();
    } catch (e) {
      await producer.disconnect().catch(() => undefined);
      throw connectFailure(this.kafka, e);
    }
    this.producer = producer;
    return producer;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}
