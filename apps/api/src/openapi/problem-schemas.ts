import { z } from 'zod';
import { type SchemaRef, responseSchema } from './openapi-components';

/** RFC 9457 problem document: what every error answer of the API is (`application/problem+json`). */
export const Problem = z
  .looseObject({
    type: z.string().meta({
      description: 'A URI naming the kind of problem',
      example: 'https://sanksi.dev/problems/case-not-found',
    }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'What went wrong and what is allowed instead' }),
    instance: z.string().optional().meta({ description: 'The request path' }),
  })
  .meta({
    description: 'An RFC 9457 problem; kinds add their own fields (see the other *Problem schemas).',
    example: {
      type: 'https://sanksi.dev/problems/case-not-found',
      title: 'Case not found',
      status: 404,
      detail: 'case shop not found',
      instance: '/v1/cases/shop',
      pseId: 'shop',
    },
  });

/** 400: names every invalid field of the body, path, query or a header. */
export const ValidationProblem = Problem.extend({
  invalidFields: z.array(z.object({ field: z.string(), message: z.string() })),
}).meta({
  example: {
    type: 'https://sanksi.dev/problems/invalid-request',
    title: 'Invalid request',
    status: 400,
    detail: 'invalid: body.letterNumber (Too small: expected string to have >=1 characters)',
    instance: '/v1/cases/shop/warnings',
    invalidFields: [
      { field: 'body.letterNumber', message: 'Too small: expected string to have >=1 characters' },
    ],
  },
});

/** 401 and 403: who may call the route. */
export const AuthProblem = Problem.extend({
  allowedRoles: z.array(z.string()).optional(),
  role: z.string().optional(),
}).meta({
  example: {
    type: 'https://sanksi.dev/problems/forbidden',
    title: 'Forbidden',
    status: 403,
    detail: 'the analyst role may not call this route',
    instance: '/v1/cases/shop/warnings',
    role: 'analyst',
    allowedRoles: ['operator', 'admin'],
  },
});

/** 409 transition-refused: the command is not allowed in the case's state; `allowed` lists what is. */
export const TransitionRefusedProblem = Problem.extend({
  pseId: z.string(),
  state: z.string(),
  command: z.string(),
  reason: z.string(),
  allowed: z.array(z.string()),
}).meta({
  example: {
    type: 'https://sanksi.dev/problems/transition-refused',
    title: 'Transition refused',
    status: 409,
    detail: 'ImposeFine refused in state registered: no written warning was issued',
    instance: '/v1/cases/shop/fines',
    pseId: 'shop',
    state: 'registered',
    command: 'ImposeFine',
    reason: 'no written warning was issued',
    allowed: ['IssueWarning', 'SuspendRegistration', 'MigratePolicy'],
  },
});

/** 412: `If-Match` named another version than the case has. */
export const VersionMismatchProblem = Problem.extend({
  pseId: z.string(),
  expectedVersion: z.number().int(),
  actualVersion: z.number().int(),
}).meta({
  example: {
    type: 'https://sanksi.dev/problems/version-mismatch',
    title: 'Precondition failed',
    status: 412,
    detail: 'case shop is at version 3, not 2',
    instance: '/v1/cases/shop/warnings',
    pseId: 'shop',
    expectedVersion: 2,
    actualVersion: 3,
  },
});

/** 503 (and 507): nothing was changed, or the outcome is unknown; send again (with the same Idempotency-Key). */
export const RetryableProblem = Problem.extend({
  retryable: z.literal(true),
  outcome: z.enum(['not-applied', 'unknown']).optional(),
}).meta({
  example: {
    type: 'https://sanksi.dev/problems/service-unavailable',
    title: 'Service unavailable',
    status: 503,
    detail:
      'the database is unreachable or restarting; nothing was changed — send the request again after Retry-After seconds',
    instance: '/v1/cases/shop',
    retryable: true,
    outcome: 'not-applied',
  },
});

const refs = {
  Problem: responseSchema('Problem', Problem),
  ValidationProblem: responseSchema('ValidationProblem', ValidationProblem),
  AuthProblem: responseSchema('AuthProblem', AuthProblem),
  TransitionRefusedProblem: responseSchema('TransitionRefusedProblem', TransitionRefusedProblem),
  VersionMismatchProblem: responseSchema('VersionMismatchProblem', VersionMismatchProblem),
  RetryableProblem: responseSchema('RetryableProblem', RetryableProblem),
};

/** The statuses an operation may answer with a problem, and what each means. */
export const PROBLEM_STATUSES = {
  400: { description: 'Invalid request: every invalid field named', schema: refs.ValidationProblem },
  401: {
    description: 'No API key, or one this server does not know (`WWW-Authenticate: Bearer`)',
    schema: refs.AuthProblem,
  },
  403: {
    description: 'The key’s role may not call this route; `allowedRoles` says who may',
    schema: refs.AuthProblem,
  },
  404: { description: 'No such case', schema: refs.Problem },
  409: {
    description:
      'The command is refused in the case’s state (`transition-refused`, with `allowed`), the case already exists, or a concurrent command won',
    schema: { oneOf: [refs.TransitionRefusedProblem, refs.Problem] },
  },
  412: {
    description: '`If-Match` names another version than the case has',
    schema: refs.VersionMismatchProblem,
  },
  413: { description: 'The body is larger than the server accepts', schema: refs.Problem },
  415: { description: 'The body is not application/json', schema: refs.Problem },
  422: {
    description:
      'Well formed but unprocessable: an Idempotency-Key reused with another command, or a deadline beyond the known calendar',
    schema: refs.Problem,
  },
  429: { description: 'Too many open streams for this key', schema: refs.Problem },
  503: {
    description:
      'The database is unreachable (nothing changed) or the outcome is unknown; retry after `Retry-After`',
    schema: refs.RetryableProblem,
  },
  507: { description: 'The event store’s disk is full: nothing was written', schema: refs.RetryableProblem },
} satisfies Record<number, { description: string; schema: SchemaRef | { oneOf: SchemaRef[] } }>;

export type ProblemStatus = keyof typeof PROBLEM_STATUSES;
