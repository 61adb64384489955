/** Nest token of the source of worker statuses shown in /metrics and /health/ready. */
export const WORKER_STATUS = Symbol('WORKER_STATUS');

/** One background worker's progress through the log and its supervisor's view of it. */
export interface WorkerStatus {
  name: string;
  position: number;
  eventsPerSecond: number;
  healthy: boolean;
  /** `restarting`: it failed and waits out its backoff; `stopped`: it no longer runs. */
  state: 'idle' | 'running' | 'restarting' | 'stopped';
  restarts: number;
  /** Global positions behind the log head, for workers that follow the log (null otherwise). */
  lag: number | null;
  /**
   * False while the loop still works through what was waiting when it started (the scheduler's first
   * pass over the deadlines due, the projector reaching the head of the log as it was); readiness then
   * says `catching-up`. Absent: nothing to catch up.
   */
  caughtUp?: boolean;
  /** The last failure; logged and counted, never shown in a readiness body. */
  lastError: { code: string; message: string; at: string } | null;
}

/** Where /metrics and readiness read the workers' progress (the projector, the relay, the scheduler...). */
export interface WorkerStatusSource {
  statuses(): Promise<WorkerStatus[]>;
}

/** No workers in this process (an API-only deployment). */
export const noWorkers: WorkerStatusSource = { statuses: async () => [] };
