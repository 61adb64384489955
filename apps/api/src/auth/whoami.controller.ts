import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiAnswers, GUARDED } from '../openapi/api-answers.decorator';
import { responseSchema } from '../openapi/openapi-components';
import type { Caller } from './api-key.guard';
import { ROLES } from './api-keys';
import { Allow } from './roles';

const WhoAmIRef = responseSchema(
  'WhoAmI',
  z
    .object({
      role: z.enum(ROLES),
      id: z
        .string()
        .meta({ description: 'The actor id events record for this key: `<role>:<8 hex digits>`' }),
    })
    .meta({ example: { role: 'operator', id: 'operator:1a2b3c4d' } }),
);

/** Who a key belongs to, so a client (the web console) can show what that role may do. */
@ApiTags('operations')
@ApiBearerAuth()
@Allow(...ROLES)
@Controller('v1/auth')
export class WhoAmIController {
  @Get('whoami')
  @ApiOperation({
    operationId: 'whoAmI',
    summary: 'The role of the API key sent, and the actor id it acts as',
  })
  @ApiAnswers({ description: 'The caller', schema: WhoAmIRef, problems: GUARDED })
  whoami(@Req() request: FastifyRequest & { caller?: Caller }): Caller {
    // The guard has run: a request without a known key never gets here.
    const { role, id } = request.caller as Caller;
    return { role, id };
  }
}
