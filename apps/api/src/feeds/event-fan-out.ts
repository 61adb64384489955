import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type SanksiRuntime, SupervisedLoop } from '@sanksi/application';
import { CASE_STREAM_CATEGORY } from '@sanksi/contracts';
import type { RecordedEvent } from '@sanksi/event-store';
import { HttpProblem } from '../http/problem';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';

/** How long a refused client should wait before it tries again (seconds, `Retry-After`). */
export const SSE_RETRY_AFTER_SECONDS = 5;

/** Events a client may fall behind the live log before it is cut off (it resumes with Last-Event-ID). */
const MAX_QUEUED_EVENTS = 10_000;

/** One admitted stream: live events arrive in its queue until it is released or cut off. */
export interface FanOutSubscription {
  /** The next live events (in log order), or null once the subscription ended (shutdown, too slow). */
  next(signal: AbortSignal): Promise<RecordedEvent[] | null>;
  /** Why it ended, once `next` returned null. */
  readonly endReason: 'shutdown' | 'too-slow' | 'released' | null;
  /** Leaves the fan-out (idempotent); the last one out stops the shared reader. */
  release(): void;
}

interface Subscriber {
  key: string;
  queue: RecordedEvent[];
  ended: FanOutSubscription['endReason'];
  wake: (() => void) | null;
}

/**
 * One reader of the global log for every server-sent-event client: the first client starts a
 * subscription on the event store, each live event is handed to every client's queue, and the last
 * client out stops it. Caps the streams open at once, in total and per API key.
 */
@Injectable()
export class EventFanOut implements OnModuleDestroy {
  private readonly subscribers = new Set<Subscriber>();
  private readonly perKey = new Map<string, number>();
  private reader: SupervisedLoop | null = null;
  private position = 0;
  private closing = false;
  private opened = 0;

  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  /** Subscriptions this fan-out opened on the event store so far (one per period with clients). */
  get storeSubscriptionsOpened(): number {
    return this.opened;
  }

  /** Streams open now. */
  get clients(): number {
    return this.subscribers.size;
  }

  /**
   * Admits a client identified by `key` (its API key id), or throws a problem: 503 while shutting
   * down or at the total cap, 429 at the per-key cap, both with `Retry-After`. Live events after the
   * log head at admission (at the latest) reach the subscription; older ones are the caller's catch-up.
   */
  async subscribe(key: string): Promise<FanOutSubscription> {
    const { maxClients, maxClientsPerKey } = this.runtime.config.sse;
    const retry = { 'retry-after': String(SSE_RETRY_AFTER_SECONDS) };
    if (this.closing) {
      throw new HttpProblem(
        503,
        'Service Unavailable',
        'the server is shutting down; reconnect to another instance',
        {},
        retry,
      );
    }
    if (this.subscribers.size >= maxClients) {
      throw new HttpProblem(
        503,
        'Too many event streams',
        `this server already serves ${this.subscribers.size} event streams, its limit (SANKSI_SSE_MAX_CLIENTS); retry later or poll GET /v1/events`,
        { limit: maxClients, scope: 'server' },
        retry,
      );
    }
    const mine = this.perKey.get(key) ?? 0;
    if (mine >= maxClientsPerKey) {
      throw new HttpProblem(
        429,
        'Too many event streams for this key',
        `this API key already has ${mine} event streams open, its limit (SANKSI_SSE_MAX_CLIENTS_PER_KEY); close one or poll GET /v1/events`,
        { limit: maxClientsPerKey, scope: 'api-key' },
        retry,
      );
    }
    const subscriber: Subscriber = { key, queue: [], ended: null, wake: null };
    this.subscribers.add(subscriber);
    this.perKey.set(key, mine + 1);
    try {
      await this.ensureReader();
    } catch (e) {
      this.leave(subscriber, 'released');
      throw e;
    }
    return {
      next: (signal) => this.next(subscriber, signal),
      get endReason() {
        return subscriber.ended;
      },
      release: () => this.leave(subscriber, 'released'),
    };
  }

  /** Ends every stream and stops the reader (the app is closing). */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    for (const s of [...this.subscribers]) this.leave(s, 'shutdown');
    await this.reader?.stop();
  }

  private async ensureReader(): Promise<void> {
    if (this.reader) return;
    // The reader starts at the head as it is before the first client catches up: every later event
    // reaches the clients through it, every earlier one through their own catch-up.
    const head = await this.runtime.eventStore.headPosition();
    if (this.reader || this.subscribers.size === 0) return;
    this.position = head;
    const reader = new SupervisedLoop({
      name: 'sse-fan-out',
      logger: this.runtime.logger.child({ component: 'sse-fan-out' }),
      run: (signal) => this.read(signal),
    });
    this.reader = reader;
    reader.start();
  }

  private async read(signal: AbortSignal): Promise<void> {
    this.opened += 1;
    let batch: RecordedEvent[] = [];
    let flush: NodeJS.Immediate | null = null;
    const deliver = () => {
      flush = null;
      const events = batch;
      batch = [];
      for (const s of this.subscribers) {
        s.queue.push(...events);
        if (s.queue.length > MAX_QUEUED_EVENTS) this.leave(s, 'too-slow');
        else this.wakeUp(s);
      }
    };
    try {
      for await (const event of this.runtime.eventStore.subscribe({
        after: this.position,
        category: CASE_STREAM_CATEGORY,
        signal,
      })) {
        this.position = event.position;
        batch.push(event);
        // Events that arrive together are handed over together: one wake-up per client per burst.
        flush ??= setImmediate(deliver);
      }
    } finally {
      if (flush) {
        clearImmediate(flush);
        deliver();
      }
    }
  }

  private next(s: Subscriber, signal: AbortSignal): Promise<RecordedEvent[] | null> {
    if (s.queue.length > 0) return Promise.resolve(s.queue.splice(0));
    if (s.ended || signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = () => {
        s.wake = null;
        signal.removeEventListener('abort', done);
        resolve(s.queue.length > 0 ? s.queue.splice(0) : s.ended || signal.aborted ? null : []);
      };
      s.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wakeUp(s: Subscriber): void {
    s.wake?.();
  }

  private leave(s: Subscriber, reason: NonNullable<FanOutSubscription['endReason']>): void {
    if (!this.subscribers.delete(s)) return;
    s.ended = reason;
    if (reason === 'too-slow') s.queue = [];
    const left = (this.perKey.get(s.key) ?? 1) - 1;
    if (left > 0) this.perKey.set(s.key, left);
    else this.perKey.delete(s.key);
    this.wakeUp(s);
    if (this.subscribers.size === 0 && this.reader) {
      const reader = this.reader;
      this.reader = null;
      void reader.stop();
    }
  }
}
