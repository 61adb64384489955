import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WORKER_CONTEXT, type WorkerContext } from '../worker-loop';

/** Prometheus exposition of the process's one registry (the loops' lag, restarts, commands...). */
@Controller('metrics')
export class WorkerMetricsController {
  constructor(@Inject(WORKER_CONTEXT) private readonly context: WorkerContext) {}

  /** Every metric of this process, in the Prometheus text format. */
  @Get()
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.context.runtime.metrics.exposition();
    void reply.header('content-type', contentType);
    return body;
  }
}
