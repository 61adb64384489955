import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { decideBatch, commandKey, prepareAppend, type PreparedAppend } from '../core/append-plan';
import { catchUpSubscription } from '../core/catch-up-subscription';
import { ChangeSignal } from '../core/change-signal';
import {
  EventStoreClosed,
  EventStoreError,
  EventStoreMigrationFailed,
  EventStoreSchemaTooNew,
  EventStoreStorageFull,
  EventStoreUnavailable,
} from '../core/event-store.errors';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreLogger,
  EventToAppend,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamStartsOptions,
  RecordedEvent,
  StreamStart,
  SubscribeOptions,
} from '../core/event-store.port';
import { checkStreamIds, streamStartsQuery } from '../core/stream-starts';
import type { BulkAppends, BulkAppendsOptions } from '../core/bulk-appends';
import type { WriteTurns } from '../core/write-turns';
import { GroupCommitQueue, type BatchOutcome, type GroupCommitWindow } from '../core/group-commit.queue';
import { UpcasterRegistry, type Upcaster } from '../core/upcaster.registry';
import { SQLITE_SCHEMA_VERSION, sqliteMigrations } from './sqlite-schema';
import {
  INLINE_CHECKPOINT_PAGES_WITH_THREAD,
  type SqliteCheckpoints,
  WalCheckpointer,
} from './wal-checkpointer';

/** Configuration of the embedded SQLite store. */
export interface SqliteEventStoreConfig {
  /** The database file; its directory is created if missing. */
  file: string;
  /** NORMAL (default) survives process crashes; FULL also survives power loss, at one fsync per commit. */
  synchronous?: 'NORMAL' | 'FULL';
  upcasters?: readonly Upcaster[];
  /** How long a caught-up subscriber sleeps at most before looking for other processes' writes. */
  pollIntervalMs?: number;
  /** How long an operation keeps retrying while another connection holds the write lock. */
  lockTimeoutMs?: number;
  /** Most appends committed in one transaction. */
  maxBatch?: number;
  /** Page cache of the connection while a bulk burst runs (`beginBulkAppends`), in KiB; default 64 MiB. */
  bulkCacheKiB?: number;
  /** Where the log is copied back into the file: on a thread of its own (default) or inside commits. */
  checkpoints?: SqliteCheckpoints;
  logger?: EventStoreLogger;
}

/** A row of the `events` table as a statement reads it (without its category). */
export interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  created_at: string;
}

/**
 * The same row as the read statements hand it out: an array in `COLUMNS` order. better-sqlite3 builds a
 * row object one property at a time through the engine's API; as arrays a page of the log reads in about
 * half the time before the JSON is parsed (docs/benchmarks.md, "Case lists").
 */
type EventTuple = [
  position: number,
  streamId: string,
  revision: number,
  eventId: string,
  type: string,
  schemaVersion: number,
  data: string,
  metadata: string,
  createdAt: string,
];

interface Statements {
  insertEvent: Database.Statement<[string, number, string, string, string, number, string, string, string]>;
  insertCommand: Database.Statement<[string, string, number, number, number]>;
  streamRevision: Database.Statement<[string], number | null>;
  command: Database.Statement<
    [string, string],
    { next_expected_revision: number; position: number } | undefined
  >;
  readForwards: Database.Statement<[string, number, number], EventTuple>;
  readBackwards: Database.Statement<[string, number, number], EventTuple>;
  streamExists: Database.Statement<[string], number | undefined>;
  streamsOfCommand: Database.Statement<[string], string>;
  commandElsewhere: Database.Statement<[string, string], string | undefined>;
  head: Database.Statement<[], number>;
  streamStarts: Database.Statement<[number, number, number], { stream_id: string; position: number }>;
  streamStartsOfCategory: Database.Statement<
    [number, number, string, number],
    { stream_id: string; position: number }
  >;
}

const COLUMNS = 'position, stream_id, revision, event_id, type, schema_version, data, metadata, created_at';

