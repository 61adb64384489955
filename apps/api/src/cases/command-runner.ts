import { createHash, randomUUID } from 'node:crypto';
import type { CommandContext, CommandOutcome } from '@sanksi/application';
import type { CaseStateAfter, PseCaseCommand } from '@sanksi/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../auth/api-key.guard';
import { InvalidRequest } from '../http/problem';
import { requestTrace } from '../http/request-log';

/** One event a command appended, by reference: enough to name it and find it in `GET …/events`. */
export interface AppendedEventRef {
  eventId: string;
  type: string;
  revision: number;
  occurredAt: string;
}

/**
 * What every command route answers (issue 4; slimmed in issue 10, docs/decisions/0011): the case after the
 * command, its next deadline and the events it appended — by reference, or whole when the request says
 * `Prefer: return=representation`.
 */
export interface CommandResponse {
  pseId: string;
  version: number;
  state: string;
  substate: string | null;
  nextDeadline: CaseStateAfter['nextDeadline'];
  events: AppendedEventRef[] | CommandOutcome['events'];
}

type RequestWithCaller = FastifyRequest & { caller?: Caller };

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** `If-Match: "<version>"` (weak tags and bare numbers accepted too); malformed is a 400. */
export function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(value);
  if (!match) {
    throw new InvalidRequest([
      { field: 'header.If-Match', message: 'must be the case version in quotes, e.g. "3"' },
    ]);
  }
  return Number(match[1]);
}

/**
 * The command context from the request: caller, Idempotency-Key, If-Match, business time, and the
 * correlation id (`X-Correlation-Id`, else the request id) and trace id recorded with its events.
 */
export function commandContext(request: RequestWithCaller, occurredAt: string | undefined): CommandContext {
  const idempotencyKey = header(request, 'idempotency-key');
  if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
    throw new InvalidRequest([
      { field: 'header.Idempotency-Key', message: 'must be 1–200 visible ASCII characters' },
    ]);
  }
  const correlationId = header(request, 'x-correlation-id');
  const caller = request.caller ?? { role: 'operator' as const, id: 'anonymous' };
  const trace = requestTrace(request);
  return {
    actor: { id: caller.id, role: caller.role },
    idempotencyKey: idempotencyKey === undefined ? undefined : `${caller.id}:${idempotencyKey}`,
    idempotencyKeyAsSent: idempotencyKey,
    expectedVersion: parseIfMatch(header(request, 'if-match')),
    correlationId: correlationId && correlationId.length <= 200 ? correlationId : trace.requestId,
    traceId: trace.traceId,
    occurredAt,
  };
}

/** A new case's id: derived from the Idempotency-Key when there is one, so a retry opens no second case. */
export function newPseId(request: FastifyRequest): string {
  const key = header(request, 'idempotency-key');
  return key ? `pse-${createHash('sha256').update(key).digest('hex').slice(0, 20)}` : `pse-${randomUUID()}`;
}

/** The URL of a case, as `Location` names it. */
export const caseLocation = (pseId: string): string => `/v1/cases/${encodeURIComponent(pseId)}`;

/**
 * The `return` preference of a request (RFC 7240 `Prefer`, several preferences and header lines allowed):
 * `representation` asks for the whole events in a command's answer, `minimal` (the default) for references.
 * Undefined when the request states none; any other value counts as none, as the RFC lets a server ignore it.
 */
export function returnPreference(request: FastifyRequest): 'representation' | 'minimal' | undefined {
  const prefer = request.headers.prefer;
  if (prefer === undefined) return undefined;
  for (const preference of (Array.isArray(prefer) ? prefer.join(',') : prefer).split(',')) {
    const [name, value = ''] = preference.split(';')[0].split('=');
    if (name.trim().toLowerCase() !== 'return') continue;
    const wanted = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    return wanted === 'representation' || wanted === 'minimal' ? wanted : undefined;
  }
  return undefined;
}

const reference = (event: CommandOutcome['events'][number]): AppendedEventRef => ({
  eventId: event.eventId,
  type: event.type,
  revision: event.revision,
  occurredAt: event.occurredAt,
});

/**
 * Shapes an outcome for HTTP: 201 with `Location` (the case) and an ETag of the new version; 200 for an
 * idempotent retry, which created nothing. The events by reference unless the request prefers the whole
 * representation (`Preference-Applied` says which was applied when the request stated one).
 */
export function respond(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: CommandOutcome,
): CommandResponse {
  void reply.status(outcome.duplicate ? 200 : 201).header('etag', `"${outcome.version}"`);
  if (outcome.duplicate) void reply.header('idempotent-replay', 'true');
  else void reply.header('location', caseLocation(outcome.pseId));
  const preference = returnPreference(request);
  void reply.header('vary', 'Prefer');
  if (preference !== undefined) void reply.header('preference-applied', `return=${preference}`);
  const last = outcome.events[outcome.events.length - 1];
  return {
    pseId: outcome.pseId,
    version: outcome.version,
    state: outcome.state,
    substate: outcome.substate,
    nextDeadline: last?.state.nextDeadline ?? null,
    events: preference === 'representation' ? outcome.events : outcome.events.map(reference),
  };
}

export type { PseCaseCommand };
