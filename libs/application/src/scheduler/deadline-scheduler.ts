import {
  decide,
  ESCALATION_ACTOR,
  foldCase,
  getPolicy,
  type PolicyId,
  type PseCaseCommand,
  type PseCaseEventEnvelope,
  TransitionRefused,
} from '@sanksi/domain';
import { CheckpointConflict, type DueDeadline, type Projector } from '@sanksi/read-models';
import type { Logger } from 'pino';
import type { SanksiRuntime } from '../runtime/sanksi-runtime';
import { elapseKey, ELAPSE_KEY_PREFIX, escalationKey } from './deadline-key';

/** The actor a deadline elapses as: the system itself, not an operator. */
export const SCHEDULER_ACTOR = { id: 'sanksi-scheduler', role: 'system' } as const;

/** How a scheduler runs; every field has a default. */
export interface DeadlineSchedulerOptions {
  /** Pause between two ticks of `start()` (default 1000 ms); ticks never overlap. */
  intervalMs?: number;
  /** Let each tick of `start()` catch the projector up first (default false: the worker runs it). */
  project?: boolean;
  /** Name in statuses and logs (default `scheduler`). */
  name?: string;
}

/** What one tick did. */
export interface SchedulerTickResult {
  /** Deadlines this tick elapsed (appended `DeadlineElapsed`). */
  elapsed: number;
  /** Automatic escalations this tick appended, first try or recovery. */
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
  ticks: number;
  elapsedTotal: number;
  escalatedTotal: number;
  lastTickAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
}

const RATE_WINDOW_MS = 10_000;

function describe(e: unknown): { code: string; message: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : e.name, message: e.message };
  }
  return { code: 'UNKNOWN', message: String(e) };
}

/**
 * Elapses due deadlines and runs the automatic escalations that follow (SPEC §2 rule 1, §3).
 * Every append goes through the command path with a deterministic command id, so a crash, a retry
 * or a second scheduler never elapses a deadline or escalates twice.
 */
export class DeadlineScheduler {
  private readonly name: string;
  private readonly intervalMs: number;
  private readonly projectInLoop: boolean;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<SchedulerTickResult> | null = null;
  private running = false;
  private ticks = 0;
  private elapsedTotal = 0;
  private escalatedTotal = 0;
  private position = 0;
  private lastTickAt: string | null = null;
  private lastError: SchedulerStatus['lastError'] = null;
  private lastTickFailed = false;
  private samples: Array<{ at: number; count: number }> = [];
  /** Pending escalations known to need no automatic action, by case, with the `since` they were seen at. */
  private readonly settledEscalations = new Map<string, string | null>();

