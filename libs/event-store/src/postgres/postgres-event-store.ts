import { Client, type ClientConfig, Pool, types as pgTypes, type QueryConfig, type QueryResultRow } from 'pg';
import { prepareAppend, type PreparedAppend } from '../core/append-plan';
import { catchUpSubscription } from '../core/catch-up-subscription';
import { ChangeSignal } from '../core/change-signal';
import {
  AppendOutcomeUnknown,
  CommandIdInUse,
  EventStoreClosed,
  EventStoreError,
  EventStoreStorageFull,
  EventStoreUnavailable,
  WrongExpectedRevision,
} from '../core/event-store.errors';
import { MAX_STREAMS_PER_READ } from '../core/event-store.port';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreLogger,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamStartsOptions,
  RecordedEvent,
  StreamStart,
  SubscribeOptions,
} from '../core/event-store.port';
import { checkStreamIds, streamStartsQuery } from '../core/stream-starts';
import { GroupCommitQueue, type BatchOutcome } from '../core/group-commit.queue';
import { UpcasterRegistry, type Upcaster } from '../core/upcaster.registry';
import { advisoryLockKey, migratePostgres } from './postgres-migrations';
import { describePoolError, postgresPoolTimeouts, type PostgresTimeouts } from './postgres-timeouts';

/** Configuration of the PostgreSQL store. */
export interface PostgresEventStoreConfig {
  connectionString: string;
  /** Schema holding the store's tables (created by the migrations); default `event_store`. */
  schema?: string;
  upcasters?: readonly Upcaster[];
  /** Safety net if a NOTIFY is lost (listener reconnecting): a caught-up subscriber re-reads at least this often. */
  pollIntervalMs?: number;
  /** Connections for reads (default 10); appends have one more of their own. */
  poolSize?: number;
  /** Most appends committed in one transaction. */
  maxBatch?: number;
  /** Connect, statement and idle timeouts of the pool (defaults: `DEFAULT_POSTGRES_TIMEOUTS`). */
  timeouts?: PostgresTimeouts;
  logger?: EventStoreLogger;
}

interface AppendRow extends QueryResultRow {
  idx: number;
  status: 'written' | 'duplicate' | 'refused' | 'taken';
  revision: number;
  pos: number | null;
  /** With 'taken': the stream the command id is recorded on. */
  other: string | null;
}

/** One waiting caller's promise. */
interface Settle<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface EventRow extends QueryResultRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  created_at: Date;
}

const INT8_OID = 20;
const int8AsNumber = (value: string): number => Number(value);
// bigint columns (positions, revisions) as numbers: safe up to 2^53, far beyond any event log here.
// pg asks for each column's parser on every query: one function, not a new one each time.
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? int8AsNumber
      : pgTypes.getTypeParser(oid, format ?? 'text')) as typeof pgTypes.getTypeParser,
};

// query_canceled: statement_timeout (or a cancel) fired; the statement's transaction was rolled back.
const STATEMENT_CANCELLED = '57014';
/** SQLSTATE `disk_full`: a statement could not extend a file; PostgreSQL rolled its transaction back. */
const DISK_FULL = '53100';

const CONNECTION_ERROR_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

