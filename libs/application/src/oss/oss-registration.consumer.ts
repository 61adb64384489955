import {
  type ConsumedMessage,
  createKafka,
  KafkaConsumerLoop,
  type KafkaSaslOptions,
  type KafkaSslOptions,
  type MessageSettlement,
  OSS_REGISTRATIONS_DLQ,
  OSS_REGISTRATIONS_TOPIC,
  projectTopics,
  type TopicLayout,
  type TopicSpec,
  traceIdOfHeaders,
} from '@sanksi/messaging';
import type { Logger } from 'pino';
import type { SanksiRuntime } from '../runtime/sanksi-runtime';
import { isTransientFailure } from './oss-failure';
import { OssRegistrationHandler, type RegistrationOutcome } from './oss-registration.handler';
import type { OssProducerKey } from './oss-signature';
import { type InboundMessage, messageIdOf } from './oss-registration.message';

/** Where the consumer reads and parks messages; only `brokers` is required. */
export interface OssRegistrationConsumerOptions {
  brokers: string | string[];
  topic?: string;
  /** Defaults to `oss.registrations.v1.dlq` for the default topic, else `<topic>.dlq`. */
  dlqTopic?: string;
  /** Consumer group (default `sanksi-oss-registrations`): instances of one group share the partitions. */
  groupId?: string;
  clientId?: string;
  /** Reconnect backoff after a broker failure: doubles from `initialMs` to `maxMs` (250 ms, 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Called after each message is settled (applied, duplicate or dead-lettered); for metrics and tests. */
  onOutcome?: (outcome: RegistrationOutcome, message: InboundMessage) => void;
  /** TLS and SASL to the brokers (the configuration's `KAFKA_SSL*` / `KAFKA_SASL_*`). */
  security?: { ssl?: KafkaSslOptions; sasl?: KafkaSaslOptions };
  /** Producers allowed to write the topic (default `SANKSI_OSS_PRODUCER_KEYS`), docs/decisions/0005. */
  producerKeys?: readonly OssProducerKey[];
  /** Signature timestamp vs. broker append time, at most this far apart (default the configured 300 s). */
  signatureWindowMs?: number;
  /**
   * Attempts at a message that fails with a non-transient error before it is dead-lettered as
   * `handler-failed` (default 5); backoff between them doubles from `initialMs` to `maxMs` (200 ms, 5 s).
   * Transient failures (store or network away) are retried without limit and never dead-lettered.
   */
  maxAttempts?: number;
  retryBackoff?: { initialMs?: number; maxMs?: number };
}

/** `waiting-for-broker`: the broker is unreachable or the consumer crashed; it reconnects with backoff. */
export type OssConsumerState = 'stopped' | 'connecting' | 'running' | 'waiting-for-broker';

/** A snapshot of the consumer for `/metrics` and the CLI. */
export interface OssConsumerStatus {
  name: string;
  topic: string;
  dlqTopic: string;
  groupId: string;
  state: OssConsumerState;
  /** Messages settled by this process (its progress; the group's offsets live in Kafka). */
  position: number;
  eventsPerSecond: number;
  healthy: boolean;
  applied: number;
  duplicates: number;
  deadLettered: number;
  /** Attempts that failed with an error and were retried (transient or not). */
  retries: number;
  consecutiveFailures: number;
  lastError: { code: string; message: string; at: string } | null;
}

const RATE_WINDOW_MS = 10_000;

/**
 * Consumes `oss.registrations.v1` in a consumer group: each message becomes a `ConfirmRegistration`
 * (idempotent by message id); a message that can never succeed goes to the DLQ with its reason in
 * headers, and the consumer goes on. Offsets are committed only after a message is settled, so a
 * crash redelivers (harmlessly). A missing broker is retried with backoff, never thrown. The loop
 * itself (connection, retries, DLQ, commits) is the shared `KafkaConsumerLoop`, one message at a time.
 */
export class OssRegistrationConsumer {
  private readonly topic: string;
  private readonly dlqTopic: string;
  private readonly groupId: string;
  private readonly handler: OssRegistrationHandler;
  private readonly logger: Logger;
  private readonly loop: KafkaConsumerLoop;
  /** Each message's outcome, from its settling to its report (after its dead letter is acknowledged). */
  private readonly outcomes = new WeakMap<ConsumedMessage, RegistrationOutcome>();
  private applied = 0;
  private duplicates = 0;
  private deadLettered = 0;
  private samples: Array<{ at: number }> = [];

