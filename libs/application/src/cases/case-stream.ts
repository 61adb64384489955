import { STORED_NOTE_KEYS } from '@sanksi/contracts';
import type { PseCaseEventEnvelope } from '@sanksi/domain';
import type { EventToAppend, RecordedEvent } from '@sanksi/event-store';

// Stream naming (`caseStreamId`, `CASE_STREAM_CATEGORY`) and reading an envelope back (`fromRecorded`)
// live in @sanksi/contracts, shared by every reader (docs/decisions/0010-one-envelope.md); what is left
// here is the write side: the envelope and the command's notes as the domain-agnostic store keeps them.

/** What the store keeps about an event's command besides the envelope. */
export interface StoredCommandNotes {
  /** What the sender asked (to refuse a reused idempotency key), on the command's own events. */
  commandDigest?: string;
  /** The command id of the append that wrote the event (catch-up events carry their own command ids). */
  append?: string;
  /** The trace id of the request or message behind the command, for the relay's `traceparent` header. */
  traceId?: string;
}

/** Maps a domain envelope to what the (domain-agnostic) store keeps, with the command notes beside it. */
export function toStoredEvent(envelope: PseCaseEventEnvelope, notes: StoredCommandNotes = {}): EventToAppend {
  // Every member but the four the store keeps apart, in the envelope's order, then the notes: the same
  // metadata (and bytes) an object rest and a spread gave, in one copy instead of two (every event appended).
  const members = envelope as unknown as Record<string, unknown>;
  const metadata: Record<string, unknown> = {};
  for (const key of Object.keys(members)) {
    if (key !== 'eventId' && key !== 'type' && key !== 'data' && key !== 'schemaVersion')
      metadata[key] = members[key];
  }
  if (notes.commandDigest !== undefined) metadata[STORED_NOTE_KEYS.commandDigest] = notes.commandDigest;
  if (notes.append !== undefined && notes.append !== envelope.commandId)
    metadata[STORED_NOTE_KEYS.append] = notes.append;
  if (notes.traceId !== undefined) metadata[STORED_NOTE_KEYS.traceId] = notes.traceId;
  const { eventId, type, data, schemaVersion } = envelope;
  return { eventId, type, data, schemaVersion, metadata };
}

/** The digest of the command a stored event answers, when its sender's command recorded one. */
export function commandDigestOf(recorded: RecordedEvent): string | undefined {
  const digest = (recorded.metadata as Record<string, unknown> | null)?.[STORED_NOTE_KEYS.commandDigest];
  return typeof digest === 'string' ? digest : undefined;
}

/** The command id of the append that wrote a stored event (its own command id when not noted). */
export function appendOf(recorded: RecordedEvent): string | undefined {
  const metadata = recorded.metadata as Record<string, unknown> | null;
  const append = metadata?.[STORED_NOTE_KEYS.append] ?? metadata?.commandId;
  return typeof append === 'string' ? append : undefined;
}
