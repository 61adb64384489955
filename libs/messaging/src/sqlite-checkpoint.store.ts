import Database from 'better-sqlite3';
import type { CheckpointStore } from './checkpoint-store.port';
import { CheckpointStoreFailed } from './messaging.errors';

type Db = InstanceType<typeof Database>;

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** CheckpointStore in a SQLite file (table `relay_checkpoints`), for the embedded mode. */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly db: Db;
  private readonly ownsDb: boolean;
  private readonly loadStmt;
  private readonly saveStmt;
  private readonly leaseStmt;
  private readonly releaseStmt;

  /** Opens (and creates if needed) the table in `filenameOrDb`; a passed-in database is not closed by close(). */
  constructor(filenameOrDb: string | Db) {
    this.ownsDb = typeof filenameOrDb === 'string';
    this.db = typeof filenameOrDb === 'string' ? new Database(filenameOrDb) : filenameOrDb;
    if (this.ownsDb) {
      this.db.pragma('journal_mode = WAL');
      // Survives a process crash; a checkpoint lost to power failure only means a batch is re-sent.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
    }
    this.db.exec(`CREATE TABLE IF NOT EXISTS relay_checkpoints (
      name TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS relay_leases (
      name TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    )`);
    // Take the row if it is ours or expired; RETURNING yields nothing when another owner holds it.
    this.leaseStmt = this.db.prepare<[string, string, number, number], { owner: string }>(
      `INSERT INTO relay_leases (name, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE relay_leases.owner = excluded.owner OR relay_leases.expires_at < ?
       RETURNING owner`,
    );
    this.releaseStmt = this.db.prepare<[string, string]>(
      'DELETE FROM relay_leases WHERE name = ? AND owner = ?',
    );
    this.loadStmt = this.db.prepare<[string], { position: number }>(
      'SELECT position FROM relay_checkpoints WHERE name = ?',
    );
    // The WHERE keeps a checkpoint monotonic even if a late save of an older batch arrives.
    this.saveStmt = this.db.prepare<[string, number, string]>(
      `INSERT INTO relay_checkpoints (name, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
       WHERE excluded.position > relay_checkpoints.position`,
    );
  }

  /** The saved position of `name`, or 0 when none was saved. */
  async load(name: string): Promise<number> {
    try {
      return this.loadStmt.get(name)?.position ?? 0;
    } catch (e) {
      throw new CheckpointStoreFailed({ name, operation: 'load', reason: reason(e) }, { cause: e });
    }
  }

  /** Saves `position` for `name` unless a later position is already saved. */
  async save(name: string, position: number): Promise<void> {
    try {
      this.saveStmt.run(name, position, new Date().toISOString());
    } catch (e) {
      throw new CheckpointStoreFailed({ name, operation: 'save', reason: reason(e) }, { cause: e });
    }
  }

  /** Takes or renews the lease of `name` for `owner` (clock: this machine's, shared by its processes). */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    try {
      const now = Date.now();
      return this.leaseStmt.get(name, owner, now + ttlMs, now)?.owner === owner;
    } catch (e) {
      throw new CheckpointStoreFailed({ name, operation: 'lease', reason: reason(e) }, { cause: e });
    }
  }

  /** Releases the lease if `owner` holds it. */
  async releaseLease(name: string, owner: string): Promise<void> {
    try {
      this.releaseStmt.run(name, owner);
    } catch (e) {
      throw new CheckpointStoreFailed({ name, operation: 'lease', reason: reason(e) }, { cause: e });
    }
  }

  /** Closes the database if this store opened it. */
  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
