import type { PseCaseEventEnvelope } from '../pse-case/pse-case.events';
import { hashEnvelope } from './hash';

/** The outcome of checking a case's hash chain: intact, or the first broken link. */
export type ChainVerification =
  | { ok: true; length: number; head: string | null }
  | { ok: false; index: number; eventId: string; reason: 'hash-mismatch' | 'prev-hash-mismatch' };

/** Verifies a case's hash chain offline: each hash covers its envelope, each `prevHash` the previous hash. */
export function verifyChain(envelopes: readonly PseCaseEventEnvelope[]): ChainVerification {
  let previous: string | null = null;
  for (const [index, envelope] of envelopes.entries()) {
    if (hashEnvelope(envelope as unknown as Record<string, unknown>) !== envelope.hash) {
      return { ok: false, index, eventId: envelope.eventId, reason: 'hash-mismatch' };
    }
    if (envelope.prevHash !== previous) {
      return { ok: false, index, eventId: envelope.eventId, reason: 'prev-hash-mismatch' };
    }
    previous = envelope.hash;
  }
  return { ok: true, length: envelopes.length, head: previous };
}
