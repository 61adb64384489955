import { Injectable } from '@nestjs/common';
import { DeadlineScheduler } from '@sanksi/application';
import { type RunningLoop, WorkerLoop } from '../worker-loop';

/** The deadline scheduler: every second, the deadlines due elapse through the command path. */
@Injectable()
export class SchedulerLoop extends WorkerLoop {
  readonly name = 'scheduler' as const;

  /** Starts ticking. */
  async start(): Promise<RunningLoop> {
    const { runtime, modules, options } = this.context;
    // Without a projector in this process the scheduler catches the read model up first: it waits for
    // another process's following projector when there is one, and projects itself otherwise.
    const scheduler = new DeadlineScheduler(runtime, {
      project: !modules.includes('projector'),
      restartBackoff: options.restartBackoff,
      ...options.scheduler,
    });
    scheduler.start();
    return {
      status: async () => {
        const s = scheduler.status();
        return {
          name: s.name,
          position: s.position,
          eventsPerSecond: s.eventsPerSecond,
          healthy: s.healthy && s.loop.state === 'running',
          state: s.loop.state,
          restarts: s.loop.restarts,
          lag: null,
          caughtUp: s.caughtUp,
          lastError: s.loop.lastError ?? s.lastError,
        };
      },
      stop: () => scheduler.stop(),
    };
  }
}
