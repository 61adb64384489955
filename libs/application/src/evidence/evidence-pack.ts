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
import { ConfigurationInvalid } from '../config/sanksi-config';

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

/** Why a pack is not VALID: each reason names one check, in the order they run. */
export type EvidenceRejection =
  | 'malformed'
  | 'unknown-field'
  | 'bad-public-key'
  | 'wrong-key-type'
  | 'count-mismatch'
  | 'broken-chain'
  | 'head-mismatch'
  | 'bad-signature'
  | 'untrusted-key';

/** The outcome of checking an evidence pack offline. */
export type EvidenceVerification =
  | { ok: true; pseId: string; eventCount: number; headHash: string | null; publicKey: string }
  | {
      ok: false;
      reason: EvidenceRejection;
      detail: string;
      /** True when only trust failed: the content is intact and signed, by a key not trusted. */
      signatureValid: boolean;
    };

/** A public key as evidence packs and verifiers give it, parsed; or why it is not an Ed25519 key. */
export type ParsedPublicKey =
  | { ok: true; key: KeyObject }
  | { ok: false; problem: 'not-a-key' | 'not-ed25519'; detail: string };

/** Parses a base64 DER SPKI public key and accepts it only if it is an Ed25519 key. */
export function parseEd25519PublicKey(base64: string): ParsedPublicKey {
  const text = base64.replace(/\s+/g, '');
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    return {
      ok: false,
      problem: 'not-a-key',
      detail: 'not base64 (expected the base64 DER SPKI encoding of an Ed25519 key)',
    };
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return {
      ok: false,
      problem: 'not-a-key',
      detail: 'not a DER SPKI public key (expected an Ed25519 key, base64 DER SPKI)',
    };
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    return {
      ok: false,
      problem: 'not-ed25519',
      detail: `the key is ${(key.asymmetricKeyType ?? 'of an unknown type').toUpperCase()}, not Ed25519: evidence packs are signed with Ed25519 keys only`,
    };
  }
  return { ok: true, key };
}

