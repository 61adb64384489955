import type { EventStore } from './core/event-store.port';
import {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreConfig,
} from './eventstoredb/eventstoredb-event-store';
import { PostgresEventStore, type PostgresEventStoreConfig } from './postgres/postgres-event-store';
import { SqliteEventStore, type SqliteEventStoreConfig } from './sqlite/sqlite-event-store';

/** Which adapter to build, and its settings. */
export type EventStoreConfig =
  | ({ kind: 'sqlite' } & SqliteEventStoreConfig)
  | ({ kind: 'postgres' } & PostgresEventStoreConfig)
  | ({ kind: 'eventstoredb' } & EventStoreDbEventStoreConfig);

/** Builds the configured adapter; it connects lazily, so the first operation waits for set-up. */
export function createEventStore(config: EventStoreConfig): EventStore {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteEventStore(config);
    case 'postgres':
      return new PostgresEventStore(config);
    case 'eventstoredb':
      return new EventStoreDbEventStore(config);
    default: {
      const unknown: never = config;
      throw new RangeError(`Unknown event store kind ${JSON.stringify(unknown)}`);
    }
  }
}
