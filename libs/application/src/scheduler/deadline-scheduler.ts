import { DEADLINE_ACTOR, type PseCaseCommand, TransitionRefused } from '@sanksi/domain';
import type { DueDeadline } from '@sanksi/read-models';
import type { Logger } from 'pino';
import type { SanksiRuntime } from '../runtime/sanksi-runtime';
import { type LoopStatus, SupervisedLoop } from '../runtime/supervised-loop';
import { elapseKey } from './deadline-key';

/** The actor a deadline elapses as: the system itself, not an operator. */
export const SCHEDULER_ACTOR = DEADLINE_ACTOR;

/** How a scheduler runs; every field has a default. */
export interface DeadlineSchedulerOptions {
  /** Pause between two ticks of `start()` (default 1000 ms); ticks never overlap. */
  intervalMs?: number;
  /** Let each tick of `start()` catch the projector up first (default false: the worker runs it). */
  project?: boolean;
  /** Name in statuses and logs (default `scheduler`). */
  name?: string;
  /** Backoff after a tick that failed as a whole (defaults 250 ms doubling to 30 s). */
  restartBackoff?: { initialMs?: number; maxMs?: number };
  /** Due deadlines read per query (default 200, at most 1000); a tick reads every page. */
  duePageSize?: number;
  /**
   * Cases of a page elapsed side by side (default 8; 1 elapses one deadline at a time). The deadlines of
   * one case always go one after another in due order; different cases' appends then share commits.
   */
  elapseConcurrency?: number;
}

/** What one tick did. */
export interface SchedulerTickResult {
  /** Deadlines this tick elapsed (appended `DeadlineElapsed`). */
  elapsed: number;
  /** Automatic escalations appended with those elapses (dated at the due instant, in the same append). */
  escalated: number;
  /** Deadlines or escalations already done by someone else, or refused by the machine. */
  skipped: number;
  /** Items that failed for another reason (store down...); retried on the next tick. */
  failed: number;
}

/** A scheduler's health for `/metrics` and the CLI. */
export interface SchedulerStatus {
  name: string;
  running: boolean;
  /** The read-model checkpoint the last tick's view reflected (the scheduler acts on that view). */
  position: number;
  /** Events the scheduler appended per second over the last ten seconds. */
  eventsPerSecond: number;
  healthy: boolean;
  /**
   * A tick has gone through every deadline that was due when it began: false from the start until the
   * first tick ends (after a long stop or a simulation that may be thousands of elapses).
   */
  caughtUp: boolean;
  ticks: number;
  elapsedTotal: number;
  escalatedTotal: number;
  lastTickAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  /** The supervised loop of `start()`: running, restarting after a failed tick, or stopped. */
  loop: LoopStatus;
}

const RATE_WINDOW_MS = 10_000;
/** Due deadlines read per query by default; a tick reads page after page until none is left. */
const DUE_PAGE_SIZE = 200;
/** Cases of a page elapsed side by side by default. */
const ELAPSE_CONCURRENCY = 8;

function describe(e: unknown): { code: string; message: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : e.name, message: e.message };
  }
  return { code: 'UNKNOWN', message: String(e) };
}

/**
 * Brings cases whose deadlines are due by the clock up to date, so that deadlines elapse on time with
 * nobody acting. It is never needed for correctness (docs/regulation.md §9): any later command on the case
 * elapses the same deadlines, at the same due instants, with the same consequences and event ids. Every
 * append goes through the command path under the deadline's own command id, so a crash, a retry, a second
 * scheduler or a command racing it never elapses a deadline twice.
 */
export class DeadlineScheduler {
  private readonly name: string;
  private readonly intervalMs: number;
  private readonly duePageSize: number;
  private readonly elapseConcurrency: number;
  private readonly projectInLoop: boolean;
  private readonly logger: Logger;
  private readonly loop: SupervisedLoop;
  private current: Promise<SchedulerTickResult> | null = null;
  private ticks = 0;
  private elapsedTotal = 0;
  private escalatedTotal = 0;
  private position = 0;
  private lastTickAt: string | null = null;
  private lastError: SchedulerStatus['lastError'] = null;
  private lastTickFailed = false;
  private caughtUp = false;
  private samples: Array<{ at: number; count: number }> = [];
  constructor(
    private readonly runtime: SanksiRuntime,
    options: DeadlineSchedulerOptions = {},
  ) {
    this.name = options.name ?? 'scheduler';
    this.intervalMs = options.intervalMs ?? 1000;
    this.duePageSize = options.duePageSize ?? DUE_PAGE_SIZE;
    this.elapseConcurrency = Math.max(1, Math.floor(options.elapseConcurrency ?? ELAPSE_CONCURRENCY));
    this.projectInLoop = options.project ?? false;
    this.logger = runtime.logger.child({ worker: this.name });
    this.loop = new SupervisedLoop({
      name: this.name,
      intervalMs: this.intervalMs,
      backoff: options.restartBackoff,
      logger: this.logger,
      run: async () => {
        await this.tick({ project: this.projectInLoop });
      },
    });
  }

  /** One pass: optionally project, elapse every deadline due by the clock, finish pending escalations. */
  async tick(options: { project?: boolean } = {}): Promise<SchedulerTickResult> {
    // Two ticks of one scheduler would race each other for nothing: the second waits for the first.
    while (this.current) await this.current.catch(() => undefined);
    const run = this.runTick(options.project ?? false);
    this.current = run;
    try {
      return await run;
    } finally {
      this.current = null;
    }
  }

  /** Ticks every `intervalMs` until `stop()`; a tick that fails as a whole is retried after a backoff. */
  start(): void {
    const s = this.loop.status().state;
    if (s === 'running' || s === 'restarting') return;
    this.logger.info({ intervalMs: this.intervalMs }, 'scheduler started');
    this.loop.start();
  }