/** Loads the Ed25519 signing key from `file`, making one (mode 0600) when none exists. */
export function loadOrCreateSigningKey(file: string, options: { create?: boolean } = {}): KeyObject {
  if (!existsSync(file)) {
    if (options.create === false) throw missingConfiguredKey(file);
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

/**
 * The public half of the configured signing key, the key a verifier on this installation trusts
 * by default; null when no key file exists (verifying never creates one).
 */
export function configuredEvidencePublicKey(
  file: string,
  options: { required?: boolean } = {},
): string | null {
  if (!existsSync(file)) {
    if (options.required) throw missingConfiguredKey(file);
    return null;
  }
  const key = createPrivateKey(readFileSync(file));
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new RangeError(`the evidence signing key in ${file} is ${key.asymmetricKeyType}, not ed25519`);
  }
  return evidencePublicKey(key);
}

/** `SANKSI_EVIDENCE_KEY` names a file that is not there: refused rather than silently replaced by a new key. */
function missingConfiguredKey(file: string): ConfigurationInvalid {
  return new ConfigurationInvalid([
    {
      variable: 'SANKSI_EVIDENCE_KEY',
      message:
        `names ${file}, which does not exist: restore the installation's key there, make one with ` +
        '`openssl genpkey -algorithm ed25519 -out <file>`, or unset it to use <data dir>/evidence-signing-key.pem',
    },
  ]);
}

/** A key (or the public half of a signing key) as evidence packs carry it: base64 DER SPKI. */
export function evidencePublicKey(key: KeyObject): string {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  return publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}

/**
 * The exact bytes a pack's signature covers: the canonical JSON (docs/storage.md) of everything in
 * the pack but `signature`. The verifier re-derives them from the file and refuses any field the
 * format does not define, so nothing in a VALID pack lies outside the signed bytes.
 */
export function evidenceSignedBytes(pack: Record<string, unknown>): Buffer {
  const { signature: _signature, ...body } = pack;
  return Buffer.from(canonicalJson(body), 'utf8');
}

/** Builds and signs the evidence pack of a case's events (oldest first) with an Ed25519 key. */
export function buildEvidencePack(
  pseId: string,
  events: PseCaseEventEnvelope[],
  signingKey: KeyObject,
  exportedAt: string,
): EvidencePack {
  if (signingKey.asymmetricKeyType !== 'ed25519') {
    throw new RangeError(
      `evidence packs are signed with Ed25519 keys only, not ${signingKey.asymmetricKeyType}`,
    );
  }
  const body = {
    format: EVIDENCE_FORMAT,
    pseId,
    exportedAt,
    eventCount: events.length,
    headHash: events.length > 0 ? events[events.length - 1].hash : null,
    events,
  } as const;
  const publicKey = evidencePublicKey(signingKey);
  const value = sign(null, evidenceSignedBytes(body), signingKey).toString('base64');
  return { ...body, signature: { algorithm: 'Ed25519', publicKey, value } };
}

/** Options of `verifyEvidencePack`. */
export interface EvidenceVerifyOptions {
  /**
   * The issuer's public key (base64 DER SPKI, as `sanksi evidence public-key` prints it). A pack
   * signed by any other key — including one it carries itself — is never VALID.
   */
  trustedPublicKey?: string | null;
}

/**
 * Verifies an evidence pack with nothing but the file and the issuer's key, strictly: the format
 * and nothing else (no unknown field anywhere, not even inside an event), an Ed25519 key, the hash
 * chain of the events as stored, the signature over the exact bytes that were signed, and last the
 * signer: only the trusted key makes a pack VALID. Each failure names its check and where it failed.
 */
export function verifyEvidencePack(
  input: unknown,
  options: EvidenceVerifyOptions = {},
): EvidenceVerification {
  const reject = (
    reason: EvidenceRejection,
    detail: string,
    signatureValid = false,
  ): EvidenceVerification => ({
    ok: false,
    reason,
    detail,
    signatureValid,
  });
  const parsed = EvidencePack.safeParse(input);
  if (!parsed.success) {
    return reject(
      'malformed',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
  }
  // zod drops keys the event schemas do not name; what it dropped was never part of the format, so
  // the pack as read must equal the pack as parsed, member for member.
  const extra = firstDifference(input, parsed.data, '');
  if (extra !== null) return reject('unknown-field', extra);
  const pack = input as Record<string, unknown>;
  const { signature, events, eventCount, headHash } = parsed.data;
  const key = parseEd25519PublicKey(signature.publicKey);
  if (!key.ok) {
    return reject(
      key.problem === 'not-ed25519' ? 'wrong-key-type' : 'bad-public-key',
      `signature.publicKey: ${key.detail}`,
    );
  }
  if (events.length !== eventCount) {
    return reject(
      'count-mismatch',
      `the pack holds ${events.length} event(s), its header says ${eventCount}`,
    );
  }
  const chain = verifyChain(events);
  if (!chain.ok) {
    const why =
      chain.reason === 'hash-mismatch'
        ? 'its content does not match its hash (changed after it was recorded)'
        : 'its prevHash is not the hash of the event before it (events removed, added or reordered)';
    return reject('broken-chain', `event ${chain.index} (${chain.eventId}): ${why}`);
  }
  if (chain.head !== headHash) {
    return reject('head-mismatch', `the last event's hash is ${chain.head}, the header says ${headHash}`);
  }
  const signed = verify(null, evidenceSignedBytes(pack), key.key, Buffer.from(signature.value, 'base64'));
  if (!signed) {
    return reject(
      'bad-signature',
      'the signature does not match the signed content with the key the pack names',
    );
  }
  const trusted = trustCheck(key.key, options.trustedPublicKey);
  if (trusted !== null) return reject('untrusted-key', trusted, true);
  return {
    ok: true,
    pseId: parsed.data.pseId,
    eventCount,
    headHash,
    publicKey: signature.publicKey,
  };
}

/** Null when `key` is the trusted key; otherwise why the signer is not trusted. */
function trustCheck(key: KeyObject, trustedPublicKey: string | null | undefined): string | null {
  const prefix = 'signature valid but key not trusted:';
  if (trustedPublicKey === undefined || trustedPublicKey === null) {
    return `${prefix} no trusted key is configured to compare with; pass the issuer's key (sanksi evidence public-key, GET /v1/evidence/public-key) with --public-key`;
  }
  const trusted = parseEd25519PublicKey(trustedPublicKey);
  if (!trusted.ok) return `${prefix} the trusted key is unusable: ${trusted.detail}`;
  if (!trusted.key.equals(key)) {
    return `${prefix} the pack is signed by ${evidencePublicKey(key)}, not by the trusted key ${evidencePublicKey(trusted.key)}`;
  }
  return null;
}

/**
 * The first place where `raw` (the pack as read) has something `parsed` (the pack as the format
 * defines it) lacks or holds differently, as `events[1].data.note is not part of the format`; null
 * when they are the same JSON.
 */
function firstDifference(raw: unknown, parsed: unknown, at: string): string | null {
  const where = at === '' ? '(root)' : at;
  if (Array.isArray(raw)) {
    if (!Array.isArray(parsed) || parsed.length !== raw.length) return `${where} differs from the format`;
    for (let i = 0; i < raw.length; i += 1) {
      const d = firstDifference(raw[i], parsed[i], `${at}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (raw !== null && typeof raw === 'object') {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return `${where} differs from the format`;
    }
    const shaped = parsed as Record<string, unknown>;
    for (const [name, value] of Object.entries(raw)) {
      const path = at === '' ? name : `${at}.${name}`;
      if (!Object.prototype.hasOwnProperty.call(shaped, name)) {
        return `${path} is not part of the evidence format (content outside what was signed)`;
      }
      const d = firstDifference(value, shaped[name], path);
      if (d !== null) return d;
    }
    return null;
  }
  return canonicalJson(raw) === canonicalJson(parsed) ? null : `${where} differs from the format`;
}
