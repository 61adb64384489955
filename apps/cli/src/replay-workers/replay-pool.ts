import { addWhatIfCounts, emptyWhatIfCounts, orderedWhatIfCounts, type WhatIfCounts } from '@sanksi/domain';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { youngGenerationLimits } from '@sanksi/application';
import { z } from 'zod';
import { CliError, ExitCode } from '../cli.errors';
import type { EventStore, EventStoreConfig } from '@sanksi/event-store';
import {
  type ListedFindings,
  type LogRange,
  logRanges,
  type RangeResult,
  rangeSize,
  runReplayRange,
} from './replay-range';
import type { ReplayFinding, ReplayTask } from './replay-task';
import type { ReplayWorkerData } from './replay.worker';

/** `--workers N`: how many threads replay the population. */
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
  /** Findings in population order: all of them, or the first `keep` when the caller bounded them. */
  findings: ReplayFinding[];
  /** How many findings there were in all (more than `findings` holds when bounded). */
  found: number;
  counts: WhatIfCounts;
}

interface Pending {
  resolve(result: RangeResult): void;
  reject(error: Error): void;
}

type WorkerReply = { id: number; result: RangeResult } | { id: number; error: string };

/** The worker script, next to this file once built by swc. */
const WORKER_SCRIPT = path.join(__dirname, 'replay.worker.js');

/** A fixed set of worker threads, each with its own connection to the store, fed slices of the log. */
class ThreadPool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, { pending: Pending; worker: number }>();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(count: number, eventStore: EventStoreConfig, resourceLimits: ResourceLimits) {
    if (!existsSync(WORKER_SCRIPT)) {
      throw new ReplayWorkerError(`replay worker script not found (build the CLI first): ${WORKER_SCRIPT}`, {
        script: WORKER_SCRIPT,
      });
    }
    const workerData: ReplayWorkerData = { eventStore };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(WORKER_SCRIPT, { workerData, resourceLimits });
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

  run(task: ReplayTask, range: LogRange, keep: number, listed: boolean): Promise<RangeResult> {
    if (this.failure) return Promise.reject(this.failure);
    let target = 0;
    for (let w = 1; w < this.load.length; w++) if (this.load[w] < this.load[target]) target = w;
    const id = this.nextId++;
    this.load[target]++;
    return new Promise<RangeResult>((resolve, reject) => {
      this.pending.set(id, { pending: { resolve, reject }, worker: target });
      this.workers[target].postMessage({ id, task, range, keep, listed });
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

/** The population to replay: how a thread opens its own connection to the store, and the log up to `head`. */
export interface ReplaySource {
  config: EventStoreConfig;
  /** The store itself, for one worker run from the TypeScript sources (no thread script): it replays in process. */
  store?: Pick<EventStore, 'readAll' | 'readStream' | 'readStreamStarts' | 'readStreams'>;
  /** The log position the replay stops at: cases that begin after it are left out. */
  head: number;
  /**
   * The young generation (MiB) of each replay thread (`SANKSI_REPLAY_YOUNG_MB`, `DEFAULT_REPLAY_YOUNG_MB`;
   * 0 or absent: V8's default).
   */
  youngMb?: number;
}

/** How a population's findings come back: as progress, bounded, or streamed. */
export interface ReplayReporting {
  /** Progress in log positions. */
  onPositions?: (positions: number) => void;
  /** Keep only the first `keep` findings in population order (a what-if with `--limit`): memory stays bounded. */
  keep?: number;
  /**
   * Every finding as its listed text (`listedFinding`: a `--json` document's array entry), a slice's at a time
   * in one buffer (`ListedFindings`), in population order, as soon as every slice before it has come back; none
   * is kept then (`findings` of the outcome is empty, `found` counts them all). What lets a what-if at a million
   * cases write every report: held until the end, a quarter of a million reports and more did not fit in the
   * process's heap. The threads write the text beside their replay: sent as objects, each report was copied
   * out of its thread and into the main thread before being written (a fifth more CPU at 100,000 cases).
   */
  onListed?: (listed: ListedFindings) => void;
}

/** Positions per slice when findings come back as text: ~600 reports of a what-if at a million, ~12 MB. */
const LISTED_RANGE = 10_000;

/**
 * Replays every case that begins in the log up to `source.head`, on `workers` threads (one is a thread
 * too). The log is cut into slices and each thread reads the cases that begin in its
 * slices from the store itself, so nothing is listed or copied through the main thread. Findings come
 * back in population order (by the position of each case's first event) whatever order the threads
 * finish in.
 */
export async function replayPopulation(
  source: ReplaySource,
  task: ReplayTask,
  workers: number,
  reporting: ReplayReporting = {},
): Promise<ReplayOutcome> {
  const { onPositions = () => undefined, onListed } = reporting;
  // Listed findings are not kept: the threads send each slice's all as text.
  const listed = onListed !== undefined;
  const keep = listed ? 0 : (reporting.keep ?? Number.POSITIVE_INFINITY);
  let found: Array<{ order: number; finding: ReplayFinding }> = [];
  let foundCount = 0;
  let cases = 0;
  let events = 0;
  const counts = emptyWhatIfCounts();
  // Slices come back out of order; listed findings wait here for the slices before theirs.
  const waiting = new Map<number, ListedFindings | undefined>();
  let nextToStream = 0;
  const take = (slice: number, result: RangeResult): void => {
    cases += result.cases;
    events += result.events;
    foundCount += result.found;
    if (result.counts) addWhatIfCounts(counts, result.counts);
    onPositions(result.positions);
    if (onListed) {
      waiting.set(slice, result.listed);
      while (waiting.has(nextToStream)) {
        const ready = waiting.get(nextToStream);
        waiting.delete(nextToStream++);
        if (ready !== undefined && ready.count > 0) onListed(ready);
      }
      return;
    }
    found.push(...result.findings);
    // Slices finish out of order: trim to the first `keep` by population order once twice as many wait.
    if (found.length > 2 * keep) found = found.sort((a, b) => a.order - b.order).slice(0, keep);
  };
  const threads = Math.max(1, workers);
  // Listed texts wait in the main thread until the slices before theirs are back: smaller slices bound that.
  const size = rangeSize(source.head, threads);
  const ranges = [...logRanges(source.head, listed ? Math.min(size, LISTED_RANGE) : size)];
  // One worker is a thread too: its young generation can be set where the process's cannot (V8's default
  // made a replay in process ~20 % slower: scavenges copying each slice's events and snapshots). Run from
  // its TypeScript sources (specs) the CLI has no thread script: one worker then replays in process.
  if (threads === 1 && source.store !== undefined && !existsSync(WORKER_SCRIPT)) {
    for (const [slice, range] of ranges.entries())
      take(slice, await runReplayRange(task, source.store, range, keep, listed));
  } else {
    const pool = new ThreadPool(threads, source.config, youngGenerationLimits(source.youngMb ?? 0));
    try {
      // Two slices per thread keep every thread busy while its next slice is handed over.
      const inFlight = new Set<Promise<void>>();
      for (const [slice, range] of ranges.entries()) {
        const running: Promise<void> = pool
          .run(task, range, keep, listed)
          .then((result) => take(slice, result));
        inFlight.add(running);
        void running.then(
          () => inFlight.delete(running),
          () => undefined,
        );
        if (inFlight.size >= threads * 2) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } finally {
      await pool.close();
    }
  }
  found.sort((a, b) => a.order - b.order);
  return {
    cases,
    events,
    findings: found.slice(0, keep).map((f) => f.finding),
    found: foundCount,
    counts: orderedWhatIfCounts(counts),
  };
}
