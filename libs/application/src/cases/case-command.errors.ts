/** `If-Match` named a version the case is no longer at (HTTP 412). */
export class VersionMismatch extends Error {
  readonly code = 'VERSION_MISMATCH';
  constructor(
    readonly pseId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`case ${pseId} is at version ${actualVersion}, not ${expectedVersion}: reload it and decide again`);
    this.name = 'VersionMismatch';
  }
}

/** Other writers kept changing the case while this command was retried (HTTP 409). */
export class ConcurrentModification extends Error {
  readonly code = 'CONCURRENT_MODIFICATION';
  constructor(
    readonly pseId: string,
    readonly attempts: number,
  ) {
    super(`case ${pseId} changed under ${attempts} consecutive attempts: retry the command`);
    this.name = 'ConcurrentModification';
  }
}

/** An `Idempotency-Key` was reused for a different command (HTTP 422). */
export class IdempotencyKeyReused extends Error {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(
    readonly pseId: string,
    readonly key: string,
    /** The type of the first event the key's command recorded. */
    readonly recordedEvent: string,
    readonly command: string,
  ) {
    super(
      `Idempotency-Key ${key} was already used on case ${pseId} for another command (it recorded ${recordedEvent}); ` +
        'retry with the very same body and business time, or send a new key for a new command',
    );
    this.name = 'IdempotencyKeyReused';
  }
}
