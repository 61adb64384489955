import {
  createKafka,
  ensureTopics,
  type KafkaSaslOptions,
  type KafkaSslOptions,
  TRAFFIC_INBOUND_DLQ,
  TRAFFIC_INBOUND_TOPIC,
  trafficTopics,
} from '@sanksi/messaging';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  DLQ_APPENDED_AT_HEADER,
  DLQ_DETAIL_HEADER,
  DLQ_MESSAGE_ID_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_HEADER,
} from '../oss/oss-registration.message';
import type { SanksiRuntime } from '../runtime/sanksi-runtime';
import { type TrafficRowResult, validateTrafficRow } from './traffic-rows.parser';

/**
 * Why a traffic message was dead-lettered: not an observation (`invalid-observation`), or its
 * (domain, period, source) is already recorded with another figure (`conflicting-figure`, decision 0008).
 */
export const TRAFFIC_DEAD_LETTER_REASONS = ['invalid-observation', 'conflicting-figure'] as const;
export type TrafficDeadLetterReason = (typeof TRAFFIC_DEAD_LETTER_REASONS)[number];

/** Where the traffic consumer reads and dead-letters, and how it connects. */
export interface TrafficConsumerOptions {
  brokers: string | string[];
  /** Default `traffic.observations.v1`. */
  topic?: string;
  /** Default `traffic.observations.v1.dlq` for the default topic, else `<topic>.dlq`. */
  dlqTopic?: string;
  /** Default `sanksi-traffic-observations`. */
  groupId?: string;
  clientId?: string;
  security?: { ssl?: KafkaSslOptions; sasl?: KafkaSaslOptions };
  /** Reconnect backoff after a broker failure (250 ms doubling to 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Told of each settled batch: how many were recorded, already known, dead-lettered. */
  onBatch?: (settled: { recorded: number; duplicates: number; deadLettered: number }) => void;
}

/** The consumer's state and counters, for the worker's status. */
export interface TrafficConsumerStatus {
  name: 'traffic-consumer';
  topic: string;
  state: 'stopped' | 'connecting' | 'running' | 'waiting-for-broker';
  healthy: boolean;
  recorded: number;
  duplicates: number;
  deadLettered: number;
  lastError: { code: string; message: string; at: string } | null;
}

const DISCONNECT_WITHIN_MS = 5000;

async function disconnectWithin(client: { disconnect(): Promise<void> } | null): Promise<void> {
  if (!client) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.disconnect().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DISCONNECT_WITHIN_MS);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** A message value as a row: JSON of one observation, or why it is not one. */
