import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventStore, RecordedEvent } from '@sanksi/event-store';
import {
  DEFAULT_CASE_EVENT_SOURCE,
  toCaseEventMessage,
  toEventTooLargeMessage,
  type OutboundMessage,
} from './case-event.message';
import type { CheckpointStore } from './checkpoint-store.port';
import { MessagingError, RelayAlreadyStarted, RelayNotRunning } from './messaging.errors';
import { silentLogger, type MessagingLogger } from './messaging.logger';
import type { MessagePublisher } from './message-publisher.port';
import { CASE_EVENTS_TOPIC } from './topics.constants';
import { sleep } from './abortable-sleep';

/** Where one batch is in its life: read from the log, acknowledged by the broker, checkpointed. */
export type RelayBatchPhase = 'read' | 'published' | 'checkpointed';

/** Configuration of a relay; only the three ports are required. */
export interface KafkaRelayOptions {
  store: EventStore;
  publisher: MessagePublisher;
  checkpoints: CheckpointStore;
  /**
   * Checkpoint name (default `kafka-relay:<topic>`). Relays sharing a name share a lease in the
   * checkpoint store: one publishes, the others wait in `standby` and take over once it lapses.
   */
  name?: string;
  /** The lease: held `ttlMs` (default 15 s) from each renewal; `owner` names this relay (host:pid:random). */
  lease?: { ttlMs?: number; owner?: string };
  topic?: string;
  /** `ce_source` of the messages. */
  source?: string;
  /** Only streams of this category (default `pse`: the case streams). */
  category?: string;
  /**
   * How a stored event becomes a message (default: the case-event message, keyed by pseId); the
   * traffic relay passes `toTrafficObservationMessage` (keyed by domain).
   */
  toMessage?: (event: RecordedEvent, source: string) => OutboundMessage;
  /** Events read and sent per batch (default 500). */
  batchSize?: number;
  /** Pause when caught up before looking for new events (default 200 ms). */
  pollIntervalMs?: number;
  /** Backoff after a failure: doubles from `initialMs` up to `maxMs` (defaults 250 ms, 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  logger?: MessagingLogger;
  /** Called at each phase of each batch, awaited; for metrics and for crash tests. */
  onBatch?: (
    phase: RelayBatchPhase,
    batch: { from: number; to: number; size: number },
  ) => void | Promise<void>;
}

/** `waiting-for-broker`: the last publish failed and the relay is backing off; `failed`: stopped on an event it cannot relay. */
export type RelayState =
  | 'stopped'
  | 'running'
  | 'standby'
  | 'waiting-for-broker'
  | 'waiting-for-store'
  | 'failed';

/** A snapshot of the relay for `/metrics` and the CLI. */
export interface RelayStatus {
  name: string;
  topic: string;
  state: RelayState;
  /** Global position of the last event acknowledged by the broker and checkpointed. */
  position: number;
  /** Last known head of the log (all categories). */
  headPosition: number;
  /**
   * headPosition - position: an upper bound of the events not yet relayed (positions may have gaps); 0
   * once a read found none of the relay's category up to the head (the head may be another category's).
   */
  lag: number;
  /** Events acknowledged per second over the last ten seconds. */
  eventsPerSecond: number;
  publishedTotal: number;
  /** Events the broker refused as too large, published as `EventTooLarge` pointers instead. */
  oversizeTotal: number;
  batchesTotal: number;
  consecutiveFailures: number;
  lastError: { code: string; message: string; at: string } | null;
  lastPublishedAt: string | null;
  /** This relay's lease owner id, and whether it holds the lease (false: `standby`, another relay publishes). */
  leaseOwner: string;
  leaseHeld: boolean;
}

const RATE_WINDOW_MS = 10_000;

/** True when the broker refused a message as over its size limit (kafkajs `MESSAGE_TOO_LARGE`, code 10). */
function isTooLarge(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 8; depth++) {
    if ((cur as { type?: unknown }).type === 'MESSAGE_TOO_LARGE') return true;
    cur =
      (cur as { cause?: unknown; originalError?: unknown }).cause ??
      (cur as { originalError?: unknown }).originalError;
  }
  return false;
}

function describe(e: unknown): { code: string; message: string } {
  if (e instanceof MessagingError) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: (e as { code?: string }).code ?? e.name, message: e.message };
  return { code: 'UNKNOWN', message: String(e) };
}

