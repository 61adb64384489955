/** Exit codes of `sanksi` (docs/operations.md). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  configuration: 3,
  notFound: 4,
  /** A case command refused by the domain (transition refused, case exists, key reused). */
  refused: 5,
  /** A case command's If-Match named a version the case has left, or writers kept racing. */
  conflict: 6,
  /** The store or the API could not be reached or could not answer (retry later). */
  unavailable: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports and turns into an exit code. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Bad arguments or options: exit 2, naming what is allowed. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super('BAD_USAGE', message, ExitCode.usage, { problems });
  }
}

/** A case, file or projection that does not exist: exit 4. */
export class NotFoundError extends CliError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`, ExitCode.notFound, { what, id });
  }
}

/** A file the CLI could not read or parse: exit 1. */
export class InputFileError extends CliError {
  constructor(file: string, reason: string) {
    super('INPUT_FILE_UNREADABLE', `cannot read ${file}: ${reason}`, ExitCode.failure, { file, reason });
  }
}
