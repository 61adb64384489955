import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  type HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { WORKER_CONTEXT, type WorkerContext, type WorkerStatus } from '../worker-loop';
import { WorkerSupervisor } from '../worker-supervisor';

/**
 * Liveness and readiness of the standalone worker, for orchestrators: one terminus indicator per
 * store and per loop, each a status word and numbers, never error text (the detail goes to the log).
 */
@Controller('health')
export class WorkerHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly supervisor: WorkerSupervisor,
    @Inject(WORKER_CONTEXT) private readonly context: WorkerContext,
  ) {}

  /** The process is up. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /**
   * 200 when the stores answer and every loop of this process runs, the projector within
   * `SANKSI_READY_MAX_LAG`; 503 with the same shape otherwise (terminus: `status`, `info`, `error`, `details`).
   */
  @Get('ready')
  @HealthCheck()
  async ready() {
    const { runtime } = this.context;
    const loops = await this.supervisor.statuses();
    return this.health.check([
      () => this.store('event-store', () => runtime.eventStore.headPosition()),
      () => this.store('read-models', () => runtime.readModels.getCheckpoint()),
      ...loops.map((loop) => () => this.loop(loop)),
    ]);
  }

  private async store(name: string, probe: () => Promise<unknown>): Promise<HealthIndicatorResult> {
    const check = this.indicators.check(name);
    try {
      await probe();
      return check.up();
    } catch (e) {
      this.context.logger.error({ err: e, check: name }, 'readiness check failing');
      return check.down({ state: 'failing' });
    }
  }

  /**
   * A stopped or restarting loop is not ready, nor a projector further behind the head than
   * `SANKSI_READY_MAX_LAG`. The relay's lag is shown but does not count: a Kafka outage leaves the
   * read models as fresh as ever.
   */
  private loop(w: WorkerStatus): HealthIndicatorResult {
    const check = this.indicators.check(w.name);
    const maxLag = this.context.runtime.config.readyMaxLag;
    const numbers = { restarts: w.restarts, ...(w.lag !== null ? { lag: w.lag } : {}) };
    if (w.state !== 'running') {
      this.context.logger.error(
        { worker: w.name, state: w.state, lastError: w.lastError },
        'readiness: worker not running',
      );
      return check.down({ state: w.state === 'restarting' ? 'failing' : 'stopped', ...numbers });
    }
    if (w.caughtUp === false) return check.down({ state: 'catching-up', ...numbers });
    if (w.name === 'projector' && w.lag !== null && w.lag > maxLag) {
      this.context.logger.warn({ worker: w.name, lag: w.lag, maxLag }, 'readiness: projector lagging');
      return check.down({ state: 'lagging', maxLag, ...numbers });
    }
    return check.up({ state: 'running', ...numbers });
  }
}
