import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { PseId } from '@sanksi/domain';
import type { FastifyRequest } from 'fastify';
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
