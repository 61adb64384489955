import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header holding the producer's signature: `v1;keyId=<id>;sig=<hex HMAC-SHA256>`. */
export const OSS_SIGNATURE_HEADER = 'sanksi-signature';
/** Header holding the signing time, epoch milliseconds, covered by the signature. */
export const OSS_SIGNATURE_TIMESTAMP_HEADER = 'sanksi-signature-timestamp';

/** A producer key of the allow-list (`SANKSI_OSS_PRODUCER_KEYS`). */
export interface OssProducerKey {
  keyId: string;
  secret: string;
}

/** Why a message's signature was not accepted (these are also DLQ reasons). */
export type SignatureProblemReason = 'unsigned' | 'unknown-key' | 'bad-signature' | 'signature-expired';

type HeaderValue = Buffer | string | Array<Buffer | string> | undefined;

/** What a signature covers, as bytes: the message value, its key, and the headers that name it. */
export interface SignedParts {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, HeaderValue>;
}

function bytes(value: HeaderValue | null): Buffer {
  const single = Array.isArray(value) ? value[0] : value;
  if (single === undefined || single === null) return Buffer.alloc(0);
  return typeof single === 'string' ? Buffer.from(single, 'utf8') : single;
}

/**
 * The signed bytes: version, timestamp, `ce_id` and `message-id` headers (the id a registration is
 * recorded under, so a replay cannot pose as a new message), key and value, each length-prefixed so no
 * two different messages share a payload.
 */
function payload(parts: SignedParts, timestamp: string): Buffer {
  const fields = [
    Buffer.from('sanksi-oss-v1'),
    Buffer.from(timestamp),
    bytes(parts.headers?.['ce_id']),
    bytes(parts.headers?.['message-id']),
    bytes(parts.key),
    bytes(parts.value),
  ];
  return Buffer.concat(fields.flatMap((f) => [Buffer.from(`${f.length}:`), f, Buffer.from('\n')]));
}

/**
 * An epoch-ms time as ISO text, or as the raw number when no Date can hold it (a broker timestamp
 * beyond ±8.64e15 ms made toISOString throw, found by fuzzing: the handler then failed instead of
 * dead-lettering the message as signature-expired).
 */
function instantOrRaw(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} (epoch ms, out of range)` : date.toISOString();
}

function hmac(secret: string, data: Buffer): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** The two headers a producer adds to a message it signs with `key` (timestamp: now unless given). */
export function signOssMessage(
  parts: SignedParts,
  key: OssProducerKey,
  timestampMs: number = Date.now(),
): Record<string, string> {
  const timestamp = String(Math.trunc(timestampMs));
  const sig = hmac(key.secret, payload(parts, timestamp)).toString('hex');
  return {
    [OSS_SIGNATURE_TIMESTAMP_HEADER]: timestamp,
    [OSS_SIGNATURE_HEADER]: `v1;keyId=${key.keyId};sig=${sig}`,
  };
}

/** The outcome of a check: the key that signed, or why the message is refused (with a one-line detail). */
export type SignatureCheck =
  | { ok: true; keyId: string }
  | { ok: false; reason: SignatureProblemReason; detail: string };

/**
 * Checks a message against the allow-list. `appendedAtMs` is the broker's append time of the message
 * (the OSS topic uses `message.timestamp.type=LogAppendTime`, so a producer cannot choose it): the
 * signature's timestamp must lie within `windowMs` of it, so a captured message re-sent later is
 * refused, however late the consumer reads it.
 */
export function verifyOssSignature(
  parts: SignedParts,
  keys: readonly OssProducerKey[],
  options: { appendedAtMs: number; windowMs: number },
): SignatureCheck {
  const header = bytes(parts.headers?.[OSS_SIGNATURE_HEADER]).toString('utf8').trim();
  const timestamp = bytes(parts.headers?.[OSS_SIGNATURE_TIMESTAMP_HEADER]).toString('utf8').trim();
  if (header === '' || timestamp === '') {
    return {
      ok: false,
      reason: 'unsigned',
      detail: `no ${OSS_SIGNATURE_HEADER} / ${OSS_SIGNATURE_TIMESTAMP_HEADER} header: OSS producers must sign (docs/decisions/0005)`,
    };
  }
  const match = /^v1;keyId=([A-Za-z0-9._-]{1,64});sig=([0-9a-f]{64})$/.exec(header);
  if (!match) {
    return {
      ok: false,
      reason: 'bad-signature',
      detail: `${OSS_SIGNATURE_HEADER} must be v1;keyId=<id>;sig=<64 hex digits>`,
    };
  }
  if (!/^\d{1,15}$/.test(timestamp)) {
    return {
      ok: false,
      reason: 'bad-signature',
      detail: `${OSS_SIGNATURE_TIMESTAMP_HEADER} must be epoch milliseconds`,
    };
  }
  const [, keyId, sig] = match;
  const key = keys.find((k) => k.keyId === keyId);
  if (!key) {
    return {
      ok: false,
      reason: 'unknown-key',
      detail: `key id "${keyId}" is not in SANKSI_OSS_PRODUCER_KEYS (known: ${keys.map((k) => k.keyId).join(', ') || 'none'})`,
    };
  }
  const expected = hmac(key.secret, payload(parts, timestamp));
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) {
    return {
      ok: false,
      reason: 'bad-signature',
      detail: `the signature of key "${keyId}" does not match the message (value, key, id headers or timestamp changed, or another secret)`,
    };
  }
  const skew = Math.abs(options.appendedAtMs - Number(timestamp));
  // A missing append time (NaN) must refuse, not slip through a comparison that is always false.
  if (!Number.isFinite(options.appendedAtMs)) {
    return {
      ok: false,
      reason: 'signature-expired',
      detail: 'the message has no broker timestamp to check the signature time against',
    };
  }
  if (!Number.isFinite(skew) || skew > options.windowMs) {
    return {
      ok: false,
      reason: 'signature-expired',
      detail: `signed at ${instantOrRaw(Number(timestamp))}, appended at ${instantOrRaw(options.appendedAtMs)}: more than ${options.windowMs / 1000} s apart (a replayed or long-delayed message)`,
    };
  }
  return { ok: true, keyId };
}
