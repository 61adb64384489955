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

/** Stored-metadata keys beside the envelope's own fields (never part of the envelope or its hash). */
const DIGEST_KEY = 'commandDigest';
const APPEND_KEY = 'append';
/** The W3C trace id of the request or message that sent the command (the relay's `traceparent`). */
const TRACE_KEY = 'traceId';

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
  if (notes.commandDigest !== undefined) extra[DIGEST_KEY] = notes.commandDigest;
  if (notes.append !== undefined && notes.append !== envelope.commandId) extra[APPEND_KEY] = notes.append;
  if (notes.traceId !== undefined) extra[TRACE_KEY] = notes.traceId;
  return { eventId, type, data, schemaVersion, metadata: { ...metadata, ...extra } };
}

/** The digest of the command a stored event answers, when its sender's command recorded one. */
export function commandDigestOf(recorded: RecordedEvent): string | undefined {
  const digest = (recorded.metadata as Record<string, unknown> | null)?.[DIGEST_KEY];
  return typeof digest === 'string' ? digest : undefined;
}

/** The command id of the append that wrote a stored event (its own command id when not noted). */
export function appendOf(recorded: RecordedEvent): string | undefined {
  const metadata = recorded.metadata as Record<string, unknown> | null;
  const append = metadata?.[APPEND_KEY] ?? metadata?.commandId;
  return typeof append === 'string' ? append : undefined;
}

/**
 * Rebuilds the domain envelope from a stored event. The store has already upcast old shapes;
 * the envelope's own fields live in `metadata`.
 */
export function fromStoredEvent(recorded: RecordedEvent): PseCaseEventEnvelope {
  const {
    [DIGEST_KEY]: _digest,
    [APPEND_KEY]: _append,
    [TRACE_KEY]: _trace,
    ...metadata
  } = recorded.metadata as Record<string, unknown>;
  return {
    ...(metadata as Omit<PseCaseEventEnvelope, 'eventId' | 'type' | 'data' | 'schemaVersion'>),
    eventId: recorded.eventId,
    type: recorded.type,
    data: recorded.data,
    schemaVersion: recorded.schemaVersion,
  } as PseCaseEventEnvelope;
}