const SOCKET_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * The server store. Appends are group-committed: each batch is one transaction that first takes a
 * transaction-scoped advisory lock, so transactions that allocate positions commit one after the
 * other and a reader of `position > checkpoint` can never see a later position before an earlier
 * one commits. Subscribers wake on LISTEN/NOTIFY.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly poolSize: number;
  /** How the pool and the appends' connection connect. */
  private readonly connection: ClientConfig;
  /**
   * The appends' own connection, opened by the first batch and again after it is lost or was closed as
   * idle (`writerIdle`). The queue runs one batch at a time, so one connection is all appends need, and a
   * lone writer no longer checks a client out of the pool and back in (its idle timer, its listeners) on
   * every append.
   */
  private writer: Client | undefined;
  /** Closes the appends' connection once it has been unused for the pool's idle time (`idleMs`; 0: never). */
  private writerIdle: NodeJS.Timeout | undefined;
  private readonly writerIdleMs: number;
  private writing = false;
  /** Reads of streams' last events asked in the current event-loop turn, answered together (`readLastEvents`). */
  private lastEventReads = new Map<string, Array<Settle<RecordedEvent[]>>>();
  private lastEventsScheduled = false;
  private readonly schema: string;
  private readonly lockKey: string;
  private readonly channel: string;
  private ready: Promise<void>;
  /** Set once the migrations have run: operations then skip awaiting them. */
  private isReady = false;
  private readonly queue: GroupCommitQueue<PreparedAppend, AppendResult>;
  private readonly upcasters: UpcasterRegistry;
  private readonly changes = new ChangeSignal();
  private readonly closing = new AbortController();
  private listener: Promise<Client | undefined> | undefined;
  private relisten: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly sql: PostgresStatements;

  /** Connects lazily and runs the migrations once; operations wait for that. */
  constructor(private readonly config: PostgresEventStoreConfig) {
    this.schema = config.schema ?? 'event_store';
    if (!/^[a-z_][a-z0-9_]{0,50}$/.test(this.schema)) {
      throw new RangeError(
        `Schema name must be a lower-case SQL identifier, got ${JSON.stringify(this.schema)}`,
      );
    }
    this.lockKey = advisoryLockKey(this.schema, 'append');
    this.channel = `sanksi_events_${this.schema}`;
    this.sql = statements(this.schema);
    this.upcasters = new UpcasterRegistry(config.upcasters);
    this.connection = {
      connectionString: config.connectionString,
      application_name: 'sanksi-event-store',
      // Every statement of the store is an index lookup or an append that takes milliseconds; JIT
      // compilation (PostgreSQL's default above a plan cost) only ever added its own milliseconds to them,
      // and when statistics are stale (a table just loaded) it compiled a read of a few events for 11 ms.
      options: '-c jit=off',
      types: typeParsers,
      ...postgresPoolTimeouts(config.timeouts),
    };
    this.poolSize = config.poolSize ?? 10;
    this.pool = new Pool({ ...this.connection, max: this.poolSize });
    this.writerIdleMs = postgresPoolTimeouts(config.timeouts).idleTimeoutMillis ?? 0;
    // An idle client dropped by the server (restart, terminate) emits 'error' on the pool; unheard it
    // would crash the process. The pool discards that client and the next query opens a new one.
    this.pool.on('error', (error) =>
      this.config.logger?.warn(
        { pool: 'event-store', ...describePoolError(error) },
        'idle postgres connection lost',
      ),
    );
    // A commit is a round trip, during which later appends queue for the next batch; waiting an
    // event-loop turn before every flush only delayed a lone writer (docs/benchmarks.md).
    this.queue = new GroupCommitQueue((batch) => this.flush(batch), config.maxBatch ?? 1000, 'adaptive');
    this.ready = this.migrate();
    this.ready.catch(() => undefined);
  }

  /** The migrations' promise; one that failed because the server was unreachable is tried again. */
  private migrated(): Promise<void> {
    const current = this.ready;
    return current.catch((error: unknown) => {
      if (!(error instanceof EventStoreUnavailable) || this.closed) throw error;
      if (this.ready === current) {
        this.ready = this.migrate();
        this.ready.catch(() => undefined);
      }
      return this.ready;
    });
  }

  /** Resolves once the schema is migrated. */
  async whenReady(): Promise<void> {
    await this.migrated();
  }

  /** Appends atomically with an expected-revision check, sharing a transaction with concurrent appends. */
  async appendToStream(
    streamId: string,
    events: EventToAppend[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const prepared = prepareAppend(streamId, events, options);
    if (!this.isReady || this.closed) await this.whenOpen('appendToStream');
    return this.queue.submit(prepared);
  }

  /** Reads one stream by revision, forwards from `from` (default 0) or backwards from `from` (default: the end). */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    if (backwards && options.limit === 1 && options.from === undefined) return this.lastEventOf(streamId);
    const rows = await this.query<EventRow>('readStream', backwards ? 'readBackwards' : 'readForwards', [
      streamId,
      options.from ?? (backwards ? Number.MAX_SAFE_INTEGER : 0),
      options.limit ?? null,
    ]);
    return rows.map((row) => this.toRecorded(row));
  }

  /**
   * Whole streams, each in revision order, in the order asked — one query for all of them: a replay of the
   * population (`verify`, `what-if`) read a million streams one round trip each, and waited on most of them.
   */
  async readStreams(streamIds: readonly string[]): Promise<RecordedEvent[][]> {
    checkStreamIds(streamIds);
    if (streamIds.length === 0) return [];
    const rows = await this.query<EventRow>('readStreams', 'readStreams', [[...new Set(streamIds)]]);
    const byStream = new Map<string, RecordedEvent[]>();
    for (const row of rows) {
      const events = byStream.get(row.stream_id);
      if (events) events.push(this.toRecorded(row));
      else byStream.set(row.stream_id, [this.toRecorded(row)]);
    }
    return streamIds.map((id) => byStream.get(id)?.slice() ?? []);
  }

  /**
   * A stream's last event (a command path's head for a case it does not remember). The reads asked in one
   * event-loop turn are one statement: under load, each turn starts a round of requests, and their cases'
   * heads were as many round trips and pool checkouts. Each caller gets what its own read would have given.
   */
  private lastEventOf(streamId: string): Promise<RecordedEvent[]> {
    return new Promise((resolve, reject) => {
      const waiting = this.lastEventReads.get(streamId);
      if (waiting) waiting.push({ resolve, reject });
      else this.lastEventReads.set(streamId, [{ resolve, reject }]);
      if (!this.lastEventsScheduled) {
        this.lastEventsScheduled = true;
        setImmediate(() => void this.readLastEvents());
      }
    });
  }

  private async readLastEvents(): Promise<void> {
    this.lastEventsScheduled = false;
    const reads = this.lastEventReads;
    this.lastEventReads = new Map();
    const ids = [...reads.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_STREAMS_PER_READ)
      chunks.push(ids.slice(i, i + MAX_STREAMS_PER_READ));
    await Promise.all(
      chunks.map(async (chunk) => {
        let rows: EventRow[];
        try {
          rows =
            chunk.length === 1
              ? await this.query<EventRow>('readStream', 'readBackwards', [
                  chunk[0],
                  Number.MAX_SAFE_INTEGER,
                  1,
                ])
              : await this.query<EventRow>('readStream', 'readLastEvents', [chunk]);
        } catch (error) {
          for (const id of chunk) for (const read of reads.get(id) ?? []) read.reject(error);
          return;
        }
        const byStream = new Map(rows.map((row) => [row.stream_id, row]));
        for (const id of chunk) {
          const row = byStream.get(id);
          for (const read of reads.get(id) ?? []) {
            try {
              read.resolve(row ? [this.toRecorded(row)] : []);
            } catch (error) {
              read.reject(error);
            }
          }
        }
      }),
    );
  }

  /** True when the stream has at least one event. */
  async streamExists(streamId: string): Promise<boolean> {
    return (await this.query('streamExists', 'streamExists', [streamId])).length > 0;
  }

  /** The streams an append recorded this command id on. */
  async streamsOfCommand(commandId: string): Promise<string[]> {
    const rows = await this.query<{ stream_id: string }>('streamsOfCommand', 'streamsOfCommand', [commandId]);
    return rows.map((r) => r.stream_id);
  }

  /** Reads the global log after a position, in position order, optionally filtered by types or category. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const types = options.types && options.types.length > 0 ? options.types : null;
    if (types === null && options.category !== undefined) {
      // Its own statement so the plan can seek the category index (a generic plan of the statement
      // below, with `$3 IS NULL OR ...`, cannot), and unnamed: a prepared statement switches to the
      // generic plan after five runs, and that plan (category selectivity 1/2 for want of the value)
      // scans the position key filtering on the category — the whole log after the checkpoint, every
      // time, for a reader of the few traffic facts (category-reads.plan.int.spec.ts).
      const rows = await this.query<EventRow>(
        'readAll',
        'readAllOfCategory',
        [options.after ?? 0, options.category, options.limit ?? null],
        { prepared: false },
      );
      return rows.map((row) => this.toRecorded(row));
    }
    const rows = await this.query<EventRow>('readAll', 'readAll', [
      options.after ?? 0,
      types,
      options.category ?? null,
      options.limit ?? null,
    ]);
    return rows.map((row) => this.toRecorded(row));
  }

  /** The streams whose first event lies in `(after, upTo]`, in position order, read from the index of stream starts. */
  async readStreamStarts(options: ReadStreamStartsOptions = {}): Promise<StreamStart[]> {
    const q = streamStartsQuery(options);
    const rows = await this.query<{ stream_id: string; position: number }>(
      'readStreamStarts',
      'streamStarts',
      [q.after, q.upTo, q.category ?? null, q.limit < 0 ? null : q.limit],
    );
    return rows.map((row) => ({ streamId: row.stream_id, position: row.position }));
  }

  /** Catch-up then live subscription to the global log; wakes on NOTIFY from any process. */
  subscribe(options: SubscribeOptions): AsyncIterable<RecordedEvent> {
    void this.listen();
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

  /** Position of the last committed event; 0 when empty. */
  async headPosition(): Promise<number> {
    const rows = await this.query<{ head: number }>('headPosition', 'head', []);
    return rows[0].head;
  }

  /** Refuses queued appends, lets the running batch commit, ends subscriptions and closes the pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    clearTimeout(this.relisten);
    this.queue.rejectQueued(new EventStoreClosed({ operation: 'appendToStream' }));
    await this.queue.whenIdle();
    clearTimeout(this.writerIdle);
    const writer = this.writer;
    this.writer = undefined;
    await writer?.end().catch(() => undefined);
    await this.ready.catch(() => undefined);
    const listener = await this.listener?.catch(() => undefined);
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  private async migrate(): Promise<void> {
    const client = new Client({
      connectionString: this.config.connectionString,
      application_name: 'sanksi-event-store-migrate',
      connectionTimeoutMillis: postgresPoolTimeouts(this.config.timeouts).connectionTimeoutMillis,
    });
    // A connection dropped between two statements is reported by the next query; unheard, the
    // 'error' event would crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const applied = await migratePostgres(client, this.schema);
      if (applied.length > 0)
        this.config.logger?.debug({ schema: this.schema, applied }, 'event store migrated');
      this.isReady = true;
    } catch (error) {
      if (error instanceof EventStoreError) throw error;
      throw new EventStoreUnavailable({ operation: 'migrate', adapter: 'postgres', cause: error });
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private listen(): Promise<Client | undefined> {
    if (this.listener || this.closed) return this.listener ?? Promise.resolve(undefined);
    const client = new Client({
      connectionString: this.config.connectionString,
      application_name: 'sanksi-event-store-listen',
    });
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      this.listener = undefined;
      if (this.closed) return;
      // Subscribers fall back to polling meanwhile; a new LISTEN connection follows shortly.
      this.config.logger?.warn({ err: error }, 'event store listener lost; reconnecting');
      this.relisten = setTimeout(() => void this.listen(), 1000);
      this.relisten.unref();
      // Wake subscribers so they re-read now rather than trust a signal that may have been missed.
      this.changes.notify();
    };
    this.listener = (async () => {
      try {
        await this.migrated();
        client.on('notification', () => this.changes.notify());
        client.on('error', onLost);
        client.on('end', () => onLost());
        await client.connect();
        await client.query(`LISTEN ${this.channel}`);
        if (this.closed) await client.end();
        return client;
      } catch (error) {
        onLost(error as Error);
        await client.end().catch(() => undefined);
        return undefined;
      }
    })();
    return this.listener;
  }

  private async flush(batch: PreparedAppend[]): Promise<Array<BatchOutcome<AppendResult>>> {
    if (this.closed && this.pool.ending) {
      return batch.map(() => ({ ok: false, error: new EventStoreClosed({ operation: 'appendToStream' }) }));
    }
    let outcomes: Array<BatchOutcome<AppendResult>>;
    try {
      outcomes = await this.writeBatch(batch);
    } catch (error) {
      if (
        batch.length === 1 ||
        error instanceof EventStoreUnavailable ||
        error instanceof EventStoreStorageFull
      )
        throw error;
      // An unforeseen failure of the shared transaction: give each append its own, so one bad
      // append cannot fail its neighbours.
      outcomes = [];
      for (const append of batch) {
        try {
          outcomes.push(...(await this.writeBatch([append])));
        } catch (single) {
          outcomes.push({ ok: false, error: single });
        }
      }
    }
    if (outcomes.some((o) => o.ok && !o.value.duplicate)) this.changes.notify();
    return outcomes;
  }

  /**
   * Runs the batch's one statement. What a failure means depends on whether it was sent: a failed
   * connect wrote nothing (`EventStoreUnavailable`); a connection lost once the statement is on the
   * wire may have lost only the reply to a commit, so every append of the batch gets
   * `AppendOutcomeUnknown` — never "nothing written", which would invite a second application.
   */
  private async writeBatch(batch: PreparedAppend[]): Promise<Array<BatchOutcome<AppendResult>>> {
    let client: Client;
    try {
      client = this.writer ?? (await this.openWriter());
    } catch (error) {
      if (this.closed) throw new EventStoreClosed({ operation: 'appendToStream' });
      throw new EventStoreUnavailable({ operation: 'appendToStream', adapter: 'postgres', cause: error });
    }
    let rows: AppendRow[];
    this.writing = true;
    try {
      rows = (await client.query<AppendRow>(this.appendQuery(batch))).rows;
    } catch (error) {
      const lost = isConnectionError(error);
      if (lost) {
        // A broken connection is closed; the next batch opens another.
        this.dropWriter(client);
        return batch.map((append) => ({
          ok: false,
          error: new AppendOutcomeUnknown({ adapter: 'postgres', streamId: append.streamId, cause: error }),
        }));
      }
      if ((error as { code?: unknown }).code === STATEMENT_CANCELLED)
        throw new EventStoreUnavailable({ operation: 'appendToStream', adapter: 'postgres', cause: error });
      // The statement failed before its commit and the transaction is rolled back: nothing was written.
      // (Out of space for the WAL at the commit itself makes PostgreSQL stop, which reaches the caller as
      // a lost connection — outcome unknown — above.)
      if (isDiskFull(error))
        throw new EventStoreStorageFull({ operation: 'appendToStream', adapter: 'postgres', cause: error });
      throw error;
    } finally {
      this.writing = false;
      this.keepWriterFor(client);
    }
    const byIndex = new Map(rows.map((row) => [row.idx, row]));
    return batch.map((append, i): BatchOutcome<AppendResult> => {
      const row = byIndex.get(i + 1);
      if (!row)
        return { ok: false, error: new TypeError(`append_events returned no outcome for append ${i + 1}`) };
      switch (row.status) {
        case 'refused':
          return {
            ok: false,
            error: new WrongExpectedRevision({
              streamId: append.streamId,
              expected: append.expectedRevision,
              actual: row.revision < 0 ? 'no_stream' : row.revision,
            }),
          };
        case 'taken':
          return {
            ok: false,
            error: new CommandIdInUse({
              streamId: append.streamId,
              commandId: append.commandId as string,
              recordedOn: row.other as string,
            }),
          };
        case 'duplicate':
          return {
            ok: true,
            value: { nextExpectedRevision: row.revision, position: row.pos as number, duplicate: true },
          };
        case 'written':
          return {
            ok: true,
            value: { nextExpectedRevision: row.revision, position: row.pos as number, duplicate: false },
          };
        default: {
          const unhandled: never = row.status;
          return { ok: false, error: new TypeError(`append_events returned status ${String(unhandled)}`) };
        }
      }
    });
  }

  /** Connects the appends' connection; a connection that errors or ends is dropped (`dropWriter`). */
  private async openWriter(): Promise<Client> {
    const client = new Client(this.connection);
    // Unheard, a connection dying between two batches would crash the process ('error'); heard, it is
    // dropped, and the next batch connects again (a batch on the wire learns of it from its query).
    client.on('error', (error) => {
      if (this.writer === client && !this.closed)
        this.config.logger?.warn(
          { pool: 'event-store-appends', ...describePoolError(error) },
          'postgres connection for appends lost',
        );
      this.dropWriter(client);
    });
    client.on('end', () => {
      if (this.writer === client) this.writer = undefined;
    });
    try {
      await client.connect();
    } catch (error) {
      this.dropWriter(client);
      throw error;
    }
    // Set even while closing: the batch that opened it completes, and `close` ends it after that batch.
    this.writer = client;
    return client;
  }

  /** (Re)starts the countdown after which an unused appends' connection is closed, as the pool's are. */
  private keepWriterFor(client: Client): void {
    if (this.writerIdleMs <= 0 || this.writer !== client) return;
    if (this.writerIdle) {
      this.writerIdle.refresh();
      return;
    }
    this.writerIdle = setTimeout(() => {
      this.writerIdle = undefined;
      const idle = this.writer;
      // A batch on the wire keeps it (the timer starts again when that batch ends).
      if (!idle || this.writing) return;
      this.writer = undefined;
      idle.end().catch(() => undefined);
    }, this.writerIdleMs);
    this.writerIdle.unref();
  }

  private dropWriter(client: Client): void {
    if (this.writer === client) this.writer = undefined;
    client.end().catch(() => undefined);
  }

  /**
   * One statement per batch. A lone single-event append (every command of a single writer) takes
   * `append_event`, which passes scalars instead of arrays; anything else takes `append_events`.
   * Both take the append lock first and run in autocommit: one round trip either way.
   */
  private appendQuery(batch: PreparedAppend[]): QueryConfig {
    if (batch.length === 1 && batch[0].events.length === 1) {
      const [append] = batch;
      const [event] = append.events;
      return {
        name: `${this.schema}-appendOne`,
        text: this.sql.appendOne,
        values: [
          this.lockKey,
          this.channel,
          append.streamId,
          append.category,
          encodeExpected(append.expectedRevision),
          append.commandId,
          event.eventId,
          event.type,
          event.schemaVersion,
          event.dataJson,
          event.metadataJson,
          append.storeScoped,
        ],
      };
    }
    const events = {
      id: [] as string[],
      type: [] as string[],
      version: [] as number[],
      data: [] as string[],
      metadata: [] as string[],
    };
    for (const append of batch) {
      for (const event of append.events) {
        events.id.push(event.eventId);
        events.type.push(event.type);
        events.version.push(event.schemaVersion);
        events.data.push(event.dataJson);
        events.metadata.push(event.metadataJson);
      }
    }
    return {
      name: `${this.schema}-append`,
      text: this.sql.append,
      values: [
        this.lockKey,
        this.channel,
        batch.map((a) => a.streamId),
        batch.map((a) => a.category),
        batch.map((a) => encodeExpected(a.expectedRevision)),
        batch.map((a) => a.commandId),
        batch.map((a) => a.events.length),
        events.id,
        events.type,
        events.version,
        `[${events.data.join(',')}]`,
        `[${events.metadata.join(',')}]`,
        batch.map((a) => a.storeScoped),
      ],
    };
  }

  private async query<T extends QueryResultRow>(
    operation: string,
    statement: keyof PostgresStatements,
    values: unknown[],
    options: { prepared?: boolean } = {},
  ): Promise<T[]> {
    if (!this.isReady || this.closed) await this.whenOpen(operation);
    // Named: each pooled connection parses and plans a statement once, then reuses it. Unnamed: planned
    // for its values on every run.
    const text = this.sql[statement];
    const query: QueryConfig =
      options.prepared === false ? { text, values } : { name: `${this.schema}-${statement}`, text, values };
    // Every statement here reads, so one that failed on a connection the server had already dropped — a
    // pooled connection whose end the pool had not heard of yet, as after a network cut or a restart — is
    // run again on another (the pool discards the dead one); at most once per pooled connection, and never
    // after a failure to connect.
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.pool.query<T>(query)).rows;
      } catch (error) {
        if (this.closed) throw new EventStoreClosed({ operation });
        if (attempt < this.poolSize && isDroppedConnection(error)) continue;
        if (isConnectionError(error) || (error as { code?: unknown }).code === STATEMENT_CANCELLED)
          throw new EventStoreUnavailable({ operation, adapter: 'postgres', cause: error });
        throw error;
      }
    }
  }

  private async whenOpen(operation: string): Promise<void> {
    if (this.closed) throw new EventStoreClosed({ operation });
    if (this.isReady) return;
    await this.migrated();
    if (this.closed) throw new EventStoreClosed({ operation });
  }

  private toRecorded(row: EventRow): RecordedEvent {
    return this.upcasters.apply({
      eventId: row.event_id,
      type: row.type,
      data: row.data,
      metadata: row.metadata,
      schemaVersion: row.schema_version,
      streamId: row.stream_id,
      revision: row.revision,
      position: row.position,
      createdAt: row.created_at.toISOString(),
    });
  }
}

