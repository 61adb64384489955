import type { CaseSortColumn } from './read-model-store.port';
import {
  backdatedDeltaTablesSql,
  backdatedIncrements,
  dailyDeltaTablesSql,
  recordedDayTablesSql,
  recordedDeltaTablesSql,
} from './daily-series';
import type { CommitStep } from './sql-client';

/** The SQL dialects the read models are stored in. */
export type SqlDialect = 'sqlite' | 'postgres';

interface ColumnTypes {
  ts: string;
  big: string;
  real: string;
}

const TYPES: Record<SqlDialect, ColumnTypes> = {
  // SQLite keeps instants as UTC ISO-8601 text (`2022-07-30T03:00:00.000Z`): text order is time order.
  sqlite: { ts: 'TEXT', big: 'INTEGER', real: 'REAL' },
  postgres: { ts: 'TIMESTAMPTZ', big: 'BIGINT', real: 'DOUBLE PRECISION' },
};

/** A versioned schema step; applied once, in order, inside one transaction. */
export interface ReadModelMigration {
  version: number;
  name: string;
  statements(dialect: SqlDialect): string[];
}

/** The register's searchable text, as `getRegistry`'s free-text filter reads it: lower case, per column. */
export const REGISTRY_SEARCH_COLUMNS = [
  'lower(name)',
  "lower(coalesce(company, ''))",
  'lower(domains)',
  'lower(registration_number)',
] as const;

/** A case's searchable text, as `listCases`' free-text filter reads it: lower case, per column. */
export const CASE_SEARCH_COLUMNS = [
  'lower(name)',
  "lower(coalesce(company, ''))",
  'lower(domains)',
  'lower(pse_id)',
  "lower(coalesce(registration_number, ''))",
] as const;

/** The SQLite search indexes: each FTS5 table, the table whose rows it indexes, and the columns it indexes. */
const SEARCH_INDEXES = [
  { fts: 'registry_search', table: 'registry', cols: ['name', 'company', 'domains', 'registration_number'] },
  {
    fts: 'case_search',
    table: 'case_summary',
    cols: ['name', 'company', 'domains', 'pse_id', 'registration_number'],
  },
] as const;

/** Segments FTS5 merges at a time in the SQLite search indexes (its largest setting; read-model migration 20). */
export const SEARCH_AUTOMERGE = 16;

/** An instant after any real one, in the form both dialects read as a timestamp. */
export const FAR_FUTURE = '9999-12-31T23:59:59.999Z';

/** A case's next deadline as the deadline order compares it (a missing one last); migration 9 indexes it. */
export const DEADLINE_KEY = `coalesce(next_deadline_at, '${FAR_FUTURE}')`;

/** When a case's escalation became pending, a missing instant last: the escalation queue's "oldest" key. */
export const ESCALATION_SINCE = `coalesce(escalation_since, '${FAR_FUTURE}')`;

/**
 * A column folded to lower case as SQLite's `lower()` folds it: ASCII letters only. PostgreSQL's
 * `lower()` folds every letter (É → é), so a name order built on it would differ from SQLite's for
 * names with non-ASCII capitals; `translate` of the 26 letters is SQLite's fold, and immutable, so
 * it can be indexed.
 */
