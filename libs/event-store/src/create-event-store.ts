import type { EventStore } from './core/event-store.port';
import { SqliteEventStore, type SqliteEventStoreConfig } from './sqlite/sqlite-event-store';

/** Which adapter to build, and its settings. */
export type EventStoreConfig = { kind: 'sqlite' } & SqliteEventStoreConfig;

/** Builds the configured adapter; it opens lazily, so the first operation waits for set-up. */
export function createEventStore(config: EventStoreConfig): EventStore {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteEventStore(config);
    default: {
      const unknownKind: never = config.kind;
      throw new RangeError(`Unknown event store kind ${String(unknownKind)}`);
    }
  }
}
