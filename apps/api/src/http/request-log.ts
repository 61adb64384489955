import type { IncomingHttpHeaders } from 'node:http';
import { LOG_REDACTION } from '@sanksi/application';
import { newTraceId, parseTraceparent, TRACEPARENT_HEADER } from '@sanksi/messaging';
import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import type { Logger } from 'pino';

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
 * The Fastify options of the request log: the process's pino logger (as a child with the redaction
 * re-applied, since pino lets a child's redaction replace its parent's), the request id from
 * `X-Request-Id` / `traceparent` / generated, labelled `requestId` in every line, one line per request.
 */
export function requestLogOptions(
  logger: Logger,
): Pick<FastifyServerOptions, 'loggerInstance' | 'genReqId' | 'logController'> {
  return {
    loggerInstance: logger.child({ component: 'http' }, { redact: LOG_REDACTION }),
    genReqId: genRequestId,
    logController: new OneLinePerRequest({ requestIdLogLabel: 'requestId' }),
  };
}

/** Echoes the request id in `X-Request-Id` on every answer (added as the first hook of the request). */
export async function echoRequestId(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  void reply.header(REQUEST_ID_HEADER, requestTrace(request).requestId);
}