  constructor(
    private readonly runtime: SanksiRuntime,
    options: DeadlineSchedulerOptions = {},
  ) {
    this.name = options.name ?? 'scheduler';
    this.intervalMs = options.intervalMs ?? 1000;
    this.projectInLoop = options.project ?? false;
    this.logger = runtime.logger.child({ worker: this.name });
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

  /** Ticks every `intervalMs` until `stop()`; a failing tick is logged and the loop goes on. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.logger.info({ intervalMs: this.intervalMs }, 'scheduler started');
    const loop = async (): Promise<void> => {
      if (!this.running) return;
      await this.tick({ project: this.projectInLoop }).catch((e: unknown) => {
        this.logger.error({ err: describe(e) }, 'scheduler tick failed');
      });
      if (this.running) this.timer = setTimeout(() => void loop(), this.intervalMs);
    };
    void loop();
  }

  /** Stops the loop after the tick in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current?.catch(() => undefined);
    this.logger.info({ ticks: this.ticks }, 'scheduler stopped');
  }

  /** Where the scheduler stands. */
  status(): SchedulerStatus {
    const now = Date.now();
    this.samples = this.samples.filter((s) => s.at >= now - RATE_WINDOW_MS);
    const events = this.samples.reduce((n, s) => n + s.count, 0);
    return {
      name: this.name,
      running: this.running,
      position: this.position,
      eventsPerSecond: Math.round((events / RATE_WINDOW_MS) * 1000 * 10) / 10,
      healthy: !this.lastTickFailed,
      ticks: this.ticks,
      elapsedTotal: this.elapsedTotal,
      escalatedTotal: this.escalatedTotal,
      lastTickAt: this.lastTickAt,
      lastError: this.lastError,
    };
  }

  private async runTick(project: boolean): Promise<SchedulerTickResult> {
    const result: SchedulerTickResult = { elapsed: 0, escalated: 0, skipped: 0, failed: 0 };
    try {
      if (project) await this.project();
      this.position = await this.runtime.readModels.getCheckpoint();
      const now = this.runtime.clock.now().toISOString();
      const due = await this.runtime.readModels.getDueDeadlines(now);
      for (const deadline of due) await this.guard(result, () => this.elapse(deadline, result));
      await this.recoverEscalations(result);
      this.lastTickFailed = result.failed > 0;
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

  private async project(): Promise<void> {
    try {
      await projectSerially(this.runtime.projector);
    } catch (e) {
      // Another projector moved the checkpoint meanwhile: the read model is at least as fresh.
      if (!(e instanceof CheckpointConflict)) throw e;
      this.logger.debug({ err: describe(e) }, 'another projector is running');
    }
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
    const run = (occurredAt: string) =>
      this.runtime.commands.execute(command, {
        actor: SCHEDULER_ACTOR,
        idempotencyKey: key,
        correlationId: key,
        occurredAt,
      });
    let outcome;
    try {
      outcome = await run(deadline.dueAt);
    } catch (e) {
      const later = e instanceof TransitionRefused ? await this.laterBusinessTime(deadline) : null;
      if (!later) throw e;
      // The case has events after the due time (an operator acted first, or imported history):
      // business time cannot go back, so the deadline elapses at the case's latest business time.
      outcome = await run(later);
    }
    if (outcome.duplicate) {
      result.skipped += 1;
      return;
    }
    result.elapsed += 1;
    const elapsedEvent = outcome.events.find((e) => e.type === 'DeadlineElapsed');
    this.logger.info(
      { pseId: deadline.pseId, kind: deadline.kind, dueAt: deadline.dueAt, state: outcome.state },
      'deadline elapsed',
    );
    await this.escalate(key, outcome.outbound, elapsedEvent?.eventId ?? key, result);
  }

  /** The case's latest business time when it is after the deadline's due time and the deadline still runs. */
  private async laterBusinessTime(deadline: DueDeadline): Promise<string | null> {
    const loaded = await this.runtime.commands.load(deadline.pseId);
    const last = loaded.envelopes[loaded.envelopes.length - 1];
    if (!last || Date.parse(last.occurredAt) <= Date.parse(deadline.dueAt)) return null;
    const running = last.state.deadlines.some(
      (d) =>
        d.kind === deadline.kind &&
        (d.fineId ?? null) === (deadline.fineId ?? null) &&
        Date.parse(d.dueAt) === Date.parse(deadline.dueAt),
    );
    return running ? last.occurredAt : null;
  }

  private async escalate(
    elapseCommandId: string,
    outbound: readonly PseCaseCommand[],
    causationId: string,
    result: SchedulerTickResult,
  ): Promise<void> {
    for (const [index, command] of outbound.entries()) {
      await this.guard(result, async () => {
        const outcome = await this.runtime.commands.execute(command, {
          actor: ESCALATION_ACTOR,
          idempotencyKey: escalationKey(elapseCommandId, index),
          correlationId: elapseCommandId,
          causationId,
        });
        if (outcome.duplicate) {
          result.skipped += 1;
          return;
        }
        result.escalated += 1;
        this.logger.info(
          { pseId: command.pseId, command: command.type, state: outcome.state },
          'automatic escalation',
        );
      });
    }
  }

  /**
   * A scheduler that crashed between the elapse and its escalation leaves the case pending under an
   * automatic policy: re-deciding the recorded elapse gives back the very same outbound commands
   * (decide is pure), which run again under their deterministic ids.
   */
  private async recoverEscalations(result: SchedulerTickResult): Promise<void> {
    const queue = await this.runtime.readModels.getEscalationQueue();
    const pending = new Set(queue.map((q) => q.pseId));
    for (const pseId of this.settledEscalations.keys()) {
      if (!pending.has(pseId)) this.settledEscalations.delete(pseId);
    }
    for (const entry of queue) {
      if (
        this.settledEscalations.has(entry.pseId) &&
        this.settledEscalations.get(entry.pseId) === entry.since
      )
        continue;
      await this.guard(result, async () => {
        const settled = await this.recover(entry.pseId, result);
        if (settled) this.settledEscalations.set(entry.pseId, entry.since);
      });
    }
  }

  /** True when the case needs no (more) automatic escalation for its current pending escalation. */
  private async recover(pseId: string, result: SchedulerTickResult): Promise<boolean> {
    const { envelopes } = await this.runtime.commands.load(pseId);
    const last = envelopes[envelopes.length - 1];
    if (!last?.state.escalation.pending) return false; // the read model lags: look again next tick
    const policy = getPolicy(last.policyVersion);
    if (!policy.automaticEscalation && !policy.automaticRevocation) return true;
    const elapsedAt = findLastIndex(
      envelopes,
      (e) => e.type === 'DeadlineElapsed' && e.commandId.startsWith(ELAPSE_KEY_PREFIX),
    );
    if (elapsedAt < 0) return true;
    const elapsed = envelopes[elapsedAt];
    const first = envelopes.findIndex((e) => e.commandId === elapsed.commandId);
    const outbound = redecideOutbound(envelopes.slice(0, first), elapsed);
    if (outbound.length === 0) return true;
    const before = result.escalated;
    await this.escalate(elapsed.commandId, outbound, elapsed.eventId, result);
    if (result.escalated > before) {
      this.logger.warn(
        { pseId, commandId: elapsed.commandId },
        'finished an interrupted automatic escalation',
      );
    }
    return true;
  }
}

// `Projector.runOnce` is not safe to call twice at once on one instance (both batches start from the
// same position): schedulers sharing a runtime take turns; separate runtimes are kept apart by the
// store's checkpoint check (CheckpointConflict).
const projecting = new WeakMap<Projector, Promise<unknown>>();

async function projectSerially(projector: Projector): Promise<void> {
  const previous = projecting.get(projector) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => projector.runOnce());
  projecting.set(projector, next);
  try {
    await next;
  } finally {
    if (projecting.get(projector) === next) projecting.delete(projector);
  }
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i])) return i;
  return -1;
}

/** The outbound commands the recorded elapse produced, by deciding it again on the case as it was. */
function redecideOutbound(prefix: PseCaseEventEnvelope[], elapsed: PseCaseEventEnvelope): PseCaseCommand[] {
  if (elapsed.type !== 'DeadlineElapsed' || prefix.length === 0) return [];
  const data = elapsed.data;
  const command: PseCaseCommand = {
    type: 'ElapseDeadline',
    pseId: elapsed.pseId,
    deadline: data.deadline,
    ...(data.fineId ? { fineId: data.fineId } : {}),
  };
  const snapshot = foldCase(prefix);
  const decision = decide(command, snapshot, getPolicy(snapshot.context.policyVersion as PolicyId), {
    commandId: elapsed.commandId,
    correlationId: elapsed.correlationId,
    causationId: elapsed.causationId,
    actor: elapsed.actor,
    now: elapsed.recordedAt,
    occurredAt: elapsed.occurredAt,
  });
  return decision.ok ? decision.outbound : [];
}
