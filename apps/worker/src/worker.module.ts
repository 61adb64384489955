import { type DynamicModule, Module } from '@nestjs/common';
import type { SanksiRuntime, WorkerModule as WorkerModuleName } from '@sanksi/application';
import { OssConsumerLoop } from './loops/oss-consumer.loop';
import { TrafficConsumerLoop } from './loops/traffic-consumer.loop';
import { ProjectorLoop } from './loops/projector.loop';
import { RelayLoop } from './loops/relay.loop';
import { SchedulerLoop } from './loops/scheduler.loop';
import { WORKER_CONTEXT, type WorkerContext, type WorkerOptions } from './worker-loop';
import { WorkerSupervisor } from './worker-supervisor';

/**
 * The worker's loops, one provider each, in start order: adding a loop is one more provider here
 * (a `WorkerLoop` subclass) and its name in `WORKER_MODULES` (docs/worker.md, "Adding a loop").
 */
export const WORKER_LOOPS = [ProjectorLoop, RelayLoop, SchedulerLoop, OssConsumerLoop, TrafficConsumerLoop];

/** How one process runs its worker. */
export interface WorkerModuleOptions {
  runtime: SanksiRuntime;
  /** Default: the configuration's `SANKSI_WORKER`. */
  modules?: readonly WorkerModuleName[];
  options?: WorkerOptions;
  /** Shared with the API of the same process (`sanksi serve`) as its source of loop statuses. */
  supervisor?: WorkerSupervisor;
}

/**
 * The background loops as Nest providers: they start when the application boots
 * (`onApplicationBootstrap`) and stop before it shuts down (`beforeApplicationShutdown`). Imported by
 * the standalone worker app and, beside the API module, by `sanksi serve`.
 */
@Module({})
export class WorkerModule {
  /** The module for a runtime; exports the `WorkerSupervisor`. */
  static forRuntime(options: WorkerModuleOptions): DynamicModule {
    const supervisor = options.supervisor ?? new WorkerSupervisor(options.runtime, options.modules);
    const context: WorkerContext = {
      runtime: options.runtime,
      modules: supervisor.modules,
      options: options.options ?? {},
      logger: supervisor.logger,
      supervisor,
    };
    return {
      module: WorkerModule,
      providers: [
        { provide: WORKER_CONTEXT, useValue: context },
        { provide: WorkerSupervisor, useValue: supervisor },
        ...WORKER_LOOPS,
      ],
      exports: [WorkerSupervisor, WORKER_CONTEXT],
    };
  }
}
