import { PostgresSqlClient, type PostgresSqlClientOptions } from './postgres-sql.client';
import type { ReadModelStore } from './read-model-store.port';
import { type ReadModelTuning, SqlReadModelStore } from './sql-read-model.store';
import { SqliteSqlClient } from './sqlite-sql.client';

/** Where the read models live: an embedded SQLite file, or a PostgreSQL schema. */
export type ReadModelStoreConfig = (
  | { kind: 'sqlite'; file: string }
  | ({
      kind: 'postgres';
      connectionString: string;
      schema?: string;
      poolSize?: number;
    } & PostgresSqlClientOptions)
) & { tuning?: ReadModelTuning };

/** Builds the configured store; it migrates its schema lazily, before its first operation. */
export function createReadModelStore(config: ReadModelStoreConfig): ReadModelStore {
  switch (config.kind) {
    case 'sqlite':
      return new SqlReadModelStore(new SqliteSqlClient(config.file), undefined, config.tuning);
    case 'postgres': {
      const client = new PostgresSqlClient(
        config.connectionString,
        config.schema ?? 'read_models',
        config.poolSize,
        { timeouts: config.timeouts, logger: config.logger },
      );
      return new SqlReadModelStore(client, () => client.ensureSchema(), config.tuning);
    }
    default: {
      const unknown: never = config;
      throw new RangeError(`unknown read-model store kind ${JSON.stringify(unknown)}`);
    }
  }
}