  constructor(
    runtime: SanksiRuntime,
    private readonly options: OssRegistrationConsumerOptions,
  ) {
    this.topic = options.topic ?? OSS_REGISTRATIONS_TOPIC;
    this.dlqTopic =
      options.dlqTopic ??
      (this.topic === OSS_REGISTRATIONS_TOPIC ? OSS_REGISTRATIONS_DLQ : `${this.topic}.dlq`);
    this.groupId = options.groupId ?? 'sanksi-oss-registrations';
    this.logger = runtime.logger.child({ worker: 'oss-consumer', topic: this.topic });
    const layout: TopicLayout = {
      replicationFactor: runtime.config.kafka?.replicationFactor,
      minInsyncReplicas: runtime.config.kafka?.minInsyncReplicas,
    };
    const kafka = createKafka(options.brokers, {
      clientId: options.clientId ?? 'sanksi-oss-consumer',
      ...options.security,
      // kafkajs warns on each failed connection attempt; this consumer logs every outage itself.
      logger: {
        debug: (obj, msg) => this.logger.debug(obj, msg),
        info: (obj, msg) => this.logger.debug(obj, msg),
        warn: (obj, msg) => this.logger.debug(obj, msg),
        error: (obj, msg) => this.logger.error(obj, msg),
      },
    });
    this.handler = new OssRegistrationHandler(runtime, {
      ...(options.producerKeys ? { producerKeys: options.producerKeys } : {}),
      ...(options.signatureWindowMs ? { signatureWindowMs: options.signatureWindowMs } : {}),
    });
    if ((options.producerKeys ?? runtime.config.ossProducerKeys ?? []).length === 0) {
      this.logger.warn(
        { topic: this.topic },
        'no OSS producer keys configured (SANKSI_OSS_PRODUCER_KEYS): every message will be dead-lettered as unsigned or unknown-key',
      );
    }
    this.loop = new KafkaConsumerLoop({
      kafka,
      name: 'oss consumer',
      topic: this.topic,
      dlqTopic: this.dlqTopic,
      groupId: this.groupId,
      topics: this.topicSpecs(layout),
      logger: this.logger,
      loggerFor: (m) => this.logFor(m),
      settle: async ([message]) => {
        const outcome = await this.handler.handle(message);
        this.outcomes.set(message, outcome);
        return [
          outcome.kind === 'dead-letter'
            ? {
                kind: 'dead-letter',
                reason: outcome.reason,
                detail: outcome.detail,
                messageId: outcome.messageId,
              }
            : { kind: 'settled' },
        ];
      },
      messageIdOf: (m) => messageIdOf(m),
      isTransient: isTransientFailure,
      maxAttempts: options.maxAttempts,
      retryBackoff: options.retryBackoff,
      backoff: options.backoff,
      onSettled: (message, settlement) => this.report(message, settlement),
    });
  }

  /** Starts consuming in the background; resolves at once, even if the broker is down. */
  async start(): Promise<void> {
    await this.loop.start();
  }

  /** Stops after the message in hand is settled, and disconnects. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Counters, state and last error. */
  status(): OssConsumerStatus {
    const now = Date.now();
    this.samples = this.samples.filter((s) => s.at >= now - RATE_WINDOW_MS);
    const loop = this.loop.status();
    return {
      name: 'oss-consumer',
      topic: this.topic,
      dlqTopic: this.dlqTopic,
      groupId: this.groupId,
      state: loop.state,
      position: this.applied + this.duplicates + this.deadLettered,
      eventsPerSecond: Math.round((this.samples.length / RATE_WINDOW_MS) * 1000 * 10) / 10,
      healthy: loop.state === 'running' || loop.state === 'connecting',
      applied: this.applied,
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      retries: loop.retries,
      consecutiveFailures: loop.consecutiveFailures,
      lastError: loop.lastError,
    };
  }

  private topicSpecs(layout: TopicLayout): TopicSpec[] {
    const defaults = projectTopics(layout);
    const oss = defaults.find((t) => t.topic === OSS_REGISTRATIONS_TOPIC) as TopicSpec;
    const dlq = defaults.find((t) => t.topic === OSS_REGISTRATIONS_DLQ) as TopicSpec;
    return [
      { ...oss, topic: this.topic },
      { ...dlq, topic: this.dlqTopic },
    ];
  }

  /** A message sent on behalf of a trace (W3C `traceparent` header) says so in every line logged about it. */
  private logFor(message: ConsumedMessage): Logger {
    const traceId = traceIdOfHeaders(message.headers);
    return traceId ? this.logger.child({ traceId }) : this.logger;
  }

  private report(message: ConsumedMessage, settlement: MessageSettlement): void {
    // The loop's own `handler-failed` letters have no handler outcome: it is built from the settlement.
    const outcome: RegistrationOutcome =
      this.outcomes.get(message) ??
      (settlement.kind === 'dead-letter'
        ? {
            kind: 'dead-letter',
            messageId: settlement.messageId,
            reason: 'handler-failed',
            detail: settlement.detail,
          }
        : {
            kind: 'dead-letter',
            messageId: messageIdOf(message),
            reason: 'handler-failed',
            detail: 'no outcome',
          });
    const log = this.logFor(message);
    if (outcome.kind === 'dead-letter') this.deadLettered += 1;
    else if (outcome.kind === 'duplicate') {
      this.duplicates += 1;
      log.debug({ messageId: outcome.messageId, pseId: outcome.pseId }, 'oss message already applied');
    } else {
      this.applied += 1;
      log.info(
        { messageId: outcome.messageId, pseId: outcome.pseId, state: outcome.state },
        'registration confirmed from OSS',
      );
    }
    this.samples.push({ at: Date.now() });
    const inbound: InboundMessage = message;
    this.options.onOutcome?.(outcome, inbound);
  }
}
