export {
  relayCheckpoints,
  startWorker,
  type WorkerHandle,
  type WorkerOptions,
  type WorkerStatus,
} from './worker';
export { runWorkerProcess, type SignalSource, type WorkerProcess } from './worker-process';
export { DEFAULT_WORKER_PORT, startWorkerApp, WorkerAppModule, type WorkerApp } from './worker-app';
export { WorkerModule, WORKER_LOOPS, type WorkerModuleOptions } from './worker.module';
export { WorkerSupervisor } from './worker-supervisor';
export { WorkerLoop, WORKER_CONTEXT, type RunningLoop, type WorkerContext } from './worker-loop';
