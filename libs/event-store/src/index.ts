export type {
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
} from './core/event-store.port';
export { MAX_STREAMS_PER_READ } from './core/event-store.port';
export {
  AppendOutcomeUnknown,
  EventStoreClosed,
  EventStoreError,
  EventStoreMigrationFailed,
  EventStoreSchemaTooNew,
  CommandIdInUse,
  EventStoreStorageFull,
  EventStoreUnavailable,
  InvalidAppendRequest,
  InvalidReadRequest,
  UpcastFailed,
  WrongExpectedRevision,
} from './core/event-store.errors';
export { UpcasterRegistry, type Upcaster } from './core/upcaster.registry';
export { categoryOf } from './core/append-plan';
export { bulkAppendsOf, type BulkAppends, type BulkAppendsOptions } from './core/bulk-appends';
export { WriteTurns } from './core/write-turns';
export { sqliteMigrations, type SqliteMigration } from './sqlite/sqlite-schema';
export { SqliteEventStore, type SqliteEventStoreConfig } from './sqlite/sqlite-event-store';
export {
  INLINE_CHECKPOINT_PAGES_WITH_THREAD,
  type SqliteCheckpoints,
  WalCheckpointer,
} from './sqlite/wal-checkpointer';
export { PostgresEventStore, type PostgresEventStoreConfig } from './postgres/postgres-event-store';
export { postgresMigrations, type PostgresMigration } from './postgres/postgres-migrations';
export {
  DEFAULT_POSTGRES_TIMEOUTS,
  describePoolError,
  postgresPoolTimeouts,
  type PostgresTimeouts,
} from './postgres/postgres-timeouts';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreConfig,
} from './eventstoredb/eventstoredb-event-store';
export { createEventStore, type EventStoreConfig } from './create-event-store';
export {
  copySqliteToPostgres,
  StoreCopyRefused,
  type SqliteToPostgresCopy,
  type StoreCopyResult,
} from './copy/sqlite-to-postgres';
