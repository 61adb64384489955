import type { FastifyReply, FastifyRequest } from 'fastify';

/** The strong ETag of a case answer: its version, quoted (RFC 9110 §8.8.3). */
export const versionTag = (version: number): string => `"${version}"`;

/** Whether an `If-None-Match` value names `etag`: `*`, or a list of tags compared weakly (RFC 9110 §13.1.2). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Sets the ETag of a case answer at `version` and, when the request's `If-None-Match` names it, answers
 * 304 with no body (returns true: the handler sends nothing more).
 */
export function notModified(request: FastifyRequest, reply: FastifyReply, version: number): boolean {
  const etag = versionTag(version);
  void reply.header('etag', etag);
  const header = request.headers['if-none-match'];
  if (!matchesIfNoneMatch(Array.isArray(header) ? header.join(',') : header, etag)) return false;
  void reply.status(304);
  return true;
}
