/**
 * CloudEvents 1.0 in Kafka binary mode: attributes travel as `ce_*` headers, the data is the message
 * value, and `datacontenttype` maps to the plain `content-type` header (Kafka protocol binding §3.2).
 */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** The attributes of one CloudEvent; extensions must be lower-case alphanumeric names. */
export interface CloudEventAttributes {
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  dataContentType?: string;
  dataSchema?: string;
  extensions?: Record<string, string>;
}

/** Kafka headers as kafkajs hands them to a consumer (values may be buffers, strings or arrays). */
export type KafkaHeaderValues = Record<string, Buffer | string | Array<Buffer | string> | undefined>;

const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const RESERVED = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'dataschema',
  'datacontenttype',
  'data',
]);

/** Builds the binary-mode headers (`ce_specversion`, `ce_id`, ..., `content-type`) for one event. */
export function buildCloudEventHeaders(attributes: CloudEventAttributes): Record<string, string> {
  const headers: Record<string, string> = {
    ce_specversion: CLOUDEVENTS_SPEC_VERSION,
    ce_id: attributes.id,
    ce_source: attributes.source,
    ce_type: attributes.type,
  };
  if (attributes.subject !== undefined) headers['ce_subject'] = attributes.subject;
  if (attributes.time !== undefined) headers['ce_time'] = attributes.time;
  if (attributes.dataSchema !== undefined) headers['ce_dataschema'] = attributes.dataSchema;
  if (attributes.dataContentType !== undefined) headers['content-type'] = attributes.dataContentType;
  for (const [name, value] of Object.entries(attributes.extensions ?? {})) {
    if (!EXTENSION_NAME.test(name) || RESERVED.has(name)) {
      throw new TypeError(`CloudEvents extension name "${name}" must be 1-20 lower-case letters or digits`);
    }
    headers[`ce_${name}`] = value;
  }
  return headers;
}

function headerText(value: Buffer | string | Array<Buffer | string> | undefined): string | undefined {
  const single = Array.isArray(value) ? value[0] : value;
  if (single === undefined) return undefined;
  return typeof single === 'string' ? single : single.toString('utf8');
}

/** Reads CloudEvents attributes back from consumed Kafka headers; undefined when `ce_id` is absent. */
export function parseCloudEventHeaders(
  headers: KafkaHeaderValues | undefined,
): CloudEventAttributes | undefined {
  if (!headers) return undefined;
  const id = headerText(headers['ce_id']);
  if (id === undefined) return undefined;
  const extensions: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('ce_')) continue;
    const attribute = name.slice(3);
    const text = headerText(value);
    if (!RESERVED.has(attribute) && text !== undefined) extensions[attribute] = text;
  }
  return {
    id,
    source: headerText(headers['ce_source']) ?? '',
    type: headerText(headers['ce_type']) ?? '',
    subject: headerText(headers['ce_subject']),
    time: headerText(headers['ce_time']),
    dataSchema: headerText(headers['ce_dataschema']),
    dataContentType: headerText(headers['content-type']),
    extensions,
  };
}
