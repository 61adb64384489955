/** Base of every refusal the domain returns: a code and structured fields, never a bare string. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

/** The machine refuses this command in this state; `allowed` lists the commands it would accept now. */
export class TransitionRefused extends DomainError {
  readonly code = 'TRANSITION_REFUSED';
  readonly pseId: string;
  readonly state: string;
  readonly command: string;
  readonly reason: string;
  readonly allowed: string[];
  constructor(fields: { pseId: string; state: string; command: string; reason: string; allowed: string[] }) {
    super(`${fields.command} refused for ${fields.pseId} in ${fields.state}: ${fields.reason}`);
    this.name = 'TransitionRefused';
    this.pseId = fields.pseId;
    this.state = fields.state;
    this.command = fields.command;
    this.reason = fields.reason;
    this.allowed = fields.allowed;
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