/**
 * A row limit given as a parameter, written so that SQLite plans it once. Since SQLite 3.47 a bare
 * `LIMIT ?` lets the planner read the bound value, and the statement is then parsed and planned again on
 * every call that binds it (every call, here): 10–12 µs more a stream read, more than the read itself
 * (docs/benchmarks.md, "A bound LIMIT re-plans its statement"). `?+0` is not a plain parameter, so the
 * planner leaves it alone — the plans of these reads are the same for every limit (checked with
 * EXPLAIN QUERY PLAN: each is one index or rowid range in the order asked) — and -1 still means none.
 */
const BOUND_LIMIT = 'LIMIT ?+0';

// Stores on the same file in one process share one signal, so a subscriber of one instance wakes
// on the other's appends at once; other processes are seen by polling.
const signalsByFile = new Map<string, { signal: ChangeSignal; users: number }>();

/**
 * The embedded event store: one SQLite file in WAL mode. Appends go through a group-commit queue
 * (one IMMEDIATE transaction per batch), reads through prepared statements. Lock contention from
 * other connections is retried here and never reaches a caller as a driver "busy" error.
 */
export class SqliteEventStore implements EventStore, BulkAppends {
  private db: Database.Database | undefined;
  private statements: Statements | undefined;
  private writeTransaction:
    | Database.Transaction<(batch: PreparedAppend[]) => Array<BatchOutcome<AppendResult>>>
    | undefined;
  private isReady = false;
  private readonly readAllStatements = new Map<string, Database.Statement<unknown[], EventTuple>>();
  private readonly ready: Promise<void>;
  private readonly queue: GroupCommitQueue<PreparedAppend, AppendResult>;
  private readonly upcasters: UpcasterRegistry;
  private readonly changes: ChangeSignal;
  private readonly closing = new AbortController();
  private readonly fileKey: string;
  private checkpointer: WalCheckpointer | undefined;
  private closed = false;
  /** The group-commit window outside bulk bursts. */
  private readonly usualWindow: GroupCommitWindow;
  /** Bulk bursts running (`beginBulkAppends`), and the page cache the connection had before the first. */
  private bulkBursts = 0;
  private usualCacheSize: number | undefined;
  /** The rotation a running burst writes in (`beginBulkAppends({ turns })`): each transaction in its turn. */
  private turns: WriteTurns | undefined;

