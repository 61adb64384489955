import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from '../http/problem';

const PSE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The `:pseId` path parameter, validated (400 naming the field when malformed). */
export const PseIdParam = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<FastifyRequest<{ Params: { pseId?: string } }>>();
  const pseId = request.params.pseId ?? '';
  if (!PSE_ID.test(pseId)) {
    throw new InvalidRequest([
      { field: 'path.pseId', message: 'letters, digits, ".", "_" or "-", at most 128' },
    ]);
  }
  return pseId;
});
