import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_STATUSES, type ProblemStatus } from './problem-schemas';

type Schema = object;
type Headers = Record<string, { description: string; schema: Schema }>;

/** What an operation answers when it succeeds, and which problems it may answer instead. */
export interface Answers {
  /** 200 unless said otherwise. */
  status?: 200 | 201;
  description: string;
  /** The success body's schema (a `$ref` from `responseSchema` as a rule). */
  schema: Schema;
  /** Another media type than JSON (the blocklist's text formats, metrics, an event stream). */
  contentTypes?: Record<string, { schema: Schema; example?: unknown }>;
  example?: unknown;
  headers?: Headers;
  /** Further success statuses besides the main one (200 for an idempotent retry of a 201). */
  alsoOk?: Array<{ status: 200 | 304; description: string; headers?: Headers; schema?: Schema }>;
  problems: ProblemStatus[];
}

/** Statuses every route behind the key guard can answer. */
export const GUARDED: ProblemStatus[] = [401, 403];

/** Documents the problems an operation may answer with (for routes that document their success otherwise). */
export function ApiProblems(...statuses: ProblemStatus[]): MethodDecorator {
  return applyDecorators(...problemResponses(statuses));
}

function problemResponses(statuses: ProblemStatus[]): MethodDecorator[] {
  return [...new Set(statuses)]
    .sort((a, b) => a - b)
    .map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_STATUSES[status].description,
        content: { 'application/problem+json': { schema: PROBLEM_STATUSES[status].schema } },
        ...(status === 401
          ? {
              headers: {
                'WWW-Authenticate': {
                  description: 'RFC 6750: `Bearer realm="sanksi"`',
                  schema: { type: 'string' },
                },
              },
            }
          : {}),
        ...(status === 503
          ? {
              headers: {
                'Retry-After': {
                  description: 'Seconds to wait before sending again',
                  schema: { type: 'integer' },
                },
              },
            }
          : {}),
      }),
    );
}

/** Documents an operation's answers in OpenAPI: the success body and each problem it may answer with. */
export function ApiAnswers(answers: Answers): MethodDecorator {
  const content = answers.contentTypes ?? {
    'application/json': {
      schema: answers.schema,
      ...(answers.example === undefined ? {} : { example: answers.example }),
    },
  };
  const decorators = [
    ApiResponse({
      status: answers.status ?? 200,
      description: answers.description,
      content,
      ...(answers.headers ? { headers: answers.headers } : {}),
    }),
    ...(answers.alsoOk ?? []).map((ok) =>
      ApiResponse({
        status: ok.status,
        description: ok.description,
        ...(ok.schema ? { content: { 'application/json': { schema: ok.schema } } } : {}),
        ...(ok.headers ? { headers: ok.headers } : {}),
      }),
    ),
    ...problemResponses(answers.problems),
  ];
  return applyDecorators(...decorators);
}
