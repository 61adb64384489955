import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/roles';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { ApiAnswers } from '../openapi/api-answers.decorator';

/**
 * Prometheus exposition of the process's one registry (`runtime.metrics`): HTTP by route template,
 * commands, appends, projection, the loops of this process, default process metrics (docs/operations.md).
 */
@ApiTags('operations')
@Allow('public')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get()
  @ApiProduces('text/plain')
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics' })
  @ApiAnswers({
    description: 'Prometheus text exposition format',
    schema: { type: 'string' },
    contentTypes: { 'text/plain': { schema: { type: 'string' } } },
    problems: [],
  })
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.runtime.metrics.exposition();
    void reply.header('content-type', contentType);
    return body;
  }
}
