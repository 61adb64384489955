import { addWhatIfCounts, emptyWhatIfCounts, orderedWhatIfCounts, type WhatIfCounts } from '@sanksi/domain';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { CliError, ExitCode } from '../cli.errors';
import {
  type ChunkResult,
  type ReplayChunk,
  type ReplayFinding,
  runReplayChunk,
  type ReplayTask,
} from './replay-task';

/** `--workers N`: how many threads replay the population; 1 replays in process. */
export const WorkersOption = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(256))
  .optional();

/** The default thread count: one per core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A worker thread failed or the worker script is missing. */
export class ReplayWorkerError extends CliError {
  constructor(message: string, detail: Record<string, unknown> = {}) {
    super('REPLAY_WORKER_FAILED', message, ExitCode.failure, detail);
  }
}

/**
 * What a whole-population replay produced: totals and findings in population order; for a what-if, the
 * final states of every case on each side (states in the machine's order, whatever the threads did).
 */
export interface ReplayOutcome {
  cases: number;
  events: number;
  findings: ReplayFinding[];
  counts: WhatIfCounts;
}

interface Pending {
  resolve(result: ChunkResult): void;
  reject(error: Error): void;
}

type WorkerReply = { id: number; result: ChunkResult } | { id: number; error: string };

/** The worker script, next to this file once built by swc. */
const WORKER_SCRIPT = path.join(__dirname, 'replay.worker.js');

/** A fixed set of worker threads, each fed chunks; in flight per worker is capped by the caller. */
class ThreadPool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, { pending: Pending; worker: number }>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(count: number) {
    if (!existsSync(WORKER_SCRIPT)) {
      throw new ReplayWorkerError(`replay worker script not found (build the CLI first): ${WORKER_SCRIPT}`, {
        script: WORKER_SCRIPT,
      });
    }
    for (let w = 0; w < count; w++) {
      const worker = new Worker(WORKER_SCRIPT);
      worker.on('message', (reply: WorkerReply) => this.settle(reply));
      worker.on('error', (error) =>
        this.fail(new ReplayWorkerError(`replay worker ${w} failed: ${error.message}`)),
      );
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new ReplayWorkerError(`replay worker ${w} exited with code ${code}`));
      });
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  run(task: ReplayTask, chunk: ReplayChunk): Promise<ChunkResult> {
    if (this.failure) return Promise.reject(this.failure);
    let target = 0;
    for (let w = 1; w < this.load.length; w++) if (this.load[w] < this.load[target]) target = w;
    const id = this.nextId++;
    this.load[target]++;
    return new Promise<ChunkResult>((resolve, reject) => {
      this.pending.set(id, { pending: { resolve, reject }, worker: target });
      this.workers[target].postMessage({ id, task, chunk });
    });
  }

  private settle(reply: WorkerReply): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    this.pending.delete(reply.id);
    this.load[entry.worker]--;
    if ('error' in reply) entry.pending.reject(new ReplayWorkerError(`replay worker: ${reply.error}`));
    else entry.pending.resolve(reply.result);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { pending } of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  async close(): Promise<void> {
    // Exits from terminate() are expected: stop treating them as failures.
    this.failure ??= new ReplayWorkerError('replay pool closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Replays a population given as chunks (read lazily, so memory holds only the chunks in flight) on
 * `workers` threads, or in process when `workers` is 1. Findings come back in population order
 * whatever order the threads finish in. `onCases` reports progress.
 */
export async function replayPopulation(
  chunks: AsyncIterable<ReplayChunk>,
  task: ReplayTask,
  workers: number,
  onCases: (cases: number) => void = () => undefined,
): Promise<ReplayOutcome> {
  const found: Array<{ order: number; finding: ReplayFinding }> = [];
  let cases = 0;
  let events = 0;
  const counts = emptyWhatIfCounts();
  const take = (result: ChunkResult): void => {
    cases += result.cases;
    events += result.events;
    found.push(...result.findings);
    if (result.counts) addWhatIfCounts(counts, result.counts);
    onCases(result.cases);
  };
  if (workers <= 1) {
    for await (const chunk of chunks) take(runReplayChunk(task, chunk));
  } else {
    const pool = new ThreadPool(workers);
    try {
      // Two chunks per thread keep every thread busy while the next chunk is read, and bound memory.
      const inFlight = new Set<Promise<void>>();
      for await (const chunk of chunks) {
        const running: Promise<void> = pool.run(task, chunk).then(take);
        inFlight.add(running);
        void running.then(
          () => inFlight.delete(running),
          () => undefined,
        );
        if (inFlight.size >= workers * 2) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } finally {
      await pool.close();
    }
  }
  found.sort((a, b) => a.order - b.order);
  return { cases, events, findings: found.map((f) => f.finding), counts: orderedWhatIfCounts(counts) };
}
