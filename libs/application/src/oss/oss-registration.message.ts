import { Instant, RegistrationNumber } from '@sanksi/domain';
import { z } from 'zod';

// The DLQ headers are the shared consumer loop's (libs/messaging consumer-loop.ts): one set for every inbound topic.
export {
  DLQ_APPENDED_AT_HEADER,
  DLQ_ATTEMPTS_HEADER,
  DLQ_DETAIL_HEADER,
  DLQ_MESSAGE_ID_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_HEADER,
} from '@sanksi/messaging';

/**
 * Why a message went to the DLQ instead of becoming a command: its body (`unparseable`, `invalid`),
 * its case (`unknown-case`, `ambiguous-case`), the machine (`refused`), its producer's signature
 * (`unsigned`, `unknown-key`, `bad-signature`, `signature-expired`, docs/decisions/0005), or a fault
 * that repeated on every attempt (`handler-failed`).
 */
export type DeadLetterReason =
  | 'unparseable'
  | 'invalid'
  | 'unknown-case'
  | 'ambiguous-case'
  | 'refused'
  | 'unsigned'
  | 'unknown-key'
  | 'bad-signature'
  | 'signature-expired'
  | 'handler-failed';

/** The body of one `oss.registrations.v1` message: a registration OSS confirmed, for a case or a domain. */
export const OssRegistrationMessage = z
  .object({
    messageId: z.string().min(1).optional(),
    registrationNumber: RegistrationNumber,
    pseId: z.string().min(1).optional(),
    domain: z.string().min(1).optional(),
    confirmedAt: Instant,
  })
  .refine((m) => m.pseId !== undefined || m.domain !== undefined, {
    message: 'names neither pseId nor domain',
    path: ['pseId'],
  });
export type OssRegistrationMessage = z.infer<typeof OssRegistrationMessage>;

/** A consumed Kafka message, as far as the consumer needs it (kafkajs's shape, library-neutral). */
export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
  /** The broker's timestamp, epoch ms as text (the append time on the OSS topic, LogAppendTime). */
  timestamp?: string;
}

/** Why a body could not be read: which reason, and a one-line detail. */
export interface BodyProblem {
  reason: Extract<DeadLetterReason, 'unparseable' | 'invalid'>;
  detail: string;
}

function text(value: Buffer | string | Array<Buffer | string> | undefined | null): string | undefined {
  const single = Array.isArray(value) ? value[0] : value;
  if (single === undefined || single === null) return undefined;
  return typeof single === 'string' ? single : single.toString('utf8');
}

/**
 * The id redeliveries share: the `ce_id` or `message-id` header, else the body's `messageId`, else the
 * message's place in the log (`topic-partition-offset`, stable across redeliveries of that copy).
 */
export function messageIdOf(message: InboundMessage, body?: { messageId?: string }): string {
  const header = text(message.headers?.['ce_id']) ?? text(message.headers?.['message-id']);
  if (header && header.trim() !== '') return header.trim();
  if (body?.messageId) return body.messageId;
  return `${message.topic}-${message.partition}-${message.offset}`;
}

/** Parses and validates a message body; a problem names the DLQ reason. */
export function parseRegistrationBody(
  value: Buffer | string | null,
): { ok: true; body: OssRegistrationMessage } | { ok: false; problem: BodyProblem } {
  const raw = text(value);
  if (raw === undefined || raw.trim() === '') {
    return { ok: false, problem: { reason: 'unparseable', detail: 'empty message body' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return {
      ok: false,
      problem: { reason: 'unparseable', detail: `not JSON: ${e instanceof Error ? e.message : String(e)}` },
    };
  }
  const parsed = OssRegistrationMessage.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return { ok: false, problem: { reason: 'invalid', detail } };
  }
  return { ok: true, body: parsed.data };
}
