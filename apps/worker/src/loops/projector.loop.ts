import { Injectable } from '@nestjs/common';
import { SupervisedLoop } from '@sanksi/application';
import { type RunningLoop, WorkerLoop } from '../worker-loop';

/**
 * The projector: follows the log from its checkpoint, each batch and its checkpoint in one
 * transaction of the read-model database; one follower per checkpoint (a lease), supervised.
 */
@Injectable()
export class ProjectorLoop extends WorkerLoop {
  readonly name = 'projector' as const;

  /** Starts following the log under a supervisor. */
  async start(): Promise<RunningLoop> {
    const { runtime, options, supervisor } = this.context;
    const loop = new SupervisedLoop({
      name: 'projector',
      backoff: options.restartBackoff,
      logger: supervisor.logger.child({ module: 'projector' }),
      // Any error, a CheckpointConflict included (someone reset or moved the checkpoint), ends the run;
      // the next run starts again from the checkpoint as it is in the store.
      run: (signal) => runtime.projector.run(signal),
    });
    loop.start();
    return {
      status: async () => {
        const s = await runtime.projector.status();
        const l = loop.status();
        return {
          name: 'projector',
          position: s.position,
          eventsPerSecond: s.eventsPerSecond,
          healthy: l.state === 'running' && s.lastError === null,
          state: l.state,
          restarts: l.restarts,
          lag: s.lag,
          lastError: l.lastError,
        };
      },
      stop: () => loop.stop(),
    };
  }
}
