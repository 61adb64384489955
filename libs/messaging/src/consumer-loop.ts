import type { Consumer, EachBatchPayload, IHeaders, Kafka, Producer } from 'kafkajs';
import { ensureTopics } from './kafka.client';
import { silentLogger, type MessagingLogger } from './messaging.logger';
import type { TopicSpec } from './topics.constants';
import { sleep } from './abortable-sleep';

/** Headers a dead letter carries besides the original's own (read back by `sanksi dlq`). */
export const DLQ_REASON_HEADER = 'x-dlq-reason';
/** A one-line explanation of the reason. */
export const DLQ_DETAIL_HEADER = 'x-dlq-detail';
/** `topic/partition/offset` of the original message. */
export const DLQ_SOURCE_HEADER = 'x-dlq-source';
/** The message id a consumer deduplicates by (its `ce_id` header, a body field, or its source). */
export const DLQ_MESSAGE_ID_HEADER = 'x-dlq-message-id';
/** The original's append time (epoch milliseconds, as Kafka gives it). */
export const DLQ_APPENDED_AT_HEADER = 'x-dlq-appended-at';
/** How many times the consumer tried the message before parking it. */
export const DLQ_ATTEMPTS_HEADER = 'x-dlq-attempts';

/** A consumed message as a handler sees it. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  /** Broker append time, epoch milliseconds as a string (kafkajs' form). */
  timestamp?: string;
}

/** What became of one message: done (applied, recorded, a duplicate), or parked in the DLQ with why. */
export type MessageSettlement =
  | { kind: 'settled' }
  | { kind: 'dead-letter'; reason: string; detail: string; messageId: string };

/** `waiting-for-broker`: the broker is unreachable or the consumer crashed; it reconnects with backoff. */
export type ConsumerLoopState = 'stopped' | 'connecting' | 'running' | 'waiting-for-broker';

/** The loop's own view of its health; each consumer adds its counters to it. */
export interface ConsumerLoopStatus {
  state: ConsumerLoopState;
  /** Connection attempts that failed in a row (0 once connected). */
  consecutiveFailures: number;
  /** Handler attempts that failed and were tried again or parked. */
  retries: number;
  lastError: { code: string; message: string; at: string } | null;
}

/** How a consumer loop reads, settles and parks messages. */
export interface ConsumerLoopOptions {
  kafka: Kafka;
  /** For log lines: `oss consumer`, `traffic consumer`. */
  name: string;
  topic: string;
  dlqTopic: string;
  groupId: string;
  /** Created (or checked) before each connection: the topic and its DLQ, with their layout. */
  topics: TopicSpec[];
  logger?: MessagingLogger;
  /** The logger for lines about one message (e.g. with its trace id); default `logger`. */
  loggerFor?(message: ConsumedMessage): MessagingLogger;
  /**
   * Settles messages in offset order, one settlement per message: one message at a time, or each
   * fetched batch whole when `batch` is set. A throw is retried (see `isTransient`, `maxAttempts`).
   */
  settle(messages: readonly ConsumedMessage[]): Promise<MessageSettlement[]>;
  batch?: boolean;
  /** The id a message parked as `handler-failed` is listed under. */
  messageIdOf(message: ConsumedMessage): string;
  /**
   * Failures worth waiting out (store or network away): retried in place without limit and never
   * parked. Any other failure is tried `maxAttempts` times (default 5), then — for a batch, one message
   * at a time, so only the failing one is parked — dead-lettered as `handler-failed` with the error.
   */
  isTransient?(e: unknown): boolean;
  maxAttempts?: number;
  /** Backoff between handler attempts: doubles from `initialMs` to `maxMs` (200 ms, 5 s). */
  retryBackoff?: { initialMs?: number; maxMs?: number };
  /** Reconnect backoff after a broker failure: doubles from `initialMs` to `maxMs` (250 ms, 30 s), with jitter. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Supervision hook: told of each settled message, after its dead letter (if any) is acknowledged. */
  onSettled?(message: ConsumedMessage, settlement: MessageSettlement, attempts: number): void;
  /** Supervision hook: told of every state change. */
  onState?(state: ConsumerLoopState): void;
}

// kafkajs' disconnect waits for a group join in progress, and after a member crashed (SIGKILL) the
// coordinator holds that join until the dead member's session expires (30 s): a stop must not wait for
// it. Past this bound the client is dropped and the broker expires the member on its own. The bound is
// above kafkajs' fetch long-poll (maxWaitTimeInMs, 5 s), which an ordinary disconnect waits out.
const DISCONNECT_WITHIN_MS = 6_000;

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

/** An error as the code and message a status or a dead letter shows. */
export function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : e.name, message: e.message };
  }
  return { code: 'UNKNOWN', message: String(e) };
}

