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
  const { eventId, type, data, schemaVersion, ...metadata } = envelope;
  const extra: Record<string, string> = {};
  if (notes.commandDigest !== undefined) extra[STORED_NOTE_KEYS.commandDigest] = notes.commandDigest;
  if (notes.append !== undefined && notes.append !== envelope.commandId)
    extra[STORED_NOTE_KEYS.append] = notes.append;
  if (notes.traceId !== undefined) extra[STORED_NOTE_KEYS.traceId] = notes.traceId;
  return { eventId, type, data, schemaVersion, metadata: { ...metadata, ...extra } };
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
