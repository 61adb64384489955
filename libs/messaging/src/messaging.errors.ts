/** Codes of every error this lib throws, so callers and logs can branch on them without parsing text. */
export type MessagingErrorCode =
  | 'KAFKA_UNAVAILABLE'
  | 'KAFKA_AUTHENTICATION_FAILED'
  | 'KAFKA_MESSAGE_TOO_LARGE'
  | 'KAFKA_PUBLISH_FAILED'
  | 'KAFKA_TOPIC_SETUP_FAILED'
  | 'RELAY_EVENT_INVALID'
  | 'RELAY_ALREADY_STARTED'
  | 'RELAY_NOT_RUNNING'
  | 'CHECKPOINT_STORE_FAILED';

/** Base class: a code and structured fields beside the human message. */
export abstract class MessagingError extends Error {
  abstract readonly code: MessagingErrorCode;
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The brokers did not answer (connect or metadata failed); the relay retries with backoff. */
export class KafkaUnavailable extends MessagingError {
  readonly code = 'KAFKA_UNAVAILABLE';
  constructor(details: { brokers: string[]; reason: string }, options?: { cause?: unknown }) {
    super(`Kafka is not reachable at ${details.brokers.join(',')}: ${details.reason}`, details, options);
  }
}

/** The broker refused the SASL credentials: a configuration error (the password is never part of it). */
export class KafkaAuthenticationFailed extends MessagingError {
  readonly code = 'KAFKA_AUTHENTICATION_FAILED';
  constructor(
    details: { brokers: string[]; mechanism: string; username: string; reason: string },
    options?: { cause?: unknown },
  ) {
    super(
      `Kafka at ${details.brokers.join(',')} refused the SASL ${details.mechanism} credentials of user ` +
        `"${details.username}": ${details.reason}. Check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
      details,
      options,
    );
  }
}

/** A batch was not acknowledged by the broker (after the client's own retries). */
export class KafkaPublishFailed extends MessagingError {
  readonly code = 'KAFKA_PUBLISH_FAILED';
  constructor(details: { topic: string; messages: number; reason: string }, options?: { cause?: unknown }) {
    super(
      `Publishing ${details.messages} message(s) to ${details.topic} failed: ${details.reason}`,
      details,
      options,
    );
  }
}

/** Topics could not be created or have fewer partitions than configured. */
export class KafkaTopicSetupFailed extends MessagingError {
  readonly code = 'KAFKA_TOPIC_SETUP_FAILED';
  constructor(details: { topics: string[]; reason: string }, options?: { cause?: unknown }) {
    super(`Setting up topic(s) ${details.topics.join(', ')} failed: ${details.reason}`, details, options);
  }
}

/** A stored event cannot become a case-event message (no pseId, no timestamps): the relay stops on it. */
export class RelayEventInvalid extends MessagingError {
  readonly code = 'RELAY_EVENT_INVALID';
  constructor(details: { eventId: string; position: number; streamId: string; reason: string }) {
    super(
      `Event ${details.eventId} at position ${details.position} cannot be relayed: ${details.reason}`,
      details,
    );
  }
}

/** start() was called on a relay that is already running. */
export class RelayAlreadyStarted extends MessagingError {
  readonly code = 'RELAY_ALREADY_STARTED';
  constructor(details: { name: string }) {
    super(`Relay ${details.name} is already running`, details);
  }
}

/** A wait on the relay (caughtUp) ended because the relay stopped or failed. */
export class RelayNotRunning extends MessagingError {
  readonly code = 'RELAY_NOT_RUNNING';
  constructor(details: { name: string; state: string; position: number }) {
    super(`Relay ${details.name} is ${details.state} at position ${details.position}`, details);
  }
}

/** The checkpoint table could not be read or written. */
export class CheckpointStoreFailed extends MessagingError {
  readonly code = 'CHECKPOINT_STORE_FAILED';
  constructor(
    details: { name: string; operation: 'load' | 'save' | 'init' | 'lease'; reason: string },
    options?: { cause?: unknown },
  ) {
    super(`Checkpoint ${details.operation} for ${details.name} failed: ${details.reason}`, details, options);
  }
}
