import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemDocument } from './problem';

const PROBLEM_BASE = 'https://sanksi.dev/problems/';

const problem = (status: number, slug: string, title: string, detail: string): ProblemDocument => ({
  type: `${PROBLEM_BASE}${slug}`,
  title,
  status,
  detail,
});

/**
 * The errors Fastify's router raises before any route (and so before Nest's exception filter) sees
 * the request — a path that is not valid percent-encoded UTF-8, a path parameter longer than the
 * router accepts — as problem+json like every other error. Fastify's own answer is plain JSON that
 * echoes the raw path back.
 */
export function frameworkErrors(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const p =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem(
          414,
          'uri-too-long',
          'URI too long',
          'a path segment of the URL is longer than the server accepts',
        )
      : error.code === 'FST_ERR_BAD_URL'
        ? problem(400, 'bad-request', 'Bad request', 'the URL path is not valid percent-encoded UTF-8')
        : problem(400, 'bad-request', 'Bad request', 'the request could not be routed');
  void reply
    .status(p.status)
    .header('content-type', 'application/problem+json')
    .send({ ...p, instance: request.url });
}

const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'Request Timeout',
    'request-timeout',
    'the request was not received in time',
  ],
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'header-fields-too-large',
    'the request line and headers together are larger than the server accepts (16 KiB)',
  ],
};

/**
 * Requests Node's HTTP parser rejects (malformed request line or headers, oversized headers, a
 * timeout) never reach Fastify's routing: answer them as problem+json too, then close the
 * connection as Node and Fastify do.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one left to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, slug, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'Bad Request',
    'bad-request',
    'the request is not well-formed HTTP/1.1',
  ];
  const body = JSON.stringify(problem(status, slug, reason, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
