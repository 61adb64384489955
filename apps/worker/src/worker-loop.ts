import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type {
  DeadlineSchedulerOptions,
  LoopError,
  LoopState,
  OssRegistrationConsumerOptions,
  SanksiRuntime,
  WorkerModule,
} from '@sanksi/application';
import type { Logger } from 'pino';
import type { WorkerSupervisor } from './worker-supervisor';

/** One background worker's progress, as `/metrics` and readiness read it (`WorkerStatusSource`). */
export interface WorkerStatus {
  name: string;
  position: number;
  eventsPerSecond: number;
  /** The loop runs and its own work goes well (the relay and the consumer reach Kafka...). */
  healthy: boolean;
  /** The supervisor's view: `restarting` while it backs off after a failure, `stopped` once stopped. */
  state: LoopState;
  /** Restarts after failures since the worker started. */
  restarts: number;
  /** Global positions between the log head and the worker, where it follows the log (null otherwise). */
  lag: number | null;
  /**
   * False while the loop still works through what was waiting when it started (the scheduler's first
   * pass over the deadlines due, the projector reaching the head of the log as it was); readiness then
   * says `catching-up`. Absent: nothing to catch up.
   */
  caughtUp?: boolean;
  /** The last failure of the loop or of its work, for logs and `/metrics` (not for readiness bodies). */
  lastError: LoopError | null;
}

/** Knobs for tests and tools; production uses the defaults. */
export interface WorkerOptions {
  scheduler?: DeadlineSchedulerOptions;
  /** Overrides of the OSS consumer (topic, group...); brokers always come from the configuration. */
  oss?: Omit<Partial<OssRegistrationConsumerOptions>, 'brokers'>;
  /** Case-events topic and relay tuning (defaults: `sanksi.case-events.v1`, 200 ms poll). */
  relay?: { topic?: string; pollIntervalMs?: number; backoff?: { initialMs?: number; maxMs?: number } };
  /** How often the OSS consumer loop measures the dead-letter topic's size (default 30 s). */
  dlqSizeIntervalMs?: number;
  /** Restart backoff of every supervised loop (defaults 250 ms doubling to 30 s). */
  restartBackoff?: { initialMs?: number; maxMs?: number };
}

/** A loop that runs: its status, and how to stop it (finishing the batch or tick in hand). */
export interface RunningLoop {
  status(): Promise<WorkerStatus>;
  /** Loops it runs beside its own, each reported as a loop of its own (the relay's `traffic-relay`). */
  companions?(): Promise<WorkerStatus[]>;
  stop(): Promise<void>;
}

/** Nest token of what every loop provider of one worker shares. */
export const WORKER_CONTEXT = Symbol('WORKER_CONTEXT');

/** What every loop provider of one worker shares: the runtime, the chosen modules, options, supervisor. */
export interface WorkerContext {
  runtime: SanksiRuntime;
  /** The modules this process runs (`SANKSI_WORKER`, or what the caller chose). */
  modules: readonly WorkerModule[];
  options: WorkerOptions;
  logger: Logger;
  supervisor: WorkerSupervisor;
}

/**
 * A worker loop as a Nest provider: started when the application boots and stopped before it shuts
 * down, through the supervisor, which runs only the loops `SANKSI_WORKER` names, starts them in
 * `WORKER_MODULES` order and stops them in reverse. A subclass names itself and says how to start.
 */
@Injectable()
export abstract class WorkerLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  abstract readonly name: WorkerModule;

  constructor(@Inject(WORKER_CONTEXT) protected readonly context: WorkerContext) {}

  /** Starts the loop; null when it cannot run in this configuration (a Kafka loop without brokers). */
  abstract start(): Promise<RunningLoop | null>;

  /** Nest hook: hands the loop to the supervisor, which starts it if it was chosen. */
  onApplicationBootstrap(): Promise<void> {
    return this.context.supervisor.start(this);
  }

  /** Nest hook: every loop of the worker stops, in reverse start order (one shared stop). */
  beforeApplicationShutdown(): Promise<void> {
    return this.context.supervisor.stop();
  }
}