export function trafficMessageRow(offset: number, value: Buffer | null): TrafficRowResult {
  if (value === null) return { line: offset, ok: false, reason: 'row: empty message' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (e) {
    return { line: offset, ok: false, reason: `row: not JSON (${(e as Error).message})` };
  }
  return validateTrafficRow(offset, parsed);
}

/**
 * Consumes `traffic.observations.v1` (one observation per message, JSON valid against
 * schemas/traffic/traffic-observation.v1.json): each batch's valid messages are recorded through the
 * ingest service (a redelivered message is a duplicate fact, recorded once), the others are published to
 * the DLQ with the reason, and only then are the offsets committed.
 */
export class TrafficObservationConsumer {
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly dlqTopic: string;
  private readonly groupId: string;
  private readonly logger: Logger;
  private state: TrafficConsumerStatus['state'] = 'stopped';
  private recorded = 0;
  private duplicates = 0;
  private deadLettered = 0;
  private failures = 0;
  private lastError: TrafficConsumerStatus['lastError'] = null;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly runtime: Pick<SanksiRuntime, 'traffic' | 'logger' | 'config'>,
    private readonly options: TrafficConsumerOptions,
  ) {
    this.topic = options.topic ?? TRAFFIC_INBOUND_TOPIC;
    this.dlqTopic =
      options.dlqTopic ?? (this.topic === TRAFFIC_INBOUND_TOPIC ? TRAFFIC_INBOUND_DLQ : `${this.topic}.dlq`);
    this.groupId = options.groupId ?? 'sanksi-traffic-observations';
    this.logger = runtime.logger.child({ worker: 'traffic-consumer', topic: this.topic });
    this.kafka = createKafka(options.brokers, {
      clientId: options.clientId ?? 'sanksi-traffic-consumer',
      ...options.security,
      logger: {
        debug: (obj, msg) => this.logger.debug(obj, msg),
        info: (obj, msg) => this.logger.debug(obj, msg),
        warn: (obj, msg) => this.logger.debug(obj, msg),
        error: (obj, msg) => this.logger.error(obj, msg),
      },
    });
  }

  /** Starts consuming in the background; resolves at once, even if the broker is down. */
  async start(): Promise<void> {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.state = 'connecting';
    this.loop = this.run(abort.signal).finally(() => {
      this.state = 'stopped';
    });
  }

  /** Stops after the batch in hand is settled, and disconnects. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
    this.abort = null;
  }

  /** State and counters. */
  status(): TrafficConsumerStatus {
    return {
      name: 'traffic-consumer',
      topic: this.topic,
      state: this.state,
      healthy: this.state === 'running' || this.state === 'connecting',
      recorded: this.recorded,
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      lastError: this.lastError,
    };
  }

  private async run(signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    while (!signal.aborted) {
      let consumer: Consumer | null = null;
      let producer: Producer | null = null;
      try {
        const kafka = this.runtime.config.kafka;
        const specs = trafficTopics({
          replicationFactor: kafka?.replicationFactor,
          minInsyncReplicas: kafka?.minInsyncReplicas,
        });
        await ensureTopics(this.kafka, [
          { ...specs[1], topic: this.topic },
          { ...specs[2], topic: this.dlqTopic },
        ]);
        producer = this.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
        });
        await producer.connect();
        consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false });
        const crashed = new Promise<Error>((resolve) => {
          consumer?.on(consumer.events.CRASH, (event) => {
            if (!event.payload.restart) resolve(event.payload.error);
          });
        });
        await Promise.race([consumer.connect(), aborted]);
        if (signal.aborted) break;
        await consumer.subscribe({ topic: this.topic, fromBeginning: true });
        const dlq = producer;
        await Promise.race([
          consumer.run({ eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload, dlq) }),
          aborted,
        ]);
        if (signal.aborted) break;
        this.state = 'running';
        this.failures = 0;
        const crash = await Promise.race([aborted.then(() => null), crashed]);
        if (crash) throw crash;
      } catch (e) {
        if (signal.aborted) break;
        this.failures += 1;
        this.state = 'waiting-for-broker';
        this.lastError = {
          code: (e as { code?: string }).code ?? (e as Error).name ?? 'UNKNOWN',
          message: e instanceof Error ? e.message : String(e),
          at: new Date().toISOString(),
        };
        const initial = this.options.backoff?.initialMs ?? 250;
        const max = this.options.backoff?.maxMs ?? 30_000;
        const wait = Math.min(max, initial * 2 ** Math.min(this.failures - 1, 16));
        this.logger.error(
          { err: this.lastError, retryInMs: wait },
          'traffic consumer cannot reach Kafka, retrying',
        );
        await sleep(wait, signal);
      } finally {
        await disconnectWithin(consumer);
        await disconnectWithin(producer);
      }
    }
  }

  /** Records the batch's valid observations, dead-letters the rest, then resolves and commits its offsets. */
  private async onBatch(
    { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }: EachBatchPayload,
    dlq: Producer,
  ) {
    if (batch.messages.length === 0) return;
    const rows = batch.messages.map((m) => trafficMessageRow(Number(m.offset), m.value));
    const report = await this.runtime.traffic.ingest(rows, {
      actor: { id: `kafka:${this.topic}`, role: 'service' },
      correlationId: null,
      // Every refused message of the batch must reach the DLQ, however many there are.
      maxRejections: batch.messages.length,
    });
    // A row's line is its offset: the report's refusals of valid rows are conflicting figures.
    const conflicts = new Map(report.rejections.map((r) => [r.line, r.reason]));
    const bad = rows.flatMap(
      (r, i): { kind: TrafficDeadLetterReason; reason: string; message: KafkaMessage }[] => {
        const message = batch.messages[i];
        if (!r.ok) return [{ kind: 'invalid-observation', reason: r.reason, message }];
        const conflict = conflicts.get(r.line);
        return conflict === undefined ? [] : [{ kind: 'conflicting-figure', reason: conflict, message }];
      },
    );
    if (bad.length > 0) {
      await dlq.send({
        topic: this.dlqTopic,
        acks: -1,
        messages: bad.map(({ kind, reason, message }) => {
          const source = `${batch.topic}/${batch.partition}/${message.offset}`;
          const ceId = message.headers?.['ce_id'];
          return {
            key: message.key,
            value: message.value,
            headers: {
              ...(message.headers ?? {}),
              [DLQ_REASON_HEADER]: kind,
              [DLQ_DETAIL_HEADER]: reason.slice(0, 1000),
              [DLQ_SOURCE_HEADER]: source,
              // The producer's CloudEvents id when it sent one, else where the message was.
              [DLQ_MESSAGE_ID_HEADER]: ceId === undefined ? source : String(ceId),
              // The original's append time (epoch ms), as the OSS consumer's letters carry it.
              [DLQ_APPENDED_AT_HEADER]: message.timestamp,
            },
          };
        }),
      });
    }
    for (const m of batch.messages) resolveOffset(m.offset);
    await commitOffsetsIfNecessary();
    await heartbeat();
    this.recorded += report.recorded;
    this.duplicates += report.duplicates;
    this.deadLettered += bad.length;
    this.options.onBatch?.({
      recorded: report.recorded,
      duplicates: report.duplicates,
      deadLettered: bad.length,
    });
  }
}
