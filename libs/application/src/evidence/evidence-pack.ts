import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson, PseCaseEventEnvelope, verifyChain } from '@sanksi/domain';
import { z } from 'zod';

export const EVIDENCE_FORMAT = 'sanksi-evidence/v1';

/** A self-contained, signed export of one case: events, their hash chain, an Ed25519 signature. */
export const EvidencePack = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  pseId: z.string().min(1),
  exportedAt: z.string(),
  eventCount: z.number().int().nonnegative(),
  headHash: z.string().nullable(),
  events: z.array(PseCaseEventEnvelope),
  signature: z.strictObject({
    algorithm: z.literal('Ed25519'),
    publicKey: z.string().min(1),
    value: z.string().min(1),
  }),
});
export type EvidencePack = z.infer<typeof EvidencePack>;

/** The outcome of checking an evidence pack offline. */
export type EvidenceVerification =
  | { ok: true; pseId: string; eventCount: number; headHash: string | null; publicKey: string }
  | { ok: false; reason: string; detail: string };

/** Loads the Ed25519 signing key from `file`, making one (mode 0600) when none exists. */
export function loadOrCreateSigningKey(file: string): KeyObject {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  const key = createPrivateKey(readFileSync(file));
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RangeError(`the evidence signing key in ${file} is ${key.asymmetricKeyType}, not ed25519`);
  }
  return key;
}

/** The public half of a signing key as evidence packs carry it: base64 of the DER SPKI encoding. */
export function evidencePublicKey(signingKey: KeyObject): string {
  return createPublicKey(signingKey).export({ format: 'der', type: 'spki' }).toString('base64');
}

/** Builds and signs the evidence pack of a case's events (oldest first). */
export function buildEvidencePack(
  pseId: string,
  events: PseCaseEventEnvelope[],
  signingKey: KeyObject,
  exportedAt: string,
): EvidencePack {
  const body = {
    format: EVIDENCE_FORMAT,
    pseId,
    exportedAt,
    eventCount: events.length,
    headHash: events.length > 0 ? events[events.length - 1].hash : null,
    events,
  } as const;
  const publicKey = evidencePublicKey(signingKey);
  const value = sign(null, Buffer.from(canonicalJson(body)), signingKey).toString('base64');
  return { ...body, signature: { algorithm: 'Ed25519', publicKey, value } };
}

/**
 * Verifies an evidence pack with nothing but the file: its shape, the signature over its canonical
 * JSON, and the hash chain of its events (naming the first broken link). Without
 * `trustedPublicKey` a pack re-signed by anyone verifies; pin the issuer's key (base64 DER SPKI,
 * as `signature.publicKey` and `sanksi evidence public-key` print it) to refuse other signers.
 */
export function verifyEvidencePack(
  input: unknown,
  options: { trustedPublicKey?: string } = {},
): EvidenceVerification {
  const parsed = EvidencePack.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      reason: 'malformed',
      detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  const { signature, ...body } = parsed.data;
  if (options.trustedPublicKey !== undefined && options.trustedPublicKey.trim() !== signature.publicKey) {
    return {
      ok: false,
      reason: 'untrusted-key',
      detail: `signed by ${signature.publicKey}, not by the trusted key ${options.trustedPublicKey.trim()}`,
    };
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({
      key: Buffer.from(signature.publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return { ok: false, reason: 'bad-public-key', detail: 'the public key is not a DER SPKI Ed25519 key' };
  }
  const signed = verify(
    null,
    Buffer.from(canonicalJson(body)),
    publicKey,
    Buffer.from(signature.value, 'base64'),
  );
  if (!signed)
    return { ok: false, reason: 'bad-signature', detail: 'the signature does not match the content' };
  if (body.events.length !== body.eventCount) {
    return {
      ok: false,
      reason: 'count-mismatch',
      detail: `${body.events.length} events, header says ${body.eventCount}`,
    };
  }
  const chain = verifyChain(body.events);
  if (!chain.ok) {
    return {
      ok: false,
      reason: 'broken-chain',
      detail: `event ${chain.index} (${chain.eventId}): ${chain.reason}`,
    };
  }
  const head = body.events.length > 0 ? body.events[body.events.length - 1].hash : null;
  if (head !== body.headHash)
    return { ok: false, reason: 'head-mismatch', detail: `head ${head} ≠ ${body.headHash}` };
  return {
    ok: true,
    pseId: body.pseId,
    eventCount: body.eventCount,
    headHash: head,
    publicKey: signature.publicKey,
  };
}
