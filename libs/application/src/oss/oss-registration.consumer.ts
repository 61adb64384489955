import {
  createKafka,
  ensureTopics,
  type KafkaSaslOptions,
  type KafkaSslOptions,
  OSS_REGISTRATIONS_DLQ,
  OSS_REGISTRATIONS_TOPIC,
  projectTopics,
  type TopicLayout,
  type TopicSpec,
  traceIdOfHeaders,
} from '@sanksi/messaging';
import type { Consumer, EachMessagePayload, IHeaders, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { SanksiRuntime } from '../runtime/sanksi-runtime';
import { isTransientFailure } from './oss-failure';
import { OssRegistrationHandler, type RegistrationOutcome } from './oss-registration.handler';
import type { OssProducerKey } from './oss-signature';
import {
  DLQ_APPENDED_AT_HEADER,
  DLQ_ATTEMPTS_HEADER,
  DLQ_DETAIL_HEADER,
  DLQ_MESSAGE_ID_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_HEADER,
  type InboundMessage,
  messageIdOf,
} from './oss-registration.message';

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
// kafkajs' disconnect waits for a group join in progress, and after a member crashed (SIGKILL) the
// coordinator holds that join until the dead member's session expires (30 s): a stop must not wait for
// it. Past this bound the client is dropped and the broker expires the member on its own.
const DISCONNECT_WITHIN_MS = 3_000;

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

function describe(e: unknown): { code: string; message: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : e.name, message: e.message };
  }
  return { code: 'UNKNOWN', message: String(e) };
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

function headerSafe(text: string): string {
  // Kafka headers are bytes, but operators read them in consoles: keep them on one line and short.
  return text.replace(/\s+/g, ' ').slice(0, 1000);
}

/**
 * Consumes `oss.registrations.v1` in a consumer group: each message becomes a `ConfirmRegistration`
 * (idempotent by message id); a message that can never succeed goes to the DLQ with its reason in
 * headers, and the consumer goes on. Offsets are committed only after a message is settled, so a
 * crash redelivers (harmlessly). A missing broker is retried with backoff, never thrown.
 */
