import { parentPort } from 'node:worker_threads';
import { runReplayChunk, type ReplayChunk, type ReplayTask } from './replay-task';

/** A request from the pool: one chunk of cases and what to do with them. */
interface ChunkRequest {
  id: number;
  task: ReplayTask;
  chunk: ReplayChunk;
}

// Entry point of a replay worker thread; started by `ReplayPool` from the built `dist/`.
if (parentPort) {
  const port = parentPort;
  port.on('message', (request: ChunkRequest) => {
    try {
      port.postMessage({ id: request.id, result: runReplayChunk(request.task, request.chunk) });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      port.postMessage({ id: request.id, error: message });
    }
  });
}
