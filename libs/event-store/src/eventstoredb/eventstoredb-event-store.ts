import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { prepareAppend } from '../core/append-plan';
import { catchUpSubscription } from '../core/catch-up-subscription';
import { ChangeSignal } from '../core/change-signal';
import {
  EventStoreClosed,
  EventStoreError,
  EventStoreUnavailable,
  WrongExpectedRevision,
} from '../core/event-store.errors';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreLogger,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../core/event-store.port';
import { UpcasterRegistry, type Upcaster } from '../core/upcaster.registry';

/** Configuration of the EventStoreDB / KurrentDB adapter. */
export interface EventStoreDbEventStoreConfig {
  /** e.g. `esdb://127.0.0.1:2113?tls=false` */
  connectionString: string;
  upcasters?: readonly Upcaster[];
  /** Safety net for subscribers if the live `$all` subscription drops. */
  pollIntervalMs?: number;
  logger?: EventStoreLogger;
}

// Kept in the event's metadata and stripped on read: ESDB has no column for them.
const COMMAND_KEY = '__sanksiCommandId';
const VERSION_KEY = '__sanksiSchemaVersion';
const PAGE = 500;

/**
 * The port over EventStoreDB: streams are streams, the global log is `$all` (system events
 * excluded) and a position is the event's commit position. Expected revisions map one to one.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly upcasters: UpcasterRegistry;
  private readonly changes = new ChangeSignal();
  private readonly closing = new AbortController();
  private live: AllStreamSubscription | undefined;
  private closed = false;

  /** Creates the gRPC client; it connects on first use. */
  constructor(private readonly config: EventStoreDbEventStoreConfig) {
    this.client = EventStoreDBClient.connectionString(config.connectionString);
    this.upcasters = new UpcasterRegistry(config.upcasters);
  }

  /**
   * Appends with the server's own expected-revision check. A command id is recorded in each event's
   * metadata and looked up in the stream first; unlike the SQL adapters this look-up is not atomic
   * with the write, so two racing duplicates with expected revision `any` can both land.
   */
  async appendToStream(
    streamId: string,
    events: EventToAppend[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const prepared = prepareAppend(streamId, events, options);
    this.assertOpen('appendToStream');
    return this.guard('appendToStream', async () => {
      if (prepared.commandId !== null) {
        const earlier = await this.findCommand(streamId, prepared.commandId);
        if (earlier) return earlier;
      }
      try {
        const result = await this.client.appendToStream(
          streamId,
          events.map((event, i) =>
            jsonEvent({
              id: event.eventId,
              type: event.type,
              data: JSON.parse(prepared.events[i].dataJson) as JSONType,
              metadata: {
                ...event.metadata,
                [VERSION_KEY]: prepared.events[i].schemaVersion,
                ...(prepared.commandId === null ? {} : { [COMMAND_KEY]: prepared.commandId }),
              },
            }),
          ),
          { expectedRevision: toEsdbRevision(options.expectedRevision) },
        );
        this.changes.notify();
        return {
          nextExpectedRevision: Number(result.nextExpectedRevision),
          position: Number(result.position?.commit ?? 0n),
          duplicate: false,
        };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          throw new WrongExpectedRevision({
            streamId,
            expected: options.expectedRevision,
            actual: typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : 'no_stream',
          });
        }
        throw error;
      }
    });
  }

  /** Reads one stream by revision, forwards or backwards. */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen('readStream');
    const backwards = options.direction === 'backwards';
    return this.guard('readStream', async () => {
      const out: RecordedEvent[] = [];
      try {
        const read = this.client.readStream(streamId, {
          direction: backwards ? BACKWARDS : FORWARDS,
          fromRevision: options.from === undefined ? (backwards ? END : START) : BigInt(options.from),
          ...(options.limit === undefined ? {} : { maxCount: BigInt(options.limit) }),
        });
        for await (const resolved of read) {
          const event = this.toRecorded(resolved);
          if (event) out.push(event);
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
      return out;
    });
  }

  /** True when the stream has at least one event. */
  async streamExists(streamId: string): Promise<boolean> {
    return (await this.readStream(streamId, { limit: 1 })).length > 0;
  }

  /** Reads `$all` after a commit position, user events only, filtered client-side by type or category. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen('readAll');
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const types = options.types && options.types.length > 0 ? new Set(options.types) : undefined;
    return this.guard('readAll', async () => {
      const out: RecordedEvent[] = [];
      let after = options.after ?? 0;
      for (;;) {
        let read = 0;
        const page = this.client.readAll({
          direction: FORWARDS,
          fromPosition: after > 0 ? { commit: BigInt(after), prepare: BigInt(after) } : START,
          maxCount: PAGE,
        });
        for await (const resolved of page) {
          read++;
          const position = Number(resolved.event?.position?.commit ?? 0n);
          if (position <= after) continue;
          after = position;
          const event = this.toRecorded(resolved);
          if (!event) continue;
          if (types && !types.has(event.type)) continue;
          if (
            options.category !== undefined &&
            !event.streamId.startsWith(`${options.category}-`) &&
            event.streamId !== options.category
          ) {
            continue;
          }
          out.push(event);
          if (out.length >= limit) return out;
        }
        if (read < PAGE) return out;
      }
    });
  }

  /** Catch-up from a checkpoint, then live: a `$all` subscription wakes the reader on every new event. */
  subscribe(options: SubscribeOptions): AsyncIterable<RecordedEvent> {
    this.startLive();
    return catchUpSubscription(
      {
        readAll: (o) => this.readAll(o),
        changes: this.changes,
        pollIntervalMs: this.config.pollIntervalMs ?? 1000,
        closed: this.closing.signal,
      },
      options,
    );
  }

  /** Commit position of the newest user event; 0 when there is none. */
  async headPosition(): Promise<number> {
    this.assertOpen('headPosition');
    return this.guard('headPosition', async () => {
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: PAGE,
      })) {
        if (this.toRecorded(resolved)) return Number(resolved.event?.position?.commit ?? 0n);
      }
      return 0;
    });
  }

  /** Ends subscriptions and disposes of the gRPC client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    await this.live?.unsubscribe().catch(() => undefined);
    await this.client.dispose();
  }

  private startLive(): void {
    if (this.live || this.closed) return;
    const live = this.client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    live.on('data', () => this.changes.notify());
    live.on('error', (error: unknown) => {
      this.config.logger?.warn(
        { err: error },
        'eventstoredb live subscription lost; polling until the next subscribe',
      );
      this.live = undefined;
    });
    this.live = live;
  }

  private async findCommand(streamId: string, commandId: string): Promise<AppendResult | undefined> {
    try {
      for await (const resolved of this.client.readStream(streamId, {
        direction: BACKWARDS,
        fromRevision: END,
      })) {
        const event = resolved.event;
        const metadata = event?.metadata as Record<string, unknown> | undefined;
        if (event && metadata?.[COMMAND_KEY] === commandId) {
          return {
            nextExpectedRevision: Number(event.revision),
            position: Number(event.position?.commit ?? 0n),
            duplicate: true,
          };
        }
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return undefined;
      throw error;
    }
    return undefined;
  }

  private toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
    const event = resolved.event;
    if (!event || event.type.startsWith('$') || event.streamId.startsWith('$') || !event.isJson)
      return undefined;
    const {
      [VERSION_KEY]: version,
      [COMMAND_KEY]: _command,
      ...metadata
    } = (event.metadata ?? {}) as Record<string, unknown>;
    return this.upcasters.apply({
      eventId: event.id,
      type: event.type,
      data: event.data,
      metadata,
      schemaVersion: typeof version === 'number' ? version : 1,
      streamId: event.streamId,
      revision: Number(event.revision),
      position: Number(event.position?.commit ?? 0n),
      createdAt: event.created.toISOString(),
    });
  }

  private async guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof EventStoreError) throw error;
      if (this.closed) throw new EventStoreClosed({ operation });
      throw new EventStoreUnavailable({ operation, adapter: 'eventstoredb', cause: error });
    }
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new EventStoreClosed({ operation });
  }
}

function toEsdbRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  if (expected === 'any') return ANY;
  return BigInt(expected);
}
