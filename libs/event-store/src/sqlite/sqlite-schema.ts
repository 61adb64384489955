/** A versioned change to the SQLite schema; applied in order, tracked in `PRAGMA user_version`. */
export interface SqliteMigration {
  version: number;
  sql: string;
}

/**
 * `position` is the rowid: SQLite has one writer at a time, so commit order is position order and
 * a reader can never skip a row. `data`/`metadata` keep the exact JSON text that was appended.
 */
export const sqliteMigrations: readonly SqliteMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        stream_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        type TEXT NOT NULL,
        category TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX events_stream_revision ON events (stream_id, revision);
      CREATE TABLE commands (
        stream_id TEXT NOT NULL,
        command_id TEXT NOT NULL,
        next_expected_revision INTEGER NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (stream_id, command_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    // Looks an idempotency key up across streams (a key reused on another case is refused).
    sql: `CREATE INDEX commands_command_id ON commands (command_id);`,
  },
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = sqliteMigrations[sqliteMigrations.length - 1].version;
