import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LoopState } from '../runtime/supervised-loop';

/** One background loop's progress as `/metrics` reads it (the worker's `WorkerStatus`). */
export interface ObservedLoop {
  name: string;
  position: number;
  eventsPerSecond: number;
  healthy: boolean;
  state: LoopState;
  restarts: number;
  lag: number | null;
  lastError: { code: string; at: string } | null;
}

/** Where the metrics read the loops of this process at scrape time. */
export interface LoopStatusSource {
  statuses(): Promise<ObservedLoop[]>;
}

/** What a command came to: appended, answered as a replay, refused (a domain or edge error), or failed. */
export type CommandResult = 'applied' | 'duplicate' | 'refused' | 'failed';

/** What the command path reports, so `CaseCommandService` stays free of the metrics library. */
export interface CommandObserver {
  /** One command settled; `code` is the error's code for `refused` and `failed`. */
  commandSettled(command: string, result: CommandResult, code?: string): void;
  /** One append to the event store took `seconds` (successful or not). */
  appendTimed(seconds: number): void;
}

/** HTTP methods kept as label values; anything else is counted as `OTHER`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Loops whose position follows the global log, so `head - position` is a lag. */
const FOLLOWS_LOG = new Set(['projector', 'relay', 'scheduler']);
/** Codes are class constants (`TRANSITION_REFUSED`...); this bounds a label should a driver invent one. */
const CODE = /^[A-Za-z0-9_.-]{1,64}$/;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The metrics of one process, in one prom-client registry (never the library's global one): HTTP,
 * commands, appends, projection batches, the loops' lag and restarts, OSS outcomes, and the default
 * process metrics. The API and the worker of a process share it through the runtime.
 */
export class SanksiMetrics implements CommandObserver {
  readonly registry = new Registry();
  private readonly sources: LoopStatusSource[] = [];
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly commands: Counter<'command' | 'outcome' | 'code'>;
  private readonly appendDuration: Histogram;
  private readonly projectionDuration: Histogram;
  private readonly projectedEvents: Counter;
  private readonly ossMessages: Counter<'outcome'>;
  private readonly deadLetters: Counter<'reason'>;
  private readonly dlqMessages: Gauge<'topic'>;

  constructor(
    /** The log head, read at scrape time (`sanksi_event_store_head_position`, and the loops' lag). */
    private readonly headPosition: () => Promise<number>,
    options: { defaultMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'sanksi_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'sanksi_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.commands = new Counter({
      name: 'sanksi_commands_total',
      help: 'Commands by type and outcome (applied, duplicate, refused, failed) and error code.',
      labelNames: ['command', 'outcome', 'code'],
      registers,
    });
    this.appendDuration = new Histogram({
      name: 'sanksi_event_store_append_duration_seconds',
      help: 'Time of one append to the event store (group commit included).',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.projectionDuration = new Histogram({
      name: 'sanksi_projection_batch_duration_seconds',
      help: 'Time to commit one projection batch and its checkpoint.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.projectedEvents = new Counter({
      name: 'sanksi_projected_events_total',
      help: 'Events this process projected into the read models.',
      registers,
    });
    this.ossMessages = new Counter({
      name: 'sanksi_oss_messages_total',
      help: 'OSS registration messages settled, by outcome (applied, duplicate, dead-letter).',
      labelNames: ['outcome'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'sanksi_oss_dead_letters_total',
      help: 'OSS registration messages this process sent to the dead-letter topic, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.dlqMessages = new Gauge({
      name: 'sanksi_oss_dlq_messages',
      help: 'Messages in the OSS dead-letter topic (all partitions, high minus low watermark), as last measured.',
      labelNames: ['topic'],
      registers,
    });
    this.registerLoopGauges(registers);
  }

  /** The loops of this process to report at every scrape (the worker registers its supervisor). */
  observeLoops(source: LoopStatusSource): void {
    if (!this.sources.includes(source)) this.sources.push(source);
  }

  /** One answered request; `route` is the route template (`/v1/cases/:pseId`), never the raw URL. */
  httpAnswered(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = {
      method: METHODS.has(method) ? method : 'OTHER',
      // Unmatched paths (404s, scans) all share one value, so a scanner cannot blow up the series.
      route: route ?? 'unmatched',
      status: String(status),
    };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** See `CommandObserver.commandSettled`. */
  commandSettled(command: string, result: CommandResult, code?: string): void {
    this.commands.inc({
      command,
      outcome: result,
      code: code === undefined ? 'none' : CODE.test(code) ? code : 'OTHER',
    });
  }

  /** See `CommandObserver.appendTimed`. */
  appendTimed(seconds: number): void {
    this.appendDuration.observe(seconds);
  }

  /** One projection batch committed: `events` events in `seconds`. */
  projectionBatch(events: number, seconds: number): void {
    this.projectionDuration.observe(seconds);
    this.projectedEvents.inc(events);
  }

  /** One OSS message settled; a dead letter with its reason. */
  ossSettled(outcome: 'applied' | 'duplicate' | 'dead-letter', reason?: string): void {
    this.ossMessages.inc({ outcome });
    if (outcome === 'dead-letter') this.deadLetters.inc({ reason: reason ?? 'unknown' });
  }

  /** The dead-letter topic holds `messages` (measured by the OSS consumer loop from the broker's offsets). */
  dlqSize(topic: string, messages: number): void {
    this.dlqMessages.set({ topic }, messages);
  }

  /** The Prometheus text exposition of every metric of this process. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async loops(): Promise<ObservedLoop[]> {
    const all = await Promise.all(this.sources.map((s) => s.statuses()));
    return all.flat();
  }

  /**
   * The loop gauges are read at scrape time from the loops' own statuses (one scrape, one read of
   * each), so they can never disagree with readiness.
   */
  private registerLoopGauges(registers: Registry[]): void {
    let scrape: Promise<{ head: number | null; loops: ObservedLoop[] }> | null = null;
    // Every gauge's collect runs in the same scrape: read the head and the statuses once for all. A
    // store that does not answer leaves the head out (readiness says why), not the whole scrape.
    const snapshot = () =>
      (scrape ??= Promise.all([this.headPosition().catch(() => null), this.loops()])
        .then(([head, loops]) => ({ head, loops }))
        .finally(() => setImmediate(() => (scrape = null))));
    const perLoop = (
      name: string,
      help: string,
      value: (loop: ObservedLoop, head: number | null) => number | null,
    ): Gauge<'worker'> =>
      new Gauge({
        name,
        help,
        labelNames: ['worker'],
        registers,
        async collect() {
          const { head, loops } = await snapshot();
          this.reset();
          for (const loop of loops) {
            const v = value(loop, head);
            if (v !== null) this.set({ worker: loop.name }, Number.isFinite(v) ? v : 0);
          }
        },
      });
    new Gauge({
      name: 'sanksi_event_store_head_position',
      help: 'Global position of the newest event.',
      registers,
      async collect() {
        const { head } = await snapshot();
        this.reset();
        if (head !== null) this.set(head);
      },
    });
    perLoop('sanksi_worker_position', 'Position a worker loop has reached.', (l) => l.position);
    perLoop(
      'sanksi_worker_lag',
      'Global positions between the log head and the loop (projector, relay, scheduler).',
      (l, head) =>
        l.lag !== null
          ? l.lag
          : FOLLOWS_LOG.has(l.name) && head !== null
            ? Math.max(0, head - l.position)
            : null,
    );
    perLoop(
      'sanksi_worker_events_per_second',
      'Recent throughput of a worker loop.',
      (l) => l.eventsPerSecond,
    );
    perLoop('sanksi_worker_up', '1 when the loop runs and its own work goes well.', (l) =>
      l.healthy ? 1 : 0,
    );
    perLoop(
      'sanksi_worker_running',
      '1 while the supervisor runs the loop; 0 while it waits to restart or has stopped.',
      (l) => (l.state === 'running' ? 1 : 0),
    );
    perLoop(
      'sanksi_worker_last_error_timestamp_seconds',
      'When the loop last failed (Unix seconds; absent if never).',
      (l) => (l.lastError ? Date.parse(l.lastError.at) / 1000 : null),
    );
    new Counter({
      name: 'sanksi_worker_restarts_total',
      help: 'Restarts of a worker loop after a failure.',
      labelNames: ['worker'],
      registers,
      async collect() {
        const { loops } = await snapshot();
        this.reset();
        for (const loop of loops) this.inc({ worker: loop.name }, loop.restarts);
      },
    });
  }
}