export class OssRegistrationConsumer {
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly dlqTopic: string;
  private readonly groupId: string;
  private readonly handler: OssRegistrationHandler;
  private readonly logger: Logger;
  /** Replication of the topics this consumer creates (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS). */
  private readonly layout: TopicLayout;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private state: OssConsumerState = 'stopped';
  private applied = 0;
  private duplicates = 0;
  private deadLettered = 0;
  private retries = 0;
  private consecutiveFailures = 0;
  private lastError: OssConsumerStatus['lastError'] = null;
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
    this.layout = {
      replicationFactor: runtime.config.kafka?.replicationFactor,
      minInsyncReplicas: runtime.config.kafka?.minInsyncReplicas,
    };
    this.kafka = createKafka(options.brokers, {
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

  /** Stops after the message in hand is settled, and disconnects. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
    this.abort = null;
  }

  /** Counters, state and last error. */
  status(): OssConsumerStatus {
    const now = Date.now();
    this.samples = this.samples.filter((s) => s.at >= now - RATE_WINDOW_MS);
    return {
      name: 'oss-consumer',
      topic: this.topic,
      dlqTopic: this.dlqTopic,
      groupId: this.groupId,
      state: this.state,
      position: this.applied + this.duplicates + this.deadLettered,
      eventsPerSecond: Math.round((this.samples.length / RATE_WINDOW_MS) * 1000 * 10) / 10,
      healthy: this.state === 'running' || this.state === 'connecting',
      applied: this.applied,
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      retries: this.retries,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
    };
  }

  private topicSpecs(): TopicSpec[] {
    const defaults = projectTopics(this.layout);
    const oss = defaults.find((t) => t.topic === OSS_REGISTRATIONS_TOPIC) as TopicSpec;
    const dlq = defaults.find((t) => t.topic === OSS_REGISTRATIONS_DLQ) as TopicSpec;
    return [
      { ...oss, topic: this.topic },
      { ...dlq, topic: this.dlqTopic },
    ];
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let consumer: Consumer | null = null;
      let producer: Producer | null = null;
      // Joining the group (inside consumer.run) can take a whole session timeout after a member crashed:
      // a stop must not wait for it, so every start-up step gives way to the abort.
      const aborted = new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      const unlessAborted = (step: Promise<unknown>) => Promise.race([step, aborted]);
      try {
        await ensureTopics(this.kafka, this.topicSpecs());
        producer = this.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
        });
        await producer.connect();
        consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false });
        const fatal = this.watchCrashes(consumer);
        await unlessAborted(consumer.connect());
        if (signal.aborted) break;
        await consumer.subscribe({ topic: this.topic, fromBeginning: true });
        const dlq = producer;
        await unlessAborted(
          consumer.run({
            autoCommit: true,
            eachMessage: (payload) => this.onMessage(payload, dlq, signal),
          }),
        );
        if (signal.aborted) break;
        if (this.consecutiveFailures > 0)
          this.logger.info({ groupId: this.groupId }, 'oss consumer reconnected');
        this.state = 'running';
        this.consecutiveFailures = 0;
        const crash = await Promise.race([aborted.then(() => null), fatal]);
        if (crash) throw crash;
      } catch (e) {
        if (signal.aborted) break;
        await this.failed(e, signal, consumer, producer);
        consumer = null;
        producer = null;
        continue;
      } finally {
        await disconnectWithin(consumer);
        await disconnectWithin(producer);
      }
    }
  }

  /** Resolves with the error of a crash kafkajs will not restart from by itself. */
  private watchCrashes(consumer: Consumer): Promise<Error> {
    return new Promise((resolve) => {
      consumer.on(consumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        this.lastError = { ...describe(error), at: new Date().toISOString() };
        if (restart) {
          this.state = 'waiting-for-broker';
          this.logger.error({ err: this.lastError }, 'oss consumer crashed; kafkajs restarts it');
        } else {
          resolve(error);
        }
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        this.state = 'running';
      });
    });
  }

  private async failed(
    e: unknown,
    signal: AbortSignal,
    consumer: Consumer | null,
    producer: Producer | null,
  ): Promise<void> {
    await disconnectWithin(consumer);
    await disconnectWithin(producer);
    this.state = 'waiting-for-broker';
    this.consecutiveFailures += 1;
    this.lastError = { ...describe(e), at: new Date().toISOString() };
    const initial = this.options.backoff?.initialMs ?? 250;
    const max = this.options.backoff?.maxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** Math.min(this.consecutiveFailures - 1, 16));
    const wait = Math.round(delay / 2 + (Math.random() * delay) / 2);
    this.logger.error(
      {
        err: this.lastError,
        brokers: this.options.brokers,
        attempt: this.consecutiveFailures,
        retryInMs: wait,
      },
      'oss consumer cannot reach Kafka, retrying',
    );
    await sleep(wait, signal);
  }

  /**
   * Handles one message, retrying a failing attempt in place: a transient failure is rethrown after its
   * attempt (the offset stays uncommitted and kafkajs delivers the message again, for as long as it
   * takes); a non-transient one is tried `maxAttempts` times, then dead-lettered as `handler-failed`
   * with the error, so one poisonous message cannot hold its partition forever.
   */
  private async settle(
    inbound: InboundMessage,
    heartbeat: () => Promise<void>,
    signal: AbortSignal,
    log: Logger,
  ): Promise<{ outcome: RegistrationOutcome; attempts: number }> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    const initial = this.options.retryBackoff?.initialMs ?? 200;
    const max = this.options.retryBackoff?.maxMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      try {
        return { outcome: await this.handler.handle(inbound), attempts: attempt };
      } catch (e) {
        this.retries += 1;
        this.lastError = { ...describe(e), at: new Date().toISOString() };
        const source = `${inbound.topic}/${inbound.partition}/${inbound.offset}`;
        if (isTransientFailure(e) || signal.aborted) {
          log.error({ err: e, source, attempt }, 'oss message failed transiently; it is delivered again');
          throw e;
        }
        if (attempt >= maxAttempts) {
          const error = describe(e);
          return {
            outcome: {
              kind: 'dead-letter',
              messageId: messageIdOf(inbound),
              reason: 'handler-failed',
              detail: `${error.code}: ${error.message} (failed ${attempt} time(s))`,
            },
            attempts: attempt,
          };
        }
        const wait = Math.min(max, initial * 2 ** (attempt - 1));
        log.error(
          { err: e, source, attempt, maxAttempts, retryInMs: wait },
          'oss message failed; retrying before it is dead-lettered',
        );
        await sleep(wait, signal);
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async onMessage(
    { topic, partition, message, heartbeat }: EachMessagePayload,
    dlq: Producer,
    signal: AbortSignal,
  ): Promise<void> {
    const inbound: InboundMessage = {
      topic,
      partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: message.headers,
      timestamp: message.timestamp,
    };
    // A message sent on behalf of a trace (W3C `traceparent` header) says so in every line logged about it.
    const traceId = traceIdOfHeaders(message.headers);
    const log = traceId ? this.logger.child({ traceId }) : this.logger;
    // A throw here (store unavailable) leaves the offset uncommitted: kafkajs delivers the message again.
    const { outcome, attempts } = await this.settle(inbound, heartbeat, signal, log);
    if (outcome.kind === 'dead-letter') {
      const headers: IHeaders = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = value;
      }
      headers[DLQ_REASON_HEADER] = outcome.reason;
      headers[DLQ_DETAIL_HEADER] = headerSafe(outcome.detail);
      headers[DLQ_SOURCE_HEADER] = `${topic}/${partition}/${message.offset}`;
      headers[DLQ_MESSAGE_ID_HEADER] = outcome.messageId;
      headers[DLQ_APPENDED_AT_HEADER] = message.timestamp;
      headers[DLQ_ATTEMPTS_HEADER] = String(attempts);
      await dlq.send({
        topic: this.dlqTopic,
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers }],
      });
      this.deadLettered += 1;
      log.warn(
        {
          messageId: outcome.messageId,
          reason: outcome.reason,
          detail: outcome.detail,
          source: headers[DLQ_SOURCE_HEADER],
        },
        'oss message dead-lettered',
      );
    } else if (outcome.kind === 'duplicate') {
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
    this.options.onOutcome?.(outcome, inbound);
  }
}
