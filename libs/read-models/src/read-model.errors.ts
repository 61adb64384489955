/** Base of every error this lib throws: a stable code and structured fields for logs and HTTP mapping. */
export abstract class ReadModelError extends Error {
  abstract readonly code: string;
}

/** Where, in the global log, an event sits: enough to find it again and to name it in an error. */
export interface EventLocator {
  eventId: string;
  type: string;
  position: number;
  streamId?: string;
  pseId?: string;
}

/** A projection (or the envelope parse in front of it) threw on an event: the projector stops here. */
export class ProjectionFailed extends ReadModelError {
  readonly code = 'PROJECTION_FAILED';
  readonly projection: string;
  readonly event: EventLocator;
  readonly reason: string;

  constructor(fields: { projection: string; event: EventLocator; reason: string; cause?: unknown }) {
    super(
      `projection ${fields.projection} failed on event ${fields.event.type} ${fields.event.eventId} ` +
        `at position ${fields.event.position}${fields.event.pseId ? ` (case ${fields.event.pseId})` : ''}: ${fields.reason}`,
      { cause: fields.cause },
    );
    this.name = 'ProjectionFailed';
    this.projection = fields.projection;
    this.event = fields.event;
    this.reason = fields.reason;
  }
}

/** Another projector moved the checkpoint under us: this batch was not applied (nothing was written). */
export class CheckpointConflict extends ReadModelError {
  readonly code = 'CHECKPOINT_CONFLICT';
  readonly checkpoint: string;
  readonly expected: number;
  readonly actual: number;

  constructor(fields: { checkpoint: string; expected: number; actual: number }) {
    super(
      `checkpoint ${fields.checkpoint} is at ${fields.actual}, expected ${fields.expected}: another projector is running`,
    );
    this.name = 'CheckpointConflict';
    this.checkpoint = fields.checkpoint;
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}

/** A query received an argument it cannot use (a malformed cursor, a bad date). */
export class InvalidQuery extends ReadModelError {
  readonly code = 'INVALID_QUERY';
  readonly field: string;

  constructor(fields: { field: string; reason: string }) {
    super(`invalid ${fields.field}: ${fields.reason}`);
    this.name = 'InvalidQuery';
    this.field = fields.field;
  }
}

/** The read-model database refused or lost an operation (schema, connection, constraint). */
export class ReadModelStoreFailed extends ReadModelError {
  readonly code = 'READ_MODEL_STORE_FAILED';
  readonly operation: string;
  /** The driver's own code (`SQLITE_CONSTRAINT_PRIMARYKEY`, PostgreSQL's `23505`, ...), when it gave one. */
  readonly driverCode: string | null;
  /**
   * The database was unreachable, went away or cancelled the statement (timeout): the same operation may
   * succeed later. A transaction that failed this way was rolled back unless its COMMIT was under way.
   */
  readonly transient: boolean;

  constructor(fields: { operation: string; reason: string; driverCode?: string | null; cause?: unknown }) {
    super(`read-model store ${fields.operation} failed: ${fields.reason}`, { cause: fields.cause });
    this.name = 'ReadModelStoreFailed';
    this.operation = fields.operation;
    this.driverCode = fields.driverCode ?? null;
    this.transient = isTransient(this.driverCode, fields.reason);
  }
}

// PostgreSQL's connection-exception class (08), operator intervention (57: shutdown, cancel,
// statement_timeout), too many connections, and the socket errors of a server that is not there.
const TRANSIENT_CODES =
  /^(08...|57P0[1-4]|57014|53300|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|SQLITE_BUSY.*)$/;
const TRANSIENT_MESSAGES = /Connection terminated|connection error|timeout exceeded when trying to connect/i;

function isTransient(driverCode: string | null, reason: string): boolean {
  return driverCode !== null ? TRANSIENT_CODES.test(driverCode) : TRANSIENT_MESSAGES.test(reason);
}

/**
 * Our own errors pass through; a driver's becomes `ReadModelStoreFailed`. Besides the house rule,
 * this matters: better-sqlite3 hands every error out through the first constructor it was given,
 * so in a process with several module realms (jest) its errors are not even `instanceof Error`.
 */
export function toStoreError(operation: string, e: unknown): unknown {
  if (e instanceof ReadModelError) return e;
  const fields = (typeof e === 'object' && e !== null ? e : {}) as { message?: unknown; code?: unknown };
  return new ReadModelStoreFailed({
    operation,
    reason: typeof fields.message === 'string' ? fields.message : String(e),
    driverCode: typeof fields.code === 'string' ? fields.code : null,
    cause: e,
  });
}

/**
 * The read-model database carries migrations this build does not know: a newer build of Sanksi migrated
 * it. An older build writing there could leave what those migrations set up half-kept (migration 22's
 * search queue is flushed only by builds that know it), so the store refuses to open; nothing was written.
 */
export class ReadModelSchemaTooNew extends ReadModelError {
  readonly code = 'READ_MODEL_SCHEMA_TOO_NEW';
  /** The newest migration this build knows. */
  readonly known: number;
  /** The newest migration the database has. */
  readonly found: number;

  constructor(fields: { known: number; found: number }) {
    super(
      `the read-model database has migrations up to ${fields.found}, and this build of Sanksi knows up to ` +
        `${fields.known}: a newer build migrated it. Run that build or a newer one against it, or give this ` +
        'build a new read-model database and project it from the log (`sanksi projections rebuild`); ' +
        'this build writes nothing to it.',
    );
    this.name = 'ReadModelSchemaTooNew';
    this.known = fields.known;
    this.found = fields.found;
  }
}