/**
 * Relays the global event log to Kafka from its own checkpoint: read a batch after the checkpoint,
 * publish it (acks=all), and only then save the checkpoint. A crash between the two resends the
 * batch (at least once; consumers deduplicate by `ce_id`); nothing is ever skipped, and batches go
 * out one at a time in log order, so per-case order holds across failures and restarts.
 */
export class KafkaRelay {
  private readonly name: string;
  private readonly topic: string;
  private readonly source: string;
  private readonly category: string | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly logger: MessagingLogger;
  private readonly leaseTtlMs: number;
  private readonly leaseOwner: string;
  private leaseHeld = false;
  private leaseRenewedAt = 0;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private starting = false;
  private state: RelayState = 'stopped';
  private position = 0;
  private headPosition = 0;
  /** The head as it was when a read found nothing of the relay's category after its position. */
  private caughtUpTo = 0;
  private publishedTotal = 0;
  private oversizeTotal = 0;
  private batchesTotal = 0;
  private consecutiveFailures = 0;
  private lastError: RelayStatus['lastError'] = null;
  private lastPublishedAt: string | null = null;
  private readonly samples: Array<{ at: number; count: number }> = [];
  private readonly toMessage: (event: RecordedEvent, source: string) => OutboundMessage;

  constructor(private readonly options: KafkaRelayOptions) {
    this.topic = options.topic ?? CASE_EVENTS_TOPIC;
    this.name = options.name ?? `kafka-relay:${this.topic}`;
    this.source = options.source ?? DEFAULT_CASE_EVENT_SOURCE;
    this.toMessage = options.toMessage ?? toCaseEventMessage;
    this.category = options.category === undefined ? 'pse' : options.category || undefined;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.backoffInitialMs = options.backoff?.initialMs ?? 250;
    this.backoffMaxMs = options.backoff?.maxMs ?? 30_000;
    this.logger = options.logger ?? silentLogger;
    this.leaseTtlMs = options.lease?.ttlMs ?? 15_000;
    this.leaseOwner = options.lease?.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /**
   * Loads the checkpoint and starts relaying in the background. A missing broker does not fail it (the
   * status shows the outage); an unreachable checkpoint store does (CheckpointStoreFailed).
   */
  async start(): Promise<void> {
    if (this.loop || this.starting) throw new RelayAlreadyStarted({ name: this.name });
    this.starting = true;
    try {
      this.position = await this.options.checkpoints.load(this.name);
    } finally {
      this.starting = false;
    }
    this.consecutiveFailures = 0;
    this.state = 'running';
    const abort = new AbortController();
    this.abort = abort;
    this.logger.info({ relay: this.name, topic: this.topic, position: this.position }, 'relay started');
    this.loop = this.run(abort.signal).finally(() => {
      if (this.state !== 'failed') this.state = 'stopped';
    });
  }

  /** Stops after the batch in hand is published and checkpointed (or abandoned if the broker is down). */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
    this.abort = null;
    if (this.leaseHeld) {
      this.leaseHeld = false;
      // Let a standby relay take over now rather than after the lease lapses.
      await this.options.checkpoints.releaseLease(this.name, this.leaseOwner).catch((e: unknown) => {
        this.logger.warn(
          { relay: this.name, err: e },
          'relay could not release its lease; it lapses by itself',
        );
      });
    }
    this.logger.info({ relay: this.name, position: this.position }, 'relay stopped');
  }

