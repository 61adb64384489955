import { describePoolError, postgresPoolTimeouts, type PostgresTimeouts } from '@sanksi/event-store';
import { Pool } from 'pg';
import type { CheckpointStore } from './checkpoint-store.port';
import { CheckpointStoreFailed } from './messaging.errors';

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** CheckpointStore in PostgreSQL (table `relay_checkpoints`), for the server mode. */
/** What losing a race to create the same table answers: unique_violation, duplicate_object, duplicate_table. */
const CREATE_RACE_CODES = new Set(['23505', '42710', '42P07']);

export class PostgresCheckpointStore implements CheckpointStore {
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private ready: Promise<void> | null = null;
  private closed = false;

  /** Uses `connectionStringOrPool`; a passed-in pool is not ended by close() (its owner listens for its errors). */
  constructor(
    connectionStringOrPool: string | Pool,
    options: { timeouts?: PostgresTimeouts; logger?: { warn(obj: object, msg: string): void } } = {},
  ) {
    this.ownsPool = typeof connectionStringOrPool === 'string';
    if (typeof connectionStringOrPool === 'string') {
      this.pool = new Pool({
        connectionString: connectionStringOrPool,
        max: 2,
        application_name: 'sanksi-relay-checkpoints',
        ...postgresPoolTimeouts(options.timeouts),
      });
      // An idle connection dropped by the server (restart, terminate) emits 'error' on the pool; unheard
      // it would crash the process. The pool discards it; the next load or save reconnects.
      this.pool.on('error', (error) =>
        options.logger?.warn(
          { pool: 'relay-checkpoints', ...describePoolError(error) },
          'idle postgres connection lost',
        ),
      );
    } else {
      this.pool = connectionStringOrPool;
    }
  }

  /** The saved position of `name`, or 0 when none was saved. */
  async load(name: string): Promise<number> {
    try {
      await this.init();
      const r = await this.pool.query<{ position: string }>(
        'SELECT position FROM relay_checkpoints WHERE name = $1',
        [name],
      );
      return r.rows.length === 0 ? 0 : Number(r.rows[0].position);
    } catch (e) {
      throw new CheckpointStoreFailed({ name, operation: 'load', reason: reason(e) }, { cause: e });
    }
  }

  /** Saves `position` for `name` unless a later position is already saved. */
  async save(name: string, position: number): Promise<void> {
    try {
      await this.init();
      await this.pool.query(
        `INSERT INTO relay_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at
         WHERE EXCLUDED.position > relay_checkpoints.position`,
        [name, position],
      );
    } catch (e) {
      throw new CheckpointStoreFailed({ name, operation: 'save', reason: reason(e) }, { cause: e });
    }
  }

  /**
   * Takes or renews the lease of `name` for `owner`; expiry on the database's clock, so relays on
   * machines whose clocks disagree still see one order.
   */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    try {
      await this.init();
      const r = await this.pool.query<{ owner: string }>(
        `INSERT INTO relay_leases (name, owner, expires_at)
         VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
         WHERE relay_leases.owner = EXCLUDED.owner OR relay_leases.expires_at < clock_timestamp()
         RETURNING owner`,
        [name, owner, ttlMs],
      );
      return r.rows.length === 1 && r.rows[0].owner === owner;
    } catch (e) {
      throw new CheckpointStoreFailed({ name, operation: 'lease', reason: reason(e) }, { cause: e });
    }
  }

  /** Releases the lease if `owner` holds it. */
  async releaseLease(name: string, owner: string): Promise<void> {
    try {
      await this.init();
      await this.pool.query('DELETE FROM relay_leases WHERE name = $1 AND owner = $2', [name, owner]);
    } catch (e) {
      throw new CheckpointStoreFailed({ name, operation: 'lease', reason: reason(e) }, { cause: e });
    }
  }

  /** Ends the pool if this store created it; calling it twice is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }

  private init(): Promise<void> {
    this.ready ??= this.createTable().catch((e: unknown) => {
      this.ready = null;
      throw e;
    });
    return this.ready;
  }

  private async createTable(): Promise<void> {
    const ddl = `CREATE TABLE IF NOT EXISTS relay_checkpoints (
      name text PRIMARY KEY,
      position bigint NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS relay_leases (
      name text PRIMARY KEY,
      owner text NOT NULL,
      expires_at timestamptz NOT NULL
    )`;
    try {
      await this.pool.query(ddl);
    } catch (e) {
      // Two processes creating the table at once: one loses on the catalog — a unique violation, or
      // "type … already exists" (42710) when the other's row type was committed first.
      if (!CREATE_RACE_CODES.has((e as { code?: string }).code ?? '')) throw e;
      await this.pool.query(ddl);
    }
  }
}