  /** Opens (creating and migrating if needed) the file; operations wait for that to finish. */
  constructor(private readonly config: SqliteEventStoreConfig) {
    this.upcasters = new UpcasterRegistry(config.upcasters);
    // FULL commits cost an fsync each, worth waiting an event-loop turn to share. NORMAL commits cost
    // no fsync but still a transaction and the WAL frames of every page it touched: with a microtask
    // window, appends from independent I/O callbacks (HTTP commands) never met — one transaction
    // each under load (docs/decisions/0009) — so NORMAL waits a turn while that finds company.
    this.usualWindow = config.synchronous === 'FULL' ? 'immediate' : 'adaptive';
    this.queue = new GroupCommitQueue(
      (batch) => this.flush(batch),
      config.maxBatch ?? 1000,
      this.usualWindow,
    );
    this.fileKey = path.resolve(config.file);
    const shared = signalsByFile.get(this.fileKey) ?? { signal: new ChangeSignal(), users: 0 };
    shared.users++;
    signalsByFile.set(this.fileKey, shared);
    this.changes = shared.signal;
    this.ready = this.open();
    // A failed open surfaces on the first operation; keep it from being an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Resolves once the file is open and migrated (operations also wait for it on their own). */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  /** Appends atomically with an expected-revision check, sharing a transaction with concurrent appends. */
  async appendToStream(
    streamId: string,
    events: EventToAppend[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const prepared = prepareAppend(streamId, events, options);
    this.assertOpen('appendToStream');
    if (!this.isReady) await this.ready;
    return this.queue.submit(prepared);
  }

  /** Reads one stream by revision, forwards from `from` (default 0) or backwards from `from` (default: the end). */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const statements = await this.openStatements('readStream');
    const limit = options.limit ?? -1;
    const rows =
      options.direction === 'backwards'
        ? await this.withLockRetry('readStream', () =>
            statements.readBackwards.all(streamId, options.from ?? Number.MAX_SAFE_INTEGER, limit),
          )
        : await this.withLockRetry('readStream', () =>
            statements.readForwards.all(streamId, options.from ?? 0, limit),
          );
    return rows.map((row) => this.toRecorded(row));
  }

  /**
   * Whole streams, each in revision order, in the order asked, read in one read transaction: one snapshot,
   * and SQLite takes its shared lock and checks its WAL index once for them all, not once a stream (a
   * replay of the population reads a million streams; docs/benchmarks.md, "a replay's streams read
   * in one transaction").
   */
  async readStreams(streamIds: readonly string[]): Promise<RecordedEvent[][]> {
    checkStreamIds(streamIds);
    if (streamIds.length === 0) return [];
    const statements = await this.openStatements('readStreams');
    const read = this.database().transaction(() =>
      streamIds.map((id) => statements.readForwards.all(id, 0, -1).map((row) => this.toRecorded(row))),
    );
    return this.withLockRetry('readStreams', () => read());
  }

  /** True when the stream has at least one event. */
  async streamExists(streamId: string): Promise<boolean> {
    const statements = await this.openStatements('streamExists');
    return (
      (await this.withLockRetry('streamExists', () => statements.streamExists.get(streamId))) !== undefined
    );
  }

  /** The streams an append recorded this command id on. */
  async streamsOfCommand(commandId: string): Promise<string[]> {
    const statements = await this.openStatements('streamsOfCommand');
    return this.withLockRetry('streamsOfCommand', () => statements.streamsOfCommand.all(commandId));
  }

  /** Reads the global log after a position, in position order, optionally filtered by types or category. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    await this.openStatements('readAll');
    const types = options.types ?? [];
    const key = `${types.length}:${options.category === undefined ? 0 : 1}`;
    let statement = this.readAllStatements.get(key);
    if (!statement) {
      const where = ['position > ?'];
      if (types.length > 0) where.push(`type IN (${types.map(() => '?').join(', ')})`);
      if (options.category !== undefined) where.push('category = ?');
      statement = this.database()
        .prepare<unknown[], EventTuple>(
          `SELECT ${COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY position ${BOUND_LIMIT}`,
        )
        .raw(true);
      this.readAllStatements.set(key, statement);
    }
    const params: unknown[] = [options.after ?? 0, ...types];
    if (options.category !== undefined) params.push(options.category);
    params.push(options.limit ?? -1);
    const rows = await this.withLockRetry('readAll', () => statement.all(...params));
    return rows.map((row) => this.toRecorded(row));
  }

  /** The streams whose first event lies in `(after, upTo]`, in position order, read from the index of stream starts. */
  async readStreamStarts(options: ReadStreamStartsOptions = {}): Promise<StreamStart[]> {
    const q = streamStartsQuery(options);
    const statements = await this.openStatements('readStreamStarts');
    const rows = await this.withLockRetry('readStreamStarts', () =>
      q.category === undefined
        ? statements.streamStarts.all(q.after, q.upTo, q.limit)
        : statements.streamStartsOfCategory.all(q.after, q.upTo, q.category, q.limit),
    );
    return rows.map((row) => ({ streamId: row.stream_id, position: row.position }));
  }

  /** See `EventStore.onCommitted`: every commit of this thread's stores on this file. */
  onCommitted(listener: (categories: readonly string[] | undefined) => void): () => void {
    const stop = this.changes.listen(listener);
    const onClose = () => stop();
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    return () => {
      this.closing.signal.removeEventListener('abort', onClose);
      stop();
    };
  }

  /** See `EventStore.notifyCommitted`: wakes this thread's subscribers of this file. */
  notifyCommitted(categories?: readonly string[]): void {
    this.changes.notify(categories);
  }

  /** Catch-up then live subscription to the global log; wakes on appends in this process, polls for others. */
  subscribe(options: SubscribeOptions): AsyncIterable<RecordedEvent> {
    return catchUpSubscription(
      {
        readAll: (o) => this.readAll(o),
        changes: this.changes,
        pollIntervalMs: this.config.pollIntervalMs ?? 250,
        closed: this.closing.signal,
      },
      options,
    );
  }

  /**
   * A burst of appends from this process (a simulation, an import): until the function returned is called,
   * every append queued within one event-loop turn shares a transaction (the `adaptive` window flushes on
   * a microtask and, with many appends under way, commits a few at a time), and the connection keeps a
   * larger page cache for the indexes those transactions update. Each append is still checked and
   * committed with the configured durability before it is answered; only fewer, larger commits are made.
   */
  beginBulkAppends(options: BulkAppendsOptions = {}): () => void {
    this.assertOpen('beginBulkAppends');
    const turns = options.turns;
    if (turns !== undefined) {
      if (this.turns !== undefined) throw new TypeError('a burst already writes in a rotation on this store');
      this.turns = turns;
    }
    if (this.bulkBursts++ === 0) {
      this.queue.setWindow('immediate');
      if (this.isReady) this.setBulkCache(true);
      else void this.ready.then(() => this.setBulkCache(this.bulkBursts > 0)).catch(() => undefined);
    }
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (turns !== undefined) this.turns = undefined;
      if (--this.bulkBursts > 0) return;
      this.queue.setWindow(this.usualWindow);
      this.setBulkCache(false);
    };
  }