export const asciiLower = (dialect: SqlDialect, column: string): string =>
  dialect === 'sqlite'
    ? `lower(${column})`
    : `translate(${column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;

/**
 * One key of a case order: an expression of case_summary and how to read it back from a cursor; on SQLite, where
 * the expression is not a plain column, the generated column that holds it (migration 26).
 */
export interface CaseSortKey {
  expr: string;
  type: 'text' | 'number' | 'instant';
  sqliteColumn?: string;
}

/**
 * The case table's sort columns as case_summary expressions (the case id follows each as the
 * tie-break), the same on both dialects: text compares in byte order (PostgreSQL: `COLLATE "C"`, as
 * `listCases` adds), a missing deadline sorts after every real one. Migration 9 indexes each order.
 */
export function caseSortKeys(dialect: SqlDialect, column: CaseSortColumn): readonly CaseSortKey[] {
  switch (column) {
    case 'id':
      return [];
    case 'name':
      return [{ expr: asciiLower(dialect, 'name'), type: 'text', sqliteColumn: 'sort_name' }];
    case 'state':
      return [
        { expr: 'state', type: 'text' },
        { expr: "coalesce(substate, '')", type: 'text', sqliteColumn: 'sort_substate' },
      ];
    case 'policy':
      return [{ expr: 'policy_version', type: 'text' }];
    case 'deadline':
      return [{ expr: DEADLINE_KEY, type: 'instant', sqliteColumn: 'sort_deadline' }];
    case 'updated':
      return [{ expr: 'updated_at', type: 'instant' }];
    case 'outstanding':
      return [{ expr: 'fines_outstanding_idr', type: 'number' }];
    default: {
      const unknown: never = column;
      throw new Error(`unknown case order ${String(unknown)}`);
    }
  }
}

/**
 * A key of a case order as its pages compare it, one element of a row value (`(k1, k2, …) > (?, ?, …)`): on
 * SQLite a plain column (a row value range-scans an index over plain columns only), on PostgreSQL the
 * expression, in byte order where it is text (its row comparisons range-scan expression indexes too).
 */
export function caseOrderTerm(dialect: SqlDialect, key: CaseSortKey): string {
  if (dialect === 'sqlite') return key.sqliteColumn ?? key.expr;
  return key.type === 'text' ? byteOrder(dialect, key.expr) : key.expr;
}

/** The escalation queue's "oldest" key (ESCALATION_SINCE) as its pages compare it (`caseOrderTerm`). */
export const ESCALATION_SINCE_KEY: CaseSortKey = {
  expr: ESCALATION_SINCE,
  type: 'instant',
  sqliteColumn: 'sort_escalation',
};

/** A text key as both dialects compare it: in byte order (SQLite's default; PostgreSQL's "C" collation). */
export const byteOrder = (dialect: SqlDialect, expr: string): string =>
  dialect === 'postgres' ? `${expr} COLLATE "C"` : expr;

/** The cases of case_summary `s` whose traffic counts (open_cases_by_traffic): those not settled. */
export const OPEN_FOR_TRAFFIC = `s.state NOT IN ('registered', 'reRegistered', 'exempted')`;

/**
 * A case of case_summary `s` without a count of visits: settled, or none of its domains has visits in its latest
 * period — no row of open_cases_by_traffic with `visits`, asked of one case by index look-ups (the view computes every
 * case). One NOT EXISTS, the case's state inside it: PostgreSQL plans it as an anti join walked case by case, where
 * an OR beside it made a subplan of every case with traffic, hashed for each page (28 ms at 100,000 cases). After a
 * cursor (`afterId`: a `?` for the case id the walk resumes after), the domains are bounded by it too: PostgreSQL
 * merges the cases with their domains in id order and does not carry `s.pse_id > ?` over to them, so each page read
 * every domain before the cursor again (an export of 100,000 cases: 11 s, 167 s before migration 30).
 */
export const uncountedTraffic = (afterId: boolean): string => `NOT EXISTS (SELECT 1 FROM case_domains cd
  WHERE cd.pse_id = s.pse_id${afterId ? ' AND cd.pse_id > ?' : ''} AND cd.visits IS NOT NULL AND ${OPEN_FOR_TRAFFIC})`;

/**
 * The cases with a count of visits, each once, at its figure (the largest of its domains'): `t_pse_id`,
 * `traffic_visits`. A case's domain gives its row when no other of its domains has more visits (or as many, and a
 * lesser key), so a walk of the cases' domains by visits (`case_domains.visits`, migration 30), largest first, gives
 * the cases in the order of their figures and can stop at a page's end — whatever traffic is recorded of domains no
 * case has. Whether the case is open is the caller's to ask (`OPEN_FOR_TRAFFIC`): the figure of an open case is its
 * row of open_cases_by_traffic's `visits`.
 */
export const COUNTED_CASES = `SELECT cd.pse_id AS t_pse_id, cd.visits AS traffic_visits
  FROM case_domains cd
  WHERE cd.visits IS NOT NULL AND NOT EXISTS (SELECT 1 FROM case_domains cd2
    WHERE cd2.pse_id = cd.pse_id AND (cd2.visits > cd.visits OR (cd2.visits = cd.visits AND cd2.domain_key < cd.domain_key)))`;

/**
 * Sets `case_domains.visits` (migration 30) from traffic_latest_domains for the rows of `case_domains` the condition
 * `where` picks: the largest visits any spelling of the domain's key has in its latest period, null without. The
 * `+ 0` keeps PostgreSQL from answering `max(visits)` down the visits index, filtering every entry by the key: on
 * tables without statistics (a fresh import) it chose that, 65 s for 500 domains among 270,000.
 */
export const caseDomainVisits = (where: string): string =>
  `UPDATE case_domains SET visits = (SELECT max(tl.visits + 0) FROM traffic_latest_domains tl
    WHERE tl.domain_key = case_domains.domain_key) WHERE ${where}`;

/** PostgreSQL: the rest of the transaction finds its rows by index, never by a scan, whatever the statistics say. */
export const NO_SCANS = 'SET LOCAL enable_seqscan = off';

/** The lock on PostgreSQL under which traffic_latest_domains and `case_domains.visits` are written (`pg_advisory_xact_lock`). */
export const TRAFFIC_LATEST_LOCK = `SELECT pg_advisory_xact_lock(hashtext('sanksi.read-models.traffic-latest'))`;

// Traffic domains are matched on a key: lower case, without a leading "www.", as case_domains stores them (of
// traffic_observations `t`: the ingest stores keys, rows written earlier or by SQL may still carry either spelling).
export const TRAFFIC_KEY = `CASE WHEN lower(t.domain) LIKE 'www.%' THEN substr(lower(t.domain), 5) ELSE lower(t.domain) END`;

const initial: ReadModelMigration = {
  version: 1,
  name: 'initial read models',
  statements: (dialect) => {
    const { ts, big, real } = TYPES[dialect];
    return [
      `CREATE TABLE projection_checkpoints (
        name TEXT PRIMARY KEY,
        position ${big} NOT NULL,
        events_applied ${big} NOT NULL DEFAULT 0,
        updated_at ${ts} NOT NULL
      )`,
      `CREATE TABLE case_summary (
        pse_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        origin TEXT NOT NULL,
        company TEXT,
        sector TEXT,
        domains TEXT NOT NULL,
        state TEXT NOT NULL,
        substate TEXT,
        state_since ${ts} NOT NULL,
        on_blocklist INTEGER NOT NULL,
        registration_number TEXT,
        warnings INTEGER NOT NULL,
        blocks INTEGER NOT NULL,
        fines_imposed_idr ${big} NOT NULL,
        fines_paid_idr ${big} NOT NULL,
        fines_annulled_idr ${big} NOT NULL,
        fines_outstanding_idr ${big} NOT NULL,
        next_deadline_kind TEXT,
        next_deadline_at ${ts},
        next_deadline_fine_id TEXT,
        escalation_pending INTEGER NOT NULL,
        escalation_allowed TEXT NOT NULL,
        escalation_since ${ts},
        policy_version TEXT NOT NULL,
        version INTEGER NOT NULL,
        last_position ${big} NOT NULL,
        last_event_type TEXT NOT NULL,
        opened_at ${ts} NOT NULL,
        updated_at ${ts} NOT NULL,
        recorded_at ${ts} NOT NULL
      )`,
      `CREATE INDEX case_summary_state ON case_summary (state, pse_id)`,
      `CREATE INDEX case_summary_next_deadline ON case_summary (next_deadline_at)`,
      `CREATE TABLE case_domains (
        pse_id TEXT NOT NULL,
        domain_key TEXT NOT NULL,
        PRIMARY KEY (pse_id, domain_key)
      )`,
      `CREATE INDEX case_domains_key ON case_domains (domain_key)`,
      `CREATE TABLE case_timeline (
        pse_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        position ${big} NOT NULL,
        event_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        occurred_at ${ts} NOT NULL,
        recorded_at ${ts} NOT NULL,
        actor_id TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        state_after TEXT NOT NULL,
        substate_after TEXT,
        line TEXT NOT NULL,
        PRIMARY KEY (pse_id, revision)
      )`,
      `CREATE UNIQUE INDEX case_timeline_position ON case_timeline (position)`,
      `CREATE TABLE blocklist (
        domain TEXT NOT NULL,
        pse_id TEXT NOT NULL,
        since ${ts} NOT NULL,
        position ${big} NOT NULL,
        PRIMARY KEY (domain, pse_id)
      )`,
      `CREATE INDEX blocklist_case ON blocklist (pse_id)`,
      `CREATE TABLE blocklist_changes (
        position ${big} NOT NULL,
        domain TEXT NOT NULL,
        pse_id TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
        at ${ts} NOT NULL,
        event_id TEXT NOT NULL,
        PRIMARY KEY (position, domain, pse_id, action)
      )`,
      `CREATE TABLE state_transitions (
        position ${big} PRIMARY KEY,
        pse_id TEXT NOT NULL,
        business_date TEXT NOT NULL,
        from_state TEXT NOT NULL,
        from_substate TEXT,
        to_state TEXT NOT NULL,
        to_substate TEXT,
        event_type TEXT NOT NULL,
        occurred_at ${ts} NOT NULL
      )`,
      `CREATE INDEX state_transitions_date ON state_transitions (business_date)`,
      `CREATE INDEX state_transitions_case ON state_transitions (pse_id, position)`,
      `CREATE TABLE state_counts_daily (
        business_date TEXT NOT NULL,
        state TEXT NOT NULL,
        entered ${big} NOT NULL,
        exited ${big} NOT NULL,
        PRIMARY KEY (business_date, state)
      )`,
      `CREATE TABLE transitions_daily (
        business_date TEXT NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        count ${big} NOT NULL,
        PRIMARY KEY (business_date, from_state, to_state)
      )`,
      `CREATE TABLE fines (
        pse_id TEXT NOT NULL,
        fine_id TEXT NOT NULL,
        decision_number TEXT,
        amount_idr ${big} NOT NULL CHECK (amount_idr >= 0),
        imposed_at ${ts} NOT NULL,
        payment_deadline ${ts},
        paid_idr ${big} NOT NULL,
        last_paid_at ${ts},
        annulled_at ${ts},
        annulment_reason TEXT,
        status TEXT NOT NULL,
        PRIMARY KEY (pse_id, fine_id)
      )`,
      `CREATE TABLE fines_monthly (
        month TEXT PRIMARY KEY,
        imposed_count ${big} NOT NULL,
        imposed_idr ${big} NOT NULL,
        paid_count ${big} NOT NULL,
        paid_idr ${big} NOT NULL,
        annulled_count ${big} NOT NULL,
        annulled_idr ${big} NOT NULL
      )`,
      `CREATE TABLE warning_to_registration (
        pse_id TEXT PRIMARY KEY,
        warned_at ${ts} NOT NULL,
        letter_number TEXT,
        submitted_at ${ts},
        registered_at ${ts},
        seconds ${big},
        days ${real}
      )`,
      `CREATE TABLE deadlines (
        pse_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        due_at ${ts} NOT NULL,
        fine_id TEXT NOT NULL DEFAULT '',
        case_state TEXT NOT NULL,
        PRIMARY KEY (pse_id, kind, fine_id, due_at)
      )`,
      `CREATE INDEX deadlines_due ON deadlines (due_at)`,
      `CREATE TABLE registry (
        pse_id TEXT PRIMARY KEY,
        registration_number TEXT NOT NULL,
        name TEXT NOT NULL,
        company TEXT,
        sector TEXT,
        origin TEXT NOT NULL,
        domains TEXT NOT NULL,
        status TEXT NOT NULL,
        registered_at ${ts} NOT NULL,
        updated_at ${ts} NOT NULL
      )`,
      `CREATE INDEX registry_number ON registry (registration_number)`,
      `CREATE INDEX registry_name ON registry (name, pse_id)`,
      `CREATE TABLE traffic_observations (
        domain TEXT NOT NULL,
        period TEXT NOT NULL,
        visits ${big},
        rank INTEGER,
        source TEXT,
        PRIMARY KEY (domain, period)
      )`,
      `CREATE VIEW traffic_latest AS
        SELECT t.domain, ${TRAFFIC_KEY} AS domain_key, t.period, t.visits, t.rank, t.source
        FROM traffic_observations t
        WHERE t.period = (SELECT max(t2.period) FROM traffic_observations t2 WHERE t2.domain = t.domain)`,
      `CREATE VIEW discovery_candidates AS
        SELECT l.domain, l.period, l.visits, l.rank, l.source
        FROM traffic_latest l
        WHERE NOT EXISTS (SELECT 1 FROM case_domains d WHERE d.domain_key = l.domain_key)`,
      `CREATE VIEW open_cases_by_traffic AS
        SELECT s.pse_id, s.name, s.state, s.substate, s.on_blocklist,
               max(l.visits) AS visits, min(l.rank) AS best_rank, max(l.period) AS period
        FROM case_summary s
        JOIN case_domains d ON d.pse_id = s.pse_id
        JOIN traffic_latest l ON l.domain_key = d.domain_key
        WHERE ${OPEN_FOR_TRAFFIC}
        GROUP BY s.pse_id, s.name, s.state, s.substate, s.on_blocklist`,
      `CREATE VIEW escalation_queue AS
        SELECT s.pse_id, s.name, s.state, s.substate, s.escalation_since, s.escalation_allowed,
               s.warnings, s.blocks, o.visits, o.best_rank
        FROM case_summary s
        LEFT JOIN open_cases_by_traffic o ON o.pse_id = s.pse_id
        WHERE s.escalation_pending = 1`,
    ];
  },
};

// Every batch maintains every index; these three served no query of the store, the API or the
// documented analyst queries (timelines are read by case and revision, the register is searched by
// name with LIKE, transitions are counted through the daily tables). The timeline's primary key
// still refuses an event projected twice.
const dropUnusedIndexes: ReadModelMigration = {
  version: 2,
  name: 'drop indexes no query uses',
  statements: () => [
    `DROP INDEX IF EXISTS case_timeline_position`,
    `DROP INDEX IF EXISTS registry_number`,
    `DROP INDEX IF EXISTS state_transitions_case`,
  ],
};

// One following projector per checkpoint holds the lease and renews it; other processes (a CLI
// command, a second server) see it and wait for that projector instead of writing beside it.
const projectorLeases: ReadModelMigration = {
  version: 3,
  name: 'projector leases',
  statements: (dialect) => [
    `CREATE TABLE IF NOT EXISTS projector_leases (
      name TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      expires_at_ms ${TYPES[dialect].big} NOT NULL
    )`,
  ],
};

// Issue 14 A (docs/decisions/0007): a case may name public IP addresses and app-store ids and no
// domain. The blocklist lists a blocked case's IPs beside its domains (kind 'ip'; the address stays
// in the column named domain), and so does the change feed; case_addresses keeps each case's app ids
// and IPs for the case and register searches (only cases that name any have rows). Rows from before
// are domains. Cases projected before this version show their IPs once the projections are rebuilt.
const blocklistAddresses: ReadModelMigration = {
  version: 4,
  name: 'blocklist by IP address; case app ids and IP addresses',
  statements: () => {
    const kind = `kind TEXT NOT NULL DEFAULT 'domain' CHECK (kind IN ('domain', 'ip'))`;
    return [
      `ALTER TABLE blocklist ADD COLUMN ${kind}`,
      `ALTER TABLE blocklist_changes ADD COLUMN ${kind}`,
      `ALTER TABLE case_summary ADD COLUMN app_ids TEXT NOT NULL DEFAULT '[]'`,
      `ALTER TABLE case_summary ADD COLUMN ip_addresses TEXT NOT NULL DEFAULT '[]'`,
      `CREATE TABLE IF NOT EXISTS case_addresses (
        pse_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('app-id', 'ip')),
        address TEXT NOT NULL,
        PRIMARY KEY (pse_id, kind, address)
      )`,
      `CREATE INDEX IF NOT EXISTS case_addresses_address ON case_addresses (address)`,
    ];
  },
};

// Queries at national scale (issue 10, docs/benchmarks.md "Queries at scale"). Register search by
// substring was a LIKE scan of every row; a trigram index finds the candidates and the old predicate
// still decides, so the results are exactly those of the scan. Population counts "as of now" were a
// scan of every timeline row; when the newest business and record times show that the bounds admit
// every event, the answer is the current states, counted as the projector moves cases between them.
const queriesAtScale: ReadModelMigration = {
  version: 6,
  name: 'queries at scale: registry trigram search, timeline bounds, cases per state',
  statements: (dialect) => {
    const { ts, big } = TYPES[dialect];
    const bounds = [
      `CREATE TABLE IF NOT EXISTS timeline_bounds (
        name TEXT PRIMARY KEY,
        max_occurred_at ${ts} NOT NULL,
        max_recorded_at ${ts} NOT NULL
      )`,
      `INSERT INTO timeline_bounds (name, max_occurred_at, max_recorded_at)
        SELECT 'timeline', max(occurred_at), max(recorded_at) FROM case_timeline HAVING count(*) > 0`,
      `CREATE TABLE IF NOT EXISTS case_state_counts (state TEXT PRIMARY KEY, cases ${big} NOT NULL)`,
      `INSERT INTO case_state_counts (state, cases) SELECT state, count(*) FROM case_summary GROUP BY state`,
    ];
    if (dialect === 'postgres') {
      // pg_trgm's GIN indexes serve LIKE '%q%' on each lowered column directly; the query is unchanged.
      // The extension is per database: installed once into public, whatever schema the store uses.
      return [
        `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`,
        ...REGISTRY_SEARCH_COLUMNS.map(
          (c, i) =>
            `CREATE INDEX IF NOT EXISTS registry_search_${i} ON registry USING gin (${c} public.gin_trgm_ops)`,
        ),
        ...bounds,
      ];
    }
    // An FTS5 index of trigrams over the register's own rows (external content: no second copy of
    // the text), kept in step by triggers on every write the projector makes.
    const cols = 'name, company, domains, registration_number';
    const row = (r: 'new' | 'old') =>
      `${r}.rowid, ${r}.name, ${r}.company, ${r}.domains, ${r}.registration_number`;
    return [
      `CREATE VIRTUAL TABLE registry_search USING fts5(${cols}, content='registry', content_rowid='rowid', tokenize='trigram')`,
      `CREATE TRIGGER registry_search_insert AFTER INSERT ON registry BEGIN
        INSERT INTO registry_search (rowid, ${cols}) VALUES (${row('new')}); END`,
      `CREATE TRIGGER registry_search_delete AFTER DELETE ON registry BEGIN
        INSERT INTO registry_search (registry_search, rowid, ${cols}) VALUES ('delete', ${row('old')}); END`,
      `CREATE TRIGGER registry_search_update AFTER UPDATE ON registry BEGIN
        INSERT INTO registry_search (registry_search, rowid, ${cols}) VALUES ('delete', ${row('old')});
        INSERT INTO registry_search (rowid, ${cols}) VALUES (${row('new')}); END`,
      `INSERT INTO registry_search (registry_search) VALUES ('rebuild')`,
      ...bounds,
    ];
  },
};

// Issue 14: traffic observations are facts in the log (TrafficObserved, docs/decisions/0008), one per
// (domain, period, source); this table is now their projection (checkpoint `traffic-observations`). Several
// sources may observe one domain in one period: the latest period's figures are the largest visits and
// the best rank any source gave. Rows written before (no source) keep an empty source.
const TRAFFIC_LATEST = `CREATE VIEW traffic_latest AS
  SELECT t.domain, ${TRAFFIC_KEY} AS domain_key, t.period, max(t.visits) AS visits, min(t.rank) AS rank,
         min(t.source) AS source
  FROM traffic_observations t
  WHERE t.period = (SELECT max(t2.period) FROM traffic_observations t2 WHERE t2.domain = t.domain)
  GROUP BY t.domain, t.period`;

const trafficObservationsBySource: ReadModelMigration = {
  version: 5,
  name: 'traffic observations keyed by (domain, period, source)',
  statements: (dialect) => {
    if (dialect === 'postgres') {
      return [
        `UPDATE traffic_observations SET source = '' WHERE source IS NULL`,
        `ALTER TABLE traffic_observations ALTER COLUMN source SET DEFAULT ''`,
        `ALTER TABLE traffic_observations ALTER COLUMN source SET NOT NULL`,
        `ALTER TABLE traffic_observations DROP CONSTRAINT traffic_observations_pkey`,
        `ALTER TABLE traffic_observations ADD PRIMARY KEY (domain, period, source)`,
        TRAFFIC_LATEST.replace('CREATE VIEW', 'CREATE OR REPLACE VIEW'),
      ];
    }
    // SQLite cannot change a primary key: copy aside, recreate, copy back (no RENAME, which would check
    // the views that read the table while it is missing). Views bind by name when used.
    const { big } = TYPES[dialect];
    const table = (name: string) => `CREATE TABLE ${name} (
        domain TEXT NOT NULL,
        period TEXT NOT NULL,
        visits ${big},
        rank INTEGER,
        source TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (domain, period, source)
      )`;
    return [
      table('traffic_observations_v5'),
      `INSERT INTO traffic_observations_v5 (domain, period, visits, rank, source)
        SELECT domain, period, visits, rank, coalesce(source, '') FROM traffic_observations`,
      `DROP VIEW traffic_latest`,
      `DROP TABLE traffic_observations`,
      table('traffic_observations'),
      `INSERT INTO traffic_observations SELECT * FROM traffic_observations_v5`,
      `DROP TABLE traffic_observations_v5`,
      TRAFFIC_LATEST,
    ];
  },
};

// Issue 10 (docs/benchmarks.md "A million systems"): the projector upserts a registered case's register
// row whenever the case changes, and the update trigger of migration 6 deleted and re-inserted its
// trigrams every time, the text unchanged. Now only a change of an indexed column (or of the rowid)
// re-indexes it; what the index holds is the same. PostgreSQL's GIN indexes need no trigger: nothing to do.
const registrySearchOnChange: ReadModelMigration = {
  version: 7,
  name: 'registry search: re-index a register row only when its text changed',
  statements: (dialect) => {
    if (dialect === 'postgres') return [];
    const cols = 'name, company, domains, registration_number';
    const row = (r: 'new' | 'old') =>
      `${r}.rowid, ${r}.name, ${r}.company, ${r}.domains, ${r}.registration_number`;
    const changed = ['name', 'company', 'domains', 'registration_number']
      .map((c) => `old.${c} IS NOT new.${c}`)
      .join(' OR ');
    return [
      `DROP TRIGGER IF EXISTS registry_search_update`,
      `CREATE TRIGGER registry_search_update AFTER UPDATE ON registry WHEN ${changed} OR old.rowid IS NOT new.rowid BEGIN
        INSERT INTO registry_search (registry_search, rowid, ${cols}) VALUES ('delete', ${row('old')});
        INSERT INTO registry_search (rowid, ${cols}) VALUES (${row('new')}); END`,
    ];
  },
};

// Issue 10 (docs/benchmarks.md "Queries at scale"): `GET /v1/cases?q=` was a LIKE scan of every case,
// as the register's search was before migration 6; it gets the same treatment. On SQLite an FTS5
// trigram index over the case table's own rows (external content) picks the candidates and the old
// predicate still decides; on PostgreSQL pg_trgm GIN indexes serve the unchanged LIKE. The projector
// rewrites a case's row on every event: the update trigger re-indexes only when a searched column
// changed, so an event that leaves the text alone costs the index nothing.
const caseSearch: ReadModelMigration = {
  version: 8,
  name: 'case search: trigram index of case_summary',
  statements: (dialect) => {
    if (dialect === 'postgres') {
      return [
        `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`,
        ...CASE_SEARCH_COLUMNS.map(
          (c, i) =>
            `CREATE INDEX IF NOT EXISTS case_search_${i} ON case_summary USING gin (${c} public.gin_trgm_ops)`,
        ),
      ];
    }
    const cols = 'name, company, domains, pse_id, registration_number';
    const row = (r: 'new' | 'old') =>
      `${r}.rowid, ${r}.name, ${r}.company, ${r}.domains, ${r}.pse_id, ${r}.registration_number`;
    const changed = ['name', 'company', 'domains', 'pse_id', 'registration_number']
      .map((c) => `old.${c} IS NOT new.${c}`)
      .join(' OR ');
    return [
      `CREATE VIRTUAL TABLE case_search USING fts5(${cols}, content='case_summary', content_rowid='rowid', tokenize='trigram')`,
      `CREATE TRIGGER case_search_insert AFTER INSERT ON case_summary BEGIN
        INSERT INTO case_search (rowid, ${cols}) VALUES (${row('new')}); END`,
      `CREATE TRIGGER case_search_delete AFTER DELETE ON case_summary BEGIN
        INSERT INTO case_search (case_search, rowid, ${cols}) VALUES ('delete', ${row('old')}); END`,
      `CREATE TRIGGER case_search_update AFTER UPDATE ON case_summary WHEN ${changed} OR old.rowid IS NOT new.rowid BEGIN
        INSERT INTO case_search (case_search, rowid, ${cols}) VALUES ('delete', ${row('old')});
        INSERT INTO case_search (rowid, ${cols}) VALUES (${row('new')}); END`,
      `INSERT INTO case_search (case_search) VALUES ('rebuild')`,
    ];
  },
};

// Issue 10: `GET /v1/cases?sort=` sorted every matching case to return a page (a top-N sort over the
// whole table for an unfiltered list); each order now has an index of its keys and the case id, so a
// page is a walk of the index from the cursor. The register's order (name, case id) gets byte order
// on PostgreSQL too, as on SQLite, whatever the database's collation.
const sortIndexes: ReadModelMigration = {
  version: 9,
  name: 'indexes of the case orders; the register in byte order on PostgreSQL',
  statements: (dialect) => {
    const element = (key: CaseSortKey) => {
      const bare = /^[a-z_]+$/.test(key.expr);
      const expr = bare ? key.expr : `(${key.expr})`;
      return key.type === 'text' ? byteOrder(dialect, expr) : expr;
    };
    const id = byteOrder(dialect, 'pse_id');
    const columns: CaseSortColumn[] = ['name', 'state', 'policy', 'deadline', 'updated', 'outstanding'];
    return [
      ...columns.map(
        (c) =>
          `CREATE INDEX IF NOT EXISTS case_summary_by_${c} ON case_summary (${[...caseSortKeys(dialect, c).map(element), id].join(', ')})`,
      ),
      ...(dialect === 'postgres'
        ? [
            `CREATE INDEX IF NOT EXISTS registry_name_bytes ON registry (name COLLATE "C", pse_id COLLATE "C")`,
          ]
        : []),
    ];
  },
};

// Issue 10 (docs/benchmarks.md, "PostgreSQL read models at a million"): a GIN index takes new entries into
// a pending list, merged into its tree when the list passes `gin_pending_list_limit` (4 MB by default) or
// at a vacuum, and every search reads the whole list. With the projector writing cases all day the search
// indexes carried a thousand pending pages, and a search that takes 0.3 ms on a clean index took 5–40 ms.
// A 256 kB list keeps the inserts batched and the search's extra reading to a few pages. SQLite: nothing.
const ginPendingLists: ReadModelMigration = {
  version: 10,
  name: 'search indexes: short GIN pending lists on PostgreSQL',
  statements: (dialect) =>
    dialect === 'postgres'
      ? [
          ...REGISTRY_SEARCH_COLUMNS.map(
            (_, i) => `ALTER INDEX IF EXISTS registry_search_${i} SET (gin_pending_list_limit = 256)`,
          ),
          ...CASE_SEARCH_COLUMNS.map(
            (_, i) => `ALTER INDEX IF EXISTS case_search_${i} SET (gin_pending_list_limit = 256)`,
          ),
        ]
      : [],
};

// Issue 10: the daily series read the whole timeline per request (0.3–3 s at 100,000 systems, growing with
// the log). The projector now keeps each business date's effective changes (docs/read-models.md, "Daily
// series"), filled here from the timeline as it stands. They replace state_counts_daily, whose entries and
// exits no query read and no retraction could correct.
const dailyDeltas: ReadModelMigration = {
  version: 11,
  name: 'daily series kept by the projector',
  statements: (dialect) => [
    ...dailyDeltaTablesSql(dialect, TYPES[dialect].big),
    `DROP TABLE IF EXISTS state_counts_daily`,
  ],
};

// Issue 10: the warning-to-registration figures sorted the whole table for every page and its median (20–30 ms
// at 100,000 systems, 76 ms p99 under load). The page walks its order, the median and the mean read the
// registered cases' seconds alone.
const warningToRegistrationOrders: ReadModelMigration = {
  version: 12,
  name: 'warning-to-registration: indexes of its page order and of the registered seconds',
  statements: () => [
    `CREATE INDEX IF NOT EXISTS warning_to_registration_warned ON warning_to_registration (warned_at, pse_id)`,
    `CREATE INDEX IF NOT EXISTS warning_to_registration_seconds ON warning_to_registration (seconds)
      WHERE seconds IS NOT NULL`,
  ],
};

// Issue 10: the escalation queue found its cases by reading every case_summary row (11 ms at 100,000
// systems). Only pending cases are in this index, in the order "oldest first" pages them (the expression
// is getEscalationQueue's own), so that order is a walk and the traffic order sorts the pending cases alone.
const escalationQueueIndex: ReadModelMigration = {
  version: 13,
  name: 'escalation queue: an index of the pending cases, oldest first',
  statements: () => [
    `CREATE INDEX IF NOT EXISTS case_summary_escalation
      ON case_summary (${ESCALATION_SINCE}, pse_id) WHERE escalation_pending = 1`,
  ],
};

// Issue 10: the figures over every warned case (how many, how many registered, their mean) counted the whole
// table per request: 22 ms at a million systems, most of it reading pages. The projector now keeps them.
const warningToRegistrationTotals: ReadModelMigration = {
  version: 14,
  name: 'warning-to-registration totals kept by the projector',
  statements: (dialect) => {
    const { big } = TYPES[dialect];
    return [
      `CREATE TABLE IF NOT EXISTS warning_to_registration_totals (
        name TEXT PRIMARY KEY,
        cases ${big} NOT NULL,
        registered ${big} NOT NULL,
        seconds ${big} NOT NULL
      )`,
      `INSERT INTO warning_to_registration_totals (name, cases, registered, seconds)
        SELECT 'all', count(*), count(seconds), coalesce(sum(seconds), 0) FROM warning_to_registration
        HAVING count(*) > 0`,
    ];
  },
};

// Issue 10: the daily series as known at an earlier instant read the whole timeline (2.5–4.5 s at a million
// systems). The kept deltas answer it when few events were recorded after the instant, and this index finds
// them (docs/read-models.md, "Daily series").
const timelineByRecordTime: ReadModelMigration = {
  version: 15,
  name: 'case timeline by record time',
  statements: () => [`CREATE INDEX IF NOT EXISTS case_timeline_recorded ON case_timeline (recorded_at)`],
};

// Issue 10: the registered cases per whole day from warning to registration (the console's distribution) were
// grouped from the whole table per request: 18–36 ms at a million systems. The projector now keeps them.
const warningToRegistrationDays: ReadModelMigration = {
  version: 16,
  name: 'warning-to-registration days kept by the projector',
  statements: (dialect) => [
    `CREATE TABLE IF NOT EXISTS warning_to_registration_days (
      days INTEGER PRIMARY KEY,
      cases ${TYPES[dialect].big} NOT NULL
    )`,
    `INSERT INTO warning_to_registration_days (days, cases)
      SELECT seconds / 86400, count(*) FROM warning_to_registration WHERE seconds IS NOT NULL GROUP BY seconds / 86400`,
  ],
};

// A rebuild sets indexes aside (rebuild-deferred.ts) and records them here — a table once created by the
// first rebuild, now by this migration — with the projector that set them aside: while its lease is live,
// another process opening the store leaves them aside instead of putting them back mid-replay.
const rebuildDeferredHolder: ReadModelMigration = {
  version: 17,
  name: 'indexes set aside by a rebuild, with its holder',
  statements: () => [
    `CREATE TABLE IF NOT EXISTS rebuild_deferred (
      name TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      sql TEXT NOT NULL
    )`,
    `ALTER TABLE rebuild_deferred ADD COLUMN holder TEXT`,
  ],
};

// Issue 10: the projector rewrites a case's row on every event, and nearly every event moves its next deadline, so
// each index over that column is an entry deleted and inserted per event. `case_summary_by_deadline` (migration
// 9: the deadline with a missing one as the far future, then the case id) already orders the cases by deadline;
// the `deadlineBefore` filter now reads that index's expression, and the older index on the bare column goes.
const oneDeadlineIndex: ReadModelMigration = {
  version: 18,
  name: "case deadlines: one index, the deadline order's",
  statements: () => [`DROP INDEX IF EXISTS case_summary_next_deadline`],
};

// Issue 10: the deadline scheduler reads the due deadlines a page at a time in (due instant, case, kind, fine)
// order, on the request loop. Over an index of the instant alone every page gathered every due deadline, looked
// up each one's case and sorted them all to return the first 200: under commands that warn at 2,000 a second
// (each a deadline due at once) a page took 24 ms at a million systems and 9 ms on an empty store. Over the
// whole order a page is a walk of the index from the cursor, and only its own rows meet their case.
const dueDeadlinesInOrder: ReadModelMigration = {
  version: 19,
  name: 'due deadlines: an index of their whole order',
  statements: () => [
    `DROP INDEX IF EXISTS deadlines_due`,
    `CREATE INDEX deadlines_due ON deadlines (due_at, pse_id, kind, fine_id)`,
  ],
};

// Issue 10: SQLite's FTS5 writes each transaction's new terms as a small segment and, by default, merges segments
// four at a time (`automerge` 4), so every row of the search indexes is rewritten once per level: 100,000 new
// cases into a million cost 224–285 µs a row (its insert's share of the merges, and its commit's) against 87–180
// µs with merges of sixteen, FTS5's largest setting — fewer levels, each row rewritten about half as often.
// Searches read more segments per level; at a million cases they measured the same (docs/benchmarks.md, "The
// search indexes at a million"). A setting of the index itself, kept through resets and rebuilds.
const searchIndexMerges: ReadModelMigration = {
  version: 20,
  name: 'search indexes: segments merged sixteen at a time (SQLite)',
  statements: (dialect) =>
    dialect === 'sqlite'
      ? [
          `INSERT INTO registry_search (registry_search, rank) VALUES ('automerge', ${SEARCH_AUTOMERGE})`,
          `INSERT INTO case_search (case_search, rank) VALUES ('automerge', ${SEARCH_AUTOMERGE})`,
        ]
      : [],
};

// Issue 10: with merges of sixteen the case search index was still the projector's largest cost at a million
// cases (a new case's row 180–285 µs, 23 µs without the index): a trigram index with positions (FTS5's default,
// `detail=full`) keeps every trigram's offsets, six times the bytes of the rowids alone, and merges rewrite them
// all. The searches never needed them: the LIKE filter judges every candidate, so the candidates may be the rows
// holding all of a text's trigrams (`"sho" AND "hop"`) rather than the phrase. Both search indexes are built again
// without positions: at a million cases 66 against 396 MB, a new case's row 108 µs, the same searches measured
// within a millisecond (docs/benchmarks.md, "The search indexes at a million"). The triggers that keep them stay
// as they are; they name the index, not its layout.
const searchIndexesWithoutPositions: ReadModelMigration = {
  version: 21,
  name: 'search indexes: trigrams without positions (SQLite)',
  statements: (dialect) =>
    dialect === 'sqlite'
      ? SEARCH_INDEXES.flatMap(({ fts, table, cols }) => [
          `DROP TABLE ${fts}`,
          `CREATE VIRTUAL TABLE ${fts} USING fts5(${cols.join(', ')}, content='${table}', content_rowid='rowid', tokenize='trigram', detail='none')`,
          `INSERT INTO ${fts} (${fts}, rank) VALUES ('automerge', ${SEARCH_AUTOMERGE})`,
          `INSERT INTO ${fts} (${fts}) VALUES ('rebuild')`,
        ])
      : [],
};

/** The triggers of migration 22: a write of a searched table notes the row in its index's queue. */
function queuedSearchTriggers(fts: string, table: string, cols: readonly string[]): Record<string, string> {
  const old = cols.map((c) => `old.${c}`).join(', ');
  const changed = cols.map((c) => `old.${c} IS NOT new.${c}`).join(' OR ');
  const queue = `${fts}_pending`;
  return {
    [`${fts}_insert`]: `CREATE TRIGGER ${fts}_insert AFTER INSERT ON ${table} BEGIN
        INSERT INTO ${queue} (rid, indexed) VALUES (new.rowid, 0); END`,
    [`${fts}_delete`]: `CREATE TRIGGER ${fts}_delete AFTER DELETE ON ${table} BEGIN
        INSERT INTO ${queue} (rid, indexed, ${cols.join(', ')}) VALUES (old.rowid, 1, ${old}); END`,
    [`${fts}_update`]: `CREATE TRIGGER ${fts}_update AFTER UPDATE ON ${table} WHEN ${changed} OR old.rowid IS NOT new.rowid BEGIN
        INSERT INTO ${queue} (rid, indexed, ${cols.join(', ')}) VALUES (old.rowid, 1, ${old});
        INSERT INTO ${queue} (rid, indexed) VALUES (new.rowid, 0); END`,
  };
}

/**
 * What a write transaction runs before it commits to bring the SQLite search indexes up to its rows (migration
 * 22): for each index whose queue holds rows, the old text of every queued row that was indexed when the queue
 * was last empty (its first entry carries it) is deleted from the index, then every queued row still in its
 * table is indexed as it now is, both in rowid order, and the queue is emptied. Right for any run of writes since
 * the last flush: a row inserted and updated, deleted, or deleted and its rowid taken again.
 */
export const SEARCH_INDEX_FLUSH: readonly CommitStep[] = SEARCH_INDEXES.map(({ fts, table, cols }) => {
  const queue = `${fts}_pending`;
  const list = cols.join(', ');
  return {
    when: `SELECT 1 FROM ${queue} LIMIT 1`,
    run: [
      `INSERT INTO ${fts} (${fts}, rowid, ${list})
        SELECT 'delete', rid, ${list} FROM ${queue} p
        WHERE indexed = 1 AND NOT EXISTS (SELECT 1 FROM ${queue} e WHERE e.rid = p.rid AND e.seq < p.seq)
        ORDER BY rid`,
      `INSERT INTO ${fts} (rowid, ${list}) SELECT rowid, ${list} FROM ${table} WHERE rowid IN (SELECT rid FROM ${queue}) ORDER BY rowid`,
      `DELETE FROM ${queue}`,
    ],
  };
});

// Issue 10: a new case's row cost the projector 80–97 µs on SQLite, 20 µs without its search index, and a re-index
// of a row whose text changed more: the triggers wrote each row into its FTS5 index at once. FTS5 keeps a
// transaction's new terms in memory and writes them out as one segment at commit — but it writes them out early
// whenever a statement opens a savepoint (any statement whose triggers write a second table does) and whenever a
// row comes with a rowid lower than the last one it took (the projector writes cases in the log's order, not the
// rowid's). So every row became a segment of its own, then merged. Now the triggers note the row in a queue (its
// old text when it was indexed) and the transaction indexes the queue in rowid order just before it commits
// (`SEARCH_INDEX_FLUSH`, run by the SQLite client): the same index after every commit, two segments a
// transaction. A new case's search-index write measured 45–50 → 10–13 µs, a re-index 88–107 → 60–64 µs (bare
// table, docs/benchmarks.md "The search indexes written at commit"). A rebuild that set the triggers aside keeps
// their SQL in `rebuild_deferred`: the new text replaces the old there too.
const searchIndexesAtCommit: ReadModelMigration = {
  version: 22,
  name: 'search indexes: rows queued by the triggers, indexed in rowid order at commit (SQLite)',
  statements: (dialect) =>
    dialect === 'sqlite'
      ? SEARCH_INDEXES.flatMap(({ fts, table, cols }) => {
          const triggers = queuedSearchTriggers(fts, table, cols);
          return [
            `CREATE TABLE ${fts}_pending (seq INTEGER PRIMARY KEY, rid INTEGER NOT NULL, indexed INTEGER NOT NULL, ${cols.join(', ')})`,
            `CREATE INDEX ${fts}_pending_rid ON ${fts}_pending (rid, seq)`,
            ...Object.entries(triggers).flatMap(([name, sql]) => [
              `DROP TRIGGER IF EXISTS ${name}`,
              sql,
              `UPDATE rebuild_deferred SET sql = '${sql.replace(/'/g, "''")}' WHERE name = '${name}'`,
            ]),
          ];
        })
      : [],
};