function encodeExpected(expected: ExpectedRevision): number {
  if (expected === 'no_stream') return -1;
  if (expected === 'stream_exists') return -2;
  if (expected === 'any') return -3;
  return expected;
}

/** True for PostgreSQL's `disk_full` (SQLSTATE 53100), as `pg` reports it on a failed statement. */
function isDiskFull(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DISK_FULL;
}

/**
 * An open connection that died under a statement (reset, closed, or ended by the server), as against one
 * that could not be opened (refused, unreachable, timed out), where trying again would only wait again.
 */
function isDroppedConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === '57P01' || code === '57P02') return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated unexpectedly|Client has encountered a connection error and is not queryable/.test(
    message,
  );
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || SOCKET_ERROR_CODES.has(code))) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection error|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    message,
  );
}

type PostgresStatements = ReturnType<typeof statements>;

function statements(s: string) {
  const columns = 'position, stream_id, revision, event_id, type, schema_version, data, metadata, created_at';
  return {
    appendOne: `SELECT 1 AS idx, status, revision, pos, other FROM ${s}.append_event($1::int8, $2, $3, $4, $5::int8, $6, $7, $8, $9::int4, $10::json, $11::json, $12::bool)`,
    // Data and metadata as one JSON array each (migration 10): the events' JSON joined, nothing escaped.
    append: `SELECT idx, status, revision, pos, other FROM ${s}.append_events($1::int8, $2, $3::text[], $4::text[], $5::int8[], $6::text[], $7::int4[], $8::text[], $9::text[], $10::int4[], $11::json, $12::json, $13::bool[])`,
    readForwards: `SELECT ${columns} FROM ${s}.events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
    readBackwards: `SELECT ${columns} FROM ${s}.events WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`,
    // Each stream by its own index lookup (the subquery's ORDER BY keeps it a lookup per id, whatever the
    // statistics say of the table: planned as one scan for all ids, a table just loaded looked like a few
    // thousand events a stream, and the plan scanned in parallel).
    readLastEvents: `SELECT e.* FROM unnest($1::text[]) AS s(id)
               CROSS JOIN LATERAL (SELECT ${columns} FROM ${s}.events WHERE stream_id = s.id ORDER BY revision DESC LIMIT 1) e`,
    readStreams: `SELECT e.* FROM unnest($1::text[]) WITH ORDINALITY AS s(id, n)
               CROSS JOIN LATERAL (SELECT ${columns} FROM ${s}.events WHERE stream_id = s.id ORDER BY revision) e
               ORDER BY s.n, e.revision`,
    readAll: `SELECT ${columns} FROM ${s}.events
               WHERE position > $1 AND ($2::text[] IS NULL OR type = ANY($2::text[])) AND ($3::text IS NULL OR category = $3)
               ORDER BY position LIMIT $4`,
    readAllOfCategory: `SELECT ${columns} FROM ${s}.events
               WHERE category = $2 AND position > $1 ORDER BY position LIMIT $3`,
    streamExists: `SELECT 1 FROM ${s}.events WHERE stream_id = $1 LIMIT 1`,
    streamsOfCommand: `SELECT stream_id FROM ${s}.commands WHERE command_id = $1 AND store_scoped ORDER BY stream_id LIMIT 10`,
    head: `SELECT coalesce(max(position), 0)::int8 AS head FROM ${s}.events`,
    // The category is a filter on the partial index's included column, so one (generic) plan fits both.
    streamStarts: `SELECT stream_id, position FROM ${s}.events
               WHERE revision = 0 AND position > $1 AND position <= $2 AND ($3::text IS NULL OR category = $3)
               ORDER BY position LIMIT $4`,
  };
}
