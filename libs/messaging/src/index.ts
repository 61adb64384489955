export {
  CASE_EVENTS_TOPIC,
  OSS_REGISTRATIONS_TOPIC,
  OSS_REGISTRATIONS_DLQ,
  projectTopics,
  type TopicSpec,
  type TopicLayout,
} from './topics.constants';
export {
  CLOUDEVENTS_SPEC_VERSION,
  buildCloudEventHeaders,
  parseCloudEventHeaders,
  type CloudEventAttributes,
  type KafkaHeaderValues,
} from './cloud-events.headers';
export {
  CASE_EVENT_TYPE_PREFIX,
  CASE_EVENT_SCHEMA_BASE,
  DEFAULT_CASE_EVENT_SOURCE,
  toCaseEventMessage,
  toEventTooLargeMessage,
  TRACE_ID_METADATA_KEY,
  EVENT_TOO_LARGE_TYPE,
  type EventTooLargeBody,
  type CaseEventMessageBody,
  type OutboundMessage,
} from './case-event.message';
export {
  createKafka,
  ensureTopics,
  kafkaBrokers,
  parseBrokers,
  verifyKafkaCredentials,
  isAuthenticationFailure,
  type KafkaClientOptions,
  type KafkaSaslMechanism,
  type KafkaSaslOptions,
  type KafkaSslOptions,
  type EnsureTopicsReport,
} from './kafka.client';
export {
  TRACEPARENT_HEADER,
  formatTraceparent,
  isTraceId,
  newTraceId,
  parseTraceparent,
  traceIdOfHeaders,
  type TraceParent,
} from './trace-context';
export type { MessagePublisher } from './message-publisher.port';
export {
  toTrafficObservationMessage,
  TRAFFIC_EVENT_SOURCE,
  TRAFFIC_INBOUND_DLQ,
  TRAFFIC_INBOUND_TOPIC,
  TRAFFIC_OBSERVATIONS_TOPIC,
  TRAFFIC_OBSERVED_CE_TYPE,
  TRAFFIC_OBSERVED_SCHEMA,
  trafficTopics,
} from './traffic-observation.message';
export { KafkaJsPublisher, type KafkaJsPublisherOptions } from './kafkajs.publisher';
export type { CheckpointStore } from './checkpoint-store.port';
export { SqliteCheckpointStore } from './sqlite-checkpoint.store';
export { PostgresCheckpointStore } from './postgres-checkpoint.store';
export {
  KafkaRelay,
  type KafkaRelayOptions,
  type RelayBatchPhase,
  type RelayState,
  type RelayStatus,
} from './kafka-relay';
export { silentLogger, type MessagingLogger } from './messaging.logger';
export {
  MessagingError,
  KafkaUnavailable,
  KafkaAuthenticationFailed,
  KafkaPublishFailed,
  KafkaTopicSetupFailed,
  RelayEventInvalid,
  RelayAlreadyStarted,
  RelayNotRunning,
  CheckpointStoreFailed,
  type MessagingErrorCode,
} from './messaging.errors';
export {
  DLQ_APPENDED_AT_HEADER,
  DLQ_ATTEMPTS_HEADER,
  DLQ_DETAIL_HEADER,
  DLQ_MESSAGE_ID_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_HEADER,
  describeError,
  KafkaConsumerLoop,
  type ConsumedMessage,
  type ConsumerLoopOptions,
  type ConsumerLoopState,
  type ConsumerLoopStatus,
  type MessageSettlement,
} from './consumer-loop';
