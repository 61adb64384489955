import {
  type ConsumedMessage,
  createKafka,
  KafkaConsumerLoop,
  type KafkaSaslOptions,
  type KafkaSslOptions,
  type MessageSettlement,
  TRAFFIC_INBOUND_DLQ,
  TRAFFIC_INBOUND_TOPIC,
  trafficTopics,
} from '@sanksi/messaging';
import type { Logger } from 'pino';
import { isTransientFailure } from '../oss/oss-failure';
import type { SanksiRuntime } from '../runtime/sanksi-runtime';
import { type TrafficRowResult, validateTrafficRow } from './traffic-rows.parser';

/**
 * Why a traffic message was dead-lettered: not an observation (`invalid-observation`), its
 * (domain, period, source) is already recorded with another figure (`conflicting-figure`, decision 0008),
 * or recording it failed the same way on every attempt (`handler-failed`, the shared consumer loop's).
 */
export const TRAFFIC_DEAD_LETTER_REASONS = [
  'invalid-observation',
  'conflicting-figure',
  'handler-failed',
] as const;
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
  /**
   * Attempts at a batch that fails with a non-transient error before it is tried message by message and
   * the failing one parked as `handler-failed` (default 5); backoff between attempts doubles from
   * `initialMs` to `maxMs` (200 ms, 5 s). Transient failures (store or network away) are retried without limit.
   */
  maxAttempts?: number;
  retryBackoff?: { initialMs?: number; maxMs?: number };
  /** Told of each batch the ingest recorded: how many were recorded, already known, to be dead-lettered. */
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
 * the DLQ with the reason, and only then are the offsets committed. The loop (connection, bounded
 * retries, DLQ, commits) is the shared `KafkaConsumerLoop`, a fetched batch at a time: a batch whose
 * recording keeps failing for a non-transient reason is tried one message at a time, so only the
 * message that fails is parked (`handler-failed`).
 */
export class TrafficObservationConsumer {
  private readonly topic: string;
  private readonly logger: Logger;
  private readonly loop: KafkaConsumerLoop;
  private recorded = 0;
  private duplicates = 0;
  private deadLettered = 0;

  constructor(
    private readonly runtime: Pick<SanksiRuntime, 'traffic' | 'logger' | 'config'>,
    private readonly options: TrafficConsumerOptions,
  ) {
    this.topic = options.topic ?? TRAFFIC_INBOUND_TOPIC;
    const dlqTopic =
      options.dlqTopic ?? (this.topic === TRAFFIC_INBOUND_TOPIC ? TRAFFIC_INBOUND_DLQ : `${this.topic}.dlq`);
    this.logger = runtime.logger.child({ worker: 'traffic-consumer', topic: this.topic });
    const kafka = createKafka(options.brokers, {
      clientId: options.clientId ?? 'sanksi-traffic-consumer',
      ...options.security,
      logger: {
        debug: (obj, msg) => this.logger.debug(obj, msg),
        info: (obj, msg) => this.logger.debug(obj, msg),
        warn: (obj, msg) => this.logger.debug(obj, msg),
        error: (obj, msg) => this.logger.error(obj, msg),
      },
    });
    const layout = runtime.config.kafka;
    const specs = trafficTopics({
      replicationFactor: layout?.replicationFactor,
      minInsyncReplicas: layout?.minInsyncReplicas,
    });
    this.loop = new KafkaConsumerLoop({
      kafka,
      name: 'traffic consumer',
      topic: this.topic,
      dlqTopic,
      groupId: options.groupId ?? 'sanksi-traffic-observations',
      topics: [
        { ...specs[1], topic: this.topic },
        { ...specs[2], topic: dlqTopic },
      ],
      logger: this.logger,
      batch: true,
      settle: (messages) => this.settle(messages),
      messageIdOf,
      isTransient: isTransientFailure,
      maxAttempts: options.maxAttempts,
      retryBackoff: options.retryBackoff,
      backoff: options.backoff,
      onSettled: (_message, settlement) => {
        if (settlement.kind === 'dead-letter') this.deadLettered += 1;
      },
    });
  }

  /** Starts consuming in the background; resolves at once, even if the broker is down. */
  async start(): Promise<void> {
    await this.loop.start();
  }

  /** Stops after the batch in hand is settled, and disconnects. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** State and counters. */
  status(): TrafficConsumerStatus {
    const loop = this.loop.status();
    return {
      name: 'traffic-consumer',
      topic: this.topic,
      state: loop.state,
      healthy: loop.state === 'running' || loop.state === 'connecting',
      recorded: this.recorded,
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      lastError: loop.lastError,
    };
  }

  /** Records the messages' valid observations; the invalid and conflicting ones are dead letters. */
  private async settle(messages: readonly ConsumedMessage[]): Promise<MessageSettlement[]> {
    const rows = messages.map((m) => trafficMessageRow(Number(m.offset), m.value));
    const report = await this.runtime.traffic.ingest(rows, {
      actor: { id: `kafka:${this.topic}`, role: 'service' },
      correlationId: null,
      // Every refused message of the batch must reach the DLQ, however many there are.
      maxRejections: messages.length,
    });
    // A row's line is its offset: the report's refusals of valid rows are conflicting figures.
    const conflicts = new Map(report.rejections.map((r) => [r.line, r.reason]));
    const settlements = rows.map((r, i): MessageSettlement => {
      const messageId = messageIdOf(messages[i]);
      if (!r.ok) return { kind: 'dead-letter', reason: 'invalid-observation', detail: r.reason, messageId };
      const conflict = conflicts.get(r.line);
      return conflict === undefined
        ? { kind: 'settled' }
        : { kind: 'dead-letter', reason: 'conflicting-figure', detail: conflict, messageId };
    });
    this.recorded += report.recorded;
    this.duplicates += report.duplicates;
    this.options.onBatch?.({
      recorded: report.recorded,
      duplicates: report.duplicates,
      deadLettered: settlements.filter((s) => s.kind === 'dead-letter').length,
    });
    return settlements;
  }
}

/** The producer's CloudEvents id when it sent one, else where the message was (`topic/partition/offset`). */
function messageIdOf(message: ConsumedMessage): string {
  const ceId = message.headers?.['ce_id'];
  return ceId === undefined ? `${message.topic}/${message.partition}/${message.offset}` : String(ceId);
}