// Issue 10: a series or a population as known at an earlier instant read every timeline the later events
// touched, or the whole history (seconds at a million systems). The projector now keeps each increment of the
// daily deltas under its event's record time too (decision 0019); complete for instants from the timeline's
// newest record time at this migration on (a rebuild makes them complete from the start).
const recordedDeltas: ReadModelMigration = {
  version: 23,
  name: 'daily deltas kept by record time, and the record-order descents',
  statements: (dialect) => recordedDeltaTablesSql(dialect, TYPES[dialect].big, TYPES[dialect].ts),
};

// Issue 10: an early instant's series summed every change recorded by it (~280,000 rows by 1 August 2022 of a
// million systems recorded live, 0.4–0.5 s). The same changes are now kept summed per UTC date of record too
// (decision 0019, "Dates of record"): the instant's own date is read by instant, the others a few rows each.
const recordedDays: ReadModelMigration = {
  version: 24,
  name: 'daily deltas kept by record time, summed per date of record',
  statements: (dialect) => recordedDayTablesSql(dialect, TYPES[dialect].big),
};

// Issue 10: a backdated event (an import or a simulation of the past) was kept by business date only, so after
// one every instant within its history read the timelines (seconds at a million simulated systems). Its
// increments are now kept by record time too, in tables of their own appended as they come (decision 0019,
// "Backdated events kept apart"); the bound earlier ones raised stays until a rebuild.
const backdatedDeltas: ReadModelMigration = {
  version: 25,
  name: 'backdated events kept by record time, appended',
  statements: (dialect) => backdatedDeltaTablesSql(TYPES[dialect].big, TYPES[dialect].ts),
};

