import { Client, Pool, types as pgTypes, type PoolClient, type QueryResultRow } from 'pg';
import { commandKey, decideBatch, prepareAppend, type PreparedAppend } from '../core/append-plan';
import { catchUpSubscription } from '../core/catch-up-subscription';
import { ChangeSignal } from '../core/change-signal';
import { EventStoreClosed, EventStoreError, EventStoreUnavailable } from '../core/event-store.errors';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  EventStoreLogger,
  EventToAppend,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
} from '../core/event-store.port';
import { GroupCommitQueue, type BatchOutcome } from '../core/group-commit.queue';
import { UpcasterRegistry, type Upcaster } from '../core/upcaster.registry';
import { advisoryLockKey, migratePostgres } from './postgres-migrations';

/** Configuration of the PostgreSQL store. */
export interface PostgresEventStoreConfig {
  connectionString: string;
  /** Schema holding the store's tables (created by the migrations); default `event_store`. */
  schema?: string;
  upcasters?: readonly Upcaster[];
  /** Safety net if a NOTIFY is lost (listener reconnecting): a caught-up subscriber re-reads at least this often. */
  pollIntervalMs?: number;
  /** Connections for reads; appends use one at a time. */
  poolSize?: number;
  /** Most appends committed in one transaction. */
  maxBatch?: number;
  logger?: EventStoreLogger;
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
// bigint columns (positions, revisions) as numbers: safe up to 2^53, far beyond any event log here.
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pgTypes.getTypeParser(oid, format ?? 'text')) as typeof pgTypes.getTypeParser,
};

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