  private setBulkCache(bulk: boolean): void {
    const db = this.db;
    if (db === undefined || !db.open) return;
    if (bulk) {
      this.usualCacheSize ??= db.pragma('cache_size', { simple: true }) as number;
      db.pragma(`cache_size = ${-Math.trunc(this.config.bulkCacheKiB ?? 65_536)}`);
    } else if (this.usualCacheSize !== undefined) {
      db.pragma(`cache_size = ${this.usualCacheSize}`);
    }
  }

  /** Position of the last event of the log; 0 when empty. */
  async headPosition(): Promise<number> {
    const statements = await this.openStatements('headPosition');
    return (await this.withLockRetry('headPosition', () => statements.head.get())) ?? 0;
  }

  /** Refuses queued appends, lets the running batch commit, ends subscriptions and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.queue.rejectQueued(new EventStoreClosed({ operation: 'appendToStream' }));
    await this.queue.whenIdle();
    await this.ready.catch(() => undefined);
    this.db?.close();
    await this.checkpointer?.close();
    const shared = signalsByFile.get(this.fileKey);
    if (shared && --shared.users === 0) signalsByFile.delete(this.fileKey);
  }

  private async open(): Promise<void> {
    mkdirSync(path.dirname(this.fileKey), { recursive: true });
    const db = new Database(this.fileKey, { timeout: 100 });
    this.db = db;
    try {
      // Switching to WAL needs an exclusive lock, which two processes opening a fresh file at
      // once can contend for; the busy handler does not always cover it, hence the retry.
      await this.withLockRetry('open', () => db.pragma('journal_mode = WAL'));
      db.pragma(`synchronous = ${this.config.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
      await this.withLockRetry('migrate', () => this.migrate(db));
      this.statements = prepareStatements(db);
      this.writeTransaction = db.transaction((batch: PreparedAppend[]) => this.writeInTransaction(batch));
      if ((this.config.checkpoints ?? 'thread') === 'thread') {
        db.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES_WITH_THREAD}`);
        this.checkpointer = WalCheckpointer.forFile(this.fileKey, (error) =>
          this.config.logger?.warn(
            { file: this.fileKey, error: error.message },
            'the WAL checkpoint thread failed: commits checkpoint the log themselves from now on',
          ),
        );
      }
      this.isReady = true;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private migrate(db: Database.Database): void {
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current > SQLITE_SCHEMA_VERSION)
        throw new EventStoreSchemaTooNew({ known: SQLITE_SCHEMA_VERSION, found: current });
      for (const migration of sqliteMigrations) {
        if (migration.version <= current) continue;
        try {
          db.exec(migration.sql);
        } catch (cause) {
          throw new EventStoreMigrationFailed({ version: migration.version, cause });
        }
      }
      if (current < SQLITE_SCHEMA_VERSION) db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
    }).immediate();
  }

  private async flush(batch: PreparedAppend[]): Promise<Array<BatchOutcome<AppendResult>>> {
    if (this.db === undefined || !this.db.open) {
      return batch.map(() => ({ ok: false, error: new EventStoreClosed({ operation: 'appendToStream' }) }));
    }
    // In a rotation, the batch (and its fallback below) is written in this writer's turn; outside one (the
    // server, every append but a simulation's) the flush is as it was, with no wrapper.
    const turns = this.turns;
    if (turns === undefined) return this.flushInTurn(batch);
    turns.take();
    try {
      return await this.flushInTurn(batch);
    } finally {
      turns.pass();
    }
  }

  private async flushInTurn(batch: PreparedAppend[]): Promise<Array<BatchOutcome<AppendResult>>> {
    let outcomes: Array<BatchOutcome<AppendResult>>;
    try {
      outcomes = await this.withLockRetry('appendToStream', () => this.writeBatch(batch));
    } catch (error) {
      if (
        batch.length === 1 ||
        error instanceof EventStoreUnavailable ||
        error instanceof EventStoreStorageFull
      )
        throw error;
      // Something unforeseen failed the shared transaction: give each append its own, so one bad
      // append cannot fail its neighbours.
      outcomes = [];
      for (const append of batch) {
        try {
          outcomes.push(...(await this.withLockRetry('appendToStream', () => this.writeBatch([append]))));
        } catch (single) {
          outcomes.push({ ok: false, error: single });
        }
      }
    }
    const written = new Set<string>();
    outcomes.forEach((o, i) => {
      if (o.ok && !o.value.duplicate) written.add(batch[i].category);
    });
    if (written.size > 0) {
      this.checkpointer?.wrote();
      this.changes.notify(written);
    }
    return outcomes;
  }

  private writeBatch(batch: PreparedAppend[]): Array<BatchOutcome<AppendResult>> {
    this.database();
    return (this.writeTransaction as NonNullable<typeof this.writeTransaction>).immediate(batch);
  }

  private writeInTransaction(batch: PreparedAppend[]): Array<BatchOutcome<AppendResult>> {
    const s = this.statements as Statements;
    const revisions = new Map<string, number>();
    const commands = new Map<string, AppendResult>();
    const elsewhere = new Map<string, string>();
    for (const append of batch) {
      if (!revisions.has(append.streamId)) {
        revisions.set(append.streamId, s.streamRevision.get(append.streamId) ?? -1);
      }
      if (append.commandId !== null) {
        const row = s.command.get(append.streamId, append.commandId);
        if (row) {
          commands.set(commandKey(append.streamId, append.commandId), {
            nextExpectedRevision: row.next_expected_revision,
            position: row.position,
            duplicate: true,
          });
        } else if (append.storeScoped) {
          const other = s.commandElsewhere.get(append.commandId, append.streamId);
          if (other !== undefined) elsewhere.set(append.commandId, other);
        }
      }
    }
    const decisions = decideBatch(batch, revisions, commands, elsewhere);
    const createdAt = new Date().toISOString();
    const results: Array<BatchOutcome<AppendResult>> = [];
    decisions.forEach((decision, i) => {
      const append = batch[i];
      switch (decision.kind) {
        case 'refused':
          results.push({ ok: false, error: decision.error });
          return;
        case 'duplicate':
          results.push({ ok: true, value: decision.result });
          return;
        case 'duplicate-in-batch': {
          const original = results[decision.of];
          results.push(original.ok ? { ok: true, value: { ...original.value, duplicate: true } } : original);
          return;
        }
        case 'write': {
          let position = 0;
          let revision = decision.firstRevision;
          for (const event of append.events) {
            position = Number(
              s.insertEvent.run(
                append.streamId,
                revision++,
                event.eventId,
                event.type,
                append.category,
                event.schemaVersion,
                event.dataJson,
                event.metadataJson,
                createdAt,
              ).lastInsertRowid,
            );
          }
          const nextExpectedRevision = revision - 1;
          if (append.commandId !== null) {
            const storeScoped = append.storeScoped ? 1 : 0;
            s.insertCommand.run(
              append.streamId,
              append.commandId,
              nextExpectedRevision,
              position,
              storeScoped,
            );
          }
          results.push({ ok: true, value: { nextExpectedRevision, position, duplicate: false } });
          return;
        }
        default: {
          const unhandled: never = decision;
          throw new TypeError(`Unhandled decision ${JSON.stringify(unhandled)}`);
        }
      }
    });
    return results;
  }

  private toRecorded(row: EventTuple): RecordedEvent {
    return this.upcasters.apply({
      eventId: row[3],
      type: row[4],
      data: JSON.parse(row[6]) as RecordedEvent['data'],
      metadata: JSON.parse(row[7]) as RecordedEvent['metadata'],
      schemaVersion: row[5],
      streamId: row[1],
      revision: row[2],
      position: row[0],
      createdAt: row[8],
    });
  }

  private async openStatements(operation: string): Promise<Statements> {
    this.assertOpen(operation);
    await this.ready;
    this.assertOpen(operation);
    return this.statements as Statements;
  }

  private database(): Database.Database {
    if (this.db === undefined || !this.db.open) throw new EventStoreClosed({ operation: 'database' });
    return this.db;
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new EventStoreClosed({ operation });
  }

  private async withLockRetry<T>(operation: string, fn: () => T): Promise<T> {
    const deadline = Date.now() + (this.config.lockTimeoutMs ?? 30_000);
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (error) {
        // SQLite rolls the transaction back on SQLITE_FULL (better-sqlite3 issues the ROLLBACK if it is
        // still open), so the file stays as it was; a typed error lets the API answer 507.
        if (isDiskFull(error))
          throw new EventStoreStorageFull({ operation, adapter: 'sqlite', cause: error });
        if (!isLockError(error)) throw error;
        if (Date.now() >= deadline)
          throw new EventStoreUnavailable({ operation, adapter: 'sqlite', cause: error });
        this.config.logger?.debug({ operation, attempt }, 'sqlite lock busy, retrying');
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random())),
        );
      }
    }
  }
}

function isDiskFull(error: unknown): boolean {
  if (error instanceof EventStoreError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'ENOSPC';
}

function isLockError(error: unknown): boolean {
  if (error instanceof EventStoreError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function prepareStatements(db: Database.Database): Statements {
  return {
    insertEvent: db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, category, schema_version, data, metadata, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertCommand: db.prepare(
      `INSERT INTO commands (stream_id, command_id, next_expected_revision, position, store_scoped)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    streamRevision: db
      .prepare<[string], number | null>('SELECT max(revision) FROM events WHERE stream_id = ?')
      .pluck(),
    command: db.prepare(
      'SELECT next_expected_revision, position FROM commands WHERE stream_id = ? AND command_id = ?',
    ),
    readForwards: db
      .prepare<
        [string, number, number],
        EventTuple
      >(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ${BOUND_LIMIT}`)
      .raw(true),
    readBackwards: db
      .prepare<
        [string, number, number],
        EventTuple
      >(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC ${BOUND_LIMIT}`)
      .raw(true),
    streamExists: db.prepare<[string], number>('SELECT 1 FROM events WHERE stream_id = ? LIMIT 1').pluck(),
    streamsOfCommand: db
      .prepare<
        [string],
        string
      >('SELECT stream_id FROM commands WHERE command_id = ? AND store_scoped = 1 ORDER BY stream_id LIMIT 10')
      .pluck(),
    commandElsewhere: db
      .prepare<
        [string, string],
        string | undefined
      >('SELECT stream_id FROM commands WHERE command_id = ? AND store_scoped = 1 AND stream_id <> ? ORDER BY stream_id LIMIT 1')
      .pluck(),
    head: db.prepare<[], number>('SELECT coalesce(max(position), 0) FROM events').pluck(),
    // INDEXED BY: the planner would otherwise walk the rowid range and read every event of the slice.
    streamStarts: db.prepare(
      `SELECT stream_id, position FROM events INDEXED BY events_stream_starts
       WHERE revision = 0 AND position > ? AND position <= ? ORDER BY position ${BOUND_LIMIT}`,
    ),
    streamStartsOfCategory: db.prepare(
      `SELECT stream_id, position FROM events INDEXED BY events_stream_starts
       WHERE revision = 0 AND position > ? AND position <= ? AND category = ? ORDER BY position ${BOUND_LIMIT}`,
    ),
  };
}