// Issue 10: a page of a case order started its walk at the first key's bound and read again every row before the
// cursor that shares that key (the ORs of a keyset), so a page deep in a large group (a million cases in one state,
// one policy, without a deadline, or pending escalation) cost the rows before it: 239 ms against 19 at a million
// cases, an export by state 95 s. A row value starts the walk at the cursor, but SQLite range-scans one only over
// plain columns: the expression keys become generated columns (VIRTUAL: computed as read, stored only in the
// indexes), and the orders' indexes are built over them. PostgreSQL range-scans its expression indexes with a
// row value as they are (migration 9, 13): nothing. A rebuild's deferred copies of the replaced indexes are
// forgotten, since the index is built here again.
const rowValueOrders: ReadModelMigration = {
  version: 26,
  name: 'case orders and the escalation queue keyed by generated columns (SQLite)',
  statements: (dialect) => {
    if (dialect === 'postgres') return [];
    const orders: CaseSortColumn[] = ['name', 'state', 'deadline'];
    const generated = [...orders.flatMap((c) => caseSortKeys(dialect, c)), ESCALATION_SINCE_KEY].flatMap(
      (k) =>
        k.sqliteColumn
          ? [
              `ALTER TABLE case_summary ADD COLUMN ${k.sqliteColumn} TEXT GENERATED ALWAYS AS (${k.expr}) VIRTUAL`,
            ]
          : [],
    );
    const indexes = orders.map((c) => ({
      name: `case_summary_by_${c}`,
      sql: `CREATE INDEX case_summary_by_${c} ON case_summary (${[...caseSortKeys(dialect, c).map((k) => caseOrderTerm(dialect, k)), 'pse_id'].join(', ')})`,
    }));
    indexes.push({
      name: 'case_summary_escalation',
      sql: `CREATE INDEX case_summary_escalation ON case_summary (${caseOrderTerm(dialect, ESCALATION_SINCE_KEY)}, pse_id) WHERE escalation_pending = 1`,
    });
    return [
      ...generated,
      ...indexes.flatMap((i) => [`DROP INDEX IF EXISTS ${i.name}`, i.sql]),
      `DELETE FROM rebuild_deferred WHERE name IN (${indexes.map((i) => `'${i.name}'`).join(', ')})`,
    ];
  },
};

