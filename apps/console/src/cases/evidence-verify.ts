import type { EvidencePack } from '../api/sanksi-api';

/** JSON with object keys sorted at every depth, `undefined` members dropped: the text the server hashes and signs. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .filter((k) => record[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
    .join(',')}}`;
}

const hex = (buffer: ArrayBuffer) =>
  [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
const bytes = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** What checking an evidence pack found: VALID only when every check passed. */
export interface EvidenceCheck {
  ok: boolean;
  /** The first check that failed, in words. */
  failure: string | null;
  events: number;
  headHash: string | null;
}

/**
 * Verifies an evidence pack in the browser as `sanksi evidence verify` does on the command line: each
 * event's hash over its canonical JSON, the chain of previous hashes, the count and head, the Ed25519
 * signature over the pack without its signature, and that the signer is the server's published key.
 */
export async function verifyEvidence(
  pack: EvidencePack,
  trustedPublicKey: string,
  subtle: SubtleCrypto = crypto.subtle,
): Promise<EvidenceCheck> {
  const result = (failure: string | null): EvidenceCheck => ({
    ok: failure === null,
    failure,
    events: pack.events.length,
    headHash: pack.headHash,
  });
  let previous: string | null = null;
  for (const [i, event] of pack.events.entries()) {
    const { hash, ...rest } = event;
    const digest = hex(await subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(rest))));
    if (digest !== hash) return result(`event ${i + 1} (${event.type}): its hash does not match its content`);
    if (event.prevHash !== previous)
      return result(`event ${i + 1} (${event.type}): the chain is broken before it`);
    previous = hash;
  }
  if (pack.eventCount !== pack.events.length)
    return result(`eventCount says ${pack.eventCount}, the pack holds ${pack.events.length}`);
  if (pack.headHash !== previous) return result('headHash is not the hash of the last event');
  if (pack.signature.algorithm !== 'Ed25519')
    return result(`signature algorithm ${pack.signature.algorithm} is not Ed25519`);
  const { signature, ...body } = pack;
  let valid: boolean;
  try {
    const key = await subtle.importKey('spki', bytes(signature.publicKey), { name: 'Ed25519' }, false, [
      'verify',
    ]);
    valid = await subtle.verify(
      { name: 'Ed25519' },
      key,
      bytes(signature.value),
      new TextEncoder().encode(canonicalJson(body)),
    );
  } catch (e) {
    return result(`the signature could not be checked: ${(e as Error).message}`);
  }
  if (!valid) return result('the signature does not match the pack');
  if (signature.publicKey !== trustedPublicKey)
    return result("the pack is signed by another key than the server's");
  return result(null);
}
