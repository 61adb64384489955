import type { PseCaseEventEnvelope } from '@sanksi/domain';
import type { EventToAppend, RecordedEvent } from '@sanksi/event-store';

/** The stream that holds one case's events. */
export function caseStreamId(pseId: string): string {
  return `pse-${pseId}`;
}

/** The category every case stream belongs to (for `readAll`/`subscribe` filters). */
export const CASE_STREAM_CATEGORY = 'pse';

/** Maps a domain envelope to what the (domain-agnostic) store keeps. */
export function toStoredEvent(envelope: PseCaseEventEnvelope): EventToAppend {
  const { eventId, type, data, schemaVersion, ...metadata } = envelope;
  return { eventId, type, data, schemaVersion, metadata };
}

/**
 * Rebuilds the domain envelope from a stored event. The store has already upcast old shapes;
 * the envelope's own fields live in `metadata`.
 */
export function fromStoredEvent(recorded: RecordedEvent): PseCaseEventEnvelope {
  return {
    ...(recorded.metadata as Omit<PseCaseEventEnvelope, 'eventId' | 'type' | 'data' | 'schemaVersion'>),
    eventId: recorded.eventId,
    type: recorded.type,
    data: recorded.data,
    schemaVersion: recorded.schemaVersion,
  } as PseCaseEventEnvelope;
}
