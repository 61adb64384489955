import { describeError, type SanksiRuntime, type WorkerModule } from '@sanksi/application';
import type { Logger } from 'pino';
import type { RunningLoop, WorkerLoop, WorkerStatus } from './worker-loop';

interface Started {
  name: WorkerModule;
  loop: RunningLoop;
}

/**
 * Starts the chosen loops of one process one after the other, stops them in reverse order (consumers
 * of the log first, the projector last: the scheduler and relay may still read its views), and is
 * the process's source of loop statuses for readiness and `/metrics`.
 */
export class WorkerSupervisor {
  private readonly started: Started[] = [];
  /** Loops already handed over: a second application on the same supervisor (serve's worker port) adds none. */
  private readonly handed = new Set<WorkerModule>();
  private starting: Promise<void> = Promise.resolve();
  private failed: unknown = null;
  private stopping: Promise<void> | null = null;
  private announced = false;
  readonly logger: Logger;

  constructor(
    readonly runtime: SanksiRuntime,
    /** The modules to run; the others' providers stay idle. */
    readonly modules: readonly WorkerModule[] = runtime.config.worker,
  ) {
    this.logger = runtime.logger.child({ component: 'worker' });
    runtime.metrics.observeLoops(this);
  }

  /** The modules actually running (a Kafka module without `KAFKA_BROKERS` is skipped). */
  get running(): WorkerModule[] {
    return this.started.map((s) => s.name);
  }

  /**
   * Starts one loop if it was chosen, after the loops handed over before it; once one start failed,
   * the later ones are not started (the caller stops what did start).
   */
  start(loop: WorkerLoop): Promise<void> {
    if (!this.modules.includes(loop.name) || this.handed.has(loop.name)) return this.starting;
    this.handed.add(loop.name);
    const next = this.starting.then(async () => {
      if (this.failed !== null || this.stopping) return;
      try {
        const running = await loop.start();
        if (running) this.started.push({ name: loop.name, loop: running });
      } catch (e) {
        this.failed = e;
        throw e;
      }
    });
    // The chain goes on after a failure (it only skips); the failing loop's own hook rejects.
    this.starting = next.catch(() => undefined);
    return next;
  }

  /**
   * One status per running loop and per loop it runs beside its own (the relay's traffic relay), in
   * start order; a loop whose status cannot be read is `idle` (unknown).
   */
  async statuses(): Promise<WorkerStatus[]> {
    const each = await Promise.all(
      this.started.map(async ({ name, loop }) => [
        await loop.status().catch(
          (e: unknown): WorkerStatus => ({
            name,
            position: 0,
            eventsPerSecond: 0,
            healthy: false,
            state: 'idle',
            restarts: 0,
            lag: null,
            lastError: { ...describeError(e), at: new Date().toISOString() },
          }),
        ),
        ...((await loop.companions?.().catch(() => [])) ?? []),
      ]),
    );
    return each.flat();
  }

  /** Stops every running loop in reverse start order; idempotent (every caller shares one stop). */
  stop(): Promise<void> {
    return (this.stopping ??= this.stopAll());
  }

  /** Logs what runs, once every loop has started. */
  announce(): void {
    if (this.announced) return;
    this.announced = true;
    if (this.running.length === 0) {
      this.logger.warn(
        { requested: this.modules },
        'no worker module runs: check SANKSI_WORKER and KAFKA_BROKERS',
      );
    }
    this.logger.info({ modules: this.running }, 'worker started');
  }

  private async stopAll(): Promise<void> {
    await this.starting;
    for (const { name, loop } of [...this.started].reverse()) {
      const started = Date.now();
      this.logger.debug({ module: name }, 'stopping module');
      await loop
        .stop()
        .catch((e: unknown) => this.logger.error({ err: e, module: name }, 'module did not stop cleanly'));
      const tookMs = Date.now() - started;
      // A slow stop eats the shutdown deadline of the whole process: say which module took it.
      if (tookMs > 2_000) this.logger.warn({ module: name, tookMs }, 'module was slow to stop');
    }
    this.logger.info({}, 'worker stopped');
  }
}