  /**
   * Resolves with the checkpoint once no event of the relay's category is visible after it; rejects
   * with RelayNotRunning if the relay stops or fails first.
   */
  async caughtUp(options: { pollMs?: number } = {}): Promise<number> {
    for (;;) {
      const next = await this.options.store.readAll({
        after: this.position,
        limit: 1,
        ...(this.category ? { category: this.category } : {}),
      });
      if (next.length === 0) return this.position;
      if (this.state === 'failed' || this.state === 'stopped') {
        throw new RelayNotRunning({ name: this.name, state: this.state, position: this.position });
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 20));
    }
  }

  /** The relay's position, lag, rate and last error. */
  status(): RelayStatus {
    const now = Date.now();
    while (this.samples.length > 0 && this.samples[0].at < now - RATE_WINDOW_MS) this.samples.shift();
    const inWindow = this.samples.reduce((n, s) => n + s.count, 0);
    return {
      name: this.name,
      topic: this.topic,
      state: this.state,
      position: this.position,
      headPosition: Math.max(this.headPosition, this.position),
      // Events of other categories after the checkpoint are never this relay's to publish.
      lag: Math.max(0, this.headPosition - Math.max(this.position, this.caughtUpTo)),
      eventsPerSecond: Math.round((inWindow / RATE_WINDOW_MS) * 1000 * 10) / 10,
      publishedTotal: this.publishedTotal,
      oversizeTotal: this.oversizeTotal,
      batchesTotal: this.batchesTotal,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastPublishedAt: this.lastPublishedAt,
      leaseOwner: this.leaseOwner,
      leaseHeld: this.leaseHeld,
    };
  }

  private read(after: number): Promise<RecordedEvent[]> {
    return this.options.store.readAll({
      after,
      limit: this.batchSize,
      ...(this.category ? { category: this.category } : {}),
    });
  }

  /**
   * Reads the batch after `after` and builds its messages, both while the broker works on the batch
   * before it. A batch that fails to map comes back without messages: it is mapped again in the loop,
   * where the failure stops the relay as it always did.
   */
  private async readAndMap(
    after: number,
  ): Promise<{ events: RecordedEvent[]; messages: OutboundMessage[] | null }> {
    const events = await this.read(after);
    try {
      return { events, messages: events.map((e) => this.toMessage(e, this.source)) };
    } catch {
      return { events, messages: null };
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    // The next batch, read and mapped while the broker works on the current one. Reading ahead changes
    // neither what is published nor its order; after any failure it is dropped and the log re-read.
    let readAhead: Promise<{ events: RecordedEvent[]; messages: OutboundMessage[] | null }> | null = null;
    while (!signal.aborted) {
      if (!(await this.holdLease(signal))) {
        readAhead = null;
        continue;
      }
      let events: RecordedEvent[];
      let mapped: OutboundMessage[] | null = null;
      let head: number;
      // A read ahead started before this head was read: its emptiness says nothing about this head.
      const readNow = readAhead === null;
      try {
        head = await this.options.store.headPosition();
        this.headPosition = head;
        if (readAhead) ({ events, messages: mapped } = await readAhead);
        else events = await this.read(this.position);
      } catch (e) {
        readAhead = null;
        await this.failed('waiting-for-store', e, signal);
        continue;
      }
      readAhead = null;
      // Nothing of this category up to the head read before: caught up, whatever the head's category.
      this.caughtUpTo = events.length === 0 && readNow ? head : 0;
      if (events.length === 0) {
        await sleep(this.pollIntervalMs, signal);
        continue;
      }
      const batch = { from: events[0].position, to: events[events.length - 1].position, size: events.length };
      let messages: OutboundMessage[];
      try {
        messages = mapped ?? events.map((e) => this.toMessage(e, this.source));
      } catch (e) {
        // An event the relay cannot key or date is a bug upstream; skipping it would silently drop it.
        this.state = 'failed';
        this.lastError = { ...describe(e), at: new Date().toISOString() };
        this.logger.error({ relay: this.name, err: e, batch }, 'relay stopped on an event it cannot publish');
        return;
      }
      await this.options.onBatch?.('read', batch);
      const publishing = this.publish(messages, batch, signal, events);
      // A full batch means more may be waiting: start reading it once the send is under way.
      if (events.length === this.batchSize) {
        readAhead = new Promise<void>((r) => setImmediate(r)).then(() => this.readAndMap(batch.to));
        readAhead.catch(() => undefined);
      }
      if (!(await publishing)) {
        readAhead = null;
        continue;
      }
      await this.options.onBatch?.('published', batch);
      if (!(await this.checkpoint(batch.to, signal))) return;
      await this.options.onBatch?.('checkpointed', batch);
    }
  }

  /**
   * Takes or renews the lease (at most every third of its lifetime); false while another relay holds
   * it, after a pause. On taking it over, the checkpoint is read again: the other relay moved it.
   */
  private async holdLease(signal: AbortSignal): Promise<boolean> {
    if (this.leaseHeld && Date.now() - this.leaseRenewedAt < this.leaseTtlMs / 3) return true;
    let held: boolean;
    const attemptAt = Date.now();
    try {
      held = await this.options.checkpoints.acquireLease(this.name, this.leaseOwner, this.leaseTtlMs);
      if (held && !this.leaseHeld) this.position = await this.options.checkpoints.load(this.name);
    } catch (e) {
      this.leaseHeld = false;
      await this.failed('waiting-for-store', e, signal);
      return false;
    }
    if (held) {
      if (!this.leaseHeld) {
        this.logger.info(
          { relay: this.name, owner: this.leaseOwner, position: this.position },
          'relay holds the lease',
        );
        if (this.state === 'standby') this.state = 'running';
      }
      this.leaseHeld = true;
      this.leaseRenewedAt = attemptAt;
      return true;
    }
    if (this.leaseHeld || this.state !== 'standby') {
      this.logger.info(
        { relay: this.name, owner: this.leaseOwner },
        'another relay holds the lease: standing by',
      );
    }
    this.leaseHeld = false;
    this.state = 'standby';
    await sleep(Math.max(this.pollIntervalMs, Math.min(1000, this.leaseTtlMs / 3)), signal);
    return false;
  }

  /** True once acknowledged; false after a failure (the caller re-reads the same batch). */
  private async publish(
    messages: OutboundMessage[],
    batch: { from: number; to: number; size: number },
    signal: AbortSignal,
    events: RecordedEvent[],
  ): Promise<boolean> {
    try {
      try {
        await this.options.publisher.publish(this.topic, messages);
      } catch (e) {
        if (!isTooLarge(e)) throw e;
        await this.publishOneByOne(messages, events);
      }
    } catch (e) {
      await this.failed('waiting-for-broker', e, signal, batch);
      return false;
    }
    if (this.consecutiveFailures > 0) {
      this.logger.info({ relay: this.name, position: batch.to }, 'relay publishing again');
    }
    this.consecutiveFailures = 0;
    this.state = 'running';
    this.publishedTotal += messages.length;
    this.batchesTotal += 1;
    this.lastPublishedAt = new Date().toISOString();
    this.samples.push({ at: Date.now(), count: messages.length });
    return true;
  }

  /**
   * The broker refused part of the batch as too large (`message.max.bytes`, or the topic's
   * `max.message.bytes`): a refused message would be refused on every retry and hold its partition
   * forever. Send the batch again one message at a time, in order; each message the broker refuses
   * goes out as a small `EventTooLarge` pointer with the same key and id, naming where the API serves
   * the whole event, so consumers lose nothing and the partition moves on. Messages of the batch sent
   * before the refusal go out again (at least once; consumers deduplicate by `ce_id`).
   */
  private async publishOneByOne(messages: OutboundMessage[], events: RecordedEvent[]): Promise<void> {
    for (let i = 0; i < messages.length; i++) {
      try {
        await this.options.publisher.publish(this.topic, [messages[i]]);
      } catch (e) {
        if (!isTooLarge(e)) throw e;
        const pointer = toEventTooLargeMessage(events[i], messages[i]);
        await this.options.publisher.publish(this.topic, [pointer]);
        this.oversizeTotal += 1;
        this.logger.warn(
          {
            relay: this.name,
            eventId: events[i].eventId,
            position: events[i].position,
            type: events[i].type,
            sizeBytes: (JSON.parse(pointer.value) as { sizeBytes: number }).sizeBytes,
          },
          'event too large for the broker: published an EventTooLarge pointer instead (the API serves the event)',
        );
      }
    }
  }

  /**
   * The batch is acknowledged: keep trying to save its checkpoint rather than re-publishing it. If the
   * relay is stopped first (false), the checkpoint stays where it was and the next start resends the batch.
   */
  private async checkpoint(position: number, signal: AbortSignal): Promise<boolean> {
    for (;;) {
      try {
        await this.options.checkpoints.save(this.name, position);
        this.position = position;
        return true;
      } catch (e) {
        await this.failed('waiting-for-store', e, signal);
        if (signal.aborted) return false;
      }
    }
  }

  private async failed(
    state: RelayState,
    e: unknown,
    signal: AbortSignal,
    batch?: { from: number; to: number; size: number },
  ): Promise<void> {
    this.state = state;
    this.consecutiveFailures += 1;
    this.lastError = { ...describe(e), at: new Date().toISOString() };
    const delay = Math.min(
      this.backoffMaxMs,
      this.backoffInitialMs * 2 ** Math.min(this.consecutiveFailures - 1, 16),
    );
    // Jitter spreads reconnects of several relays after a broker outage.
    const wait = Math.round(delay / 2 + (Math.random() * delay) / 2);
    this.logger.error(
      { relay: this.name, err: this.lastError, batch, attempt: this.consecutiveFailures, retryInMs: wait },
      state === 'waiting-for-broker'
        ? 'relay cannot publish: Kafka unavailable, retrying'
        : 'relay cannot use its store, retrying',
    );
    await sleep(wait, signal);
  }
}
