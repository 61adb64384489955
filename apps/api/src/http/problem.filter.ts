import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import {
  CaseAlreadyExists,
  CaseNotFound,
  DeadlineOutsideCalendar,
  TransitionRefused,
  ValidationFailed,
} from '@sanksi/domain';
import { ConcurrentModification, IdempotencyKeyReused, VersionMismatch } from '@sanksi/application';
import {
  AppendOutcomeUnknown,
  EventStoreClosed,
  EventStoreStorageFull,
  EventStoreUnavailable,
} from '@sanksi/event-store';
import { InvalidQuery, ReadModelStoreFailed } from '@sanksi/read-models';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { HttpProblem, type ProblemDocument } from './problem';
import { type BodyLimits, bodyTooLarge } from './route-body-limits';

const PROBLEM_BASE = 'https://sanksi.dev/problems/';
/** `Retry-After` of a 503: long enough for a database restart or fail-over to be noticed (docs/operations.md). */
export const RETRY_AFTER_SECONDS = 2;

/** Maps every error to `application/problem+json`, in one place (STYLE.md 6). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    /** When given, a 413 names the limit of the route that refused the body and what to do instead. */
    private readonly bodyLimits?: BodyLimits,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let problem = { ...toProblem(error), instance: request.url };
    // Fastify's body limit reaches here as Nest's PayloadTooLargeException (or its own FST_ERR_CTP_BODY_TOO_LARGE).
    if (problem.status === 413 && !(error instanceof HttpProblem) && this.bodyLimits) {
      problem = {
        ...problem,
        type: `${PROBLEM_BASE}body-too-large`,
        title: 'Payload too large',
        ...bodyTooLarge(request, this.bodyLimits),
      };
    }
    // A 503 is the database being away, expected and retried: a warning, not an error per request.
    if (problem.status === 503) this.logger.warn({ err: error, url: request.url }, 'request deferred');
    else if (problem.status >= 500) this.logger.error({ err: error, url: request.url }, 'request failed');
    if (problem.status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    if (error instanceof HttpProblem) void reply.headers(error.headers);
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }
}

/** The problem document for an error (exported for tests and the SSE stream). */
export function toProblem(error: unknown): ProblemDocument {
  const p = (
    status: number,
    slug: string,
    title: string,
    detail: string,
    ext: Record<string, unknown> = {},
  ) => ({
    type: `${PROBLEM_BASE}${slug}`,
    title,
    status,
    detail,
    ...ext,
  });
  if (error instanceof HttpProblem) {
    const slug = error.title.toLowerCase().replace(/[^a-z]+/g, '-');
    return p(error.status, slug, error.title, error.message, error.extensions);
  }
  if (error instanceof TransitionRefused) {
    return p(409, 'transition-refused', 'Transition refused', error.message, {
      pseId: error.pseId,
      state: error.state,
      command: error.command,
      reason: error.reason,
      allowed: error.allowed,
    });
  }
  if (error instanceof ValidationFailed) {
    return p(400, 'invalid-request', 'Invalid request', error.message, {
      invalidFields: error.issues.map((i) => ({
        field: ['body', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    });
  }
  if (error instanceof InvalidQuery) {
    return p(400, 'invalid-request', 'Invalid request', error.message, {
      invalidFields: [{ field: `query.${error.field}`, message: error.message }],
    });
  }
  if (error instanceof DeadlineOutsideCalendar) {
    // Well formed, but unprocessable until the year's holidays are entered: 422, like a reused key.
    return p(422, 'deadline-outside-calendar', 'Deadline outside the known calendar', error.message, {
      year: error.year,
      knownFrom: error.knownFrom,
      knownThrough: error.knownThrough,
    });
  }
  if (error instanceof CaseNotFound) {
    return p(404, 'case-not-found', 'Case not found', error.message, { pseId: error.pseId });
  }
  if (error instanceof CaseAlreadyExists) {
    return p(409, 'case-already-exists', 'Case already exists', error.message, { pseId: error.pseId });
  }
  if (error instanceof VersionMismatch) {
    return p(412, 'version-mismatch', 'Precondition failed', error.message, {
      pseId: error.pseId,
      expectedVersion: error.expectedVersion,
      actualVersion: error.actualVersion,
    });
  }
  if (error instanceof IdempotencyKeyReused) {
    return p(422, 'idempotency-key-reused', 'Idempotency-Key reused', error.message, {
      pseId: error.pseId,
      idempotencyKey: error.key,
      command: error.command,
    });
  }
  if (error instanceof ConcurrentModification) {
    return p(409, 'concurrent-modification', 'Concurrent modification', error.message, {
      pseId: error.pseId,
    });
  }
  if (error instanceof EventStoreStorageFull) {
    // 507: the server cannot store what the request needs; nothing was written, the same request
    // succeeds once an operator frees space (docs/operations.md, "Disk full").
    return p(507, 'insufficient-storage', 'Insufficient storage', error.message, {
      retryable: true,
    });
  }
  if (error instanceof AppendOutcomeUnknown) {
    // Not "nothing written": the reply to a commit may be what was lost. The store never applies one
    // command id twice, so the retry with the same key is safe either way.
    return p(
      503,
      'outcome-unknown',
      'Outcome unknown',
      'the connection to the database was lost before the command was confirmed, so it may or may not have been applied; send it again with the same Idempotency-Key — the retry answers the first outcome if it was applied and applies it if not (without a key, read the case before sending it again)',
      { retryable: true, outcome: 'unknown' },
    );
  }
  if (
    error instanceof EventStoreUnavailable ||
    error instanceof EventStoreClosed ||
    (error instanceof ReadModelStoreFailed && error.transient)
  ) {
    // The cause (host, port, driver text) stays in the log, not in the answer.
    return p(
      503,
      'service-unavailable',
      'Service unavailable',
      'the database is unreachable or restarting; nothing was changed — send the request again after Retry-After seconds',
      { retryable: true, outcome: 'not-applied' },
    );
  }
  const fastifyCode = (error as { code?: unknown }).code;
  if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return p(
      413,
      'body-too-large',
      'Payload too large',
      'the request body is larger than the server accepts',
    );
  }
  if (fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return p(415, 'unsupported-media-type', 'Unsupported media type', 'send the body as application/json');
  }
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return p(statusCode, 'bad-request', 'Bad request', (error as Error).message);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return p(status, status === 404 ? 'not-found' : 'http-error', error.name, error.message);
  }
  return p(
    500,
    'internal-error',
    'Internal error',
    'the server failed to handle the request; it has been logged',
  );
}
