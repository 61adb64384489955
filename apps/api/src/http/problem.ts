/** One invalid field of a request, as `400` problems list them. */
export interface InvalidField {
  field: string;
  message: string;
}

/** An RFC 9457 problem document: the only error shape the API answers with. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/** An error that already knows its HTTP problem form (thrown by controllers and guards). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    /** Response headers the problem needs, e.g. `WWW-Authenticate` on a 401 (RFC 9110 §15.5.2). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

/** 400: the request body, path or query is invalid; names every invalid field. */
export class InvalidRequest extends HttpProblem {
  constructor(readonly invalidFields: InvalidField[]) {
    super(
      400,
      'Invalid request',
      `invalid: ${invalidFields.map((f) => `${f.field} (${f.message})`).join('; ')}`,
      { invalidFields },
    );
  }
}
