import { Injectable } from '@nestjs/common';
import { SupervisedLoop } from '@sanksi/application';
import { type RunningLoop, WorkerLoop } from '../worker-loop';

/**
 * The projector: follows the log from its checkpoint, each batch and its checkpoint in one
 * transaction of the read-model database; one follower per checkpoint (a lease), supervised. Beside it,
 * the traffic projector follows the traffic streams into `traffic_observations` (its own checkpoint).
 */
@Injectable()
export class ProjectorLoop extends WorkerLoop {
  readonly name = 'projector' as const;

  /** Starts following the log under a supervisor, in process or in the projector thread (`SANKSI_PROJECTOR_MODE`). */
  async start(): Promise<RunningLoop> {
    const { runtime, options, supervisor } = this.context;
    // In thread mode both projectors run in one worker thread on their own connections (decision 0012);
    // each supervised run below is then one run in that thread, and a dead thread fails the runs in hand
    // so that the supervisors back off and start it again.
    const thread = runtime.config.projectorMode === 'thread' ? runtime.createProjectorThread() : null;
    const loop = new SupervisedLoop({
      name: 'projector',
      backoff: options.restartBackoff,
      logger: supervisor.logger.child({ module: 'projector' }),
      // Any error, a CheckpointConflict included (someone reset or moved the checkpoint), ends the run;
      // the next run starts again from the checkpoint as it is in the store.
      run: (signal) => (thread ? thread.run('cases', signal) : runtime.projector.run(signal)),
    });
    const traffic = new SupervisedLoop({
      name: 'traffic-projector',
      backoff: options.restartBackoff,
      logger: supervisor.logger.child({ module: 'traffic-projector' }),
      run: (signal) => (thread ? thread.run('traffic', signal) : runtime.trafficProjector.run(signal)),
    });
    // While the thread is down (restarting), this process's own projectors, which do not run, still read
    // the position and lag from the stores.
    const statuses = async () => {
      const own = () =>
        Promise.all([
          runtime.projector.status().catch(() => null),
          runtime.trafficProjector.status().catch(() => null),
        ]);
      if (!thread) return own();
      return thread.statuses().then(({ cases, traffic: t }) => [cases, t] as const, own);
    };
    // The head as the loops start: they have caught up once both checkpoints reach it (or nothing of
    // their category is behind), and stay so — a later lag is `lagging`, not catching up.
    const startHead = await runtime.eventStore.headPosition().catch(() => 0);
    let caughtUp = false;
    loop.start();
    traffic.start();
    let position = 0;
    return {
      // One status for both: the case projector's position and rate; healthy and caught up only when both are.
      status: async () => {
        // Their statuses read the log head: with the store away the supervisors' view still answers.
        const [s, t] = await statuses();
        const l = loop.status();
        const tl = traffic.status();
        if (s) position = s.position;
        const reached = (p: { lag: number; position: number }) => p.lag === 0 || p.position >= startHead;
        if (s && t) caughtUp ||= reached(s) && reached(t);
        return {
          name: 'projector',
          position,
          eventsPerSecond: s?.eventsPerSecond ?? 0,
          healthy:
            l.state === 'running' && s?.lastError === null && tl.state === 'running' && t?.lastError === null,
          state: l.state === 'running' ? tl.state : l.state,
          restarts: l.restarts + tl.restarts,
          lag: s && t ? Math.max(s.lag, t.lag) : null,
          caughtUp,
          lastError: l.lastError ?? tl.lastError,
        };
      },
      stop: async () => {
        await Promise.all([loop.stop(), traffic.stop()]);
        await thread?.close();
      },
    };
  }
}
