/** `restarting`: the last run threw and the loop waits out its backoff before running again. */
export type LoopState = 'idle' | 'running' | 'restarting' | 'stopped';

/** What an operator may see of an error: its code and message, never a stack. */
export interface LoopError {
  code: string;
  message: string;
  at: string;
}

/** Where a supervised loop stands, for `/metrics`, readiness and the CLI. */
export interface LoopStatus {
  name: string;
  state: LoopState;
  /** Runs started again after a failure since `start()`. */
  restarts: number;
  /** Failures in a row; 0 once a run succeeds (or ran longer than the longest backoff). */
  consecutiveFailures: number;
  lastError: LoopError | null;
  /** When the loop, while `restarting`, runs next. */
  nextRunAt: string | null;
}

/** Minimal pino-compatible logger. */
export interface LoopLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How to supervise one piece of background work. */
export interface SupervisedLoopOptions {
  name: string;
  /**
   * One run. A long-lived worker runs until `signal` aborts; a ticking one does one pass and returns
   * (the loop runs it again after `intervalMs`). A throw is a failure: the loop backs off and runs again.
   */
  run: (signal: AbortSignal) => Promise<void>;
  /** Pause after a run that returned, before the next (default 0). */
  intervalMs?: number;
  /** Backoff after a failure: doubles from `initialMs` up to `maxMs` (defaults 250 ms, 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  logger?: LoopLogger;
}

/** The code and message of anything thrown, for logs and statuses. */
export function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : e.name, message: e.message };
  }
  return { code: 'UNKNOWN', message: String(e) };
}

/**
 * Runs a background loop (projector, relay, scheduler, OSS consumer) until `stop()`, restarting it
 * after any failure with capped exponential backoff, so that no error stops a worker for good; the
 * status says whether it runs, waits to restart or has stopped, how often it restarted and why.
 */
export class SupervisedLoop {
  private readonly intervalMs: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private state: LoopState = 'idle';
  private restarts = 0;
  private consecutiveFailures = 0;
  private lastError: LoopError | null = null;
  private nextRunAt: number | null = null;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: SupervisedLoopOptions) {
    this.intervalMs = options.intervalMs ?? 0;
    this.initialMs = options.backoff?.initialMs ?? 250;
    this.maxMs = options.backoff?.maxMs ?? 30_000;
  }

  /** Starts running in the background; a second call while running does nothing. */
  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.state = 'running';
    this.restarts = 0;
    this.consecutiveFailures = 0;
    this.loop = this.supervise(abort.signal).finally(() => {
      this.state = 'stopped';
      this.nextRunAt = null;
    });
  }

  /** Aborts the run in hand and waits for it to return; a wait between runs ends at once. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
    this.abort = null;
  }

  /** Where the loop stands. */
  status(): LoopStatus {
    return {
      name: this.options.name,
      state: this.state,
      restarts: this.restarts,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      nextRunAt: this.nextRunAt === null ? null : new Date(this.nextRunAt).toISOString(),
    };
  }

  private async supervise(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = Date.now();
      this.state = 'running';
      try {
        await this.options.run(signal);
        this.consecutiveFailures = 0;
        if (!signal.aborted && this.intervalMs > 0) await sleep(this.intervalMs, signal);
      } catch (e) {
        if (signal.aborted) break;
        // A run that lasted longer than the longest backoff was healthy for a while: start over small.
        if (Date.now() - started > this.maxMs) this.consecutiveFailures = 0;
        this.consecutiveFailures += 1;
        this.lastError = { ...describeError(e), at: new Date().toISOString() };
        const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.consecutiveFailures - 1, 20));
        this.state = 'restarting';
        this.nextRunAt = Date.now() + delay;
        this.options.logger?.error(
          {
            loop: this.options.name,
            err: this.lastError,
            attempt: this.consecutiveFailures,
            retryInMs: delay,
          },
          `${this.options.name} failed; restarting after backoff`,
        );
        await sleep(delay, signal);
        this.nextRunAt = null;
        if (signal.aborted) break;
        this.restarts += 1;
        this.options.logger?.info(
          { loop: this.options.name, restarts: this.restarts },
          `${this.options.name} restarted`,
        );
      }
    }
  }
}

/** Waits `ms`, or less if `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
