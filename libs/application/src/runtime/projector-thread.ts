import type { EventStore } from '@sanksi/event-store';
import type { ProjectorStatus } from '@sanksi/read-models';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { youngGenerationLimits } from './projection-heap';
import type {
  FromProjectorThread,
  ProjectorThreadData,
  ThreadError,
  ThreadProjection,
  ToProjectorThread,
} from './projector-thread.messages';

export type { ThreadProjection } from './projector-thread.messages';

/** The thread died (an uncaught error, an exit) or was closed while a run or a status request was in hand. */
export class ProjectorThreadFailed extends Error {
  readonly code = 'PROJECTOR_THREAD_FAILED';
}

/** The built thread script is missing (run from sources without a build). */
export class ProjectorThreadUnavailable extends Error {
  readonly code = 'PROJECTOR_THREAD_UNAVAILABLE';
}

/** A projector run in the thread ended with this error: the thread's name, code and message, kept. */
export class ProjectorThreadRunFailed extends Error {
  readonly code: string;
  constructor(error: ThreadError) {
    super(error.message);
    this.name = error.name;
    this.code = error.code;
  }
}

/** How the main thread starts and hears the projector thread. */
export interface ProjectorThreadOptions {
  data: ProjectorThreadData;
  /** The process's logger: the thread's lines are written through it, with their bindings. */
  logger: Logger;
  /** Told of every committed batch of the case projector (the process's metrics). */
  onBatch?: (batch: { events: number; seconds: number }) => void;
  /** The main thread's store: its commits wake the thread's subscriptions (SQLite; PostgreSQL notifies). */
  commits?: Pick<EventStore, 'onCommitted'>;
  /** How long a status request may wait for the thread (default 5 s). */
  statusTimeoutMs?: number;
  /** How long `close()` waits for the thread to finish its batches before ending it (default 10 s). */
  closeTimeoutMs?: number;
  /** The thread's young generation in MiB (`youngGenerationLimits`; 0 or absent: V8's default). */
  youngMb?: number;
}

const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

/**
 * The built thread script: beside this module in `dist/`; from the TypeScript sources (jest), the
 * package's build of it — a thread cannot load TypeScript.
 */
function threadScript(): string {
  const beside = path.join(__dirname, 'projector.thread.js');
  if (existsSync(beside)) return beside;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'runtime', 'projector.thread.js');
  if (existsSync(built)) return built;
  throw new ProjectorThreadUnavailable(
    `the projector thread's script is missing (build the application first): ${beside}`,
  );
}

/**
 * The case and traffic projectors run in one worker thread with its own store connections, so their
 * synchronous read-model work (SQLite) never stalls the request loop (decision 0012). Each `run` is one
 * supervised run of one projector in the thread, settled as the in-process `Projector.run` would be
 * (resolves once stopped, rejects with the error that ended it); a dead thread rejects every run in
 * hand, and the next run starts a new thread — the supervisor's backoff and restart count apply as before.
 */
export class ProjectorThread {
  private readonly script: string;
  private worker: Worker | null = null;
  private stopWatching: (() => void) | null = null;
  private readonly runs = new Map<ThreadProjection, { resolve(): void; reject(e: Error): void }>();
  private readonly requests = new Map<
    number,
    { resolve(s: Record<ThreadProjection, ProjectorStatus>): void; reject(e: Error): void }
  >();
  private nextId = 0;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: ProjectorThreadOptions) {
    this.script = threadScript();
  }

  /** One run of one projector in the thread, until `signal` aborts (it then finishes its batch). */
  run(projection: ThreadProjection, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    if (this.closing) return Promise.reject(new ProjectorThreadFailed('the projector thread is closing'));
    if (this.runs.has(projection)) {
      return Promise.reject(new ProjectorThreadFailed(`the ${projection} projector already runs`));
    }
    const worker = this.spawn();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        if (this.worker === worker) this.post({ type: 'stop', projection });
      };
      const settle = () => signal.removeEventListener('abort', onAbort);
      this.runs.set(projection, {
        resolve: () => {
          settle();
          resolve();
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.post({ type: 'run', projection });
    });
  }

  /** Both projectors' statuses, as the thread's projectors report them; rejects while no thread runs. */
  statuses(): Promise<Record<ThreadProjection, ProjectorStatus>> {
    if (!this.worker) return Promise.reject(new ProjectorThreadFailed('the projector thread is not running'));
    const id = this.nextId++;
    const timeoutMs = this.options.statusTimeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(id);
        reject(new ProjectorThreadFailed(`the projector thread did not answer a status in ${timeoutMs} ms`));
      }, timeoutMs);
      this.requests.set(id, {
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.post({ type: 'status', id });
    });
  }

  /**
   * Ends the thread: its runs finish their batches and release their leases, its stores close. Call it
   * once the supervisors stopped (runs still in hand are rejected). Ended by force past `closeTimeoutMs`
   * — a batch not committed by then is rolled back, never half applied.
   */
  close(): Promise<void> {
    return (this.closing ??= this.closeThread());
  }

  /** Ends the thread at once, as a crash would (tests of the supervision). */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }

  private async closeThread(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.post({ type: 'close' });
    const timeoutMs = this.options.closeTimeoutMs ?? 10_000;
    const timer = setTimeout(() => {
      this.options.logger.error({ timeoutMs }, 'the projector thread did not close in time; ending it');
      void worker.terminate();
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, {
      workerData: this.options.data,
      name: 'sanksi-projector',
      resourceLimits: youngGenerationLimits(this.options.youngMb ?? 0),
    });
    this.worker = worker;
    worker.on('message', (message: FromProjectorThread) => this.receive(message));
    worker.on('error', (e) => this.lost(worker, `the projector thread failed: ${e.message}`));
    worker.on('exit', (code) => this.lost(worker, `the projector thread exited (code ${code})`));
    // Appends of this thread wake the thread's subscriptions at once, as they wake in-process ones.
    this.stopWatching =
      this.options.commits?.onCommitted?.((categories) => {
        if (this.worker === worker) this.post({ type: 'wake', categories });
      }) ?? null;
    return worker;
  }

  private post(message: ToProjectorThread): void {
    this.worker?.postMessage(message);
  }

  private receive(message: FromProjectorThread): void {
    switch (message.type) {
      case 'ended': {
        const run = this.runs.get(message.projection);
        this.runs.delete(message.projection);
        if (message.error) run?.reject(new ProjectorThreadRunFailed(message.error));
        else run?.resolve();
        return;
      }
      case 'status': {
        const request = this.requests.get(message.id);
        this.requests.delete(message.id);
        if ('error' in message) request?.reject(new ProjectorThreadRunFailed(message.error));
        else request?.resolve(message.statuses);
        return;
      }
      case 'batch':
        this.options.onBatch?.({ events: message.events, seconds: message.seconds });
        return;
      case 'log': {
        if (!LEVELS.has(message.level)) return;
        const logger =
          Object.keys(message.bindings).length > 0
            ? this.options.logger.child(message.bindings)
            : this.options.logger;
        logger[message.level](message.obj, message.msg);
        return;
      }
      case 'closed':
        return;
    }
  }

  /** The thread is gone: every run and request in hand fails with why; the next run starts a new one. */
  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.stopWatching?.();
    this.stopWatching = null;
    const error = new ProjectorThreadFailed(why);
    for (const run of this.runs.values()) run.reject(error);
    this.runs.clear();
    for (const request of this.requests.values()) request.reject(error);
    this.requests.clear();
  }
}