// Issue 10: PostgreSQL estimated traffic_latest (each domain's latest period, a correlated max per row) at five rows
// whatever the table held, and joined it with case_domains in a nested loop: every read of open_cases_by_traffic (the
// traffic order of the cases, the escalation queue by traffic) paid domains × observations, 140 ms with a thousand
// of each. The same rows as a join with each domain's latest period plan as a hash join: 18 ms. SQLite plans the
// correlated form by the primary key (4 ms): unchanged there.
const trafficLatestJoined: ReadModelMigration = {
  version: 27,
  name: 'traffic_latest as a join with each domain latest period (PostgreSQL)',
  statements: (dialect) =>
    dialect === 'postgres'
      ? [
          `CREATE OR REPLACE VIEW traffic_latest AS
            SELECT t.domain, ${TRAFFIC_KEY} AS domain_key, t.period, max(t.visits) AS visits, min(t.rank) AS rank,
                   min(t.source) AS source
            FROM traffic_observations t
            JOIN (SELECT domain, max(period) AS period FROM traffic_observations GROUP BY domain) latest
              ON latest.domain = t.domain AND latest.period = t.period
            GROUP BY t.domain, t.period`,
        ]
      : [],
};

// Issue 10: every read of open_cases_by_traffic (the traffic order of the cases, the escalation queue) computed each
// domain's latest period from every observation (the view traffic_latest) and joined it to the cases' domains by an
// expression of the domain: a page cost what the traffic recorded costs, 80–120 ms a page of 50 with 20,000 domains
// counted. The traffic projector now keeps each domain's latest figures in a table (every write of
// traffic_observations refreshes the rows of the domains it wrote, `refreshTrafficLatest`), indexed by the key the
// cases' domains match, and traffic_latest reads it: a case's traffic is an index look-up. Its rows are the view's
// (the latest period's largest visits and best rank over all sources).
const trafficLatestKept: ReadModelMigration = {
  version: 28,
  name: 'each domain latest traffic kept in a table by the traffic projector',
  statements: (dialect) => {
    const { big } = TYPES[dialect];
    const view = `SELECT domain, domain_key, period, visits, rank, source FROM traffic_latest_domains`;
    return [
      `CREATE TABLE traffic_latest_domains (
        domain TEXT PRIMARY KEY,
        domain_key TEXT NOT NULL,
        period TEXT NOT NULL,
        visits ${big},
        rank INTEGER,
        source TEXT
      )`,
      `INSERT INTO traffic_latest_domains (domain, domain_key, period, visits, rank, source)
        SELECT domain, domain_key, period, visits, rank, source FROM traffic_latest`,
      `CREATE INDEX traffic_latest_domains_key ON traffic_latest_domains (domain_key)`,
      ...(dialect === 'postgres'
        ? [`CREATE OR REPLACE VIEW traffic_latest AS ${view}`]
        : [`DROP VIEW traffic_latest`, `CREATE VIEW traffic_latest AS ${view}`]),
    ];
  },
};

