import type { ProjectorEventSource, SourceEvent } from '../events/event-source.port';
import { type ReadModelEvent, toReadModelEvent } from '../events/read-model-event';
import { CheckpointConflict, ProjectionFailed, type ReadModelError } from '../read-model.errors';
import {
  DEFAULT_CHECKPOINT,
  type ApplyBatchResult,
  type PreparedBatch,
  type ReadModelStore,
} from '../store/read-model-store.port';
import { TRAFFIC_STREAM_CATEGORY } from '@sanksi/domain';
import {
  projectTrafficObservation,
  TRAFFIC_CHECKPOINT,
  type TrafficObservationRow,
} from '../projections/traffic.projection';
import { AsyncMutex } from '../store/sql-client';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** Minimal pino-compatible logger; the projector is quiet unless given one. */
export interface ProjectorLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How a projector reads and where it writes. */
export interface ProjectorOptions {
  source: ProjectorEventSource;
  store: ReadModelStore;
  /** Events per transaction while following the log (default 500). */
  batchSize?: number;
  /**
   * Events per transaction when catching up from behind (`runOnce`, `catchUp`, `rebuild`): larger
   * transactions write each page the batch dirties once per batch instead of once per 500 events
   * (docs/benchmarks.md, "A million systems"). Default: `batchSize` when given, else 5,000.
   */
  catchUpBatchSize?: number;
  /** Checkpoint name in `projection_checkpoints` (default `read-models`). */
  checkpoint?: string;
  /**
   * What to project: the case read models (default), or the traffic observations — their own streams
   * (category `traffic`) and checkpoint (`traffic-observations`), table `traffic_observations`.
   */
  projection?: 'cases' | 'traffic';
  /** Stream category to read (default `pse`, the case streams; `traffic` for the traffic projection). */
  category?: string;
  /** While subscribed, a partial batch commits once no event arrived for this long (default 25 ms). */
  flushAfterMs?: number;
  /** Who this projector is in the lease table (default host, pid and a random suffix). */
  holder?: string;
  /** How long a following projector's lease lasts unrenewed (default 15 s; renewed every third of it). */
  leaseTtlMs?: number;
  logger?: ProjectorLogger;
  /** Told of every committed batch: its events and how long the commit took (the process's metrics). */
  onBatch?: (batch: { events: number; seconds: number }) => void;
}

/** How `catchUp` brought the read models to the head: by projecting itself or by waiting for the follower. */
export interface CatchUpResult {
  /** Events this call projected itself (0 when it waited for the follower). */
  applied: number;
  position: number;
  /** `follower`: another process's projector holds the lease and this call waited for it. */
  by: 'self' | 'follower';
}

/** Thrown by `run` when the lease was taken over (it expired while this projector stalled). */
export class ProjectorLeaseLost extends Error {
  readonly code = 'PROJECTOR_LEASE_LOST';
  constructor(
    readonly checkpoint: string,
    readonly holder: string,
  ) {
    super(`projector ${holder} lost the lease of checkpoint ${checkpoint} to another projector`);
  }
}

/** The error that stopped the projector, as `status()` reports it. */
export interface ProjectorError {
  code: string;
  message: string;
  projection: string | null;
  event: { eventId: string; type: string; position: number; pseId?: string } | null;
  at: string;
}

/** Where the projector stands. `lag` is in global positions (gaps included), not events. */
export interface ProjectorStatus {
  checkpoint: string;
  running: boolean;
  /** `standby`: another live projector follows this checkpoint; this one waits to take over. */
  role: 'follower' | 'standby' | 'idle';
  position: number;
  head: number;
  lag: number;
  eventsPerSecond: number;
  lastError: ProjectorError | null;
}

interface Sample {
  end: number;
  ms: number;
  events: number;
}

/** A traffic event as the traffic projection writes it (null row: a type it does not project). */
interface TrafficItem {
  position: number;
  row: TrafficObservationRow | null;
}
type Projected = ReadModelEvent | TrafficItem;

const RATE_WINDOW_MS = 10_000;
/**
 * How long a rebuild holds the lease for each of its two long steps, the reset and the finish (on SQLite each
 * one synchronous transaction — tens of seconds at a million systems — during which no renewal can run).
 * Should the rebuild die in one of them, others wait this long for the lease.
 */
