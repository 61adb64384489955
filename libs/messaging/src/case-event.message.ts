import { type CaseEventBody, caseEventBodyOf, EnvelopeInvalid, STORED_NOTE_KEYS } from '@sanksi/contracts';
import type { RecordedEvent } from '@sanksi/event-store';
import { CLOUDEVENTS_SPEC_VERSION } from './cloud-events.headers';
import { RelayEventInvalid } from './messaging.errors';
import { formatTraceparent, isTraceId, TRACEPARENT_HEADER } from './trace-context';

/** `ce_source` of every case event unless the relay is configured otherwise. */
export const DEFAULT_CASE_EVENT_SOURCE = '/sanksi/pse-cases';
/** Prefix of `ce_type`: `sanksi.pse-case.WarningIssued`. */
export const CASE_EVENT_TYPE_PREFIX = 'sanksi.pse-case.';
/**
 * `ce_dataschema` is this base plus `<Type>.json`: the `$id` of the published JSON Schema
 * (libs/contracts/schemas/<Type>.v1.json; a contract test keeps the two equal).
 */
export const CASE_EVENT_SCHEMA_BASE = 'https://sanksi.dev/schemas/events/v1/';

/**
 * The message value on `sanksi.case-events.v1`: the domain envelope as stored plus its global position
 * (`CaseEventBody` of @sanksi/contracts, whose JSON Schemas are published per type).
 */
export type CaseEventMessageBody = CaseEventBody;

/** One message ready for a publisher: key, JSON value and headers. */
export interface OutboundMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The public body of a stored event, read once through the one envelope; a stored event that is not one stops the relay. */
function bodyOf(event: RecordedEvent): CaseEventMessageBody {
  try {
    return caseEventBodyOf(event);
  } catch (e) {
    if (!(e instanceof EnvelopeInvalid)) throw e;
    throw new RelayEventInvalid({
      eventId: event.eventId,
      position: event.position,
      streamId: event.streamId,
      reason: e.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    });
  }
}

/**
 * Where a command's trace id is kept beside the envelope in the stored metadata (not part of the
 * envelope or its hash, so events recorded before it existed verify unchanged).
 */
export const TRACE_ID_METADATA_KEY = STORED_NOTE_KEYS.traceId;

/** `ce_type` and `ce_dataschema` of one event type, built once per type rather than once per message. */
interface TypeHeaders {
  ceType: string;
  dataSchema: string;
}

// Bounded: type names come from the log (a newer writer may add some), never from outside.
const TYPE_HEADERS_LIMIT = 1024;
const typeHeaders = new Map<string, TypeHeaders>();

function typeHeadersOf(type: string): TypeHeaders {
  let names = typeHeaders.get(type);
  if (names === undefined) {
    if (typeHeaders.size >= TYPE_HEADERS_LIMIT) typeHeaders.clear();
    names = {
      ceType: `${CASE_EVENT_TYPE_PREFIX}${type}`,
      dataSchema: `${CASE_EVENT_SCHEMA_BASE}${type}.json`,
    };
    typeHeaders.set(type, names);
  }
  return names;
}

/**
 * Builds the Kafka message of one stored event: keyed by pseId, CloudEvents headers, JSON body, and a
 * W3C `traceparent` when the command that appended it was traced (span id derived from the event id).
 */
export function toCaseEventMessage(
  event: RecordedEvent,
  source: string = DEFAULT_CASE_EVENT_SOURCE,
): OutboundMessage {
  const body = bodyOf(event);
  const names = typeHeadersOf(body.type);
  // What buildCloudEventHeaders gives for these attributes, member for member and in its order (the
  // order kafkajs writes them in), spelled out: this runs once per relayed event.
  const headers: Record<string, string> = {
    ce_specversion: CLOUDEVENTS_SPEC_VERSION,
    ce_id: body.eventId,
    ce_source: source,
    ce_type: names.ceType,
    ce_subject: body.pseId,
    ce_time: body.occurredAt,
    ce_dataschema: names.dataSchema,
    'content-type': 'application/json',
  };
  const traceId = event.metadata[TRACE_ID_METADATA_KEY];
  if (isTraceId(traceId)) headers[TRACEPARENT_HEADER] = formatTraceparent(traceId, body.eventId);
  return { key: body.pseId, value: JSON.stringify(body), headers };
}

/** `ce_type` of the small message the relay publishes in place of an event the broker refuses as too large. */
export const EVENT_TOO_LARGE_TYPE = `${CASE_EVENT_TYPE_PREFIX}EventTooLarge`;

/** The body of an `EventTooLarge` pointer: which event it stands for and where to fetch it. */
export interface EventTooLargeBody {
  eventId: string;
  type: string;
  pseId: string;
  revision: number;
  position: number;
  occurredAt: string;
  /** Bytes of the refused message (key, value and headers). */
  sizeBytes: number;
  /** Path of the API that serves the whole event: `GET /v1/events?after=<position - 1>&limit=1`. */
  href: string;
}

/**
 * The pointer published instead of a message over the broker's size limit: same key (so same partition
 * and per-case order) and same `ce_id` (consumers deduplicate it like the event), `ce_type`
 * `sanksi.pse-case.EventTooLarge`, `sanksi-original-type` naming the event's own type.
 */
export function toEventTooLargeMessage(event: RecordedEvent, original: OutboundMessage): OutboundMessage {
  // Built from the refused message and the stored event's own columns: the envelope is not read twice.
  let sizeBytes = Buffer.byteLength(original.key) + Buffer.byteLength(original.value);
  for (const [name, value] of Object.entries(original.headers))
    sizeBytes += name.length + Buffer.byteLength(value);
  const pointer: EventTooLargeBody = {
    eventId: event.eventId,
    type: event.type,
    pseId: original.key,
    revision: event.revision,
    position: event.position,
    occurredAt: original.headers['ce_time'] ?? '',
    sizeBytes,
    href: `/v1/events?after=${event.position - 1}&limit=1`,
  };
  const { ce_dataschema: _schema, ...headers } = original.headers;
  return {
    key: original.key,
    value: JSON.stringify(pointer),
    headers: {
      ...headers,
      ce_type: EVENT_TOO_LARGE_TYPE,
      'sanksi-original-type': original.headers['ce_type'] ?? `${CASE_EVENT_TYPE_PREFIX}${event.type}`,
    },
  };
}