// Issue 10: the first walks of the traffic orders (the cases with a count of visits, largest first: the first pages of
// `sort=traffic`, and of the escalation queue by traffic, its default) computed every such case's figure and sorted
// them all for each page: 37–81 ms a page with 10,000 cases with traffic. They now walk each domain's latest traffic by
// visits, largest first (`COUNTED_CASES`), and stop when the page is full: about a millisecond.
const trafficLatestByVisits: ReadModelMigration = {
  version: 29,
  name: 'each domain latest traffic indexed by visits',
  statements: () => [`CREATE INDEX traffic_latest_domains_visits ON traffic_latest_domains (visits)`],
};

// Issue 10: the traffic orders' first walks went down traffic_latest_domains by visits (migration 29) to find the cases'
// domains among them: cheap while most domains with traffic are the cases', but traffic recorded for discovery is mostly
// of domains no case has, and every one ranked above a page's last case was walked — 186 ms a page on SQLite, 424 on
// PostgreSQL, with 270,000 domains observed of which 128 are cases'. Each case domain now carries its latest visits
// (written by the traffic projector for the keys it writes, and by the case projector for the domains it adds, both
// under TRAFFIC_LATEST_LOCK on PostgreSQL), indexed where it has them: the walks go down the cases' domains alone.
const caseDomainsVisits: ReadModelMigration = {
  version: 30,
  name: 'each case domain latest visits, indexed',
  statements: (dialect) => [
    `ALTER TABLE case_domains ADD COLUMN visits ${TYPES[dialect].big}`,
    caseDomainVisits(
      `EXISTS (SELECT 1 FROM traffic_latest_domains tl WHERE tl.domain_key = case_domains.domain_key)`,
    ),
    `CREATE INDEX case_domains_visits ON case_domains (visits) WHERE visits IS NOT NULL`,
  ],
};

