import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { parsedAtTheEdge, type SanksiRuntime } from '@sanksi/application';
import { PseId } from '@sanksi/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow } from '../auth/roles';
import { InvalidRequest } from '../http/problem';
import { parseInput } from '../http/parse-input';
import { ApiAnswers, GUARDED } from '../openapi/api-answers.decorator';
import { requestSchema } from '../openapi/openapi-components';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { CASE_COMMAND_ROUTES, type CaseCommandRoute, type CommandPathParams } from './case-command-table';
import { commandContext, respond } from './command-runner';
import { ApiPseIdParam } from './pse-id.param';

type Params = Partial<Record<keyof CommandPathParams, string>>;

/** A `:pseId` path parameter by the domain's rule; 400 naming the field otherwise. */
function pathParams(route: CaseCommandRoute, params: Params): CommandPathParams {
  if (!route.path.includes(':pseId')) return { pseId: '', fineId: '' };
  const parsed = PseId.safeParse(params.pseId ?? '');
  if (!parsed.success) {
    throw new InvalidRequest([{ field: 'path.pseId', message: parsed.error.issues[0].message }]);
  }
  return { pseId: parsed.data, fineId: params.fineId ?? '' };
}

/**
 * Commands on cases (docs/regulation.md §15.2). The routes are not written out one by one: each entry of
 * CASE_COMMAND_ROUTES becomes a handler below, with its roles and OpenAPI operation (docs/decisions/0006).
 */
@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1/cases')
export class CaseCommandsController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  /** Validates the request, builds the route's command, runs it and shapes the answer (201 with Location). */
  async execute(route: CaseCommandRoute, request: FastifyRequest, reply: FastifyReply) {
    const path = pathParams(route, request.params as Params);
    const { occurredAt, ...body } = parseInput(route.body, request.body) as { occurredAt?: string };
    // Validated once, here: the body schemas are the domain command's own fields (command-parsed-once.spec).
    const command = parsedAtTheEdge(route.build(body, path, request));
    const outcome = await this.runtime.commands.executeParsed(command, commandContext(request, occurredAt));
    const response = respond(request, reply, outcome);
    return route.answer.extend ? { ...response, ...route.answer.extend(outcome) } : response;
  }
}

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Makes a retry safe: the same key with the same command answers the first outcome (200, `Idempotent-Replay: true`); with another command, 422',
} as const;
const PREFER = {
  name: 'Prefer',
  required: false,
  description:
    '`return=representation` (RFC 7240): the answer carries the appended events whole (`CaseEvent`, as `GET /v1/cases/{pseId}/events` gives them) instead of by reference; `Preference-Applied` confirms it',
} as const;
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: 'The case version the command was decided on, e.g. `"3"`: 412 when the case has moved on',
} as const;

/** Adds one handler per command route to the controller, decorated as if written out by hand. */
function addCommandRoute(route: CaseCommandRoute): void {
  const prototype = CaseCommandsController.prototype as unknown as Record<string, unknown>;
  const name = route.operationId;
  if (name in prototype) throw new Error(`command route ${name} defined twice`);
  const handler = async function (
    this: CaseCommandsController,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    return this.execute(route, request, reply);
  };
  Object.defineProperty(handler, 'name', { value: name });
  Object.defineProperty(prototype, name, { value: handler, writable: true, configurable: true });
  Req()(prototype, name, 0);
  Res({ passthrough: true })(prototype, name, 1);
  const pathParameters = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const decorators: MethodDecorator[] = [
    Post(route.path),
    Allow(...route.roles),
    ApiOperation({ operationId: route.operationId, summary: route.summary, description: route.description }),
    ...pathParameters.map((param) =>
      param === 'pseId'
        ? ApiPseIdParam()
        : ApiParam({ name: param, required: true, schema: { type: 'string', minLength: 1 } }),
    ),
    ApiHeader(IDEMPOTENCY_KEY),
    ApiHeader(IF_MATCH),
    ApiHeader(PREFER),
    ApiBody({
      schema: requestSchema(route.bodyName, route.body),
      examples: { example: { value: route.example } },
    }),
    ApiAnswers({
      status: 201,
      description:
        'Applied: the case after the command, its next deadline and the events it appended (by reference; whole with `Prefer: return=representation`)',
      schema: route.answer.schema,
      headers: {
        Location: { description: 'The case: `/v1/cases/{pseId}`', schema: { type: 'string' } },
        ETag: { description: 'The case version after the command, e.g. `"3"`', schema: { type: 'string' } },
        'Preference-Applied': {
          description: 'The `return` preference applied, when the request stated one (RFC 7240)',
          schema: { type: 'string', enum: ['return=representation', 'return=minimal'] },
        },
      },
      alsoOk: [
        {
          status: 200,
          description:
            'An idempotent retry: the first outcome again, nothing appended (`Idempotent-Replay: true`)',
          schema: route.answer.schema,
        },
      ],
      problems: [
        400,
        ...GUARDED,
        ...(pathParameters.length > 0 ? [404 as const] : []),
        409,
        412,
        413,
        415,
        422,
        503,
        507,
      ],
    }),
  ];
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name) as PropertyDescriptor;
  for (const decorate of decorators) decorate(prototype, name, descriptor);
}

for (const route of CASE_COMMAND_ROUTES) addCommandRoute(route);
