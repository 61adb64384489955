// Emmett lives in its own small package (apps/bench/emmett, its own lockfile) so that its SQLite store's
// peer on an unpublished Emmett version and its second native SQLite build stay out of the workspace.
// These are the few shapes of its API the bench uses, declared here because the workspace cannot see
// its type declarations; loadEmmett() checks that each one is there before the bench relies on it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where the Emmett package of the bench is (apps/bench/emmett), from src/ or from dist/. */
export const EMMETT_DIR = path.resolve(__dirname, '..', '..', 'emmett');

/** An event as Emmett appends it. */
export interface EmmettEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** An event as Emmett reads it back: its metadata carries the stream, the positions and the message id. */
export interface EmmettReadEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown> & { streamName: string; streamPosition: bigint; globalPosition: bigint };
}

/** Emmett's expected stream version: a bigint, or one of its named expectations. */
export type EmmettExpectedVersion =
  | bigint
  | 'STREAM_DOES_NOT_EXIST'
  | 'STREAM_EXISTS'
  | 'NO_CONCURRENCY_CHECK';

/** The part of Emmett's `EventStore` the bench calls. */
export interface EmmettEventStore {
  appendToStream(
    streamName: string,
    events: EmmettEvent[],
    options?: { expectedStreamVersion?: EmmettExpectedVersion },
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  readStream(streamName: string): Promise<{ events: EmmettReadEvent[]; currentStreamVersion: bigint }>;
}

/** Emmett's PostgreSQL store (it owns a pool, closed with the store). */
export interface EmmettPostgresEventStore extends EmmettEventStore {
  close(): Promise<void>;
}

/** A node-postgres client in the transaction of an Emmett append. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** What an inline projection's handler gets on PostgreSQL: the append transaction's client. */
export interface EmmettPostgresProjectionContext {
  connection: { client: PgQueryable };
}

/** Emmett's SQLite connection (the `sqlite3` driver behind promises). */
export interface EmmettSqliteConnection {
  command(sql: string, values?: unknown[]): Promise<unknown>;
  query<T>(sql: string, values?: unknown[]): Promise<T[]>;
  querySingle<T>(sql: string, values?: unknown[]): Promise<T | null>;
  close(): void;
}

/** What an inline projection's handler gets on SQLite: the append's connection, inside its transaction. */
export interface EmmettSqliteProjectionContext {
  connection: EmmettSqliteConnection;
}

/** An Emmett projection definition: the event types it handles and its batch handler. */
export interface EmmettProjection<Context> {
  name?: string;
  canHandle: string[];
  handle(events: EmmettReadEvent[], context: Context): Promise<void>;
}

/** The opaque registration Emmett's `projections.inline` returns. */
export type EmmettProjectionRegistration = { readonly type: 'inline' };

/** A `sqlite3` database handle (callback API), for the raw limit of Emmett's SQLite driver. */
export interface Sqlite3Database {
  run(sql: string, params: unknown[], callback: (error: Error | null) => void): void;
  all(sql: string, params: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
  exec(sql: string, callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
}

/** The Emmett modules and the driver the bench uses, with the versions that were loaded. */
export interface EmmettModules {
  versions: Record<string, string>;
  projections: { inline<C>(definitions: Array<EmmettProjection<C>>): EmmettProjectionRegistration[] };
  getPostgreSQLEventStore(
    connectionString: string,
    options: { projections?: EmmettProjectionRegistration[] },
  ): EmmettPostgresEventStore;
  getSQLiteEventStore(options: {
    fileName: string;
    projections?: EmmettProjectionRegistration[];
  }): EmmettEventStore;
  sqliteConnection(options: { fileName: string }): EmmettSqliteConnection;
  openSqlite3(file: string): Sqlite3Database;
}

const PACKAGES = [
  '@event-driven-io/emmett',
  '@event-driven-io/emmett-postgresql',
  '@event-driven-io/emmett-sqlite',
  '@event-driven-io/pongo',
  '@event-driven-io/dumbo',
  'sqlite3',
] as const;

/** Whether apps/bench/emmett has its dependencies installed (its node_modules holds every package). */
export function emmettInstalled(dir: string = EMMETT_DIR): boolean {
  return PACKAGES.every((p) => existsSync(path.join(dir, 'node_modules', p, 'package.json')));
}

/**
 * Installs apps/bench/emmett from its own lockfile (`npm ci --prefix`, from the registry npm is set
 * to), once: the workspace's `npm ci` never installs it.
 */
export function ensureEmmettInstalled(log: (line: string) => void, dir: string = EMMETT_DIR): void {
  if (emmettInstalled(dir)) return;
  const args = ['ci', '--prefix', dir, '--no-audit', '--no-fund'];
  log(
    `  installing Emmett for this benchmark (first use): npm ${args.join(' ')} — builds sqlite3, takes minutes`,
  );
  const result = spawnSync('npm', args, { stdio: 'inherit' });
  if (result.status !== 0 || !emmettInstalled(dir)) {
    throw new Error(
      `npm ${args.join(' ')} failed (exit ${result.status ?? result.signal}); the emmett bench cannot run`,
    );
  }
}

function exported<T>(module: Record<string, unknown>, name: string, from: string): T {
  const value = module[name];
  if (value === undefined) throw new Error(`${from} exports no ${name}: the bench expects Emmett 0.42`);
  return value as T;
}

/** Loads Emmett, its PostgreSQL and SQLite stores and `sqlite3` from apps/bench/emmett (installed first if needed). */
export function loadEmmett(log: (line: string) => void, dir: string = EMMETT_DIR): EmmettModules {
  ensureEmmettInstalled(log, dir);
  const load = createRequire(path.join(dir, 'package.json'));
  const versions = Object.fromEntries(
    PACKAGES.map((p) => {
      const manifest = JSON.parse(
        readFileSync(path.join(dir, 'node_modules', p, 'package.json'), 'utf8'),
      ) as {
        version: string;
      };
      return [p, manifest.version];
    }),
  );
  const emmett = load('@event-driven-io/emmett') as Record<string, unknown>;
  const postgresql = load('@event-driven-io/emmett-postgresql') as Record<string, unknown>;
  const sqlite = load('@event-driven-io/emmett-sqlite') as Record<string, unknown>;
  const sqlite3 = load('sqlite3') as { Database: new (file: string) => Sqlite3Database };
  return {
    versions,
    projections: exported(emmett, 'projections', 'emmett'),
    getPostgreSQLEventStore: exported(postgresql, 'getPostgreSQLEventStore', 'emmett-postgresql'),
    getSQLiteEventStore: exported(sqlite, 'getSQLiteEventStore', 'emmett-sqlite'),
    sqliteConnection: exported(sqlite, 'sqliteConnection', 'emmett-sqlite'),
    openSqlite3: (file) => new sqlite3.Database(file),
  };
}
