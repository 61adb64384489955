import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/roles';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { ApiAnswers } from '../openapi/api-answers.decorator';

// A few lines of a real scrape: one counter, one gauge per loop, the head.
const METRICS_EXAMPLE = [
  '# HELP sanksi_commands_total Commands by type and outcome (applied, duplicate, refused, failed) and error code.',
  '# TYPE sanksi_commands_total counter',
  'sanksi_commands_total{command="IssueWarning",outcome="applied",code="none"} 42',
  'sanksi_commands_total{command="BlockAccess",outcome="refused",code="TRANSITION_REFUSED"} 3',
  '# HELP sanksi_worker_lag Global positions between the log head and the loop (projector, relay, scheduler).',
  '# TYPE sanksi_worker_lag gauge',
  'sanksi_worker_lag{worker="projector"} 0',
  '# HELP sanksi_event_store_head_position Global position of the newest event.',
  '# TYPE sanksi_event_store_head_position gauge',
  'sanksi_event_store_head_position 1234',
  '',
].join('\n');

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
    contentTypes: { 'text/plain': { schema: { type: 'string' }, example: METRICS_EXAMPLE } },
    problems: [],
  })
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.runtime.metrics.exposition();
    void reply.header('content-type', contentType);
    return body;
  }
}
