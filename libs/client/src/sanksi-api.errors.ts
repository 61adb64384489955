/** One field the API found invalid (a 400 `invalid-request` problem). */
export interface InvalidField {
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem the API answered (application/problem+json), or an answer that was not one (a
 * proxy's HTML page): `type`, `title` and `detail` then say what was seen. The fields of the kinds the API
 * documents (transition-refused, version-mismatch, invalid-request) are lifted onto the error.
 */
export class SanksiApiError extends Error {
  readonly code = 'SANKSI_API_PROBLEM';
  override readonly name = 'SanksiApiError';
  /** The HTTP status. */
  readonly status: number;
  /** A URI naming the kind of problem (`https://sanksi.dev/problems/transition-refused`), `about:blank` if none. */
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** The kind: the last segment of `type` (`transition-refused`, `version-mismatch`, …). */
  readonly kind: string;
  /** The operation that failed. */
  readonly operationId: string;
  /** A refused transition: the commands allowed in the case's state instead. */
  readonly allowed?: string[];
  /** A refused transition: why it was refused. */
  readonly reason?: string;
  /** A refused transition: the case's state. */
  readonly state?: string;
  /** A refused transition: the refused command. */
  readonly command?: string;
  /** An invalid request: every invalid field. */
  readonly invalidFields?: InvalidField[];
  /** The seconds the server asked to wait before a retry (`Retry-After`), when it said. */
  readonly retryAfterSeconds?: number;
  /** The whole problem document as answered. */
  readonly problem: Readonly<Record<string, unknown>>;

  constructor(
    operationId: string,
    status: number,
    problem: Record<string, unknown>,
    retryAfter?: string | null,
  ) {
    const text = (key: string): string | undefined =>
      typeof problem[key] === 'string' ? (problem[key] as string) : undefined;
    const detail = text('detail') ?? text('title') ?? `HTTP ${status}`;
    super(detail);
    this.operationId = operationId;
    this.status = status;
    this.type = text('type') ?? 'about:blank';
    this.title = text('title') ?? `HTTP ${status}`;
    this.detail = detail;
    this.kind = this.type.split('/').pop() || this.type;
    this.problem = problem;
    const allowed = problem.allowed;
    if (Array.isArray(allowed)) this.allowed = allowed.filter((a): a is string => typeof a === 'string');
    this.reason = text('reason');
    this.state = text('state');
    this.command = text('command');
    const invalid = problem.invalidFields;
    if (Array.isArray(invalid))
      this.invalidFields = invalid.filter(
        (f): f is InvalidField =>
          typeof f === 'object' && f !== null && typeof f.field === 'string' && typeof f.message === 'string',
      );
    const seconds = retryAfter ? Number(retryAfter) : NaN;
    if (Number.isFinite(seconds)) this.retryAfterSeconds = seconds;
  }
}

/** The API could not be reached at all (refused connection, DNS, TLS, an aborted request). */
export class SanksiApiUnreachable extends Error {
  readonly code = 'SANKSI_API_UNREACHABLE';
  override readonly name = 'SanksiApiUnreachable';

  constructor(
    readonly operationId: string,
    readonly baseUrl: string,
    cause: unknown,
  ) {
    const why =
      cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
    super(`cannot reach the Sanksi API at ${baseUrl} (${operationId}): ${why}`, { cause });
  }
}
