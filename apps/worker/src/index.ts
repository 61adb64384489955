export {
  relayCheckpoints,
  startWorker,
  type WorkerHandle,
  type WorkerOptions,
  type WorkerStatus,
} from './worker';
export { runWorkerProcess, type SignalSource, type WorkerProcess } from './worker-process';