/**
 * The server store. Appends are group-committed: each batch is one transaction that first takes a
 * transaction-scoped advisory lock, so transactions that allocate positions commit one after the
 * other and a reader of `position > checkpoint` can never see a later position before an earlier
 * one commits. Subscribers wake on LISTEN/NOTIFY.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly lockKey: string;
  private readonly channel: string;
  private readonly ready: Promise<void>;
  private readonly queue: GroupCommitQueue<PreparedAppend, AppendResult>;
  private readonly upcasters: UpcasterRegistry;
  private readonly changes = new ChangeSignal();
  private readonly closing = new AbortController();
  private listener: Promise<Client | undefined> | undefined;
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
    this.pool = new Pool({
      connectionString: config.connectionString,
      max: config.poolSize ?? 10,
      application_name: 'sanksi-event-store',
      types: typeParsers,
    });
    // An idle client dropped by the server must not crash the process; the pool replaces it.
    this.pool.on('error', (error) => this.config.logger?.warn({ err: error }, 'idle postgres client failed'));
    this.queue = new GroupCommitQueue((batch) => this.flush(batch), config.maxBatch ?? 1000);
    this.ready = this.migrate();
    this.ready.catch(() => undefined);
  }

  /** Resolves once the schema is migrated. */
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
    await this.whenOpen('appendToStream');
    return this.queue.submit(prepared);
  }

  /** Reads one stream by revision, forwards from `from` (default 0) or backwards from `from` (default: the end). */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const rows = await this.query<EventRow>('readStream', backwards ? 'readBackwards' : 'readForwards', [
      streamId,
      options.from ?? (backwards ? Number.MAX_SAFE_INTEGER : 0),
      options.limit ?? null,
    ]);
    return rows.map((row) => this.toRecorded(row));
  }

  /** True when the stream has at least one event. */
  async streamExists(streamId: string): Promise<boolean> {
    return (await this.query('streamExists', 'streamExists', [streamId])).length > 0;
  }

  /** Reads the global log after a position, in position order, optionally filtered by types or category. */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const types = options.types && options.types.length > 0 ? options.types : null;
    const rows = await this.query<EventRow>('readAll', 'readAll', [
      options.after ?? 0,
      types,
      options.category ?? null,
      options.limit ?? null,
    ]);
    return rows.map((row) => this.toRecorded(row));
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
    this.queue.rejectQueued(new EventStoreClosed({ operation: 'appendToStream' }));
    await this.queue.whenIdle();
    await this.ready.catch(() => undefined);
    const listener = await this.listener?.catch(() => undefined);
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  private async migrate(): Promise<void> {
    const client = new Client({
      connectionString: this.config.connectionString,
      application_name: 'sanksi-event-store-migrate',
    });
    try {
      await client.connect();
      const applied = await migratePostgres(client, this.schema);
      if (applied.length > 0)
        this.config.logger?.debug({ schema: this.schema, applied }, 'event store migrated');
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
    this.listener = (async () => {
      try {
        await this.ready;
        client.on('notification', () => this.changes.notify());
        client.on('error', (error) => {
          // Polling covers the gap; the next subscribe() reconnects.
          this.config.logger?.warn({ err: error }, 'event store listener lost');
          this.listener = undefined;
        });
        await client.connect();
        await client.query(`LISTEN ${this.channel}`);
        if (this.closed) await client.end();
        return client;
      } catch (error) {
        this.config.logger?.warn({ err: error }, 'event store listener failed to start');
        this.listener = undefined;
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
      if (batch.length === 1 || error instanceof EventStoreUnavailable) throw error;
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

  private async writeBatch(batch: PreparedAppend[]): Promise<Array<BatchOutcome<AppendResult>>> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new EventStoreUnavailable({ operation: 'appendToStream', adapter: 'postgres', cause: error });
    }
    let broken: Error | undefined;
    try {
      // The lock is its own statement so that the revisions read next are read after it is held
      // (each statement of READ COMMITTED takes a fresh snapshot).
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${this.lockKey})`);
      const streamIds = [...new Set(batch.map((a) => a.streamId))];
      const withCommand = batch.filter((a) => a.commandId !== null);
      const state = await client.query<{
        kind: string;
        stream_id: string;
        command_id: string | null;
        revision: number | null;
        position: number | null;
      }>({
        name: `${this.schema}-state`,
        text: this.sql.state,
        values: [streamIds, withCommand.map((a) => a.streamId), withCommand.map((a) => a.commandId)],
      });
      const revisions = new Map<string, number>();
      const commands = new Map<string, AppendResult>();
      for (const row of state.rows) {
        if (row.kind === 'r') revisions.set(row.stream_id, row.revision ?? -1);
        else {
          commands.set(commandKey(row.stream_id, row.command_id as string), {
            nextExpectedRevision: row.revision as number,
            position: row.position as number,
            duplicate: true,
          });
        }
      }
      const decisions = decideBatch(batch, revisions, commands);
      const columns = {
        stream: [] as string[],
        revision: [] as number[],
        eventId: [] as string[],
        type: [] as string[],
      };
      const more = {
        category: [] as string[],
        version: [] as number[],
        data: [] as string[],
        metadata: [] as string[],
      };
      const cmd = { stream: [] as string[], id: [] as string[], revision: [] as number[] };
      decisions.forEach((decision, i) => {
        if (decision.kind !== 'write') return;
        const append = batch[i];
        let revision = decision.firstRevision;
        for (const event of append.events) {
          columns.stream.push(append.streamId);
          columns.revision.push(revision++);
          columns.eventId.push(event.eventId);
          columns.type.push(event.type);
          more.category.push(append.category);
          more.version.push(event.schemaVersion);
          more.data.push(event.dataJson);
          more.metadata.push(event.metadataJson);
        }
        if (append.commandId !== null) {
          cmd.stream.push(append.streamId);
          cmd.id.push(append.commandId);
          cmd.revision.push(revision - 1);
        }
      });
      const positions = new Map<string, number>();
      if (columns.stream.length > 0) {
        const inserted = await client.query<{ stream_id: string; revision: number; position: number }>({
          name: `${this.schema}-insert`,
          text: this.sql.insert,
          values: [
            columns.stream,
            columns.revision,
            columns.eventId,
            columns.type,
            more.category,
            more.version,
            more.data,
            more.metadata,
            cmd.stream,
            cmd.id,
            cmd.revision,
          ],
        });
        for (const row of inserted.rows) positions.set(`${row.stream_id}\u0000${row.revision}`, row.position);
        await client.query(`NOTIFY ${this.channel}; COMMIT`);
      } else {
        await client.query('COMMIT');
      }
      const results: Array<BatchOutcome<AppendResult>> = [];
      decisions.forEach((decision, i) => {
        switch (decision.kind) {
          case 'refused':
            results.push({ ok: false, error: decision.error });
            return;
          case 'duplicate':
            results.push({ ok: true, value: decision.result });
            return;
          case 'duplicate-in-batch': {
            const original = results[decision.of];
            results.push(
              original.ok ? { ok: true, value: { ...original.value, duplicate: true } } : original,
            );
            return;
          }
          case 'write': {
            const last = decision.firstRevision + batch[i].events.length - 1;
            const position = positions.get(`${batch[i].streamId}\u0000${last}`) as number;
            results.push({ ok: true, value: { nextExpectedRevision: last, position, duplicate: false } });
            return;
          }
          default: {
            const unhandled: never = decision;
            throw new TypeError(`Unhandled decision ${JSON.stringify(unhandled)}`);
          }
        }
      });
      return results;
    } catch (error) {
      if (isConnectionError(error)) {
        broken = error as Error;
        throw new EventStoreUnavailable({ operation: 'appendToStream', adapter: 'postgres', cause: error });
      }
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async query<T extends QueryResultRow>(
    operation: string,
    statement: keyof PostgresStatements,
    values: unknown[],
  ): Promise<T[]> {
    await this.whenOpen(operation);
    try {
      // Named: each pooled connection parses and plans a statement once, then reuses it.
      const text = this.sql[statement];
      return (await this.pool.query<T>({ name: `${this.schema}-${statement}`, text, values })).rows;
    } catch (error) {
      if (this.closed) throw new EventStoreClosed({ operation });
      if (isConnectionError(error))
        throw new EventStoreUnavailable({ operation, adapter: 'postgres', cause: error });
      throw error;
    }
  }

  private async whenOpen(operation: string): Promise<void> {
    if (this.closed) throw new EventStoreClosed({ operation });
    await this.ready;
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

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (
    typeof code === 'string' &&
    (CONNECTION_ERROR_CODES.has(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET')
  ) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection error|Client has encountered a connection error/i.test(message);
}

type PostgresStatements = ReturnType<typeof statements>;

function statements(s: string) {
  const columns = 'position, stream_id, revision, event_id, type, schema_version, data, metadata, created_at';
  return {
    // Last revision per stream via the (stream_id, revision) index, one probe each; then the
    // stored results of the batch's command ids.
    state: `
      SELECT 'r' AS kind, k.stream_id, NULL::text AS command_id,
             (SELECT e.revision FROM ${s}.events e WHERE e.stream_id = k.stream_id ORDER BY e.revision DESC LIMIT 1) AS revision,
             NULL::bigint AS position
        FROM unnest($1::text[]) AS k(stream_id)
      UNION ALL
      SELECT 'c', c.stream_id, c.command_id, c.next_expected_revision, c.position
        FROM ${s}.commands c
        JOIN unnest($2::text[], $3::text[]) AS k(stream_id, command_id)
          ON c.stream_id = k.stream_id AND c.command_id = k.command_id`,
    // ORDER BY ordinality: identity values are drawn in revision order within each append.
    insert: `
      WITH ins AS (
        INSERT INTO ${s}.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
        SELECT stream_id, revision, event_id, type, category, schema_version, data, metadata
          FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int4[], $7::json[], $8::json[])
               WITH ORDINALITY AS r(stream_id, revision, event_id, type, category, schema_version, data, metadata, n)
         ORDER BY n
        RETURNING position, stream_id, revision
      ), cmd AS (
        INSERT INTO ${s}.commands (stream_id, command_id, next_expected_revision, position)
        SELECT k.stream_id, k.command_id, k.revision, ins.position
          FROM unnest($9::text[], $10::text[], $11::int8[]) AS k(stream_id, command_id, revision)
          JOIN ins ON ins.stream_id = k.stream_id AND ins.revision = k.revision
      )
      SELECT stream_id, revision, position FROM ins`,
    readForwards: `SELECT ${columns} FROM ${s}.events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
    readBackwards: `SELECT ${columns} FROM ${s}.events WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`,
    readAll: `SELECT ${columns} FROM ${s}.events
               WHERE position > $1 AND ($2::text[] IS NULL OR type = ANY($2::text[])) AND ($3::text IS NULL OR category = $3)
               ORDER BY position LIMIT $4`,
    streamExists: `SELECT 1 FROM ${s}.events WHERE stream_id = $1 LIMIT 1`,
    head: `SELECT coalesce(max(position), 0)::int8 AS head FROM ${s}.events`,
  };
}
