import { existsSync, mkdirSync } from 'node:fs';
import type { SanksiConfig } from '@sanksi/application';
import { postgresMigrations, sqliteMigrations } from '@sanksi/event-store';
import { READ_MODEL_MIGRATIONS } from '@sanksi/read-models';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { Client } from 'pg';
import { z } from 'zod';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const MigrateOptions = z.object({ json: z.boolean().optional() });

/** One store's schema before and after `sanksi migrate`. */
interface StoreMigration {
  store: 'event store' | 'read models';
  where: string;
  /** Migration versions applied before the run. */
  before: number[];
  /** Migration versions this run applied, with their names where the store records one. */
  applied: Array<{ version: number; name: string | null }>;
  /** The newest version the schema is at now. */
  version: number;
}

const EVENT_STORE_SCHEMA = 'event_store';
const READ_MODEL_SCHEMA = 'read_models';

/** The versions recorded in a SQLite file (none when it does not exist yet); never creates the file. */
function sqliteVersions(file: string, query: (db: Database.Database) => number[]): number[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

const upTo = (version: number): number[] => Array.from({ length: version }, (_v, i) => i + 1);

const sqliteTableVersions = (db: Database.Database, table: string): number[] => {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table);
  if (!exists) return [];
  return (
    db.prepare(`SELECT version FROM ${table} ORDER BY version`).all() as Array<{ version: number }>
  ).map((r) => r.version);
};

async function postgresVersions(connectionString: string, table: string): Promise<number[]> {
  const client = new Client({ connectionString, application_name: 'sanksi-migrate' });
  await client.connect();
  try {
    const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
    if (!exists.rows[0]?.t) return [];
    const rows = await client.query<{ version: number }>(`SELECT version FROM ${table} ORDER BY version`);
    return rows.rows.map((r) => Number(r.version));
  } finally {
    await client.end();
  }
}

/** The versions each configured store has recorded, without changing anything. */
async function recordedVersions(
  config: SanksiConfig,
): Promise<{ events: number[] | null; readModels: number[] }> {
  const es = config.eventStore;
  const events =
    es.kind === 'sqlite'
      ? sqliteVersions(es.file, (db) => upTo(db.pragma('user_version', { simple: true }) as number))
      : es.kind === 'postgres'
        ? await postgresVersions(es.connectionString, `${EVENT_STORE_SCHEMA}.schema_migrations`)
        : null;
  const rm = config.readModels;
  const readModels =
    rm.kind === 'sqlite'
      ? sqliteVersions(rm.file, (db) => sqliteTableVersions(db, 'read_model_migrations'))
      : await postgresVersions(rm.connectionString, `${READ_MODEL_SCHEMA}.read_model_migrations`);
  return { events, readModels };
}

const where = (store: SanksiConfig['eventStore'] | SanksiConfig['readModels'], schema: string): string =>
  store.kind === 'sqlite' ? store.file : `PostgreSQL schema ${schema}`;

/** `sanksi migrate`: runs the schema migrations of the event store and the read models, and says which ran. */
export function register(program: Command, deps: CliDeps): void {
  program
    .command('migrate')
    .description(
      'Run the schema migrations of the event store and the read models (creating the data directory), and report which ran',
    )
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(MigrateOptions, raw);
      const out = deps.output(opts);
      const config = deps.config();
      const before = await recordedVersions(config);
      if (config.eventStore.kind === 'sqlite' || config.readModels.kind === 'sqlite')
        mkdirSync(config.dataDir, { recursive: true });
      // Opening the runtime is what migrates: the stores bring their schemas up to date before it returns.
      await withRuntime(deps, async () => undefined);
      const after = await recordedVersions(config);
      const names = new Map<string, string>([
        ...(config.eventStore.kind === 'postgres' ? postgresMigrations : []).map(
          (m) => [`events:${m.version}`, m.name] as [string, string],
        ),
        ...READ_MODEL_MIGRATIONS.map((m) => [`read:${m.version}`, m.name] as [string, string]),
      ]);
      const report = (
        store: StoreMigration['store'],
        prefix: string,
        at: string,
        was: number[],
        now: number[],
      ): StoreMigration => ({
        store,
        where: at,
        before: was,
        applied: now
          .filter((v) => !was.includes(v))
          .map((version) => ({ version, name: names.get(`${prefix}:${version}`) ?? null })),
        version: Math.max(0, ...now),
      });
      const stores: StoreMigration[] = [];
      if (before.events !== null && after.events !== null)
        stores.push(
          report(
            'event store',
            'events',
            where(config.eventStore, EVENT_STORE_SCHEMA),
            before.events,
            after.events,
          ),
        );
      stores.push(
        report(
          'read models',
          'read',
          where(config.readModels, READ_MODEL_SCHEMA),
          before.readModels,
          after.readModels,
        ),
      );
      const known = {
        events: config.eventStore.kind === 'postgres' ? postgresMigrations.length : sqliteMigrations.length,
        readModels: READ_MODEL_MIGRATIONS.length,
      };
      if (out.json) {
        out.data({ dataDir: config.dataDir, stores, known });
        return;
      }
      for (const s of stores) {
        const ran = s.applied.map((a) => (a.name ? `${a.version} (${a.name})` : String(a.version)));
        out.line(
          ran.length > 0
            ? `${s.store}: applied ${ran.join(', ')} — now at version ${s.version} (${s.where})`
            : `${s.store}: up to date at version ${s.version}, nothing to run (${s.where})`,
        );
      }
      if (config.eventStore.kind === 'eventstoredb')
        out.line('event store: EventStoreDB keeps no schema of ours, nothing to run');
    });
}
