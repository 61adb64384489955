export {
  DLQ_DETAIL_HEADER,
  DLQ_MESSAGE_ID_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_HEADER,
  messageIdOf,
  OssRegistrationMessage,
  parseRegistrationBody,
  type BodyProblem,
  type DeadLetterReason,
  type InboundMessage,
} from './oss-registration.message';
export {
  OSS_ACTOR,
  OssRegistrationHandler,
  ossIdempotencyKey,
  type RegistrationOutcome,
} from './oss-registration.handler';
export {
  OssRegistrationConsumer,
  type OssConsumerState,
  type OssConsumerStatus,
  type OssRegistrationConsumerOptions,
} from './oss-registration.consumer';
