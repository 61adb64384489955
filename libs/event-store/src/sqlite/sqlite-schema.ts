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
  {
    version: 3,
    // A category's events in log order: a reader of one category (the traffic projector) seeks to its
    // next event instead of scanning every event after its checkpoint — without it a category with no
    // new events cost a scan of the whole log on every wake (docs/decisions/0009).
    sql: `CREATE INDEX events_category_position ON events (category, position);`,
  },
  {
    version: 4,
    // Where each stream begins (revision 0), in log order, with its category and id in the index itself:
    // a whole-population replay lists the cases that begin in its slice of the log without reading
    // their events (one entry per stream, so small beside the table).
    sql: `CREATE INDEX IF NOT EXISTS events_stream_starts ON events (position, category, stream_id) WHERE revision = 0;`,
  },
  {
    version: 5,
    // Only the ids recorded with the scope 'store' are looked up across streams, so only they are indexed
    // across streams (docs/decisions/0016): an id recorded for its own stream (a keyless command's, a
    // deadline's elapse, `simulate`'s and `import`'s keys) costs no entry there — 333 MB of the log at a
    // million systems. Records made before count as store-scoped (the default), so every id recorded so far
    // still refuses its reuse as it did.
    sql: `
      ALTER TABLE commands ADD COLUMN store_scoped INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX IF NOT EXISTS commands_store_scoped ON commands (command_id) WHERE store_scoped = 1;
      DROP INDEX IF EXISTS commands_command_id;
    `,
  },
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION = sqliteMigrations[sqliteMigrations.length - 1].version;
