import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { PseId } from '@sanksi/domain';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InvalidRequest } from '../http/problem';

/** The `:pseId` path parameter, validated by the domain's `PseId` (400 naming the field when malformed). */
export const PseIdParam = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<FastifyRequest<{ Params: { pseId?: string } }>>();
  const parsed = PseId.safeParse(request.params.pseId ?? '');
  if (!parsed.success) {
    throw new InvalidRequest([{ field: 'path.pseId', message: parsed.error.issues[0].message }]);
  }
  return parsed.data;
});

/** Documents the `{pseId}` path parameter in OpenAPI (a custom parameter decorator is invisible to it). */
export const ApiPseIdParam = () =>
  ApiParam({
    name: 'pseId',
    required: true,
    description: 'The case id',
    schema: z.toJSONSchema(PseId, { target: 'openapi-3.0' }) as Record<string, unknown>,
  });