  /** Stops the loop after the tick in flight. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.current?.catch(() => undefined);
    this.logger.info({ ticks: this.ticks }, 'scheduler stopped');
  }

  /** Where the scheduler stands. */
  status(): SchedulerStatus {
    const now = Date.now();
    this.samples = this.samples.filter((s) => s.at >= now - RATE_WINDOW_MS);
    const events = this.samples.reduce((n, s) => n + s.count, 0);
    const loop = this.loop.status();
    return {
      name: this.name,
      running: loop.state === 'running' || loop.state === 'restarting',
      position: this.position,
      eventsPerSecond: Math.round((events / RATE_WINDOW_MS) * 1000 * 10) / 10,
      healthy: !this.lastTickFailed,
      caughtUp: this.caughtUp,
      ticks: this.ticks,
      elapsedTotal: this.elapsedTotal,
      escalatedTotal: this.escalatedTotal,
      lastTickAt: this.lastTickAt,
      lastError: this.lastError,
      loop,
    };
  }

  private async runTick(project: boolean): Promise<SchedulerTickResult> {
    const result: SchedulerTickResult = { elapsed: 0, escalated: 0, skipped: 0, failed: 0 };
    try {
      if (project) await this.project();
      this.position = await this.runtime.readModels.getCheckpoint();
      const now = this.runtime.clock.now().toISOString();
      // Page through what is due: a backlog (a long outage) never loads at once. Elapsing appends
      // events but the read model moves only at the next projection, so the pages stay one listing.
      let cursor: string | undefined;
      do {
        const due = await this.runtime.readModels.getDueDeadlines(now, { cursor, limit: this.duePageSize });
        await this.elapsePage(due.items, result);
        cursor = due.nextCursor ?? undefined;
      } while (cursor !== undefined);
      this.lastTickFailed = result.failed > 0;
      this.caughtUp = true;
    } catch (e) {
      this.lastTickFailed = true;
      this.note(e);
      throw e;
    } finally {
      this.ticks += 1;
      this.lastTickAt = new Date().toISOString();
      this.elapsedTotal += result.elapsed;
      this.escalatedTotal += result.escalated;
      const appended = result.elapsed + result.escalated;
      if (appended > 0) this.samples.push({ at: Date.now(), count: appended });
    }
    return result;
  }

  /**
   * Elapses one page of due deadlines: each case's deadlines one after another in due order, up to
   * `elapseConcurrency` cases at a time. The cases are independent (each decides on its own stream under
   * its own expected revision), so the order across cases changes no case's history; what it changes is
   * that their appends arrive together and the store commits them in one transaction instead of one each
   * (a backlog after an outage, or the first start on a simulated population).
   */
  private async elapsePage(items: readonly DueDeadline[], result: SchedulerTickResult): Promise<void> {
    const byCase = new Map<string, DueDeadline[]>();
    for (const deadline of items) {
      const own = byCase.get(deadline.pseId);
      if (own) own.push(deadline);
      else byCase.set(deadline.pseId, [deadline]);
    }
    const cases = [...byCase.values()];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < cases.length) {
        const own = cases[next++] as DueDeadline[];
        for (const deadline of own) await this.guard(result, () => this.elapse(deadline, result));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.elapseConcurrency, cases.length) }, lane));
  }

  private async project(): Promise<void> {
    // Waits for another process's following projector when there is one, so as not to write beside it.
    const caughtUp = await this.runtime.projector.catchUp();
    if (caughtUp.by === 'follower')
      this.logger.debug({ position: caughtUp.position }, 'another projector follows the log');
  }

  /** Runs one item; a refusal is expected under races and lag, anything else is counted and logged. */
  private async guard(result: SchedulerTickResult, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (e) {
      if (e instanceof TransitionRefused) {
        result.skipped += 1;
        this.logger.debug(
          { err: describe(e), pseId: e.pseId },
          'refused: already handled or read model lags',
        );
        return;
      }
      result.failed += 1;
      this.note(e);
      this.logger.error({ err: describe(e) }, 'scheduler could not handle an item; retrying next tick');
    }
  }

  private note(e: unknown): void {
    this.lastError = { ...describe(e), at: new Date().toISOString() };
  }

  private async elapse(deadline: DueDeadline, result: SchedulerTickResult): Promise<void> {
    const key = elapseKey(deadline);
    const command: PseCaseCommand = {
      type: 'ElapseDeadline',
      pseId: deadline.pseId,
      deadline: deadline.kind as Extract<PseCaseCommand, { type: 'ElapseDeadline' }>['deadline'],
      ...(deadline.fineId ? { fineId: deadline.fineId } : {}),
    };
    // Dated at the due instant: the domain dates the elapse and its consequences there (or at the case's
    // last event, for a history recorded before this rule), whenever the scheduler runs.
    // No idempotency key: the command path names the elapse by the domain's own id for the deadline as
    // the case has it (fresh after a retraction), so every scheduler and every retry agree.
    const outcome = await this.runtime.commands.execute(command, {
      actor: SCHEDULER_ACTOR,
      correlationId: key,
      occurredAt: deadline.dueAt,
    });
    if (outcome.duplicate) {
      result.skipped += 1;
      return;
    }
    const elapsed = outcome.events.filter((e) => e.type === 'DeadlineElapsed').length;
    result.elapsed += elapsed;
    result.escalated += outcome.events.length - elapsed;
    this.logger.info(
      {
        pseId: deadline.pseId,
        kind: deadline.kind,
        dueAt: deadline.dueAt,
        state: outcome.state,
        events: outcome.events.length,
      },
      'deadline elapsed',
    );
  }
}
