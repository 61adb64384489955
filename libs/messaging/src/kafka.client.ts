import { type Admin, Kafka, logLevel, type LogEntry, type ITopicMetadata, type SASLOptions } from 'kafkajs';
import { KafkaAuthenticationFailed, KafkaTopicSetupFailed, KafkaUnavailable } from './messaging.errors';
import { silentLogger, type MessagingLogger } from './messaging.logger';
import type { TopicSpec } from './topics.constants';

/** SASL mechanisms the project supports (kafkajs's names). */
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** SASL credentials; the password is never logged nor put in an error message. */
export interface KafkaSaslOptions {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

/** TLS to the brokers: `true` trusts the system CAs; PEM texts for a private CA and a client certificate. */
export type KafkaSslOptions = boolean | { ca?: string; cert?: string; key?: string };

/** Options of the kafkajs client; everything has a default that works against the local broker. */
export interface KafkaClientOptions {
  clientId?: string;
  logger?: MessagingLogger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  ssl?: KafkaSslOptions;
  sasl?: KafkaSaslOptions;
}

// kafkajs does not expose its broker list; errors name the brokers so an operator sees where it looked.
const brokersOf = new WeakMap<Kafka, string[]>();
const saslOf = new WeakMap<Kafka, { mechanism: KafkaSaslMechanism; username: string }>();

/** The brokers a client made by createKafka talks to (empty for a client made elsewhere). */
export function kafkaBrokers(kafka: Kafka): string[] {
  return brokersOf.get(kafka) ?? [];
}

/** Splits `KAFKA_BROKERS`-style text (`host:port,host:port`) into a broker list. */
export function parseBrokers(brokers: string | string[]): string[] {
  const list = (Array.isArray(brokers) ? brokers : brokers.split(','))
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (list.length === 0) throw new TypeError('at least one Kafka broker (host:port) is required');
  return list;
}

/** Creates the kafkajs client: its logs go to the given logger (kafkajs's errors at warn: the caller reports failures itself). */
export function createKafka(brokers: string | string[], options: KafkaClientOptions = {}): Kafka {
  const logger = options.logger ?? silentLogger;
  const logCreator = () => (entry: LogEntry) => {
    const { message, ...rest } = entry.log;
    const fields = { component: 'kafkajs', namespace: entry.namespace, ...rest };
    // Limited retries are deliberate (the relay re-sends the batch itself and consumers deduplicate):
    // kafkajs's warning about them would otherwise repeat at every reconnect.
    if (message.startsWith('Limiting retries for the idempotent producer')) logger.debug(fields, message);
    else if (entry.level <= logLevel.WARN) logger.warn(fields, message);
    else logger.debug(fields, message);
  };
  const list = parseBrokers(brokers);
  const kafka = new Kafka({
    clientId: options.clientId ?? 'sanksi',
    brokers: list,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    logLevel: options.logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator,
    // Fail fast on connect: the relay has its own backoff and reports the outage in its status.
    retry: { initialRetryTime: 200, retries: 3, maxRetryTime: 2000 },
    ...(options.ssl ? { ssl: options.ssl } : {}),
    ...(options.sasl ? { sasl: { ...options.sasl } as SASLOptions } : {}),
  });
  brokersOf.set(kafka, list);
  if (options.sasl) saslOf.set(kafka, { mechanism: options.sasl.mechanism, username: options.sasl.username });
  return kafka;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** True when `e` (or a cause of it) is the broker refusing the SASL credentials. */
export function isAuthenticationFailure(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 8; depth++) {
    const name = (cur as { name?: unknown }).name;
    if (name === 'KafkaJSSASLAuthenticationError' || name === 'KafkaAuthenticationFailed') return true;
    cur =
      (cur as { cause?: unknown; originalError?: unknown }).cause ??
      (cur as { originalError?: unknown }).originalError;
  }
  return false;
}

/** The error to throw for a failed connect: refused credentials are not an outage and say so. */
export function connectFailure(kafka: Kafka, e: unknown): KafkaUnavailable | KafkaAuthenticationFailed {
  const sasl = saslOf.get(kafka);
  if (isAuthenticationFailure(e)) {
    return new KafkaAuthenticationFailed(
      {
        brokers: kafkaBrokers(kafka),
        mechanism: sasl?.mechanism ?? 'none',
        username: sasl?.username ?? '',
        reason: reason(e),
      },
      { cause: e },
    );
  }
  return new KafkaUnavailable({ brokers: kafkaBrokers(kafka), reason: reason(e) }, { cause: e });
}

/**
 * Connects once to check the credentials: throws KafkaAuthenticationFailed when the broker refuses
 * them (a configuration error to report at start-up, not an outage to retry), resolves otherwise —
 * also when the broker is unreachable, which the relay and the consumer retry by themselves.
 */
export async function verifyKafkaCredentials(kafka: Kafka): Promise<'ok' | 'unreachable'> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return 'ok';
  } catch (e) {
    const failure = connectFailure(kafka, e);
    if (failure instanceof KafkaAuthenticationFailed) throw failure;
    return 'unreachable';
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** What ensureTopics found and did; `tooFewPartitions` lists topics it left alone on purpose. */
export interface EnsureTopicsReport {
  created: string[];
  existing: string[];
  tooFewPartitions: Array<{ topic: string; configured: number; actual: number }>;
}

/**
 * `waitForLeaders` only waits on the admin's own connection; a producer that asks another broker
 * connection a moment later can still hear "unknown topic or partition". Poll the metadata until
 * every partition of every new topic has a leader (a loaded machine may need a few seconds).
 */
async function untilLeadersKnown(admin: Admin, specs: TopicSpec[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) }).catch(() => null);
    const ready =
      metadata !== null &&
      specs.every((spec) => {
        const topic = metadata.topics.find((t) => t.name === spec.topic);
        return (
          topic !== undefined &&
          topic.partitions.length >= spec.numPartitions &&
          topic.partitions.every((p) => p.leader >= 0)
        );
      });
    if (ready || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Creates the missing topics with their configured partitions and waits for their leaders.
 * Existing topics are never repartitioned: adding partitions would move keys and break per-case order.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<EnsureTopicsReport> {
  const admin = kafka.admin();
  const topics = specs.map((s) => s.topic);
  try {
    await admin.connect();
  } catch (e) {
    throw connectFailure(kafka, e);
  }
  try {
    const present = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !present.has(s.topic));
    if (missing.length > 0) {
      // Another process may create the same topics at the same moment: "already exists" is fine.
      await admin.createTopics({ topics: missing, waitForLeaders: true });
      await untilLeadersKnown(admin, missing);
    }
    const existing = specs.filter((s) => present.has(s.topic));
    const tooFewPartitions: EnsureTopicsReport['tooFewPartitions'] = [];
    if (existing.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: existing.map((s) => s.topic) });
      for (const spec of existing) {
        const found: ITopicMetadata | undefined = metadata.topics.find((t) => t.name === spec.topic);
        const actual = found?.partitions.length ?? 0;
        if (actual < spec.numPartitions) {
          tooFewPartitions.push({ topic: spec.topic, configured: spec.numPartitions, actual });
        }
      }
    }
    return { created: missing.map((s) => s.topic), existing: existing.map((s) => s.topic), tooFewPartitions };
  } catch (e) {
    throw new KafkaTopicSetupFailed({ topics, reason: reason(e) }, { cause: e });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
