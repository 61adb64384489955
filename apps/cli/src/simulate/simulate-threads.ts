import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig, youngGenerationLimits } from '@sanksi/application';
import { WriteTurns } from '@sanksi/event-store';
import { CliError, ExitCode } from '../cli.errors';
import {
  mergeSimulationReports,
  type SimulationOptions,
  type SimulationReport,
} from './population-simulator';
import type { SimulateWorkerData, SimulateWorkerMessage } from './simulate.worker';

/** The worker script, next to this file once built by swc. */
const WORKER_SCRIPT = path.join(__dirname, 'simulate.worker.js');

/** Whether the thread script is built (the CLI run from its TypeScript sources has none: it simulates in process). */
export function simulateThreadsAvailable(): boolean {
  return existsSync(WORKER_SCRIPT);
}

/**
 * Simulates the population on `threads` worker threads, thread k taking the systems whose index is k
 * modulo `threads`, each through its own runtime (its own connection to the configured stores); the
 * report is the sum of theirs, the same as one thread's. `onSystems` reports progress.
 */
export async function simulateOnThreads(
  options: Omit<SimulationOptions, 'onSystemDone' | 'share'>,
  threads: number,
  onSystems: (systems: number) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SimulationReport> {
  if (!simulateThreadsAvailable()) {
    throw new CliError(
      'SIMULATE_WORKER_FAILED',
      `simulate worker script not found (build the CLI first): ${WORKER_SCRIPT}`,
      ExitCode.failure,
      { script: WORKER_SCRIPT },
    );
  }
  const resourceLimits = youngGenerationLimits(loadConfig(env).simulateYoungMb);
  const workers: Worker[] = [];
  const turns = WriteTurns.shared(threads);
  try {
    const reports = await Promise.all(
      Array.from({ length: threads }, (_, index) => {
        const workerData: SimulateWorkerData = {
          options: { ...options, share: { index, of: threads } },
          env,
          turns,
        };
        const worker = new Worker(WORKER_SCRIPT, { workerData, resourceLimits });
        workers.push(worker);
        return new Promise<SimulationReport>((resolve, reject) => {
          let report: SimulationReport | null = null;
          const failed = (message: string) => {
            // A thread that failed writes no more: the others must not wait for its turn.
            WriteTurns.leaveFor(turns, index);
            reject(
              new CliError(
                'SIMULATE_WORKER_FAILED',
                `simulate thread ${index}: ${message}`,
                ExitCode.failure,
              ),
            );
          };
          worker.on('message', (message: SimulateWorkerMessage) => {
            if (message.kind === 'progress') onSystems(message.systems);
            else if (message.kind === 'report') report = message.report;
            else failed(message.message);
          });
          worker.on('error', (error) => failed(error.message));
          // Done once the thread has closed its runtime and exited, not when it sent its report.
          worker.on('exit', (code) => {
            if (code === 0 && report) resolve(report);
            else failed(`exited with code ${code}${report ? '' : ' before its report'}`);
          });
        });
      }),
    );
    return mergeSimulationReports(reports);
  } catch (e) {
    // One share failed: stop the others (what they appended stays; a re-run with the seed completes it).
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
}
