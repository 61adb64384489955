export {
  EVENT_CONTRACT_VERSION,
  eventBodySchema,
  eventJsonSchema,
  eventJsonSchemas,
  eventSchemaFileName,
} from './events/event-json-schemas';
export * as CommandBodies from './api/command-bodies';
export { TrafficObservedMessageBody, trafficJsonSchemas } from './events/traffic-json-schemas';
export {
  CASE_STREAM_CATEGORY,
  CaseEventMetadata,
  EnvelopeInvalid,
  STORED_NOTE_KEYS,
  caseEventBodyOf,
  caseStreamId,
  fromRecorded,
  isCaseStream,
  pseIdOfStream,
  toCaseEventBody,
  type CaseEventBody,
  type EnvelopeIssue,
  type StoredEvent,
} from './events/case-event.envelope';
export { isCaseEventMetadata } from './events/case-event.metadata';
