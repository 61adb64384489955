import type { IncomingHttpHeaders } from 'node:http';
import { LOG_REDACTION } from '@sanksi/application';
import { newTraceId, parseTraceparent, TRACEPARENT_HEADER } from '@sanksi/messaging';
import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LogFn, Logger } from 'pino';

/** The response header that names the request, whether the caller sent the id or Sanksi made it. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Who a request is in the logs and the event log: its own id and the trace it belongs to. */
export interface RequestTrace {
  /** `X-Request-Id` as sent, else the incoming trace id, else a fresh one. */
  requestId: string;
  /** W3C trace id (32 hex digits): from `traceparent`, else the generated request id. */
  traceId: string;
}

// A caller's own id is taken only if it is short visible ASCII: it is echoed in a header and logged.
const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** Reads (or makes) the request id and trace id of a request from its headers. */
export function traceOfHeaders(headers: IncomingHttpHeaders): RequestTrace {
  const traceId = parseTraceparent(first(headers[TRACEPARENT_HEADER]))?.traceId ?? newTraceId();
  const sent = first(headers[REQUEST_ID_HEADER]);
  return { requestId: sent !== undefined && REQUEST_ID.test(sent) ? sent : traceId, traceId };
}

// Kept per raw request from the moment Fastify asks for its id; gone with the request.
const traces = new WeakMap<object, RequestTrace>();

/** Fastify's `genReqId`: the request id of `traceOfHeaders`, remembering the trace for the request. */
export function genRequestId(raw: { headers: IncomingHttpHeaders }): string {
  const trace = traceOfHeaders(raw.headers);
  traces.set(raw, trace);
  return trace.requestId;
}

/** The request id and trace id of a request (as made by `genRequestId`). */
export function requestTrace(request: FastifyRequest): RequestTrace {
  return (
    traces.get(request.raw) ?? { requestId: request.id, traceId: traceOfHeaders(request.headers).traceId }
  );
}

// Probes and scrapes come every few seconds: their lines are debug, so the info log shows traffic.
const QUIET_PATHS = /^\/(health\/|metrics(\?|$))/;

/**
 * One log line per request, written when the response is finished (Fastify's own "incoming request" and
 * "request completed" pair is two): method, URL, route, status, duration, the caller's key id (never the
 * key), the trace id, and the headers with credentials redacted (LOG_REDACT_PATHS).
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {
    // The line is written once the answer is known.
  }

  override routeNotFound(): void {
    // The request's own line says 404.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const status = reply.statusCode;
    // Flat fields: Fastify's own serializers would cut a `req` down to method and URL.
    const line = {
      method: request.method,
      url: request.url,
      route: request.routeOptions?.url ?? null,
      statusCode: status,
      headers: request.headers,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      caller: (request as FastifyRequest & { caller?: { id: string } }).caller?.id ?? null,
      traceId: requestTrace(request).traceId,
      ...(error ? { err: error } : {}),
    };
    if (error || status >= 500) reply.log.error(line, 'request');
    else if (QUIET_PATHS.test(request.url)) reply.log.debug(line, 'request');
    else reply.log.info(line, 'request');
  }
}

/**
 * A request's logger without a pino child per request. Fastify makes one child per request to bind its
 * request id, and pino passes every binding of a child through the redaction (wildcard paths run on every
 * value) — a cost per request even when no line is written (issue 10). This writes each line through the
 * HTTP logger itself, whose redaction covers the whole line as before, with the bindings as the line's
 * first fields; nothing is done for a level that is off. `child()` still makes a real pino child.
 */
export class RequestLogger implements FastifyBaseLogger {
  readonly fatal: LogFn = (...args: unknown[]) => this.write('fatal', args);
  readonly error: LogFn = (...args: unknown[]) => this.write('error', args);
  readonly warn: LogFn = (...args: unknown[]) => this.write('warn', args);
  readonly info: LogFn = (...args: unknown[]) => this.write('info', args);
  readonly debug: LogFn = (...args: unknown[]) => this.write('debug', args);
  readonly trace: LogFn = (...args: unknown[]) => this.write('trace', args);
  readonly silent: LogFn = () => undefined;

  constructor(
    private readonly parent: Logger,
    private readonly fixed: Bindings,
  ) {}

  /** The HTTP logger's level (a request's logger has no level of its own). */
  get level(): string {
    return this.parent.level;
  }

  set level(_level: string) {
    throw new Error('a request logger has the HTTP logger level; make a child for another level');
  }

  /** Whether a line at this level would be written. */
  isLevelEnabled(level: string): boolean {
    return this.parent.isLevelEnabled(level);
  }

  /** A pino child of the HTTP logger with this request's bindings and the given ones (redacted by pino). */
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.parent.child({ ...this.fixed, ...bindings }, options);
  }

  /** The bindings of every line: the HTTP logger's and this request's. */
  bindings(): Bindings {
    return { ...this.parent.bindings(), ...this.fixed };
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.parent.isLevelEnabled(level)) return;
    const [first, ...rest] = args;
    const log = this.parent[level] as (obj: object, ...more: unknown[]) => void;
    // pino's own forms: (error, msg?) keeps the error under `err` (and its message as msg), (object, msg?)
    // merges the object, (msg, ...format args) only has a message.
    if (first instanceof Error) log.call(this.parent, { ...this.fixed, err: first }, ...rest);
    else if (typeof first === 'object' && first !== null)
      log.call(this.parent, { ...this.fixed, ...first }, ...rest);
    else log.call(this.parent, this.fixed, ...args);
  }
}

/**
 * Fastify's per-request logger factory: a `RequestLogger`, or a pino child where a route asks for its own
 * serializers or a level other than the HTTP logger's (Fastify passes every route's level, by default the
 * server's own).
 */
export const requestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => {
  const { level, ...others } = options;
  const ownLevel = level !== undefined && level !== '' && level !== logger.level;
  return ownLevel || Object.keys(others).length > 0
    ? logger.child(bindings, options)
    : new RequestLogger(logger as unknown as Logger, bindings);
};

/**
 * The Fastify options of the request log: the process's pino logger (as a child with the redaction
 * re-applied, since pino lets a child's redaction replace its parent's), the request id from
 * `X-Request-Id` / `traceparent` / generated, labelled `requestId` in every line, one line per request,
 * written through a `RequestLogger` (no pino child per request).
 */
export function requestLogOptions(
  logger: Logger,
): Pick<FastifyServerOptions, 'loggerInstance' | 'genReqId' | 'logController' | 'childLoggerFactory'> {
  return {
    loggerInstance: logger.child({ component: 'http' }, { redact: LOG_REDACTION }),
    genReqId: genRequestId,
    logController: new OneLinePerRequest({ requestIdLogLabel: 'requestId' }),
    childLoggerFactory: requestLoggerFactory,
  };
}

/** Echoes the request id in `X-Request-Id` on every answer (added as the first hook of the request). */
export async function echoRequestId(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  void reply.header(REQUEST_ID_HEADER, requestTrace(request).requestId);
}
