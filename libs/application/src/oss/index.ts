export {
  DLQ_APPENDED_AT_HEADER,
  DLQ_ATTEMPTS_HEADER,
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
  type OssHandlerOptions,
  type RegistrationOutcome,
} from './oss-registration.handler';
export {
  OssRegistrationConsumer,
  type OssConsumerState,
  type OssConsumerStatus,
  type OssRegistrationConsumerOptions,
} from './oss-registration.consumer';
export {
  OSS_SIGNATURE_HEADER,
  OSS_SIGNATURE_TIMESTAMP_HEADER,
  signOssMessage,
  verifyOssSignature,
  type OssProducerKey,
  type SignatureCheck,
  type SignatureProblemReason,
} from './oss-signature';
export { isTransientFailure } from './oss-failure';
export { readDeadLetters, replayDeadLetters, type DeadLetter, type ReplayResult } from './oss-dlq';
