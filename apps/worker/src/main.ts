import { exitCodeOf, runWorkerProcess } from './worker-process';

// Process entry (`node apps/worker/dist/main.js`): everything else is in worker-process.ts so tests
// can run the same code without spawning a process.
runWorkerProcess()
  .then(({ exited }) => exited)
  .then(() => process.exit(0))
  .catch((e: unknown) => {
    // Before (or without) a logger, e.g. an invalid configuration: say why on stderr and fail.
    process.stderr.write(`sanksi worker: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(exitCodeOf(e));
  });
