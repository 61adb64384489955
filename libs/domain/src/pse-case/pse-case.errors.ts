/** Base of every refusal the domain returns: a code and structured fields, never a bare string. */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    // A refusal is an answer, not a fault: where in the decider it was built tells no one anything, and
    // capturing that stack was the dearest part of a refusal (a what-if refuses hundreds of thousands).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/**
 * The machine refuses this command in this state; `allowed` lists the commands it would accept now —
 * worked out when first read (each entry asks the machine), since a what-if or a simulation that only
 * counts refusals never reads it.
 */
export class TransitionRefused extends DomainError {
  readonly code = 'TRANSITION_REFUSED';
  readonly pseId: string;
  readonly state: string;
  readonly command: string;
  readonly reason: string;
  declare readonly allowed: string[];
  constructor(fields: {
    pseId: string;
    state: string;
    command: string;
    reason: string;
    allowed: string[] | (() => string[]);
  }) {
    super(`${fields.command} refused for ${fields.pseId} in ${fields.state}: ${fields.reason}`);
    this.name = 'TransitionRefused';
    this.pseId = fields.pseId;
    this.state = fields.state;
    this.command = fields.command;
    this.reason = fields.reason;
    let allowed = fields.allowed;
    // An own, enumerable property as before (spread, JSON and equality see it), computed on first read.
    Object.defineProperty(this, 'allowed', {
      enumerable: true,
      get: () => (typeof allowed === 'function' ? (allowed = allowed()) : allowed),
    });
  }
}

/** One invalid field of a command or its metadata. */
export interface ValidationIssue {
  path: Array<string | number>;
  message: string;
}

/** The command or its metadata is malformed or out of the policy's bounds. */
export class ValidationFailed extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `Validation failed: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'ValidationFailed';
  }
}

/** A command addressed a case that has not been identified. */
export class CaseNotFound extends DomainError {
  readonly code = 'CASE_NOT_FOUND';
  constructor(readonly pseId: string) {
    super(`No case for ${pseId}`);
    this.name = 'CaseNotFound';
  }
}

/** `IdentifyPse` for a case that already exists. */
export class CaseAlreadyExists extends DomainError {
  readonly code = 'CASE_ALREADY_EXISTS';
  constructor(readonly pseId: string) {
    super(`A case for ${pseId} already exists`);
    this.name = 'CaseAlreadyExists';
  }
}

/**
 * A deadline the command would set falls outside the years the holiday table covers: the command is
 * well formed, but no working day can be counted there until the year's SKB is entered
 * (docs/calendar.md §Adding a year), so nothing is decided.
 */
export class DeadlineOutsideCalendar extends DomainError {
  readonly code = 'DEADLINE_OUTSIDE_CALENDAR';
  readonly year: number;
  readonly knownFrom: string;
  readonly knownThrough: string;
  constructor(fields: { year: number; knownFrom: string; knownThrough: string; message: string }) {
    super(fields.message);
    this.name = 'DeadlineOutsideCalendar';
    this.year = fields.year;
    this.knownFrom = fields.knownFrom;
    this.knownThrough = fields.knownThrough;
  }
}

export type DecideError =
  | TransitionRefused
  | ValidationFailed
  | CaseNotFound
  | CaseAlreadyExists
  | DeadlineOutsideCalendar;