function headerSafe(text: string): string {
  // Kafka headers are bytes, but operators read them in consoles: keep them on one line and short.
  return text.replace(/\s+/g, ' ').slice(0, 1000);
}

/** Thrown out of a batch when the loop is stopping or lost its partitions: nothing more is committed. */
class SettlingAbandoned extends Error {
  constructor() {
    super('settling abandoned: the consumer is stopping or its partitions were reassigned');
    this.name = 'SettlingAbandoned';
  }
}

/**
 * One consumer-group loop for every inbound topic (OSS registrations, traffic observations): connects
 * with backoff and reconnects after a crash, settles messages through the handler with bounded retries,
 * publishes what cannot be settled to the DLQ with its reason in headers, and commits a message's offset
 * only after it is settled (a crash redelivers, harmlessly for idempotent handlers). A missing broker is
 * retried, never thrown.
 */
export class KafkaConsumerLoop {
  private readonly logger: MessagingLogger;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private state: ConsumerLoopState = 'stopped';
  private consecutiveFailures = 0;
  private retries = 0;
  private lastError: ConsumerLoopStatus['lastError'] = null;

  constructor(private readonly options: ConsumerLoopOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts consuming in the background; resolves at once, even if the broker is down. */
  async start(): Promise<void> {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.setState('connecting');
    this.loop = this.run(abort.signal).finally(() => this.setState('stopped'));
  }

  /** Stops after the message or batch in hand is settled (or abandoned uncommitted), and disconnects. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
    this.abort = null;
  }

  /** State, failures and the last error. */
  status(): ConsumerLoopStatus {
    return {
      state: this.state,
      consecutiveFailures: this.consecutiveFailures,
      retries: this.retries,
      lastError: this.lastError,
    };
  }

  private logFor(message: ConsumedMessage): MessagingLogger {
    return this.options.loggerFor?.(message) ?? this.logger;
  }

  private setState(state: ConsumerLoopState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState?.(state);
  }

  private failedAt(e: unknown): void {
    this.lastError = { ...describeError(e), at: new Date().toISOString() };
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { kafka, topic, groupId } = this.options;
    // Joining the group (inside consumer.run) can take a whole session timeout after a member crashed:
    // a stop must not wait for it, so every start-up step gives way to the abort.
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const unlessAborted = (step: Promise<unknown>) => Promise.race([step, aborted]);
    while (!signal.aborted) {
      let consumer: Consumer | null = null;
      let producer: Producer | null = null;
      try {
        await ensureTopics(kafka, this.options.topics);
        producer = kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
        });
        await producer.connect();
        consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
        const fatal = this.watchCrashes(consumer);
        await unlessAborted(consumer.connect());
        if (signal.aborted) break;
        await consumer.subscribe({ topic, fromBeginning: true });
        const dlq = producer;
        await unlessAborted(
          consumer.run({
            eachBatchAutoResolve: false,
            eachBatch: (payload) => this.onBatch(payload, dlq, signal),
          }),
        );
        if (signal.aborted) break;
        if (this.consecutiveFailures > 0) this.logger.info({ groupId }, `${this.options.name} reconnected`);
        this.setState('running');
        this.consecutiveFailures = 0;
        const crash = await Promise.race([aborted.then(() => null), fatal]);
        if (crash) throw crash;
      } catch (e) {
        if (signal.aborted) break;
        await disconnectWithin(consumer);
        await disconnectWithin(producer);
        consumer = null;
        producer = null;
        await this.waitToReconnect(e, signal);
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
        this.failedAt(error);
        if (restart) {
          this.setState('waiting-for-broker');
          this.logger.error({ err: this.lastError }, `${this.options.name} crashed; kafkajs restarts it`);
        } else {
          resolve(error);
        }
      });
      consumer.on(consumer.events.GROUP_JOIN, () => this.setState('running'));
    });
  }

  private async waitToReconnect(e: unknown, signal: AbortSignal): Promise<void> {
    this.setState('waiting-for-broker');
    this.consecutiveFailures += 1;
    this.failedAt(e);
    const initial = this.options.backoff?.initialMs ?? 250;
    const max = this.options.backoff?.maxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** Math.min(this.consecutiveFailures - 1, 16));
    // Jitter: members of one group that lost the broker together do not all come back at once.
    const wait = Math.round(delay / 2 + (Math.random() * delay) / 2);
    this.logger.error(
      { err: this.lastError, attempt: this.consecutiveFailures, retryInMs: wait },
      `${this.options.name} cannot reach Kafka, retrying`,
    );
    await sleep(wait, signal);
  }

  private async onBatch(payload: EachBatchPayload, dlq: Producer, signal: AbortSignal): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    if (batch.messages.length === 0) return;
    const messages: ConsumedMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key,
      value: m.value,
      headers: m.headers,
      timestamp: m.timestamp,
    }));
    const chunks = this.options.batch ? [messages] : messages.map((m) => [m]);
    for (const chunk of chunks) {
      if (signal.aborted || !isRunning() || isStale()) return;
      const settled = await this.settleWithRetries(chunk, heartbeat, signal, isRunning, isStale);
      await this.deadLetter(dlq, settled);
      for (const m of chunk) resolveOffset(m.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
      for (const { message, settlement, attempts } of settled)
        this.options.onSettled?.(message, settlement, attempts);
    }
  }

  /**
   * Settles a chunk, trying again after a failure: transient ones until they pass (or the loop stops:
   * then nothing is committed and the group delivers the chunk again), others `maxAttempts` times — then
   * a batch is settled one message at a time, and a single message is parked as `handler-failed`.
   */
  private async settleWithRetries(
    chunk: readonly ConsumedMessage[],
    heartbeat: () => Promise<void>,
    signal: AbortSignal,
    isRunning: () => boolean,
    isStale: () => boolean,
  ): Promise<Array<{ message: ConsumedMessage; settlement: MessageSettlement; attempts: number }>> {
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    const initial = this.options.retryBackoff?.initialMs ?? 200;
    const max = this.options.retryBackoff?.maxMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      try {
        const settlements = await this.options.settle(chunk);
        if (settlements.length !== chunk.length)
          throw new TypeError(`${settlements.length} settlements for ${chunk.length} messages`);
        return chunk.map((message, i) => ({ message, settlement: settlements[i], attempts: attempt }));
      } catch (e) {
        this.retries += 1;
        this.failedAt(e);
        const first = chunk[0];
        const source = `${first.topic}/${first.partition}/${first.offset}${chunk.length > 1 ? ` (+${chunk.length - 1})` : ''}`;
        const transient = this.options.isTransient?.(e) ?? false;
        if (signal.aborted || !isRunning() || isStale()) throw new SettlingAbandoned();
        if (!transient && attempt >= maxAttempts) {
          if (chunk.length > 1) {
            const one: Array<{ message: ConsumedMessage; settlement: MessageSettlement; attempts: number }> =
              [];
            for (const m of chunk)
              one.push(...(await this.settleWithRetries([m], heartbeat, signal, isRunning, isStale)));
            return one;
          }
          const error = describeError(e);
          const settlement: MessageSettlement = {
            kind: 'dead-letter',
            messageId: this.options.messageIdOf(first),
            reason: 'handler-failed',
            detail: `${error.code}: ${error.message} (failed ${attempt} time(s))`,
          };
          return [{ message: first, settlement, attempts: attempt }];
        }
        const wait = Math.min(max, initial * 2 ** Math.min(attempt - 1, 16));
        this.logFor(first).error(
          { err: e, source, attempt, maxAttempts: transient ? null : maxAttempts, retryInMs: wait },
          transient
            ? `${this.options.name}: message failed transiently; retrying until it passes`
            : `${this.options.name}: message failed; retrying before it is dead-lettered`,
        );
        await sleep(wait, signal);
        await heartbeat().catch(() => undefined);
      }
    }
  }

  /** Publishes the chunk's dead letters (acks from all in-sync replicas) before any offset is committed. */
  private async deadLetter(
    dlq: Producer,
    settled: ReadonlyArray<{ message: ConsumedMessage; settlement: MessageSettlement; attempts: number }>,
  ): Promise<void> {
    const letters = settled.flatMap(({ message, settlement, attempts }) => {
      if (settlement.kind !== 'dead-letter') return [];
      const headers: IHeaders = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = value;
      }
      const source = `${message.topic}/${message.partition}/${message.offset}`;
      headers[DLQ_REASON_HEADER] = settlement.reason;
      headers[DLQ_DETAIL_HEADER] = headerSafe(settlement.detail);
      headers[DLQ_SOURCE_HEADER] = source;
      headers[DLQ_MESSAGE_ID_HEADER] = settlement.messageId;
      if (message.timestamp !== undefined) headers[DLQ_APPENDED_AT_HEADER] = message.timestamp;
      headers[DLQ_ATTEMPTS_HEADER] = String(attempts);
      this.logFor(message).warn(
        { messageId: settlement.messageId, reason: settlement.reason, detail: settlement.detail, source },
        `${this.options.name}: message dead-lettered`,
      );
      return [{ key: message.key, value: message.value, headers }];
    });
    if (letters.length > 0) await dlq.send({ topic: this.options.dlqTopic, acks: -1, messages: letters });
  }
}
