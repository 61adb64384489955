import type { PseCaseEventEnvelope } from '@sanksi/domain';
import type { EventToAppend, RecordedEvent } from '@sanksi/event-store';

/** The stream that holds one case's events. */
export function caseStreamId(pseId: string): string {
  return `pse-${pseId}`;
}

/** The case a stream belongs to (the inverse of `caseStreamId`). */
export function pseIdOfStream(streamId: string): string {
  return streamId.startsWith('pse-') ? streamId.slice('pse-'.length) : streamId;
}

/** The category every case stream belongs to (for `readAll`/`subscribe` filters). */
export const CASE_STREAM_CATEGORY = 'pse';

/** Where the stored metadata keeps the digest of the command an event answers (never part of the envelope). */
const DIGEST_KEY = 'commandDigest';

/**
 * Maps a domain envelope to what the (domain-agnostic) store keeps; `commandDigest` (what the sender
 * asked, to refuse a reused idempotency key) rides in the metadata beside the envelope's own fields.
 */
export function toStoredEvent(envelope: PseCaseEventEnvelope, commandDigest?: string): EventToAppend {
  const { eventId, type, data, schemaVersion, ...metadata } = envelope;
  return {
    eventId,
    type,
    data,
    schemaVersion,
    metadata: commandDigest === undefined ? metadata : { ...metadata, [DIGEST_KEY]: commandDigest },
  };
}

/** The digest of the command a stored event answers, when its sender's command recorded one. */
export function commandDigestOf(recorded: RecordedEvent): string | undefined {
  const digest = (recorded.metadata as Record<string, unknown> | null)?.[DIGEST_KEY];
  return typeof digest === 'string' ? digest : undefined;
}

/**
 * Rebuilds the domain envelope from a stored event. The store has already upcast old shapes;
 * the envelope's own fields live in `metadata`.
 */
export function fromStoredEvent(recorded: RecordedEvent): PseCaseEventEnvelope {
  const { [DIGEST_KEY]: _digest, ...metadata } = recorded.metadata as Record<string, unknown>;
  return {
    ...(metadata as Omit<PseCaseEventEnvelope, 'eventId' | 'type' | 'data' | 'schemaVersion'>),
    eventId: recorded.eventId,
    type: recorded.type,
    data: recorded.data,
    schemaVersion: recorded.schemaVersion,
  } as PseCaseEventEnvelope;
}
