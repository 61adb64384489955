import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import type { SanksiRuntime } from '../runtime/sanksi-runtime';
import {
  OssRegistrationHandler,
  type OssHandlerOptions,
  type RegistrationOutcome,
} from './oss-registration.handler';
import {
  DLQ_APPENDED_AT_HEADER,
  DLQ_ATTEMPTS_HEADER,
  DLQ_DETAIL_HEADER,
  DLQ_MESSAGE_ID_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_HEADER,
  type InboundMessage,
} from './oss-registration.message';

/** One message of the DLQ, with the consumer's reasons read back from its headers. */
export interface DeadLetter {
  /** Where it sits in the DLQ topic. */
  partition: number;
  offset: string;
  /** The headers the consumer added. */
  reason: string;
  detail: string;
  source: string;
  messageId: string;
  appendedAt: string | null;
  attempts: number | null;
  /** The original message: key, value and its own headers (the `x-dlq-*` ones removed). */
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

function text(value: IHeaders[string]): string {
  const single = Array.isArray(value) ? value[0] : value;
  if (single === undefined) return '';
  return typeof single === 'string' ? single : single.toString('utf8');
}

/**
 * Reads the whole DLQ as it stands now (up to each partition's high watermark at the start), with a
 * throw-away consumer group, so reading commits nothing and changes nothing for anyone.
 */
export async function readDeadLetters(
  kafka: Kafka,
  dlqTopic: string,
  timeoutMs = 60_000,
): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  let highs: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(dlqTopic);
    highs = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    const lows = new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
    for (const [p, high] of highs) if (high <= (lows.get(p) ?? 0n)) highs.delete(p);
  } finally {
    await admin.disconnect();
  }
  if (highs.size === 0) return [];
  const letters: DeadLetter[] = [];
  const consumer = kafka.consumer({
    groupId: `sanksi-dlq-reader-${randomUUID()}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
    const pending = new Set(highs.keys());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${dlqTopic} did not reach its end within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const high = highs.get(partition);
            if (high === undefined || BigInt(message.offset) >= high) return;
            const all = message.headers ?? {};
            const headers: IHeaders = {};
            for (const [name, value] of Object.entries(all)) {
              if (!name.startsWith('x-dlq-') && value !== undefined) headers[name] = value;
            }
            const attempts = Number(text(all[DLQ_ATTEMPTS_HEADER]));
            letters.push({
              partition,
              offset: message.offset,
              reason: text(all[DLQ_REASON_HEADER]),
              detail: text(all[DLQ_DETAIL_HEADER]),
              source: text(all[DLQ_SOURCE_HEADER]),
              messageId: text(all[DLQ_MESSAGE_ID_HEADER]),
              appendedAt: text(all[DLQ_APPENDED_AT_HEADER]) || null,
              attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : null,
              key: message.key,
              value: message.value,
              headers,
            });
            if (BigInt(message.offset) >= high - 1n) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return letters.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** What replaying one dead letter did. */
export interface ReplayResult {
  letter: DeadLetter;
  outcome: RegistrationOutcome;
}

/**
 * Applies dead letters again through the consumer's own handler, in DLQ order: signature (checked
 * against the original append time the DLQ kept), body, case, command — idempotent by message id, so
 * a letter already applied comes back `duplicate`. Re-publishing to the topic instead would give the
 * message a new append time that its signature no longer matches. A letter that still cannot be
 * applied is reported, not dead-lettered again.
 */
export async function replayDeadLetters(
  runtime: SanksiRuntime,
  letters: readonly DeadLetter[],
  options: OssHandlerOptions = {},
): Promise<ReplayResult[]> {
  const handler = new OssRegistrationHandler(runtime, options);
  const results: ReplayResult[] = [];
  for (const letter of letters) {
    const [topic = '', partition = '0', offset = letter.offset] = letter.source.split('/');
    const inbound: InboundMessage = {
      topic,
      partition: Number(partition),
      offset,
      key: letter.key,
      value: letter.value,
      headers: letter.headers,
      ...(letter.appendedAt ? { timestamp: letter.appendedAt } : {}),
    };
    results.push({ letter, outcome: await handler.handle(inbound) });
  }
  return results;
}
