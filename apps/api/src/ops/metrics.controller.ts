import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { Allow } from '../auth/roles';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { RequestMetrics } from './request-metrics';
import { WORKER_STATUS, type WorkerStatusSource } from './worker-status';
import { ApiAnswers } from '../openapi/api-answers.decorator';

const line = (name: string, value: number, labels: Record<string, string> = {}) => {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return `${name}${l.length ? `{${l.join(',')}}` : ''} ${Number.isFinite(value) ? value : 0}`;
};

/** Prometheus text exposition: log head, projection and relay positions and lag, HTTP counts. */
@ApiTags('operations')
@Allow('public')
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime,
    private readonly requests: RequestMetrics,
    @Inject(WORKER_STATUS) private readonly workers: WorkerStatusSource,
  ) {}

  @Get()
  @ApiProduces('text/plain')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics' })
  @ApiAnswers({
    description: 'Prometheus text exposition format',
    schema: { type: 'string' },
    contentTypes: { 'text/plain': { schema: { type: 'string' } } },
    problems: [],
  })
  async metrics(): Promise<string> {
    const head = await this.runtime.eventStore.headPosition();
    const out = [
      '# HELP sanksi_event_store_head_position Global position of the newest event.',
      '# TYPE sanksi_event_store_head_position gauge',
      line('sanksi_event_store_head_position', head),
      '# HELP sanksi_worker_position Position a worker (projector, relay, scheduler) has reached.',
      '# TYPE sanksi_worker_position gauge',
    ];
    const statuses = await this.workers.statuses();
    for (const s of statuses) out.push(line('sanksi_worker_position', s.position, { worker: s.name }));
    out.push(
      '# HELP sanksi_worker_lag Events between the log head and the worker.',
      '# TYPE sanksi_worker_lag gauge',
    );
    for (const s of statuses)
      out.push(line('sanksi_worker_lag', Math.max(0, head - s.position), { worker: s.name }));
    out.push(
      '# HELP sanksi_worker_events_per_second Recent throughput of a worker.',
      '# TYPE sanksi_worker_events_per_second gauge',
    );
    for (const s of statuses)
      out.push(line('sanksi_worker_events_per_second', s.eventsPerSecond, { worker: s.name }));
    out.push(
      '# HELP sanksi_worker_up 1 when the worker runs without error.',
      '# TYPE sanksi_worker_up gauge',
    );
    for (const s of statuses) out.push(line('sanksi_worker_up', s.healthy ? 1 : 0, { worker: s.name }));
    out.push(
      '# HELP sanksi_worker_restarts_total Restarts of a worker loop after a failure.',
      '# TYPE sanksi_worker_restarts_total counter',
    );
    for (const s of statuses) out.push(line('sanksi_worker_restarts_total', s.restarts, { worker: s.name }));
    out.push(
      '# HELP sanksi_http_requests_total HTTP requests answered, by method and status.',
      '# TYPE sanksi_http_requests_total counter',
    );
    for (const [key, count] of this.requests.counts()) {
      const [method, status] = key.split(' ');
      out.push(line('sanksi_http_requests_total', count, { method, status }));
    }
    return `${out.join('\n')}\n`;
  }
}
