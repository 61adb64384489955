import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import type { FastifyReply } from 'fastify';
import { Allow } from '../auth/roles';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';
import { WORKER_STATUS, type WorkerStatus, type WorkerStatusSource } from './worker-status';
import { ApiAnswers } from '../openapi/api-answers.decorator';
import { LivenessRef, ReadinessRef } from '../openapi/read-schemas';

/**
 * One readiness check as anyone may see it: a status word and numbers, never error text (the detail
 * goes to the log, where only operators read it).
 */
export type ReadinessCheck =
  | { name: string; status: 'ok'; lag?: number; restarts?: number }
  | { name: string; status: 'failing'; restarts?: number }
  | { name: string; status: 'stopped'; restarts: number }
  | { name: string; status: 'lagging'; lag: number; maxLag: number; restarts: number }
  | { name: string; status: 'catching-up'; lag?: number; restarts: number };

const READY_EXAMPLE = {
  status: 'ready',
  checks: [
    { name: 'event-store', status: 'ok' },
    { name: 'read-models', status: 'ok' },
    { name: 'projector', status: 'ok', restarts: 0, lag: 0 },
    { name: 'scheduler', status: 'ok', restarts: 0 },
  ],
};
const NOT_READY_EXAMPLE = {
  status: 'not-ready',
  checks: [
    { name: 'event-store', status: 'ok' },
    { name: 'read-models', status: 'ok' },
    { name: 'projector', status: 'lagging', lag: 25000, maxLag: 10000, restarts: 0 },
    { name: 'scheduler', status: 'catching-up', restarts: 0 },
  ],
};

/** Liveness and readiness for orchestrators: public, cheap, no secrets. */
@ApiTags('operations')
@Allow('public')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime,
    @Inject(WORKER_STATUS) private readonly workers: WorkerStatusSource,
  ) {}

  @Get('live')
  @ApiOperation({ operationId: 'getLiveness', summary: 'The process is up' })
  @ApiAnswers({ description: 'Up', schema: LivenessRef, example: { status: 'ok' }, problems: [] })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiAnswers({
    description: 'Ready: the stores answer and every loop of this process runs',
    schema: ReadinessRef,
    example: READY_EXAMPLE,
    problems: [],
  })
  // Not a problem document: the same body as 200, so a probe and a person read one shape either way.
  @ApiResponse({
    status: 503,
    description:
      'Not ready (`status: not-ready`): the same body, naming each check that is not `ok` (a store failing, a loop stopped, restarting, catching up or lagging)',
    content: { 'application/json': { schema: ReadinessRef, example: NOT_READY_EXAMPLE } },
  })
  @ApiOperation({
    operationId: 'getReadiness',
    summary:
      'The stores answer and every background loop of this process runs, the projector within the lag threshold (503 otherwise)',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const store = async (name: string, probe: () => Promise<unknown>): Promise<ReadinessCheck> => {
      try {
        await probe();
        return { name, status: 'ok' };
      } catch (e) {
        this.runtime.logger.error({ err: e, check: name }, 'readiness check failing');
        return { name, status: 'failing' };
      }
    };
    const [eventStore, readModels, workers] = await Promise.all([
      store('event-store', () => this.runtime.eventStore.headPosition()),
      store('read-models', () => this.runtime.readModels.getCheckpoint()),
      this.workers.statuses().then(
        (all) => all.map((w) => this.workerCheck(w)),
        (e: unknown) => {
          this.runtime.logger.error({ err: e }, 'readiness: worker statuses unavailable');
          return [{ name: 'workers', status: 'failing' } as ReadinessCheck];
        },
      ),
    ]);
    const checks = [eventStore, readModels, ...workers];
    const ok = checks.every((c) => c.status === 'ok');
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not-ready', checks };
  }

  /**
   * A stopped or restarting loop is not ready, nor a loop still catching up with what waited when it
   * started, nor a projector further behind the head than `SANKSI_READY_MAX_LAG`: its blocklist and case
   * views would be stale. The relay's lag is shown but
   * does not count: a Kafka outage leaves what this process serves as fresh as ever.
   */
  private workerCheck(w: WorkerStatus): ReadinessCheck {
    const maxLag = this.runtime.config.readyMaxLag;
    if (w.state === 'stopped' || w.state === 'idle') {
      this.runtime.logger.error({ worker: w.name, lastError: w.lastError }, 'readiness: worker stopped');
      return { name: w.name, status: 'stopped', restarts: w.restarts };
    }
    if (w.state === 'restarting') {
      this.runtime.logger.error({ worker: w.name, lastError: w.lastError }, 'readiness: worker restarting');
      return { name: w.name, status: 'failing', restarts: w.restarts };
    }
    if (w.caughtUp === false) {
      // Just started with work waiting (deadlines due since the last run, a log ahead of the read
      // models): serving, but not ready until the loop has worked through it.
      return {
        name: w.name,
        status: 'catching-up',
        restarts: w.restarts,
        ...(w.lag !== null ? { lag: w.lag } : {}),
      };
    }
    if (w.name === 'projector' && w.lag !== null && w.lag > maxLag) {
      this.runtime.logger.warn({ worker: w.name, lag: w.lag, maxLag }, 'readiness: projector lagging');
      return { name: w.name, status: 'lagging', lag: w.lag, maxLag, restarts: w.restarts };
    }
    return { name: w.name, status: 'ok', restarts: w.restarts, ...(w.lag !== null ? { lag: w.lag } : {}) };
  }
}