const LONG_STEP_LEASE_MS = 10 * 60_000;
/** Events a catch-up reads at a time while a batch is being sent (`readInSlices`). */
const READ_SLICE = 1000;
const IDLE = Symbol('idle');
const ABORTED = Symbol('aborted');

/**
 * A turn of the event loop, so that timers run: on SQLite every read and write of a batch resolves at once,
 * and a catch-up of a long log is otherwise one chain of promises that never lets the lease's renewal timer
 * fire (a rebuild at a million systems lost its lease 15 s into the replay).
 */
const timersTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Whether a lease holder named as projectors name themselves (`host:pid:id`) is a process of this host that
 * no longer runs. Holders of other hosts, of this process (its threads) or named otherwise are never gone.
 */
export function holderIsGone(holder: string): boolean {
  const [host, pidText] = holder.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Reads the global log from its checkpoint and commits each batch of projected rows together with
 * the checkpoint (exactly-once read models). Stops on the first event a projection throws on.
 */
export class Projector {
  private readonly batchSize: number;
  private readonly catchUpBatchSize: number;
  private readonly checkpoint: string;
  private readonly category: string;
  private readonly flushAfterMs: number;
  private readonly gate = new AsyncMutex();
  private position: number | null = null;
  private lastError: ProjectorError | null = null;
  private samples: Sample[] = [];
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private readonly holder: string;
  private readonly leaseTtlMs: number;
  /** How often a lease held is renewed: a third of its time to live. */
  private readonly renewEveryMs: number;
  private role: ProjectorStatus['role'] = 'idle';
  private catchingUp: Promise<CatchUpResult> | null = null;

  constructor(private readonly options: ProjectorOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.catchUpBatchSize = options.catchUpBatchSize ?? options.batchSize ?? 5000;
    const traffic = options.projection === 'traffic';
    this.checkpoint = options.checkpoint ?? (traffic ? TRAFFIC_CHECKPOINT : DEFAULT_CHECKPOINT);
    this.category = options.category ?? (traffic ? TRAFFIC_STREAM_CATEGORY : 'pse');
    this.flushAfterMs = options.flushAfterMs ?? 25;
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = options.leaseTtlMs ?? 15_000;
    this.renewEveryMs = Math.max(10, Math.floor(this.leaseTtlMs / 3));
  }

  /** Catches up to the head of the log, batch by batch; resolves with what it applied. Rejects with `ProjectionFailed`. */
  async runOnce(): Promise<{ applied: number; position: number }> {
    const prepare = this.options.projection === 'traffic' ? undefined : this.options.store.prepareBatch;
    if (prepare) return this.runOverlapped(prepare);
    let applied = 0;
    this.position = await this.options.store.getCheckpoint(this.checkpoint);
    for (;;) {
      const events = await this.options.source.readAll({
        after: this.position,
        limit: this.catchUpBatchSize,
        category: this.category,
      });
      if (events.length === 0) return { applied, position: this.position };
      try {
        applied += await this.applyRecorded(events);
      } catch (e) {
        // Another projector committed these events first: go on from where it left the checkpoint.
        if (!(e instanceof CheckpointConflict)) throw e;
        this.lastError = null;
      }
      await timersTurn();
    }
  }

  /**
   * `runOnce` on a store that plans a batch apart from writing it (PostgreSQL): batch N+1 is read, parsed and
   * planned while the server writes batch N, and sent once N has committed — the projector and the database
   * work side by side instead of taking turns (docs/benchmarks.md, "A PostgreSQL rebuild overlapped", decision 0015).
   * One batch is in flight at most; a batch that fails to plan or write ends the overlap as `runOnce` would.
   */
  private async runOverlapped(
    prepare: NonNullable<ReadModelStore['prepareBatch']>,
  ): Promise<{ applied: number; position: number }> {
    let applied = 0;
    let read = (this.position = await this.options.store.getCheckpoint(this.checkpoint));
    let inflight: Promise<number> | null = null;
    // Settles the batch in flight; a conflict means another writer moved the checkpoint: read on from there.
    const settle = async (next: PreparedBatch | null): Promise<boolean> => {
      if (!inflight) return true;
      const writing = inflight;
      inflight = null;
      try {
        applied += await writing;
        return true;
      } catch (e) {
        next?.discard();
        if (!(e instanceof CheckpointConflict)) throw e;
        this.lastError = null;
        read = this.position ?? e.actual;
        return false;
      }
    };
    for (;;) {
      const recorded = await this.readInSlices(read);
      if (recorded.length === 0) {
        await settle(null);
        return { applied, position: this.position ?? read };
      }
      const last = (recorded[recorded.length - 1] as SourceEvent).position;
      let next: PreparedBatch | null = null;
      const started = Date.now();
      try {
        next = await prepare(
          recorded.map((r) => toReadModelEvent(r)),
          {
            expectedPosition: read,
            toPosition: last,
            checkpoint: this.checkpoint,
          },
        );
      } catch (e) {
        // A batch that does not plan (an event a projection refuses) goes the way of `runOnce`: the events
        // before the bad one are committed, then the error is reported.
        if (!(await settle(null))) continue;
        if (!(e instanceof ProjectionFailed)) throw e;
        applied += await this.applyRecorded(recorded);
        read = this.position ?? last;
        continue;
      }
      if (!(await settle(next))) continue;
      inflight = this.commitPrepared(next, recorded.length, started);
      // Nothing waits on the batch until the next one is planned; its failure is taken up by `settle`.
      inflight.catch(() => undefined);
      read = last;
    }
  }

  /**
   * A catch-up batch read in slices, with a turn of the event loop between them: a batch being sent to the
   * database meanwhile needs those turns to leave this process.
   */
  private async readInSlices(after: number): Promise<SourceEvent[]> {
    const out: SourceEvent[] = [];
    let from = after;
    while (out.length < this.catchUpBatchSize) {
      const limit = Math.min(READ_SLICE, this.catchUpBatchSize - out.length);
      const slice = await this.options.source.readAll({ after: from, limit, category: this.category });
      for (const event of slice) out.push(event);
      if (slice.length < limit) break;
      from = (slice[slice.length - 1] as SourceEvent).position;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return out;
  }

  /** Commits a prepared batch; `started`: when its planning began (the batch's time in the metrics). */
  private commitPrepared(batch: PreparedBatch, events: number, started: number): Promise<number> {
    return this.gate.run(async () => {
      try {
        this.position = (await batch.commit()).position;
      } catch (e) {
        if (e instanceof CheckpointConflict) this.position = e.actual;
        throw e;
      }
      this.recordBatch(events, started);
      return events;
    });
  }

  /**
   * Brings the read models up to the head of the log as it is now, for a command that reads them. When
   * another process's projector follows the log (it holds the lease), waits for it rather than writing
   * beside it; gives up waiting once it made no progress for `stallMs` (default 5 s) and returns the
   * position reached. Otherwise projects itself (`runOnce`). Concurrent calls share one catch-up.
   */
  async catchUp(options: { stallMs?: number; pollMs?: number } = {}): Promise<CatchUpResult> {
    this.catchingUp ??= this.catchUpOnce(options).finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private async catchUpOnce(options: { stallMs?: number; pollMs?: number }): Promise<CatchUpResult> {
    const head = await this.options.source.headPosition();
    let position = await this.options.store.getCheckpoint(this.checkpoint);
    if (position >= head) return { applied: 0, position, by: 'self' };
    const lease = await this.options.store.projectorLeaseHolder(this.checkpoint);
    if (!lease || lease.holder === this.holder) return { ...(await this.runOnce()), by: 'self' };
    const stallMs = options.stallMs ?? 5000;
    let progressAt = Date.now();
    while (position < head) {
      // Positions have gaps (other categories): done once no event of ours is left after the checkpoint.
      const rest = await this.options.source.readAll({ after: position, limit: 1, category: this.category });
      if (rest.length === 0 || rest[0].position > head) break;
      if (Date.now() - progressAt > stallMs) {
        this.options.logger?.error(
          { checkpoint: this.checkpoint, follower: lease.holder, position, head },
          'the following projector made no progress; read models may be behind',
        );
        break;
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 25));
      const next = await this.options.store.getCheckpoint(this.checkpoint);
      if (next !== position) progressAt = Date.now();
      position = next;
    }
    return { applied: 0, position, by: 'follower' };
  }

  /**
   * Follows the log while holding the checkpoint's lease, until `signal` aborts; rejects with the error
   * that stopped it (a supervisor restarts it). While another live projector holds the lease it stands
   * by and takes over once that lease expires or is released.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (await this.acquireLease(this.leaseTtlMs)) {
        // The lease was free: a rebuild that held it and stopped half-way left its indexes aside.
        if (this.options.projection !== 'traffic') await this.options.store.restoreAbandonedRebuild();
        break;
      }
      if (this.role !== 'standby') {
        this.role = 'standby';
        this.options.logger?.info(
          { checkpoint: this.checkpoint },
          'another projector follows the log; standing by',
        );
      }
      await abortableDelay(this.renewEveryMs, signal);
    }
    if (signal.aborted) {
      this.role = 'idle';
      return;
    }
    this.role = 'follower';
    const follow = new AbortController();
    const onAbort = () => follow.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let lost: unknown = null;
    const renewal = setInterval(() => {
      this.renewAndCheck().then(
        (problem) => {
          if (!problem || follow.signal.aborted) return;
          lost = problem;
          follow.abort();
        },
        (e: unknown) => {
          lost = e;
          follow.abort();
        },
      );
    }, this.renewEveryMs);
    try {
      await this.follow(follow.signal);
      if (lost) throw lost;
    } finally {
      clearInterval(renewal);
      signal.removeEventListener('abort', onAbort);
      this.role = 'idle';
      await this.options.store.releaseProjectorLease(this.checkpoint, this.holder).catch(() => undefined);
    }
  }

  /** Subscribes from the checkpoint and projects until `stop()` or an error (then see `status()`). */
  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.run(abort.signal)
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        // Projection failures are recorded where they happen; anything else (a lost database) here.
        if (!(e instanceof ProjectionFailed) && !(e instanceof CheckpointConflict)) this.fail(e);
        this.options.logger?.error({ err: e }, 'projector stopped');
      })
      .finally(() => {
        this.loop = null;
        this.abort = null;
      });
  }

  /**
   * Claims the checkpoint's lease; one still live but held by a process of this host that is gone (a rebuild
   * killed during its reset or finish holds it for minutes) is released first and claimed again.
   */
  private async acquireLease(ttlMs: number): Promise<boolean> {
    const store = this.options.store;
    if (await store.claimProjectorLease(this.checkpoint, this.holder, ttlMs)) return true;
    const held = await store.projectorLeaseHolder(this.checkpoint);
    if (held === null || !holderIsGone(held.holder)) return false;
    this.options.logger?.info(
      { checkpoint: this.checkpoint, holder: held.holder, until: held.expiresAt },
      'the projector lease is held by a process of this host that is gone: taking it over',
    );
    await store.releaseProjectorLease(this.checkpoint, held.holder);
    return store.claimProjectorLease(this.checkpoint, this.holder, ttlMs);
  }

  /**
   * Renews the lease and checks the checkpoint did not move back (a rebuild elsewhere reset it: an
   * idle follower would otherwise never notice). Returns what must stop the follower, if anything.
   */
  private async renewAndCheck(): Promise<Error | null> {
    if (!(await this.options.store.claimProjectorLease(this.checkpoint, this.holder, this.leaseTtlMs)))
      return new ProjectorLeaseLost(this.checkpoint, this.holder);
    return this.gate.run(async () => {
      const actual = await this.options.store.getCheckpoint(this.checkpoint);
      const expected = this.position ?? actual;
      return actual < expected
        ? new CheckpointConflict({ checkpoint: this.checkpoint, expected, actual })
        : null;
    });
  }

  /** Stops following the log after the batch in flight commits. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
  }

  /**
   * Empties every read model and replays the whole log from position 0 (restarts if it was running).
   * Given `appending` (another thread or process still writing the log: a simulation into a fresh data
   * directory), it goes on replaying what arrives, every `idleMs` at most, and finishes — indexes built
   * once — after `appending` settles and the head as it then stands is reached.
   */
  async rebuild(appending?: Promise<unknown>, idleMs = 500): Promise<CatchUpResult> {
    const wasRunning = this.loop !== null;
    await this.stop();
    // Indexes are set aside only for a replay this projector makes itself: a following projector in another
    // process replays on its own schedule (and its restart must find the reset as it always did). The replay
    // holds the checkpoint's lease meanwhile: other processes wait for it instead of projecting beside it,
    // and opening the store leaves the indexes aside while the lease is live (rebuild-deferred.ts).
    const traffic = this.options.projection === 'traffic';
    const deferIndexes = !traffic && (await this.acquireLease(LONG_STEP_LEASE_MS));
    // Renewed as a follower renews it; a renewal still in flight is awaited before the release (else it could
    // take the lease again after it, for nobody).
    let renewing: Promise<unknown> = Promise.resolve();
    const renewal = deferIndexes
      ? setInterval(() => {
          renewing = this.options.store
            .claimProjectorLease(this.checkpoint, this.holder, this.leaseTtlMs)
            .catch(() => undefined);
        }, this.renewEveryMs)
      : undefined;
    try {
      return await this.replayAll(traffic, deferIndexes, appending, idleMs);
    } finally {
      clearInterval(renewal);
      await renewing;
      if (deferIndexes)
        await this.options.store.releaseProjectorLease(this.checkpoint, this.holder).catch(() => undefined);
      if (wasRunning) this.start();
    }
  }

  /** `rebuild` once the lease is settled: resets, replays (following `appending`), builds what it set aside. */
  private async replayAll(
    traffic: boolean,
    deferIndexes: boolean,
    appending: Promise<unknown> | undefined,
    idleMs: number,
  ): Promise<CatchUpResult> {
    await this.gate.run(() =>
      traffic
        ? this.options.store.resetTraffic(this.checkpoint)
        : this.options.store.reset(this.checkpoint, { deferIndexes, holder: this.holder }),
    );
    // The reset done, back to a lease that lapses soon should this process die mid-replay: renewed now, before
    // the first batch, since the renewals due during the reset could not run.
    if (deferIndexes)
      await this.options.store.claimProjectorLease(this.checkpoint, this.holder, this.leaseTtlMs);
    this.position = 0;
    this.lastError = null;
    this.samples = [];
    // A projector following in another process notices the reset and replays; this one waits for it.
    let settled = appending === undefined;
    const done = appending?.then(
      () => (settled = true),
      () => (settled = true),
    );
    let applied = 0;
    let result: CatchUpResult;
    for (;;) {
      // Whether the writer had finished before this catch-up began: then it reaches the final head.
      const last = settled;
      result = await this.catchUp();
      applied += result.applied;
      if (last) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        void done?.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (!traffic) {
      // As for the reset: lapsed mid-finish, the lease would let other processes opening the store put the
      // indexes back themselves (and wait for the lock to do it).
      if (deferIndexes)
        await this.options.store.claimProjectorLease(this.checkpoint, this.holder, LONG_STEP_LEASE_MS);
      await this.options.store.finishRebuild();
    }
    return { ...result, applied };
  }

  /** Position, head, lag, throughput over the last seconds of work, and the error that stopped it. */
  async status(): Promise<ProjectorStatus> {
    const [position, head] = await Promise.all([
      this.options.store.getCheckpoint(this.checkpoint),
      this.options.source.headPosition(),
    ]);
    // The head may be an event of another category (traffic after cases, or cases after traffic): then
    // nothing this projector reads is behind it, and a lag would keep readiness down for no reason.
    const behind =
      head > position &&
      (await this.options.source.readAll({ after: position, limit: 1, category: this.category })).length > 0;
    const since = Date.now() - RATE_WINDOW_MS;
    const recent = this.samples.filter((s) => s.end >= since);
    const ms = recent.reduce((a, s) => a + s.ms, 0);
    const events = recent.reduce((a, s) => a + s.events, 0);
    return {
      checkpoint: this.checkpoint,
      running: this.loop !== null || this.role !== 'idle',
      role: this.role,
      position,
      head,
      lag: behind ? head - position : 0,
      eventsPerSecond: ms > 0 ? Math.round((events * 1000) / ms) : 0,
      lastError: this.lastError,
    };
  }

  private async follow(signal: AbortSignal): Promise<void> {
    this.position = await this.options.store.getCheckpoint(this.checkpoint);
    const iterator = this.options.source
      .subscribe({ after: this.position, category: this.category, signal, batchSize: this.batchSize })
      [Symbol.asyncIterator]();
    const aborted = new Promise<typeof ABORTED>((resolve) => {
      if (signal.aborted) resolve(ABORTED);
      signal.addEventListener('abort', () => resolve(ABORTED), { once: true });
    });
    let buffer: SourceEvent[] = [];
    let pending: Promise<IteratorResult<SourceEvent>> | null = null;
    const flush = async (): Promise<void> => {
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      await this.applyRecorded(batch);
      await timersTurn();
    };
    try {
      while (!signal.aborted) {
        pending ??= iterator.next();
        let timer: NodeJS.Timeout | undefined;
        const idle =
          buffer.length === 0
            ? null
            : new Promise<typeof IDLE>((resolve) => {
                timer = setTimeout(() => resolve(IDLE), this.flushAfterMs);
              });
        const next = await Promise.race(idle ? [pending, aborted, idle] : [pending, aborted]);
        clearTimeout(timer);
        if (next === ABORTED) break;
        if (next === IDLE) {
          await flush();
          continue;
        }
        pending = null;
        if (next.done) break;
        buffer.push(next.value);
        if (buffer.length >= this.batchSize) await flush();
      }
      await flush();
    } finally {
      // Ending the iterator releases the subscription; a pending `next` settles on the abort signal.
      void iterator.return?.();
    }
  }

  /** Parses and applies recorded events in order; on a failure, commits the events before it and rethrows. */
  private async applyRecorded(recorded: readonly SourceEvent[]): Promise<number> {
    const parsed: Projected[] = [];
    let failure: ProjectionFailed | null = null;
    for (const r of recorded) {
      try {
        parsed.push(this.parse(r));
      } catch (e) {
        failure = e instanceof ProjectionFailed ? e : null;
        if (!failure) throw e;
        break;
      }
    }
    let applied = 0;
    try {
      applied = await this.commit(parsed);
    } catch (e) {
      if (!(e instanceof ProjectionFailed)) throw this.fail(e);
      const before = parsed.filter((p) => p.position < e.event.position);
      applied = before.length > 0 ? await this.commit(before) : 0;
      throw this.fail(e);
    }
    if (failure) throw this.fail(failure);
    return applied;
  }

  /** A case event as the case projections read it, or a traffic event as its row (null: a type it skips). */
  private parse(recorded: SourceEvent): Projected {
    return this.options.projection === 'traffic'
      ? { position: recorded.position, row: projectTrafficObservation(recorded) }
      : toReadModelEvent(recorded);
  }

  private write(
    events: readonly Projected[],
    options: { expectedPosition: number; toPosition: number; checkpoint: string },
  ): Promise<ApplyBatchResult> {
    if (this.options.projection !== 'traffic') {
      return this.options.store.applyBatch(events as readonly ReadModelEvent[], options);
    }
    const rows = (events as readonly TrafficItem[]).flatMap((e) => (e.row ? [e.row] : []));
    return this.options.store.applyTrafficBatch(rows, options);
  }

  private async commit(batch: readonly Projected[]): Promise<number> {
    if (batch.length === 0) return 0;
    return this.gate.run(async () => {
      const started = Date.now();
      const expected = this.position ?? (await this.options.store.getCheckpoint(this.checkpoint));
      // A `runOnce` beside a running subscription may have committed part of this batch already.
      const events = batch.filter((e) => e.position > expected);
      if (events.length === 0) return 0;
      const last = events[events.length - 1] as Projected;
      try {
        const result = await this.write(events, {
          expectedPosition: expected,
          toPosition: last.position,
          checkpoint: this.checkpoint,
        });
        this.position = result.position;
      } catch (e) {
        // Someone else moved the checkpoint (a rebuild, another projector): re-read it before any retry.
        if (e instanceof CheckpointConflict) this.position = e.actual;
        throw e;
      }
      this.recordBatch(events.length, started);
      return events.length;
    });
  }

  /** A committed batch in the metrics and the status's rate. */
  private recordBatch(events: number, started: number): void {
    const end = Date.now();
    this.options.onBatch?.({ events, seconds: (end - started) / 1000 });
    this.samples.push({ end, ms: Math.max(1, end - started), events });
    if (this.samples.length > 1000) this.samples = this.samples.filter((s) => s.end >= end - RATE_WINDOW_MS);
    this.lastError = null;
  }

  private fail(e: unknown): unknown {
    const err = e as Partial<ReadModelError> & Partial<ProjectionFailed>;
    this.lastError = {
      code: typeof err.code === 'string' ? err.code : 'PROJECTOR_FAILED',
      message: e instanceof Error ? e.message : String(e),
      projection: e instanceof ProjectionFailed ? e.projection : null,
      event: e instanceof ProjectionFailed ? e.event : null,
      at: new Date().toISOString(),
    };
    this.options.logger?.error({ error: this.lastError }, 'projection failed');
    return e;
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
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
