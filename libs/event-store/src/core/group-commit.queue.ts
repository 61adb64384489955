/** `adaptive` window: one idle wait in this many is an event-loop turn, to find out whether company comes. */
const PROBE_EVERY = 32;

/** How long an idle queue waits for company before it flushes (see `GroupCommitQueue`). */
export type GroupCommitWindow = 'immediate' | 'microtask' | 'adaptive';

/** The outcome of one request inside a flushed batch. */
export type BatchOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Group commit: requests that arrive while a batch is being written (or within the same turn of the
 * event loop) are written together by one `flush` call, i.e. one transaction and one fsync, and each
 * gets its own outcome. At most one flush runs at a time.
 */
export class GroupCommitQueue<Req, Res> {
  private queue: Array<{ request: Req; resolve: (value: Res) => void; reject: (error: unknown) => void }> =
    [];
  private running = false;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  /** `adaptive`: whether the next idle wait is one event-loop turn (company seen lately) or a microtask. */
  private waitATurn = false;
  private sinceProbe = 0;

  /**
   * `flush` must return one outcome per request, in order; a throw fails the whole batch.
   * `window` is how long an idle queue waits for company: `immediate` (one event-loop turn, so
   * requests from independent I/O callbacks join) when a commit is expensive (an fsync, a round
   * trip); `microtask` (only requests issued in the same synchronous run) when it is cheap;
   * `adaptive` for a commit that is cheap but not free: a microtask, except that every
   * `PROBE_EVERY`-th idle wait is a turn, and while turns find company (a batch of more than one)
   * they stay turns. Requests from independent I/O callbacks (HTTP commands) then share commits;
   * a lone writer, who never has company, pays a turn once in `PROBE_EVERY` commits.
   */
  constructor(
    private readonly flush: (batch: Req[]) => Promise<Array<BatchOutcome<Res>>>,
    private readonly maxBatch = 1000,
    private window: GroupCommitWindow = 'immediate',
  ) {}

  /** The current window (see the constructor). */
  get commitWindow(): GroupCommitWindow {
    return this.window;
  }

  /**
   * Changes how long an idle queue waits for company from the next wait on; the batch running, if any,
   * is not affected (a bulk writer switches to `immediate` for its burst and back afterwards).
   */
  setWindow(window: GroupCommitWindow): void {
    this.window = window;
    this.waitATurn = false;
    this.sinceProbe = 0;
  }

  /** Queues a request and resolves with its own outcome once its batch has committed. */
  submit(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.running && !this.scheduled) this.schedule();
    });
  }

  /** Fails every request still waiting for a batch (used on close); the running batch completes. */
  rejectQueued(error: unknown): void {
    const waiting = this.queue;
    this.queue = [];
    for (const entry of waiting) entry.reject(error);
  }

  /** Resolves once no batch is running or queued. */
  whenIdle(): Promise<void> {
    if (!this.running && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    this.scheduled = true;
    if (this.window === 'microtask') queueMicrotask(() => void this.run());
    else if (this.window === 'immediate') setImmediate(() => void this.run());
    else {
      const turn = this.waitATurn || ++this.sinceProbe >= PROBE_EVERY;
      if (!turn) {
        queueMicrotask(() => void this.run());
        return;
      }
      this.sinceProbe = 0;
      setImmediate(() => {
        // Company found in the turn keeps the next wait a turn; none goes back to microtasks.
        this.waitATurn = this.queue.length > 1;
        void this.run();
      });
    }
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        let outcomes: Array<BatchOutcome<Res>>;
        try {
          outcomes = await this.flush(batch.map((entry) => entry.request));
        } catch (error) {
          for (const entry of batch) entry.reject(error);
          continue;
        }
        batch.forEach((entry, i) => {
          const outcome = outcomes[i];
          if (outcome.ok) entry.resolve(outcome.value);
          else entry.reject(outcome.error);
        });
      }
    } finally {
      this.running = false;
      if (this.queue.length > 0 && !this.scheduled) {
        this.schedule();
      } else if (!this.scheduled) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  }
}
