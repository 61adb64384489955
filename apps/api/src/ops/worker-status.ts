/** Nest token of the source of worker statuses shown in /metrics. */
export const WORKER_STATUS = Symbol('WORKER_STATUS');

/** One background worker's progress through the log. */
export interface WorkerStatus {
  name: string;
  position: number;
  eventsPerSecond: number;
  healthy: boolean;
}

/** Where /metrics reads the workers' progress (the projector, the relay, the scheduler). */
export interface WorkerStatusSource {
  statuses(): Promise<WorkerStatus[]>;
}

/** No workers in this process (an API-only deployment). */
export const noWorkers: WorkerStatusSource = { statuses: async () => [] };