/** Every migration of the read-model schema, in order. */
export const READ_MODEL_MIGRATIONS: readonly ReadModelMigration[] = [
  initial,
  dropUnusedIndexes,
  projectorLeases,
  blocklistAddresses,
  trafficObservationsBySource,
  queriesAtScale,
  registrySearchOnChange,
  caseSearch,
  sortIndexes,
  ginPendingLists,
  dailyDeltas,
  warningToRegistrationOrders,
  escalationQueueIndex,
  warningToRegistrationTotals,
  timelineByRecordTime,
  warningToRegistrationDays,
  rebuildDeferredHolder,
  oneDeadlineIndex,
  dueDeadlinesInOrder,
  searchIndexMerges,
  searchIndexesWithoutPositions,
  searchIndexesAtCommit,
  recordedDeltas,
  recordedDays,
  backdatedDeltas,
  rowValueOrders,
  trafficLatestJoined,
  trafficLatestKept,
  trafficLatestByVisits,
  caseDomainsVisits,
];

/** Tables the projector fills; a rebuild empties exactly these (traffic is input, not projection). */
export const PROJECTED_TABLES = [
  'case_summary',
  'case_domains',
  'case_addresses',
  'case_timeline',
  'blocklist',
  'blocklist_changes',
  'state_transitions',
  'state_deltas_daily',
  'blocklist_deltas_daily',
  'state_deltas_recorded',
  'blocklist_deltas_recorded',
  'state_deltas_recorded_days',
  'blocklist_deltas_recorded_days',
  'state_deltas_backdated',
  'blocklist_deltas_backdated',
  'record_order_descents',
  'transitions_daily',
  'fines',
  'fines_monthly',
  'warning_to_registration',
  'warning_to_registration_totals',
  'warning_to_registration_days',
  'deadlines',
  'registry',
  'timeline_bounds',
  'case_state_counts',
] as const;

/**
 * Projected tables appended to, one row per batch and key (backdated events' changes by record time, decision
 * 0019): only their sums per key mean anything — two batchings of one log leave other rows with equal sums.
 */
const APPENDED_TABLES = new Map(Object.values(backdatedIncrements).map((t) => [t.table, t]));

/**
 * A statement giving a projected table's content as every projection of the same log leaves it: its rows, or an
 * appended table's sums per key where they are not nothing, in the table's columns. `source` is where the table
 * is read (a schema-qualified name). For comparing read models (a rebuild with a live projection, two builds).
 */
export function projectedContentSql(
  table: (typeof PROJECTED_TABLES)[number],
  source: string = table,
): string {
  const appended = APPENDED_TABLES.get(table);
  if (appended === undefined) return `SELECT * FROM ${source}`;
  const key = appended.key.join(', ');
  const sums = appended.counters.map((c) => `sum(${c}) AS ${c}`).join(', ');
  const kept = appended.counters.map((c) => `sum(${c}) <> 0`).join(' OR ');
  return `SELECT ${key}, ${sums} FROM ${source} GROUP BY ${key} HAVING ${kept}`;
}
