import type { ExpectedRevision } from './event-store.port';

/** Base of every error the event store raises: a stable `code` plus structured fields. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The stream was not at the expected revision; nothing was written. */
export class WrongExpectedRevision extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_REVISION';
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly actual: number | 'no_stream';
  constructor(fields: { streamId: string; expected: ExpectedRevision; actual: number | 'no_stream' }) {
    super(
      `Stream ${JSON.stringify(fields.streamId)}: expected revision ${String(fields.expected)}, actual ${String(fields.actual)}`,
    );
    this.streamId = fields.streamId;
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}

/**
 * The append's command id is already recorded on another stream, and the append asked for it to name one
 * command in the whole store (`commandIdScope: 'store'`); nothing was written.
 */
export class CommandIdInUse extends EventStoreError {
  readonly code = 'COMMAND_ID_IN_USE';
  readonly streamId: string;
  readonly commandId: string;
  /** The stream the command id was first recorded on. */
  readonly recordedOn: string;
  constructor(fields: { streamId: string; commandId: string; recordedOn: string }) {
    super(
      `Command id ${JSON.stringify(fields.commandId)} is already recorded on stream ${JSON.stringify(fields.recordedOn)}; an append to ${JSON.stringify(fields.streamId)} may not reuse it`,
    );
    this.streamId = fields.streamId;
    this.commandId = fields.commandId;
    this.recordedOn = fields.recordedOn;
  }
}

/** The append request itself is malformed (bad stream id, event, revision); nothing was written. */
export class InvalidAppendRequest extends EventStoreError {
  readonly code = 'INVALID_APPEND_REQUEST';
  readonly streamId: string;
  readonly reason: string;
  constructor(fields: { streamId: string; reason: string }) {
    super(`Invalid append to ${JSON.stringify(fields.streamId)}: ${fields.reason}`);
    this.streamId = fields.streamId;
    this.reason = fields.reason;
  }
}

/** A read's options are malformed (a negative or fractional position or limit); nothing was read. */
export class InvalidReadRequest extends EventStoreError {
  readonly code = 'INVALID_READ_REQUEST';
  readonly operation: string;
  readonly reason: string;
  constructor(fields: { operation: string; reason: string }) {
    super(`Invalid ${fields.operation}: ${fields.reason}`);
    this.operation = fields.operation;
    this.reason = fields.reason;
  }
}

/** The store was closed before (or while) the operation ran; an append refused this way wrote nothing. */
export class EventStoreClosed extends EventStoreError {
  readonly code = 'EVENT_STORE_CLOSED';
  readonly operation: string;
  constructor(fields: { operation: string }) {
    super(`Event store is closed (${fields.operation})`);
    this.operation = fields.operation;
  }
}

/** The database could not be reached or stayed locked past the deadline; an append refused this way wrote nothing. */
export class EventStoreUnavailable extends EventStoreError {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  readonly operation: string;
  readonly adapter: string;
  constructor(fields: { operation: string; adapter: string; cause?: unknown }) {
    super(
      `Event store (${fields.adapter}) unavailable during ${fields.operation}: ${describeCause(fields.cause)}`,
      { cause: fields.cause },
    );
    this.operation = fields.operation;
    this.adapter = fields.adapter;
  }
}

/**
 * The connection was lost after an append was sent and before its reply arrived: the server may have
 * committed it or not. Appending again with the same `commandId` is safe — it answers `duplicate: true`
 * if the first one committed, and writes it if not.
 */
export class AppendOutcomeUnknown extends EventStoreError {
  readonly code = 'APPEND_OUTCOME_UNKNOWN';
  readonly operation = 'appendToStream';
  readonly adapter: string;
  readonly streamId: string;
  constructor(fields: { adapter: string; streamId: string; cause?: unknown }) {
    super(
      `Event store (${fields.adapter}) lost the connection before confirming an append to ${JSON.stringify(fields.streamId)}: it may or may not have been written; append again with the same commandId (${describeCause(fields.cause)})`,
      { cause: fields.cause },
    );
    this.adapter = fields.adapter;
    this.streamId = fields.streamId;
  }
}

/**
 * The disk under the store is full; the append was rolled back and wrote nothing. Appends succeed again
 * once space is freed, without a restart.
 */
export class EventStoreStorageFull extends EventStoreError {
  readonly code = 'EVENT_STORE_STORAGE_FULL';
  readonly operation: string;
  readonly adapter: string;
  constructor(fields: { operation: string; adapter: string; cause?: unknown }) {
    super(
      `Event store (${fields.adapter}) out of disk space during ${fields.operation}: nothing was written; free space and retry (${describeCause(fields.cause)})`,
      { cause: fields.cause },
    );
    this.operation = fields.operation;
    this.adapter = fields.adapter;
  }
}

/** An upcaster threw while lifting a stored event to its current schema version. */
export class UpcastFailed extends EventStoreError {
  readonly code = 'UPCAST_FAILED';
  readonly type: string;
  readonly fromVersion: number;
  readonly position: number;
  constructor(fields: { type: string; fromVersion: number; position: number; cause: unknown }) {
    super(
      `Upcasting ${fields.type} v${fields.fromVersion} at position ${fields.position} failed: ${describeCause(fields.cause)}`,
      { cause: fields.cause },
    );
    this.type = fields.type;
    this.fromVersion = fields.fromVersion;
    this.position = fields.position;
  }
}

/** A schema migration of the store's own tables failed. */
export class EventStoreMigrationFailed extends EventStoreError {
  readonly code = 'EVENT_STORE_MIGRATION_FAILED';
  readonly version: number;
  constructor(fields: { version: number; cause: unknown }) {
    super(`Event store migration ${fields.version} failed: ${describeCause(fields.cause)}`, {
      cause: fields.cause,
    });
    this.version = fields.version;
  }
}

/**
 * The store's database carries schema migrations this build does not know: a newer build of Sanksi
 * migrated it. Writing with an older build could miss what those migrations made the newer one rely
 * on, so the store refuses to open; nothing was written.
 */
export class EventStoreSchemaTooNew extends EventStoreError {
  readonly code = 'EVENT_STORE_SCHEMA_TOO_NEW';
  /** The newest schema version this build knows. */
  readonly known: number;
  /** The newest schema version the database has. */
  readonly found: number;
  constructor(fields: { known: number; found: number }) {
    super(
      `The event store's database is at schema version ${fields.found}, and this build of Sanksi knows up to ` +
        `${fields.known}: a newer build migrated it. Run that build or a newer one against it; this one writes nothing to it.`,
    );
    this.known = fields.known;
    this.found = fields.found;
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
