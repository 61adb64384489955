import { CASE_STATES, type CaseState, type ReadModelEvent } from '../events/read-model-event';
import { CheckpointConflict, InvalidQuery, ReadModelStoreFailed } from '../read-model.errors';
import { type BlocklistEntryKind, normaliseDomains } from '../projections/blocklist.projection';
import {
  advanceContext,
  type BatchChanges,
  type BatchContext,
  casesOf,
  fineKey,
  planBatch,
} from '../projections/batch-planner';
import { BatchContextCache, emptyBatchContext } from './batch-context.cache';
import { dollarQuote, sqlLiteral } from './sql-literals';
import type { CaseSummaryRow } from '../projections/case-summary.projection';
import type { CaseTimelineRow } from '../projections/case-timeline.projection';
import type { DeadlineRow } from '../projections/deadlines.projection';
import type { FineRow } from '../projections/fines.projection';
import type { RegistryRow } from '../projections/registry.projection';
import { isBusinessDate, isInstant, timeBound, toUtcIso } from '../time.util';
import { toSqlWrites } from './batch-writes';
import { TRAFFIC_CHECKPOINT, type TrafficObservationRow } from '../projections/traffic.projection';
import type { CaseTrafficPoint, DiscoveryQuery, RankedDiscoveryCandidate } from './read-model-store.port';
import {
  caseTraffic,
  findDiscoveryCandidates,
  latestDiscoveryFigures,
  insertTrafficRows,
  refreshTrafficLatest,
  resetTrafficRows,
} from './traffic-queries';
import {
  accumulateBlocklistSizes,
  accumulateStateCounts,
  BEFORE_FROM,
  blocklistDeltasSql,
  businessDaysBetween,
  dailyDeltaCleanup,
  MAX_SERIES_DAYS,
  NOT_ANSWERED,
  recordedAfterParams,
  recordedAfterSeriesSql,
  revisionDeltasSql,
  revisionRecordedParams,
  revisionParams,
  recordedDate,
  recordedSeriesParams,
  recordedSeriesSql,
  stateDeltasSql,
  type HistoryScope,
  historyParams,
} from './daily-series';
import {
  byteOrder,
  CASE_SEARCH_COLUMNS,
  caseOrderTerm,
  COUNTED_CASES,
  OPEN_FOR_TRAFFIC,
  type CaseSortKey,
  caseSortKeys,
  DEADLINE_KEY,
  ESCALATION_SINCE,
  ESCALATION_SINCE_KEY,
  FAR_FUTURE,
  PROJECTED_TABLES,
  READ_MODEL_MIGRATIONS,
  REGISTRY_SEARCH_COLUMNS,
  SEARCH_INDEX_FLUSH,
  type SqlDialect,
  TRAFFIC_LATEST_LOCK,
  caseDomainVisits,
  NO_SCANS,
  uncountedTraffic,
} from './read-model.schema';
import {
  type ApplyBatchResult,
  type Blocklist,
  type CaseSort,
  CASE_SORT_COLUMNS,
  type CaseSortColumn,
  type BlocklistDaily,
  type BlocklistFeedEntry,
  DEFAULT_CHECKPOINT,
  type DiscoveryCandidate,
  type DueDeadline,
  type EscalationQueueEntry,
  type EscalationQueueQuery,
  type FinesPerMonth,
  type ListCasesQuery,
  type OpenCaseByTraffic,
  type Page,
  type PageQuery,
  type PreparedBatch,
  type ReadModelStore,
  type RegistryQuery,
  type StateCounts,
  type StateCountsDaily,
  type StateCountsOptions,
  type TrafficObservation,
  type TransitionsPerDay,
  type WarningToRegistrationBucket,
  type WarningToRegistrationStats,
} from './read-model-store.port';
import {
  blocklistEntries,
  caseSummaryTable,
  fineTable,
  incrementClause,
  readers,
  registryTable,
  selectList,
  timelineTable,
  warningToRegistrationTable,
} from './row-mapping';
import type { AsideLane, SqlClient, SqlRecord, SqlTransaction, SqlWriteScript } from './sql-client';
import {
  deferIndexes,
  refuseUnknownMigrations,
  restoreAbandoned,
  restoreDeferred,
  upToDate,
} from './rebuild-deferred';

/** case_summary's columns, named (see `selectList`). */
const CASE_SUMMARY_COLUMNS = selectList(caseSummaryTable);

const { str, nstr, num, nnum, list } = readers;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

function clampLimit(limit: number | undefined, fallback = DEFAULT_LIMIT): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1)
    throw new InvalidQuery({ field: 'limit', reason: 'must be a positive integer' });
  return Math.min(limit, MAX_LIMIT);
}

function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // fall through to the typed error below
  }
  throw new InvalidQuery({ field: 'cursor', reason: 'not a cursor this query returned' });
}

/** One sort key of a keyset page: a column or expression, ascending unless `descending`. */
interface SortKey {
  expr: string;
  descending?: boolean;
}

/**
 * The condition selecting the rows strictly after `values` in the order of `keys` (which must end
 * in a unique column), spelt out as ORs, for orders of mixed directions, which no row value states. Its walk is
 * bounded by the first key alone, so a page behind many rows sharing that key reads them all again: orders of
 * one direction page with `keysetAfterRow`.
 */
function keysetAfter(
  keys: readonly SortKey[],
  values: readonly unknown[],
): { sql: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  keys.forEach((key, i) => {
    const equal = keys.slice(0, i).map((k) => `${k.expr} = ?`);
    terms.push(`(${[...equal, `${key.expr} ${key.descending ? '<' : '>'} ?`].join(' AND ')})`);
    params.push(...values.slice(0, i), values[i]);
  });
  const [first] = keys;
  if (first === undefined || keys.length === 1) return { sql: `(${terms.join(' OR ')})`, params };
  // Implied by every term; stated so that an index of the keys starts its walk at the cursor.
  return {
    sql: `(${first.expr} ${first.descending ? '<=' : '>='} ? AND (${terms.join(' OR ')}))`,
    params: [values[0], ...params],
  };
}

/**
 * The rows strictly after `values` in the order of `columns` (the last unique), ascending or all descending, as
 * one row-value comparison, `(c1, c2, …) > (?, ?, …)`: both dialects start an index of those keys, in their order,
 * exactly at the cursor. The ORs of `keysetAfter` bound the walk by the first key only, so a page behind many rows
 * sharing that key re-reads them all (the scheduler's due deadlines, where a day's warnings fall due at one
 * instant; a million cases in one state): an export costs the square of its size. SQLite range-scans a row value
 * over plain columns only, not over expressions (hence the generated columns of read-model migration 26);
 * PostgreSQL over expression indexes too.
 */
function keysetAfterRow(
  columns: readonly string[],
  values: readonly unknown[],
  descending = false,
): { sql: string; params: unknown[] } {
  return {
    sql: `(${columns.join(', ')}) ${descending ? '<' : '>'} (${columns.map(() => '?').join(', ')})`,
    params: [...values],
  };
}

/**
 * The statement of a page of deadlines due by `bound` (the scheduler's, `getDueDeadlines`): in due order, with
 * the case's name, after `cursor` (its four keys) when given, `limit + 1` rows. The cursor is one row value
 * (`keysetAfterRow`), where the walk of `deadlines_due` starts.
 */
export function dueDeadlinesPage(
  bound: string,
  cursor: readonly string[] | undefined,
  limit: number,
): { sql: string; params: unknown[] } {
  // fine_id ends the key: a case can have two fines' deadlines of one kind at one instant.
  const columns = ['d.due_at', 'd.pse_id', 'd.kind', 'd.fine_id'];
  const after = cursor === undefined ? null : keysetAfterRow(columns, cursor);
  return {
    sql: `SELECT d.pse_id, s.name, d.kind, d.due_at, d.fine_id, d.case_state
       FROM deadlines d JOIN case_summary s ON s.pse_id = d.pse_id
       WHERE d.due_at <= ?${after ? ` AND ${after.sql}` : ''}
       ORDER BY d.due_at, d.pse_id, d.kind, d.fine_id LIMIT ?`,
    params: [bound, ...(after?.params ?? []), limit + 1],
  };
}

/**
 * The statement of a page of warned cases in warning order (`getWarningToRegistration`), after `cursor` (warned_at,
 * case id) when given, `limit + 1` rows: a row value where `warning_to_registration_warned` starts its walk, since a
 * day's warnings share their instant (`keysetAfterRow`).
 */
export function warningCasesPage(
  cursor: readonly string[] | undefined,
  limit: number,
): { sql: string; params: unknown[] } {
  const after = cursor === undefined ? null : keysetAfterRow(['warned_at', 'pse_id'], cursor);
  return {
    sql: `SELECT ${selectList(warningToRegistrationTable)} FROM warning_to_registration ${after ? `WHERE ${after.sql}` : ''} ORDER BY warned_at, pse_id LIMIT ?`,
    params: [...(after?.params ?? []), limit + 1],
  };
}

/**
 * A case order (`listCases` by a column of case_summary, either way): its keys (the case id last), its ORDER BY,
 * and the rows after a cursor's keys as one row value, where the order's index (migrations 9 and 26) starts its
 * walk (`keysetAfterRow`). Text compares in byte order on both dialects (`caseOrderTerm`).
 */
export function caseOrder(
  dialect: SqlDialect,
  sort: Exclude<CaseSort, 'id' | 'traffic'>,
): {
  columns: readonly CaseSortKey[];
  orderBy: string;
  after: (values: readonly unknown[]) => { sql: string; params: unknown[] };
} {
  const descending = sort.startsWith('-');
  const column = (descending ? sort.slice(1) : sort) as CaseSortColumn;
  if (!(CASE_SORT_COLUMNS as readonly string[]).includes(column))
    throw new InvalidQuery({ field: 'sort', reason: 'unknown order' });
  const columns = [...caseSortKeys(dialect, column), { expr: 'pse_id', type: 'text' as const }];
  const terms = columns.map((c) => caseOrderTerm(dialect, c));
  return {
    columns,
    orderBy: terms.map((t) => `${t}${descending ? ' DESC' : ''}`).join(', '),
    after: (values) => keysetAfterRow(terms, values, descending),
  };
}

/** A page from `limit + 1` fetched rows: the first `limit`, and a cursor of the last one's keys when more follow. */
function pageOf<T>(rows: readonly T[], limit: number, cursorOf: (row: T) => readonly string[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}

/** A search column as SQLite's LIKE judges it: its own letters fold as lower() would (ASCII only). */
const unfolded = (column: string): string => /^lower\((.*)\)$/.exec(column)?.[1] ?? column;

function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * An FTS5 query for the rows holding every trigram of `q` in some column, ignoring case: a superset of what
 * the LIKE filter keeps (the trigrams may lie apart or in different columns; the index folds all of Unicode,
 * LIKE only ASCII), which then judges. The indexes keep no positions (read-model migration 21), so a phrase
 * cannot be asked. Null when `q` is shorter than a trigram, which the index cannot look up.
 */
export function trigramQuery(q: string): string | null {
  const chars = [...q];
  if (chars.length < 3) return null;
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i += 1) trigrams.add(chars.slice(i, i + 3).join(''));
  return [...trigrams].map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
}

/**
 * Trigram candidates a substring search fetches and sorts at most; from this many on it walks the
 * table in the page's order instead (`textPage`: a window of SEARCH_WINDOW rows, then the walk tested against
 * the set of candidates). Below it, fetching and sorting the candidates is a few milliseconds at any size; at
 * it, the window's bound (about 8 ms) and the set's cost (20–35 ms for 100,000–160,000 candidates) are what the
 * many cost instead. On PostgreSQL the same count (of LIKE matches) chooses between reading the page from the
 * matches and the plain walk (no window, no set: docs/benchmarks.md, "Common texts on PostgreSQL").
 */
const SEARCH_CANDIDATE_CAP = 2_000;

/**
 * Rows of the page's order that a search with many trigram candidates judges by LIKE before it asks the
 * candidates instead (`textPage`): at most about 8 ms (1 µs a row from the reader's mapped file), a third of
 * the set of candidates of a word in a sixth of a million rows, and far less where the text is common near the
 * walk's start. Larger, a walk finds a page behind a longer run of other rows; smaller, a text whose matches
 * all lie far along the order pays less before the set (docs/benchmarks.md, "Searches of common texts").
 */
const SEARCH_WINDOW = 8_000;

/** A page's query: `SELECT select FROM from WHERE where ORDER BY orderBy LIMIT limit + 1`. */
interface PageSql {
  select: string;
  from: string;
  where: readonly string[];
  params: readonly unknown[];
  orderBy: string;
  limit: number;
}

/** A WHERE term and its parameters. */
interface Filter {
  sql: string;
  params: readonly unknown[];
}

/** A free-text filter; `members` where it is one of SQLite's texts with many candidates (see `textPage`). */
interface TextFilter extends Filter {
  members?: Filter;
}

/** A search's free text: `q` over `columns` of the table `fts` indexes. */
interface TextSearch {
  fts: 'case_search' | 'registry_search';
  columns: readonly string[];
  q: string | undefined;
}

/** The newer of two stored instants (both dialects return them as UTC ISO-8601 text). */
const laterOf = (dialect: 'sqlite' | 'postgres'): string => (dialect === 'sqlite' ? 'max' : 'greatest');

/** The cases one of whose app ids or IP addresses contains the pattern (`?`, a LIKE pattern; issue 14 A). */
const ADDRESS_CASES = `SELECT pse_id FROM case_addresses WHERE lower(address) LIKE ? ESCAPE '\\'`;
const ADDRESS_MATCH = `pse_id IN (${ADDRESS_CASES})`;

/** What a `blocklist` or `blocklist_changes` row lists (rows from before migration 4 are domains). */
const entryKind = (r: SqlRecord): BlocklistEntryKind => (r['kind'] === 'ip' ? 'ip' : 'domain');

function assertDate(field: string, value: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidQuery({ field, reason: 'expected YYYY-MM-DD' });
}

function timeBoundParam(field: string, value: string): string {
  const bound = timeBound(value);
  if (bound === null)
    throw new InvalidQuery({ field, reason: 'expected YYYY-MM-DD (WIB) or an ISO-8601 instant with offset' });
  return bound;
}

/**
 * The bitemporal population (docs/regulation.md §9.6): each case in the state its last event led to among those
 * that occurred by the first bound and were recorded by the second. "Last" is by revision, the
 * case's own order; no later revision may pass both bounds (an anti-join on the timeline's primary
 * key, which plans as a hash anti-join on PostgreSQL and an index probe per row on SQLite).
 */
/**
 * The population at an instant, as known at another when `knownAt`. `scan` (SQLite): the timeline read in its
 * table's order, not along the record-time index — which fetches each row it admits one by one: at a million
 * systems 7× slower with all the rows recorded by the instant, 1.3× with 141,000, 2.6× faster with 26,000.
 */
const stateCountsAsOf = (knownAt: boolean, scan = false): string => {
  const recorded = (alias: string) => (knownAt ? ` AND ${alias}.recorded_at <= ?` : '');
  return `SELECT t.state_after AS state, count(*) AS n FROM case_timeline t${scan ? ' NOT INDEXED' : ''}
  WHERE t.occurred_at <= ?${recorded('t')}
    AND NOT EXISTS (SELECT 1 FROM case_timeline later
      WHERE later.pse_id = t.pse_id AND later.revision > t.revision
        AND later.occurred_at <= ?${recorded('later')})
  GROUP BY t.state_after`;
};
const STATE_COUNTS_AS_OF = stateCountsAsOf(false);

/**
 * Adds each key's count to the `cases` of a small counter table keyed by `key` (a batch's moves), and drops
 * the keys left with none.
 */
async function moveCases(
  tx: SqlTransaction,
  table: string,
  key: string,
  delta: ReadonlyMap<string | number, number>,
): Promise<void> {
  const moved = [...delta].filter(([, n]) => n !== 0);
  if (moved.length === 0) return;
  await tx.insertMany(table, [key, 'cases'], moved, incrementClause(table, [key], ['cases']));
  await tx.query(`DELETE FROM ${table} WHERE cases = 0`);
}

/** The daily series from the kept deltas; parameters: `from`, `to` (see `BEFORE_FROM`). */
const KEPT_SERIES = {
  states: `SELECT ${BEFORE_FROM} AS business_date, state, sum(n) AS n FROM state_deltas_daily
    WHERE business_date <= ? GROUP BY 1, 2`,
  blocklist: `SELECT ${BEFORE_FROM} AS business_date, sum(added) AS added, sum(removed) AS removed
    FROM blocklist_deltas_daily WHERE business_date <= ? GROUP BY 1`,
};

/**
 * The most events recorded after a `knownAt` that the kept deltas are corrected for (docs/read-models.md,
 * "Daily series"); with more, the whole history up to `to` is read instead.
 */
export const RECORDED_AFTER_CAP = 20_000;

/**
 * The most events recorded by a `knownAt` for which the blocklist's series as known then reads only the
 * timelines of the cases that have such events (with more, or when few were recorded after it —
 * RECORDED_AFTER_CAP —, every timeline): an early instant (docs/read-models.md, "Daily series").
 */
export const RECORDED_BY_CAP = 250_000;

/**
 * How far the store counts the record-date roll-up's rows before and after a `knownAt`'s own date to choose
 * which side of the changes kept by record time to sum first (decision 0019): the side with fewer. Either gives
 * the same answer and reads the instant's own date by instant.
 */
export const RECORDED_DAYS_COUNT_CAP = 100_000;

/** Settings of a read-model store that change how it answers, not what (specs drive both ways with them). */
export interface ReadModelTuning {
  /** See RECORDED_AFTER_CAP; 0 always reads the whole history for an earlier `knownAt`. */
  recordedAfterCap?: number;
  /** See RECORDED_BY_CAP; 0 never reads the cases recorded by an early `knownAt` alone. */
  recordedByCap?: number;
  /** false: never answers as known earlier from the deltas kept by record time (decision 0019). */
  recordedDeltas?: boolean;
  /**
   * Which side of the changes kept by record time a series as known earlier tries first: those recorded by
   * `knownAt` (`by`) or the kept deltas less those recorded after it (`after`); default: the side with fewer
   * rows of the record-date roll-up (RECORDED_DAYS_COUNT_CAP).
   */
  recordedFirst?: 'by' | 'after';
}

/** The most cases `getOpenCasesByTraffic` names in one statement (a tie at its last figure included). */
const MAX_TIED_CASES = 5000;

/** Cases per statement that sets their domains' visits after a batch (`caseDomainVisits`). */
const CASES_PER_VISITS_UPDATE = 5000;

/** The escalation queue's columns from case_summary `s`, but its traffic (`withTraffic`). */
const ESCALATION_QUEUE_CASES = `SELECT s.pse_id, s.name, s.state, s.substate, s.escalation_since, s.escalation_allowed
  FROM case_summary s`;

/**
 * `rows` (of case_summary, with `pse_id`) with their traffic as open_cases_by_traffic gives it, `visits` and
 * `best_rank` (null without), asked of their cases alone: index look-ups since read-model migration 28. Joined in a
 * walk, PostgreSQL (which could not estimate the view's rows) scanned the whole view once for every case of the
 * walk (200 ms a page of 1,000 with 2,000 cases with traffic).
 */
async function withTraffic(
  tx: Pick<SqlTransaction, 'query'>,
  rows: readonly SqlRecord[],
): Promise<SqlRecord[]> {
  if (rows.length === 0) return [];
  const traffic = new Map<string, SqlRecord>();
  const counted = await tx.query(
    `SELECT pse_id, visits, best_rank FROM open_cases_by_traffic WHERE pse_id IN (${rows.map(() => '?').join(', ')})`,
    rows.map((r) => str(r, 'pse_id')),
  );
  for (const t of counted) traffic.set(str(t, 'pse_id'), t);
  return rows.map((r) => {
    const t = traffic.get(str(r, 'pse_id'));
    return { ...r, visits: t?.visits ?? null, best_rank: t?.best_rank ?? null };
  });
}
/** The "oldest" key of the escalation queue of case_summary `s`, as its pages compare it (`caseOrderTerm`). */
const escalationSince = (dialect: SqlDialect): string =>
  dialect === 'sqlite'
    ? `s.${caseOrderTerm(dialect, ESCALATION_SINCE_KEY)}`
    : ESCALATION_SINCE.replace('escalation_since', 's.escalation_since');
const CASE_KEY: SortKey = { expr: 's.pse_id' };

/**
 * The statement of `batch` pending cases of the escalation queue oldest first (their traffic is asked apart), after `cursor`
 * (escalation since, case id) when given: one row value, where case_summary_escalation starts its walk.
 */
export function escalationOldestPage(
  dialect: SqlDialect,
  cursor: readonly [string, string] | null,
  batch: number,
): { sql: string; params: unknown[] } {
  const since = escalationSince(dialect);
  const keyset = cursor && keysetAfterRow([since, 's.pse_id'], cursor);
  return {
    sql: `${ESCALATION_QUEUE_CASES}
      WHERE s.escalation_pending = 1${keyset ? ` AND ${keyset.sql}` : ''}
      ORDER BY ${since}, s.pse_id LIMIT ?`,
    params: [...(keyset?.params ?? []), batch],
  };
}

const STATE_COUNTS_AS_OF_KNOWN_AT = stateCountsAsOf(true);
const STATE_COUNTS_AS_OF_KNOWN_AT_SCAN = stateCountsAsOf(true, true);

function instantParam(field: string, value: string): string {
  if (!isInstant(value)) throw new InvalidQuery({ field, reason: 'expected an ISO-8601 instant' });
  return toUtcIso(value);
}

/** SQLSTATE of a write script's checkpoint guard (a class of its own, not PostgreSQL's). */
const CHECKPOINT_MOVED = 'SK409';

/**
 * `moveCheckpoint` as one statement of a write script (PostgreSQL): creates the row at 0 when there is
 * none, moves it from `expected` to `to`, and fails the script with `CHECKPOINT_MOVED` when it was elsewhere.
 */
function checkpointGuard(name: string, expected: number, to: number, applied: number): string {
  const now = sqlLiteral(new Date().toISOString());
  const body = `BEGIN
    INSERT INTO projection_checkpoints (name, position, events_applied, updated_at)
      VALUES (${sqlLiteral(name)}, 0, 0, ${now}) ON CONFLICT (name) DO NOTHING;
    UPDATE projection_checkpoints SET position = ${sqlLiteral(to)}, events_applied = events_applied + ${sqlLiteral(applied)},
      updated_at = ${now} WHERE name = ${sqlLiteral(name)} AND position = ${sqlLiteral(expected)};
    IF NOT FOUND THEN RAISE EXCEPTION 'checkpoint moved' USING ERRCODE = '${CHECKPOINT_MOVED}'; END IF;
  END`;
  return `DO ${dollarQuote(body)}`;
}

function isCheckpointGuard(e: unknown): boolean {
  return e instanceof ReadModelStoreFailed && e.driverCode === CHECKPOINT_MOVED;
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The read-model store over any `SqlClient`: the same tables and queries on SQLite and PostgreSQL. */
export class SqlReadModelStore implements ReadModelStore {
  private ready: Promise<void> | null = null;
  private readonly cache = new BatchContextCache();

  constructor(
    private readonly client: SqlClient,
    private readonly prepare: () => Promise<void> = async () => undefined,
    private readonly tuning: ReadModelTuning = {},
  ) {}

  get kind(): 'sqlite' | 'postgres' {
    return this.client.dialect;
  }

  migrate(): Promise<void> {
    this.ready ??= this.runMigrations().catch((e: unknown) => {
      this.ready = null;
      throw e;
    });
    return this.ready;
  }

  private async runMigrations(): Promise<void> {
    await this.prepare();
    // Most opens find nothing to do: they look in a read first and leave the write lock alone. Another
    // process may hold it for long (a rebuild building its indexes at a million: tens of seconds), and
    // an open that asked for it would wait out SQLite's busy timeout and fail.
    if (!(await this.client.snapshot((tx) => upToDate(tx, this.client.dialect))))
      await this.applyMigrations();
    if (this.client.dialect === 'sqlite') this.client.beforeCommit(SEARCH_INDEX_FLUSH);
  }

  private async applyMigrations(): Promise<void> {
    await this.client.transaction(async (tx) => {
      if (this.client.migrationLock) await tx.query(this.client.migrationLock);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS read_model_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
      );
      const done = new Set(
        (await tx.query(`SELECT version FROM read_model_migrations`)).map((r) => num(r, 'version')),
      );
      // Checked again under the write lock: a newer build may have migrated since the look above.
      refuseUnknownMigrations(done);
      // By version, whatever order they were written in: a database that already has later versions
      // (5, 6) takes a lower one (4) that landed after them on its own.
      for (const m of [...READ_MODEL_MIGRATIONS].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        for (const statement of m.statements(this.client.dialect)) await tx.query(statement);
        await tx.query(`INSERT INTO read_model_migrations (version, name, applied_at) VALUES (?, ?, ?)`, [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
      }
      // A rebuild that stopped before its end left indexes set aside: a store never runs without them
      // (one still running builds them at its end).
      await restoreAbandoned(tx, PROJECTED_TABLES, this.client.dialect);
    });
  }

  async getCheckpoint(name = DEFAULT_CHECKPOINT): Promise<number> {
    await this.migrate();
    const [row] = await this.client.query(`SELECT position FROM projection_checkpoints WHERE name = ?`, [
      name,
    ]);
    return row ? num(row, 'position') : 0;
  }

  async applyBatch(
    events: readonly ReadModelEvent[],
    options: { expectedPosition: number; toPosition: number; checkpoint?: string },
  ): Promise<ApplyBatchResult> {
    await this.migrate();
    const name = options.checkpoint ?? DEFAULT_CHECKPOINT;
    const result = await this.client.transaction(async (tx) => {
      // Every read and delete of a batch finds its rows by case (`pse_id = ANY(...)`, an index each table
      // keeps, even through a rebuild). PostgreSQL weighs that against scanning the table by statistics
      // that, for tables a replay fills from empty, stay those of a small table until autovacuum looks
      // again, and against a few thousand cases a batch it scanned: every batch read whole tables, and a
      // replay's cost grew with the square of the population (docs/benchmarks.md, "PostgreSQL read models
      // at a million"). The batch's own statements never need a scan: it is ruled out for them alone.
      if (this.client.dialect === 'postgres') await tx.query(NO_SCANS);
      await this.moveCheckpoint(tx, name, options.expectedPosition, options.toPosition, events.length);
      const pseIds = casesOf(events);
      let after: BatchContext | null = null;
      if (events.length > 0) {
        const loaded = await this.loadContext(tx, this.cache.missing(name, options.expectedPosition, pseIds));
        after = await this.writeBatch(tx, events, this.cache.contextFor(pseIds, loaded));
      }
      return { after, pseIds };
    });
    // Only what committed enters the cache; a rolled-back batch leaves it at the old position.
    this.cache.committed(name, options.toPosition, result.pseIds, result.after ?? emptyBatchContext());
    return { applied: events.length, position: options.toPosition };
  }

  /**
   * `prepareBatch` of the port, defined where the client records write scripts (PostgreSQL). The cases the
   * cache does not hold are read outside any transaction: the batch before this one may still be in flight,
   * but it only writes its own cases, whose rows the cache holds as it planned them, and every batch before
   * it has committed (the caller commits one batch at a time, in order).
   */
  get prepareBatch():
    | ((
        events: readonly ReadModelEvent[],
        options: { expectedPosition: number; toPosition: number; checkpoint?: string },
      ) => Promise<PreparedBatch>)
    | undefined {
    return this.client.writeScript ? (events, options) => this.prepareWrites(events, options) : undefined;
  }

  private async prepareWrites(
    events: readonly ReadModelEvent[],
    options: { expectedPosition: number; toPosition: number; checkpoint?: string },
  ): Promise<PreparedBatch> {
    await this.migrate();
    const script = (this.client.writeScript as () => SqlWriteScript)();
    const name = options.checkpoint ?? DEFAULT_CHECKPOINT;
    const pseIds = casesOf(events);
    const missing = this.cache.missing(name, options.expectedPosition, pseIds);
    const loaded =
      missing.length === 0
        ? emptyBatchContext()
        : await this.client.snapshot(async (tx) => {
            await tx.query(NO_SCANS);
            return this.loadContext(tx, missing);
          });
    const tx = script.tx;
    await tx.query(NO_SCANS);
    await tx.query(checkpointGuard(name, options.expectedPosition, options.toPosition, events.length));
    const after = await this.writeBatch(tx, events, this.cache.contextFor(pseIds, loaded));
    // The next batch is planned from these rows before they commit; a failed or dropped batch clears them.
    this.cache.committed(name, options.toPosition, pseIds, after);
    let settled = false;
    return {
      commit: async () => {
        if (settled) throw new TypeError('a prepared batch commits once');
        settled = true;
        try {
          await script.run();
        } catch (e) {
          this.cache.clear();
          if (!isCheckpointGuard(e)) throw e;
          const actual = await this.getCheckpoint(name);
          throw new CheckpointConflict({ checkpoint: name, expected: options.expectedPosition, actual });
        }
        return { applied: events.length, position: options.toPosition };
      },
      discard: () => {
        if (settled) return;
        settled = true;
        this.cache.clear();
      },
    };
  }

  /** Plans `events` from `context` (the rows as stored before them), writes the changes; the rows after them. */
  private async writeBatch(
    tx: SqlTransaction,
    events: readonly ReadModelEvent[],
    context: BatchContext,
  ): Promise<BatchContext> {
    const changes = planBatch(context, events);
    await this.write(tx, changes, context);
    await this.writeRevisionDeltas(tx, changes);
    await this.raiseTimelineBounds(tx, events);
    await this.moveStateCounts(tx, context, changes);
    await this.moveWarningTotals(tx, context, changes);
    return advanceContext(context, changes);
  }

  /**
   * Moves the checkpoint from `expected` to `to` inside the batch's transaction, or throws
   * `CheckpointConflict`. The common case is one conditional UPDATE, which also locks the row: a
   * concurrent projector waits on it, then finds the position moved and takes the slow path.
   */
  private async moveCheckpoint(
    tx: SqlTransaction,
    name: string,
    expected: number,
    to: number,
    applied: number,
  ): Promise<void> {
    const now = new Date().toISOString();
    const move = `UPDATE projection_checkpoints SET position = ?, events_applied = events_applied + ?, updated_at = ?`;
    const moved = await tx.query(`${move} WHERE name = ? AND position = ? RETURNING position`, [
      to,
      applied,
      now,
      name,
      expected,
    ]);
    if (moved.length > 0) return;
    // The row must exist for FOR UPDATE to lock it: a concurrent first batch then waits here.
    await tx.query(
      `INSERT INTO projection_checkpoints (name, position, events_applied, updated_at) VALUES (?, 0, 0, ?) ON CONFLICT (name) DO NOTHING`,
      [name, now],
    );
    const [cp] = await tx.query(
      `SELECT position FROM projection_checkpoints WHERE name = ? ${this.client.forUpdate}`,
      [name],
    );
    const actual = cp ? num(cp, 'position') : 0;
    if (actual !== expected) throw new CheckpointConflict({ checkpoint: name, expected, actual });
    await tx.query(`${move} WHERE name = ?`, [to, applied, now, name]);
  }

  private async loadContext(
    tx: Pick<SqlTransaction, 'selectWhereIn'>,
    pseIds: string[],
  ): Promise<BatchContext> {
    const summaries = await tx.selectWhereIn('case_summary', 'pse_id', pseIds);
    const blocklist = await tx.selectWhereIn('blocklist', 'pse_id', pseIds);
    const registry = await tx.selectWhereIn('registry', 'pse_id', pseIds);
    const w2r = await tx.selectWhereIn('warning_to_registration', 'pse_id', pseIds);
    const fines = await tx.selectWhereIn('fines', 'pse_id', pseIds);
    const deadlines = new Map<string, DeadlineRow[]>();
    for (const r of await tx.selectWhereIn('deadlines', 'pse_id', pseIds)) {
      const row: DeadlineRow = {
        pseId: str(r, 'pse_id'),
        kind: str(r, 'kind'),
        dueAt: str(r, 'due_at'),
        fineId: nstr(r, 'fine_id') || null,
        caseState: str(r, 'case_state'),
      };
      deadlines.set(row.pseId, [...(deadlines.get(row.pseId) ?? []), row]);
    }
    return {
      deadlines,
      summaries: new Map(summaries.map((r) => [str(r, 'pse_id'), caseSummaryTable.fromRecord(r)])),
      blocklist: blocklistEntries(blocklist),
      registry: new Map(registry.map((r) => [str(r, 'pse_id'), registryTable.fromRecord(r)])),
      warningToRegistration: new Map(
        w2r.map((r) => [str(r, 'pse_id'), warningToRegistrationTable.fromRecord(r)]),
      ),
      fines: new Map(
        fines.map((r) => {
          const f = fineTable.fromRecord(r);
          return [fineKey(f.pseId, f.fineId), f];
        }),
      ),
    };
  }

  /**
   * The daily series' changes the planner left to the timeline (`revisionDeltas`: events that hide
   * others), after the batch's timeline rows and feed lines; then drops the dates whose changes now
   * cancel out, as a replay in other batches would never have written them (decision 0019).
   */
  private async writeRevisionDeltas(tx: SqlTransaction, changes: BatchChanges): Promise<void> {
    const sql = revisionDeltasSql(this.client.dialect);
    for (const { pseId, revision, recordedAt, backdated } of changes.revisionDeltas) {
      await tx.query(sql.states, revisionParams(pseId, revision));
      await tx.query(sql.blocklist, revisionParams(pseId, revision));
      const instant = revisionRecordedParams(pseId, revision, recordedAt);
      await tx.query(backdated ? sql.statesBackdated : sql.statesRecorded, instant);
      await tx.query(backdated ? sql.blocklistBackdated : sql.blocklistRecorded, instant);
      await tx.query(sql.statesRecordedDays, revisionRecordedParams(pseId, revision, recordedAt, 'date'));
      await tx.query(sql.blocklistRecordedDays, revisionRecordedParams(pseId, revision, recordedAt, 'date'));
    }
    const revised = changes.revisionDeltas.length > 0;
    if (revised || changes.stateDeltas.size > 0) await tx.query(dailyDeltaCleanup.states);
    if (revised || changes.blocklistDeltas.size > 0) await tx.query(dailyDeltaCleanup.blocklist);
    if (revised || changes.stateDeltasRecorded.size > 0) {
      await tx.query(dailyDeltaCleanup.statesRecorded);
      await tx.query(dailyDeltaCleanup.statesRecordedDays);
    }
    if (revised || changes.blocklistDeltasRecorded.size > 0) {
      await tx.query(dailyDeltaCleanup.blocklistRecorded);
      await tx.query(dailyDeltaCleanup.blocklistRecordedDays);
    }
  }

  /** Raises the newest business and record times of the timeline to cover `events` (see getStateCounts). */
  private async raiseTimelineBounds(tx: SqlTransaction, events: readonly ReadModelEvent[]): Promise<void> {
    let occurred = '';
    let recorded = '';
    // A ReadModelEvent's instants are UTC text already (toReadModelEvent), so text order is time order.
    for (const e of events) {
      if (e.occurredAt > occurred) occurred = e.occurredAt;
      if (e.recordedAt > recorded) recorded = e.recordedAt;
    }
    await this.raiseBounds(tx, 'timeline', occurred, recorded);
  }

  /** Raises a `timeline_bounds` row's instants to at least these (creating it with them). */
  private async raiseBounds(
    tx: SqlTransaction,
    name: string,
    occurred: string,
    recorded: string,
  ): Promise<void> {
    const later = laterOf(this.client.dialect);
    await tx.query(
      `INSERT INTO timeline_bounds (name, max_occurred_at, max_recorded_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET
         max_occurred_at = ${later}(timeline_bounds.max_occurred_at, excluded.max_occurred_at),
         max_recorded_at = ${later}(timeline_bounds.max_recorded_at, excluded.max_recorded_at)`,
      [name, occurred, recorded],
    );
  }

  /** Moves the batch's cases between the per-state counts, from their state before it to the one after. */
  private async moveStateCounts(
    tx: SqlTransaction,
    before: BatchContext,
    changes: BatchChanges,
  ): Promise<void> {
    const delta = new Map<string, number>();
    for (const [pseId, row] of changes.summaries) {
      const was = before.summaries.get(pseId)?.state;
      if (was === row.state) continue;
      if (was !== undefined) delta.set(was, (delta.get(was) ?? 0) - 1);
      delta.set(row.state, (delta.get(row.state) ?? 0) + 1);
    }
    // An emptied state has no row, as after a rebuild that never entered it.
    await moveCases(tx, 'case_state_counts', 'state', delta);
  }

  /**
   * Moves the figures over every warned case (`warning_to_registration_totals`) and the registered cases per
   * whole day (`warning_to_registration_days`) by the batch's changed rows, from as they were to as they are.
   */
  private async moveWarningTotals(tx: SqlTransaction, before: BatchContext, changes: BatchChanges) {
    let cases = 0;
    let registered = 0;
    let seconds = 0;
    const days = new Map<number, number>();
    const move = (s: number, by: 1 | -1) => {
      registered += by;
      seconds += by * s;
      const day = Math.floor(s / 86_400);
      days.set(day, (days.get(day) ?? 0) + by);
    };
    for (const [pseId, row] of changes.warningToRegistration) {
      const was = before.warningToRegistration.get(pseId);
      if (was === undefined) cases += 1;
      else if (was.seconds !== null) move(was.seconds, -1);
      if (row.seconds !== null) move(row.seconds, 1);
    }
    if (cases !== 0 || registered !== 0 || seconds !== 0)
      await tx.insertMany(
        'warning_to_registration_totals',
        ['name', 'cases', 'registered', 'seconds'],
        [['all', cases, registered, seconds]],
        incrementClause('warning_to_registration_totals', ['name'], ['cases', 'registered', 'seconds']),
      );
    // A day no case is on has no row, as a replay in other batches would leave it (a few hundred rows).
    await moveCases(tx, 'warning_to_registration_days', 'days', days);
  }

  /** Writes a batch's changes; `before` is the context they were planned from (the rows as stored). */
  private async write(tx: SqlTransaction, changes: BatchChanges, before: BatchContext): Promise<void> {
    // Only SQLite's client uses the replaced rows (it updates changed columns row by row); PostgreSQL
    // upserts a batch in one statement, so mapping the old rows would be work for nothing.
    const stored = this.client.dialect === 'sqlite' ? before : undefined;
    // Cases whose domains change take their visits from traffic_latest_domains (migration 30). On PostgreSQL the
    // traffic projector writes both under a lock, taken here before any case_domains row is touched (removed rows
    // too): neither transaction then waits for the other holding rows it needs, and the visits read are the ones
    // committed last.
    const domainsChanged = [...changes.caseDomains]
      .filter(([, keys]) => keys.length > 0)
      .map(([pseId]) => pseId);
    if (changes.caseDomains.size > 0 && this.client.dialect === 'postgres')
      await tx.query(TRAFFIC_LATEST_LOCK);
    for (const w of toSqlWrites(changes, stored)) {
      if (w.kind === 'delete') await tx.deleteWhereIn(w.table, w.column, w.values);
      else await tx.insertMany(w.table, w.columns, w.rows, w.onConflict, w.stored);
    }
    for (let i = 0; i < domainsChanged.length; i += CASES_PER_VISITS_UPDATE) {
      const chunk = domainsChanged.slice(i, i + CASES_PER_VISITS_UPDATE);
      // Only the domains with traffic: a probe of traffic_latest_domains's key each, no write for the rest.
      await tx.query(
        caseDomainVisits(`pse_id IN (${chunk.map(() => '?').join(', ')})
          AND EXISTS (SELECT 1 FROM traffic_latest_domains tl WHERE tl.domain_key = case_domains.domain_key)`),
        chunk,
      );
    }
  }

  async reset(
    checkpoint = DEFAULT_CHECKPOINT,
    options: { deferIndexes?: boolean; holder?: string } = {},
  ): Promise<void> {
    await this.migrate();
    this.cache.clear();
    await this.client.transaction(async (tx) => {
      // The rows come back one batch at a time: their secondary and search indexes are built once, at the end.
      if (options.deferIndexes)
        await deferIndexes(tx, PROJECTED_TABLES, this.client.dialect, options.holder ?? null);
      // PostgreSQL empties a table at once with TRUNCATE: a DELETE would leave every old row dead in the
      // table and its indexes until a vacuum, beside the million rows the replay writes again. SQLite's
      // DELETE without a WHERE clause already truncates.
      if (this.client.dialect === 'postgres') await tx.query(`TRUNCATE ${PROJECTED_TABLES.join(', ')}`);
      else for (const table of PROJECTED_TABLES) await tx.query(`DELETE FROM ${table}`);
      await tx.insertMany(
        'projection_checkpoints',
        ['name', 'position', 'events_applied', 'updated_at'],
        [[checkpoint, 0, 0, new Date().toISOString()]],
        `ON CONFLICT (name) DO UPDATE SET position = 0, events_applied = 0, updated_at = excluded.updated_at`,
      );
    });
  }

  async finishRebuild(): Promise<void> {
    await this.putBack(restoreDeferred);
  }

  async restoreAbandonedRebuild(): Promise<boolean> {
    return this.putBack(restoreAbandoned);
  }

  private async putBack(restore: typeof restoreDeferred): Promise<boolean> {
    await this.migrate();
    const restored = await this.client.transaction((tx) =>
      restore(tx, PROJECTED_TABLES, this.client.dialect),
    );
    // The queries that follow are planned by statistics taken while the tables were empty: take them again.
    if (restored && this.client.dialect === 'postgres')
      await this.client.query(`ANALYZE ${PROJECTED_TABLES.join(', ')}`);
    return restored;
  }

  async claimProjectorLease(checkpoint: string, holder: string, ttlMs: number): Promise<boolean> {
    await this.migrate();
    // A write, so in a write transaction: on SQLite that is the process's one writer connection, queued
    // behind a batch in hand, where a write on the reader connection would wait for SQLite's lock
    // synchronously — holding up the event loop, and with it the batch it waits for, until the busy
    // timeout fails it.
    return this.client.transaction(async (tx) => {
      const now = Date.now();
      // One statement: the row is taken when free, expired or already ours; otherwise left as it is.
      await tx.query(
        `INSERT INTO projector_leases (name, holder, expires_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
         WHERE projector_leases.holder = excluded.holder OR projector_leases.expires_at_ms < ?`,
        [checkpoint, holder, now + ttlMs, now],
      );
      const [row] = await tx.query(`SELECT holder FROM projector_leases WHERE name = ?`, [checkpoint]);
      return row !== undefined && str(row, 'holder') === holder;
    });
  }

  async releaseProjectorLease(checkpoint: string, holder: string): Promise<void> {
    await this.migrate();
    await this.client.transaction((tx) =>
      tx.query(`DELETE FROM projector_leases WHERE name = ? AND holder = ?`, [checkpoint, holder]),
    );
  }

  async projectorLeaseHolder(checkpoint: string): Promise<{ holder: string; expiresAt: string } | null> {
    await this.migrate();
    const [row] = await this.client.query(
      `SELECT holder, expires_at_ms FROM projector_leases WHERE name = ? AND expires_at_ms >= ?`,
      [checkpoint, Date.now()],
    );
    return row
      ? { holder: str(row, 'holder'), expiresAt: new Date(num(row, 'expires_at_ms')).toISOString() }
      : null;
  }

  async getCaseSummary(pseId: string): Promise<CaseSummaryRow | null> {
    await this.migrate();
    const [row] = await this.client.query(
      `SELECT ${CASE_SUMMARY_COLUMNS} FROM case_summary WHERE pse_id = ?`,
      [pseId],
    );
    return row ? caseSummaryTable.fromRecord(row) : null;
  }

  async listCases(query: ListCasesQuery): Promise<Page<CaseSummaryRow>> {
    await this.migrate();
    const limit = clampLimit(query.limit);
    const where: string[] = [];
    const params: unknown[] = [];
    const byId = query.sort === undefined || query.sort === 'id';
    if (query.state !== undefined) {
      if (!(CASE_STATES as readonly string[]).includes(query.state))
        throw new InvalidQuery({ field: 'state', reason: 'unknown state' });
      // In id order, one state's page is a walk of the (state, case id) index. Asked `state = ?` and `ORDER BY
      // pse_id`, PostgreSQL may walk the primary key instead, betting that a page of the state comes soon in
      // id order — at a million cases it read 37,000 rows to find the first blocked one (44 ms against 1 ms).
      // A range of one state and the order by state then id say the same, and only that index serves them.
      where.push(byId ? 'state >= ? AND state <= ?' : 'state = ?');
      params.push(...(byId ? [query.state, query.state] : [query.state]));
    }
    if (query.origin !== undefined) {
      where.push('origin = ?');
      params.push(query.origin);
    }
    if (query.policy !== undefined) {
      where.push('policy_version = ?');
      params.push(query.policy);
    }
    const text: TextSearch = { fts: 'case_search', columns: CASE_SEARCH_COLUMNS, q: query.q };
    if (query.deadlineBefore !== undefined) {
      // The deadline order's key (migration 9 indexes it; 18 dropped the bare column's index), which sorts a
      // missing deadline last: IS NOT NULL keeps such cases out.
      where.push(`${DEADLINE_KEY} <= ? AND next_deadline_at IS NOT NULL`);
      params.push(instantParam('deadlineBefore', query.deadlineBefore));
    }
    if (query.sort === 'traffic') return this.listCasesByTraffic(where, params, text, query.cursor, limit);
    if (query.sort !== undefined && query.sort !== 'id')
      return this.listCasesByColumn(where, params, text, query.sort, query.cursor, limit);
    if (query.cursor !== undefined) {
      const [after] = decodeCursor(query.cursor, 1);
      where.push('pse_id > ?');
      params.push(after);
    }
    const orderBy = query.state !== undefined ? 'state, pse_id' : 'pse_id';
    const rows = await this.textPage(
      { select: CASE_SUMMARY_COLUMNS, from: 'case_summary', where, params, orderBy, limit },
      text,
    );
    const items = rows.slice(0, limit).map(caseSummaryTable.fromRecord);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.pseId]) : null };
  }

  /** `listCases` by a column of the table (then case id), either way; keyset cursor naming the order. */
  private async listCasesByColumn(
    where: readonly string[],
    params: readonly unknown[],
    text: TextSearch,
    sort: Exclude<CaseSort, 'id' | 'traffic'>,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<CaseSummaryRow>> {
    const { columns, orderBy, after } = caseOrder(this.client.dialect, sort);
    const conditions = [...where];
    const values = [...params];
    if (cursor !== undefined) {
      const [named, ...keyValues] = decodeCursor(cursor, columns.length + 1);
      if (named !== sort) throw new InvalidQuery({ field: 'cursor', reason: 'not a cursor of this order' });
      const typed = keyValues.map((v, i) => {
        if (columns[i]?.type !== 'number') return v;
        if (!/^-?\d+$/.test(v))
          throw new InvalidQuery({ field: 'cursor', reason: 'not a cursor this query returned' });
        return Number(v);
      });
      const keyset = after(typed);
      conditions.push(keyset.sql);
      values.push(...keyset.params);
    }
    const rows = await this.textPage(
      {
        select: `${CASE_SUMMARY_COLUMNS}, ${columns.map((c, i) => `${c.expr} AS sort_key_${i}`).join(', ')}`,
        from: 'case_summary',
        where: conditions,
        params: values,
        orderBy,
        limit,
      },
      text,
    );
    const page = pageOf(rows, limit, (r) => [sort, ...columns.map((_, i) => String(r[`sort_key_${i}`]))]);
    return { items: page.items.map(caseSummaryTable.fromRecord), nextCursor: page.nextCursor };
  }

  /**
   * `listCases` by traffic: the open cases' largest visits first (none: last), then case id; keyset cursor. Two
   * walks, as the escalation queue's: the cases with a count of visits (the few whose domains have traffic), largest
   * first, then the rest in case id order, which the primary key (or a filter's index) gives from the cursor —
   * joining every case with its traffic and sorting them all took 18 ms a page at 100,000 cases, wherever the page.
   * A case whose traffic is recorded between the two walks may be missed by the listing, as a row whose key changes
   * behind any cursor is.
   */
  private async listCasesByTraffic(
    where: readonly string[],
    params: readonly unknown[],
    text: TextSearch,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<CaseSummaryRow>> {
    let after: { visits: number; pseId: string } | null = null;
    if (cursor !== undefined) {
      const [visits, pseId] = decodeCursor(cursor, 2);
      if (!/^-?\d+$/.test(visits))
        throw new InvalidQuery({ field: 'cursor', reason: 'not a cursor this query returned' });
      after = { visits: Number(visits), pseId };
    }
    const select = `${selectList(caseSummaryTable, 's.')}, t.traffic_visits`;
    const rows: SqlRecord[] = [];
    if (after === null || after.visits >= 0) {
      // The filters name case_summary's columns unqualified: the joined walk (t_pse_id, traffic_visits) exposes none of them.
      const keys: SortKey[] = [{ expr: 't.traffic_visits', descending: true }, { expr: 's.pse_id' }];
      const keyset = after && keysetAfter(keys, [after.visits, after.pseId]);
      rows.push(
        ...(await this.textPage(
          {
            select,
            from: `case_summary s JOIN (${COUNTED_CASES}) t ON t.t_pse_id = s.pse_id`,
            where: [...where, OPEN_FOR_TRAFFIC, ...(keyset ? [keyset.sql] : [])],
            params: [...params, ...(keyset?.params ?? [])],
            orderBy: 't.traffic_visits DESC, s.pse_id',
            limit,
          },
          text,
        )),
      );
    }
    if (rows.length <= limit) {
      const idAfter = after !== null && after.visits < 0 ? after.pseId : null;
      rows.push(
        ...(await this.textPage(
          {
            select: `${selectList(caseSummaryTable, 's.')}, NULL AS traffic_visits`,
            from: 'case_summary s',
            where: [
              ...where,
              uncountedTraffic(idAfter !== null),
              ...(idAfter === null ? [] : ['s.pse_id > ?']),
            ],
            params: [...params, ...(idAfter === null ? [] : [idAfter, idAfter])],
            orderBy: 's.pse_id',
            limit: limit - rows.length,
          },
          text,
        )),
      );
    }
    const page = pageOf(rows, limit, (r) => [String(nnum(r, 'traffic_visits') ?? -1), str(r, 'pse_id')]);
    return { items: page.items.map(caseSummaryTable.fromRecord), nextCursor: page.nextCursor };
  }

  async getTimeline(pseId: string): Promise<CaseTimelineRow[]> {
    await this.migrate();
    const rows = await this.client.query(
      `SELECT ${selectList(timelineTable)} FROM case_timeline WHERE pse_id = ? ORDER BY revision`,
      [pseId],
    );
    return rows.map(timelineTable.fromRecord);
  }

  async getBlocklist(): Promise<Blocklist> {
    await this.migrate();
    // One statement, so one snapshot: a first row with the checkpoint and the feed's newest position, then
    // the entries. Read aside: at a million systems the list is 130,000 rows, ~0.4 s of SQLite work that
    // would otherwise hold the request loop (the API reads it whole when it first serves the list).
    const rows = await this.readAside(
      `SELECT 0 AS head, NULL AS kind, NULL AS domain, NULL AS pse_id, NULL AS since,
         (SELECT position FROM projection_checkpoints WHERE name = ?) AS checkpoint,
         (SELECT max(position) FROM blocklist_changes) AS last_change
       UNION ALL
       SELECT 1, kind, domain, pse_id, since, NULL, NULL FROM blocklist
       ORDER BY head, kind, domain, pse_id`,
      [DEFAULT_CHECKPOINT],
    );
    const [first, ...listed] = rows;
    return {
      position: first ? (nnum(first, 'checkpoint') ?? 0) : 0,
      lastChange: first ? (nnum(first, 'last_change') ?? 0) : 0,
      entries: listed.map((r) => ({
        kind: entryKind(r),
        domain: str(r, 'domain'),
        pseId: str(r, 'pse_id'),
        since: str(r, 'since'),
      })),
    };
  }

  /** The position of the newest change-feed line (one probe of the feed's primary key), 0 when none. */
  async getBlocklistVersion(): Promise<number> {
    await this.migrate();
    const [row] = await this.client.query(`SELECT max(position) AS position FROM blocklist_changes`);
    return row ? (nnum(row, 'position') ?? 0) : 0;
  }

  async getBlocklistChanges(after: number, limit?: number): Promise<BlocklistFeedEntry[]> {
    await this.migrate();
    const n = clampLimit(limit, 1000);
    // The page ends on a whole position: a client resuming "after" it never misses a sibling line.
    const rows = await this.client.query(
      `SELECT position, kind, domain, pse_id, action, at FROM blocklist_changes
       WHERE position > ? AND position <= (
         SELECT max(position) FROM (SELECT position FROM blocklist_changes WHERE position > ? ORDER BY position LIMIT ?) page)
       ORDER BY position, action DESC, domain`,
      [after, after, n],
    );
    return rows.map((r) => ({
      position: num(r, 'position'),
      kind: entryKind(r),
      domain: str(r, 'domain'),
      pseId: str(r, 'pse_id'),
      action: str(r, 'action') === 'add' ? 'add' : 'remove',
      at: str(r, 'at'),
    }));
  }

  async getStateCounts(asOf: string, options: StateCountsOptions = {}): Promise<StateCounts> {
    await this.migrate();
    const occurredBy = timeBoundParam('asOf', asOf);
    const recordedBy = options.knownAt === undefined ? null : timeBoundParam('knownAt', options.knownAt);
    let rows = await this.keptStateCounts(asOf, occurredBy, recordedBy);
    if (rows !== null) {
      // Counted as the projector went (below).
    } else if (recordedBy !== null) {
      const few = this.client.dialect !== 'sqlite' || (await this.fewRecordedBy(this.aside, recordedBy));
      rows = await this.readAside(
        few ? STATE_COUNTS_AS_OF_KNOWN_AT : STATE_COUNTS_AS_OF_KNOWN_AT_SCAN,
        [occurredBy, recordedBy, occurredBy, recordedBy],
        'history',
      );
    } else {
      // An instant within the history: the last event by revision among those in effect by then
      // (docs/decisions/0004); the daily deltas only know whole business dates.
      rows = await this.readAside(STATE_COUNTS_AS_OF, [occurredBy, occurredBy], 'history');
    }
    const counts = Object.fromEntries(CASE_STATES.map((s) => [s, 0])) as Record<CaseState, number>;
    for (const r of rows) {
      const s = str(r, 'state') as CaseState;
      if (s in counts) counts[s] = num(r, 'n');
    }
    // Bounds as asked: a date stays a date; an instant is given in UTC, like every stored instant.
    const echo = (value: string, bound: string) => (isBusinessDate(value) ? value : bound);
    return {
      asOf: echo(asOf, occurredBy),
      knownAt:
        options.knownAt === undefined || recordedBy === null ? null : echo(options.knownAt, recordedBy),
      counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
    };
  }

  /**
   * The newest business and record times the projector keeps, read once, as a test of bounds: whether every
   * event projected so far was recorded by `recordedBy` (null: no bound), and occurred by `occurredBy` when
   * given. Read models without any case admit every bound; a store whose timeline bounds are missing admits
   * none.
   */
  private async timelineAdmits(
    tx: Pick<SqlTransaction, 'query'>,
  ): Promise<(recordedBy: string | null, occurredBy?: string) => boolean> {
    const [bounds] = await tx.query(
      `SELECT max_occurred_at, max_recorded_at FROM timeline_bounds WHERE name = 'timeline'`,
    );
    if (bounds === undefined) {
      const [any] = await tx.query(`SELECT 1 AS one FROM case_summary LIMIT 1`);
      return () => any === undefined;
    }
    const newestOccurred = Date.parse(str(bounds, 'max_occurred_at'));
    const newestRecorded = Date.parse(str(bounds, 'max_recorded_at'));
    return (recordedBy, occurredBy) =>
      (occurredBy === undefined || Date.parse(occurredBy) >= newestOccurred) &&
      (recordedBy === null || Date.parse(recordedBy) >= newestRecorded);
  }

  /**
   * The population as the projector keeps it, when the bounds let it answer; null otherwise. Bounds that
   * admit every event projected so far: each case's last event by revision within them is its last event,
   * whose state case_summary holds and case_state_counts counts. A business date `asOf`, with every event
   * recorded by `knownAt` (or none given): the sum of the daily deltas up to that date. The bounds and the
   * counts are read in one snapshot.
   */
  private async keptStateCounts(
    asOf: string,
    occurredBy: string,
    recordedBy: string | null,
  ): Promise<SqlRecord[] | null> {
    const kept = await this.client.snapshot(async (tx) => {
      const admits = await this.timelineAdmits(tx);
      if (admits(recordedBy, occurredBy)) return tx.query(`SELECT state, cases AS n FROM case_state_counts`);
      if (!isBusinessDate(asOf)) return null;
      if (admits(recordedBy))
        return tx.query(
          `SELECT state, sum(n) AS n FROM state_deltas_daily WHERE business_date <= ? GROUP BY state`,
          [asOf],
        );
      return recordedBy === null ? null : ('corrected' as const);
    });
    if (kept !== 'corrected') return kept;
    if (recordedBy === null) return null; // never: the look above answers 'corrected' only with a knownAt
    // The series' one date: the dates before it come as '', the date itself as itself.
    const fold = (days: SqlRecord[]) => {
      const counts = new Map<string, number>();
      for (const r of days) counts.set(str(r, 'state'), (counts.get(str(r, 'state')) ?? 0) + num(r, 'n'));
      return [...counts].map(([state, n]) => ({ state, n }));
    };
    const recorded = await this.recordedSeries('states', recordedBy, asOf, asOf);
    if (recorded !== null) return fold(recorded);
    // The kept deltas corrected for what was recorded after `knownAt` read every timeline those events touch
    // (seconds at a million systems): off the request loop, like the whole history. Each statement is right
    // whatever was projected since the look above; that look only chose the way.
    if (!(await this.fewRecordedAfter(this.aside, recordedBy))) return null;
    return fold(
      await this.readAside(
        recordedAfterSeriesSql(this.client.dialect).states,
        recordedAfterParams(recordedBy, asOf, asOf),
        'history',
      ),
    );
  }

  async getTransitionsPerDay(from: string, to: string): Promise<TransitionsPerDay[]> {
    await this.migrate();
    assertDate('from', from);
    assertDate('to', to);
    const rows = await this.client.query(
      `SELECT business_date, from_state, to_state, count FROM transitions_daily
       WHERE business_date >= ? AND business_date <= ? ORDER BY business_date, from_state, to_state`,
      [from, to],
    );
    return rows.map((r) => ({
      date: str(r, 'business_date'),
      fromState: str(r, 'from_state'),
      toState: str(r, 'to_state'),
      count: num(r, 'count'),
    }));
  }

  async getFinesPerMonth(): Promise<FinesPerMonth[]> {
    await this.migrate();
    const rows = await this.client.query(`SELECT * FROM fines_monthly ORDER BY month`);
    return rows.map((r) => ({
      month: str(r, 'month'),
      imposedCount: num(r, 'imposed_count'),
      imposedIdr: num(r, 'imposed_idr'),
      paidCount: num(r, 'paid_count'),
      paidIdr: num(r, 'paid_idr'),
      annulledCount: num(r, 'annulled_count'),
      annulledIdr: num(r, 'annulled_idr'),
    }));
  }

  async getFines(pseId: string): Promise<FineRow[]> {
    await this.migrate();
    const rows = await this.client.query(
      `SELECT ${selectList(fineTable)} FROM fines WHERE pse_id = ? ORDER BY imposed_at, fine_id`,
      [pseId],
    );
    return rows.map(fineTable.fromRecord);
  }

  async getWarningToRegistration(page: PageQuery = {}): Promise<WarningToRegistrationStats> {
    await this.migrate();
    const limit = clampLimit(page.limit);
    const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 2);
    const casesPage = warningCasesPage(cursor, limit);
    // The figures cover every case whatever the page; one snapshot keeps them and the page consistent.
    return this.client.snapshot(async (tx) => {
      // Kept by the projector (moveWarningTotals); no row before the first warning.
      const [totals] = await tx.query(
        `SELECT cases, registered, seconds FROM warning_to_registration_totals WHERE name = 'all'`,
      );
      const total = totals === undefined ? 0 : num(totals, 'cases');
      const registered = totals === undefined ? 0 : num(totals, 'registered');
      const average = totals === undefined || registered === 0 ? null : num(totals, 'seconds') / registered;
      const middle = registered === 0 ? [] : await this.middleSeconds(tx, registered);
      const rows = await tx.query(casesPage.sql, casesPage.params);
      const cases = pageOf(rows.map(warningToRegistrationTable.fromRecord), limit, (r) => [
        r.warnedAt,
        r.pseId,
      ]);
      return {
        registered,
        pending: total - registered,
        medianDays: median(middle.map((r) => num(r, 'seconds') / 86400)),
        averageDays: average === null ? null : average / 86400,
        nextCursor: cases.nextCursor,
        cases: cases.items.map((r) => ({
          pseId: r.pseId,
          warnedAt: r.warnedAt,
          submittedAt: r.submittedAt,
          registeredAt: r.registeredAt,
          days: r.seconds === null ? null : r.seconds / 86400,
        })),
      };
    });
  }

  /**
   * The one or two middle values of the registered cases' seconds (of `registered`, as kept). The kept days
   * (`warning_to_registration_days`, a few hundred rows) say on which day the lower middle one lies; the
   * index of the seconds is walked from that day on, not from the first case: an OFFSET over half the
   * registered cases was 9 ms at 100,000 systems on PostgreSQL before a vacuum marks the pages all-visible.
   */
  private async middleSeconds(tx: Pick<SqlTransaction, 'query'>, registered: number): Promise<SqlRecord[]> {
    const lower = Math.floor((registered - 1) / 2);
    let before = 0;
    let day = 0;
    for (const r of await tx.query(`SELECT days, cases FROM warning_to_registration_days ORDER BY days`)) {
      const cases = num(r, 'cases');
      if (before + cases > lower) {
        day = num(r, 'days');
        break;
      }
      before += cases;
    }
    return tx.query(
      `SELECT seconds FROM warning_to_registration WHERE seconds IS NOT NULL AND seconds >= ? ORDER BY seconds LIMIT ? OFFSET ?`,
      [day * 86_400, registered % 2 === 1 ? 1 : 2, lower - before],
    );
  }

  async getDueDeadlines(before: string, page: PageQuery = {}): Promise<Page<DueDeadline>> {
    await this.migrate();
    const limit = clampLimit(page.limit);
    const bound = instantParam('before', before);
    const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 4);
    const { sql, params } = dueDeadlinesPage(bound, cursor, limit);
    const rows = await this.client.query(sql, params);
    const deadlines = rows.map((r) => ({
      pseId: str(r, 'pse_id'),
      name: str(r, 'name'),
      kind: str(r, 'kind'),
      dueAt: str(r, 'due_at'),
      fineId: nstr(r, 'fine_id') || null,
      caseState: str(r, 'case_state'),
    }));
    return pageOf(deadlines, limit, (d) => [d.dueAt, d.pseId, d.kind, d.fineId ?? '']);
  }

  async getEscalationQueue(page: EscalationQueueQuery = {}): Promise<Page<EscalationQueueEntry>> {
    await this.migrate();
    const limit = clampLimit(page.limit);
    const byTraffic = (page.order ?? 'traffic') === 'traffic';
    if (!byTraffic && page.order !== 'oldest')
      throw new InvalidQuery({ field: 'order', reason: 'expected traffic or oldest' });
    // Unknown traffic sorts last (-1 is below any count); a missing since (never written while an
    // escalation is pending) last among equals; the case id makes the order total for the cursor.
    let cursor: { visits: number; since: string; pseId: string } | null = null;
    if (page.cursor !== undefined && byTraffic) {
      const [visits, since, pseId] = decodeCursor(page.cursor, 3);
      if (!/^-?\d+$/.test(visits))
        throw new InvalidQuery({ field: 'cursor', reason: 'not a cursor this query returned' });
      cursor = { visits: Number(visits), since, pseId };
    } else if (page.cursor !== undefined) {
      const [since, pseId] = decodeCursor(page.cursor, 2);
      cursor = { visits: -1, since, pseId };
    }
    // Two walks, one snapshot: the pending cases with known traffic, largest first (the few whose domains
    // have traffic), then the rest oldest first, read from case_summary_escalation as far as the page needs
    // — every pending case is in exactly one of them. Sorting every pending case by its traffic took 11 ms
    // a page at a million systems.
    const dialect = this.client.dialect;
    const since = escalationSince(dialect);
    const rows = await this.client.snapshot(async (tx) => {
      const found: SqlRecord[] = [];
      if (byTraffic && (cursor === null || cursor.visits >= 0)) {
        const keys: SortKey[] = [{ expr: 't.traffic_visits', descending: true }, { expr: since }, CASE_KEY];
        const after = cursor === null ? null : keysetAfter(keys, [cursor.visits, cursor.since, cursor.pseId]);
        found.push(
          ...(await withTraffic(
            tx,
            await tx.query(
              `${ESCALATION_QUEUE_CASES} JOIN (${COUNTED_CASES}) t ON t.t_pse_id = s.pse_id
               WHERE s.escalation_pending = 1 AND ${OPEN_FOR_TRAFFIC}${after ? ` AND ${after.sql}` : ''}
               ORDER BY t.traffic_visits DESC, ${since}, s.pse_id LIMIT ?`,
              [...(after?.params ?? []), limit + 1],
            ),
          )),
        );
      }
      // By traffic, the rest are the cases without a count (none, or ranks alone), oldest first. Those with
      // one are skipped here rather than filtered in SQL: PostgreSQL takes such a filter on the outer join for
      // a rare row and sorts every pending case (40 ms at 100,000 systems) instead of walking the index.
      let after: { since: string; pseId: string } | null =
        cursor === null || (byTraffic && cursor.visits >= 0) ? null : cursor;
      const batch = limit + 1;
      while (found.length <= limit) {
        const next = escalationOldestPage(dialect, after && [after.since, after.pseId], batch);
        const walked = await tx.query(next.sql, next.params);
        for (const row of await withTraffic(tx, walked)) {
          if (found.length > limit) break;
          if (!byTraffic || nnum(row, 'visits') === null) found.push(row);
        }
        const last = walked[walked.length - 1];
        if (walked.length < batch || last === undefined) break;
        after = { since: nstr(last, 'escalation_since') ?? FAR_FUTURE, pseId: str(last, 'pse_id') };
      }
      return found;
    });
    const entries = rows.map((r) => ({
      pseId: str(r, 'pse_id'),
      name: str(r, 'name'),
      state: str(r, 'state'),
      substate: nstr(r, 'substate'),
      since: nstr(r, 'escalation_since'),
      allowed: list(r, 'escalation_allowed'),
      visits: nnum(r, 'visits'),
      rank: nnum(r, 'best_rank'),
    }));
    return pageOf(entries, limit, (e) =>
      byTraffic ? [String(e.visits ?? -1), e.since ?? FAR_FUTURE, e.pseId] : [e.since ?? FAR_FUTURE, e.pseId],
    );
  }

  async getRegistry(query: RegistryQuery): Promise<Page<RegistryRow>> {
    await this.migrate();
    const limit = clampLimit(query.limit);
    const where: string[] = [];
    const params: unknown[] = [];
    // By name, then case id, in byte order on both dialects (migration 9 indexes it on PostgreSQL).
    const name = byteOrder(this.client.dialect, 'name');
    const id = byteOrder(this.client.dialect, 'pse_id');
    if (query.cursor !== undefined) {
      const after = keysetAfterRow([name, id], decodeCursor(query.cursor, 2));
      where.push(after.sql);
      params.push(...after.params);
    }
    const rows = await this.textPage(
      {
        select: selectList(registryTable),
        from: 'registry',
        where,
        params,
        orderBy: `${name}, ${id}`,
        limit,
      },
      { fts: 'registry_search', columns: REGISTRY_SEARCH_COLUMNS, q: query.q },
    );
    const items = rows.slice(0, limit).map(registryTable.fromRecord);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.name, last.pseId]) : null };
  }

  /**
   * A page of `page`'s query, filtered also by `text` when it has one (`substringFilter`). Where the text is
   * one of SQLite's with many trigram candidates, the walk in the page's order that judges every row by LIKE
   * (1–3.5 µs a row, mostly reading the row) is long where the matches lie far along that order: at a million
   * cases the register's `toko` waited 50,000 rows in name order for its first match (78–194 ms), `pt kilat`
   * 270,000 (0.4–1.3 s). So such a page is asked in up to two tries. First the next SEARCH_WINDOW rows of the
   * order (or four pages' worth), judged as they come and read no further than the page's end: a whole page
   * there is the answer. Otherwise the walk goes on from the start checking each row's rowid against the set
   * of candidates (the order's index alone, about 0.1 µs a row; LIKE judges only the candidates), which costs
   * building that set: 20–35 ms for the 100,000–160,000 candidates of a common word at a million rows, 170 ms
   * where every row is one (docs/benchmarks.md, "Searches of common texts"). Both tries run on the reader
   * thread (`readAside`): one such search at a time, while the request loop goes on answering everything else
   * (commands beside 32 clients searching `toko` in name order: 1,066/s, p99 26 ms, against 38/s, p99 468 ms
   * with the tries on the loop).
   */
  private async textPage(page: PageSql, text: TextSearch): Promise<SqlRecord[]> {
    const run = (
      filter?: Filter,
      read = (sql: string, params: readonly unknown[]) => this.client.query(sql, params),
    ) => {
      const where = filter ? [...page.where, filter.sql] : page.where;
      return read(
        `SELECT ${page.select} FROM ${page.from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${page.orderBy} LIMIT ?`,
        [...page.params, ...(filter?.params ?? []), page.limit + 1],
      );
    };
    const q = text.q?.trim();
    if (q === undefined || q === '') return run();
    const filter = await this.substringFilter(text.fts, text.columns, q);
    if (filter.members === undefined) return run(filter);
    // The walk is a co-routine, which SQLite runs only as far as the list of hits asks; only the page's own
    // rows are read whole, then put in the page's order again.
    const window = Math.max(SEARCH_WINDOW, 4 * (page.limit + 1));
    const aside = (sql: string, params: readonly unknown[]) => this.readAside(sql, params);
    const first = await run(
      {
        sql: `rowid IN (SELECT search_rowid FROM (SELECT rowid AS search_rowid, ${filter.sql} AS search_hit
        FROM ${page.from} ${page.where.length ? `WHERE ${page.where.join(' AND ')}` : ''}
        ORDER BY ${page.orderBy} LIMIT ${window}) WHERE search_hit LIMIT ${page.limit + 1})`,
        params: [...filter.params, ...page.params],
      },
      aside,
    );
    return first.length > page.limit ? first : run(filter.members, aside);
  }

  /**
   * The free-text filter of a search: `q` (trimmed by the caller, any case) is a substring of one of `columns`, or of
   * one of the case's app ids or IP addresses. The searched table's `rowid` is named unqualified (a
   * join's other side, a subquery, has none). The LIKE predicate always decides, so results are the
   * scan's exactly; on SQLite it reads the columns as they are, since its lower() and its LIKE fold the same
   * letters (ASCII) and lower() would only copy each text first (0.8 of the judging's time). On SQLite the
   * trigram index `fts` picks the candidates when they are few; when they are many (at least
   * SEARCH_CANDIDATE_CAP, counted no further), fetching and sorting them all costs more than walking the table
   * in the page's order, so the filter is left to that walk, and `members` is the same filter asked of the
   * candidates first (`textPage`). On PostgreSQL pg_trgm indexes of the same expressions find the candidates,
   * with the same choice: few, and the page is read from them (`pse_id IN (...)`, which the planner estimates
   * by the trigram indexes; within an OR beside the address match it guessed half the table and walked
   * the page's order through every row: 2–4 s a search at a million); many, and the walk is left to it.
   */
  private async substringFilter(
    fts: 'case_search' | 'registry_search',
    columns: readonly string[],
    q: string,
  ): Promise<TextFilter> {
    const p = likePattern(q);
    const judged = this.client.dialect === 'sqlite' ? columns.map(unfolded) : columns;
    const text = `(${judged.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`;
    const params: unknown[] = columns.map(() => p);
    const table = fts === 'case_search' ? 'case_summary' : 'registry';
    if (this.client.dialect === 'postgres') {
      const [row] = await this.client.query(
        `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE ${text} LIMIT ${SEARCH_CANDIDATE_CAP}) c`,
        params,
      );
      if (row !== undefined && num(row, 'n') < SEARCH_CANDIDATE_CAP) {
        return {
          sql: `pse_id IN (SELECT pse_id FROM ${table} WHERE ${text} UNION ${ADDRESS_CASES})`,
          params: [...params, p],
        };
      }
    }
    // The text, or one of the system's app ids or IP addresses (a small side table: only cases naming any).
    const judge = { sql: `(${text} OR ${ADDRESS_MATCH})`, params: [...params, p] };
    const match = this.client.dialect === 'sqlite' ? trigramQuery(q.toLowerCase()) : null;
    if (match === null) return judge;
    const [row] = await this.client.query(
      `SELECT count(*) AS n FROM (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ? LIMIT ${SEARCH_CANDIDATE_CAP})`,
      [match],
    );
    if (row !== undefined && num(row, 'n') < SEARCH_CANDIDATE_CAP) {
      return {
        sql: `((rowid IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?) AND ${text}) OR ${ADDRESS_MATCH})`,
        params: [match, ...params, p],
      };
    }
    // Many: `+rowid` keeps the planner on the page order's index, testing each row against the set.
    const members = `+rowid IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?
      UNION ALL SELECT rowid FROM ${table} WHERE ${ADDRESS_MATCH})`;
    return {
      ...judge,
      members: { sql: `(${members} AND ${judge.sql})`, params: [match, p, ...judge.params] },
    };
  }

  async getDiscoveryCandidates(limit?: number): Promise<DiscoveryCandidate[]> {
    await this.migrate();
    // discovery_candidates in its order, as the discovery list walks it (sorted whole, it cost every address kept).
    return latestDiscoveryFigures(this.client, clampLimit(limit, 100));
  }

  async getOpenCasesByTraffic(limit?: number): Promise<OpenCaseByTraffic[]> {
    await this.migrate();
    const size = clampLimit(limit, 100);
    const inOrder = `ORDER BY visits DESC NULLS LAST, best_rank ASC NULLS LAST, pse_id`;
    const columns = `SELECT pse_id, name, state, visits, best_rank, period FROM open_cases_by_traffic`;
    // The open cases with the most visits, walked down the cases' domains by visits (`COUNTED_CASES`) to the list's
    // end and on through its last figure (ties go by best rank, which the walk does not know): the view in its order,
    // asked of those cases alone, is then the list. Sorting the whole view cost every case with traffic.
    const rows = await this.client.snapshot(async (tx) => {
      const walk = `SELECT s.pse_id, t.traffic_visits FROM case_summary s JOIN (${COUNTED_CASES}) t ON t.t_pse_id = s.pse_id
        WHERE ${OPEN_FOR_TRAFFIC}`;
      const first = await tx.query(`${walk} ORDER BY t.traffic_visits DESC, s.pse_id LIMIT ?`, [size]);
      const whole = () => tx.query(`${columns} ${inOrder} LIMIT ?`, [size]);
      // Fewer open cases with a count of visits than the list holds: the rest have ranks alone, the view whole.
      if (first.length < size) return whole();
      const last = (first[first.length - 1] as SqlRecord).traffic_visits;
      const tied = await tx.query(`${walk} AND t.traffic_visits = ?`, [last]);
      const ids = [...new Set([...first, ...tied].map((r) => str(r, 'pse_id')))];
      // A tie too large to name (many cases at one figure): the view whole, as before.
      if (ids.length > MAX_TIED_CASES) return whole();
      return tx.query(`${columns} WHERE pse_id IN (${ids.map(() => '?').join(', ')}) ${inOrder} LIMIT ?`, [
        ...ids,
        size,
      ]);
    });
    return rows.map((r) => ({
      pseId: str(r, 'pse_id'),
      name: str(r, 'name'),
      state: str(r, 'state'),
      visits: nnum(r, 'visits'),
      rank: nnum(r, 'best_rank'),
      period: str(r, 'period'),
    }));
  }

  async recordTrafficObservations(rows: readonly TrafficObservation[]): Promise<number> {
    await this.migrate();
    const params = rows.flatMap((r) => {
      const [domain] = normaliseDomains([r.domain]);
      // Rows recorded without a source share the empty one (the key is (domain, period, source)).
      return domain ? [[domain, r.period, r.visits ?? null, r.rank ?? null, r.source ?? '']] : [];
    });
    await this.client.transaction(async (tx) => {
      await tx.insertMany(
        'traffic_observations',
        ['domain', 'period', 'visits', 'rank', 'source'],
        params,
        `ON CONFLICT (domain, period, source) DO UPDATE SET visits = excluded.visits, rank = excluded.rank`,
      );
      await refreshTrafficLatest(
        tx,
        this.client.dialect,
        params.map(([domain]) => String(domain)),
      );
    });
    return params.length;
  }

  async applyTrafficBatch(
    rows: readonly TrafficObservationRow[],
    options: { expectedPosition: number; toPosition: number; checkpoint?: string },
  ): Promise<ApplyBatchResult> {
    await this.migrate();
    const name = options.checkpoint ?? TRAFFIC_CHECKPOINT;
    await this.client.transaction(async (tx) => {
      await this.moveCheckpoint(tx, name, options.expectedPosition, options.toPosition, rows.length);
      await insertTrafficRows(tx, this.client.dialect, rows);
    });
    return { applied: rows.length, position: options.toPosition };
  }

  async resetTraffic(checkpoint = TRAFFIC_CHECKPOINT): Promise<void> {
    await this.migrate();
    await this.client.transaction((tx) => resetTrafficRows(tx, this.client.dialect, checkpoint));
  }

  async findDiscoveryCandidates(query: DiscoveryQuery): Promise<RankedDiscoveryCandidate[]> {
    await this.migrate();
    return findDiscoveryCandidates(this.client, query, clampLimit(query.limit, 100));
  }

  async getCaseTraffic(pseId: string): Promise<CaseTrafficPoint[]> {
    await this.migrate();
    return caseTraffic(this.client, pseId);
  }

  async getStateCountsDaily(
    from: string,
    to: string,
    options: StateCountsOptions = {},
  ): Promise<StateCountsDaily> {
    await this.migrate();
    const range = this.seriesRange(from, to, options);
    const rows = await this.seriesDeltas('states', from, to, range);
    const deltas = rows.map((r) => ({
      date: str(r, 'business_date'),
      state: str(r, 'state'),
      n: num(r, 'n'),
    }));
    return { from, to, knownAt: range.echo, days: accumulateStateCounts(deltas, from, to) };
  }

  async getBlocklistDaily(
    from: string,
    to: string,
    options: StateCountsOptions = {},
  ): Promise<BlocklistDaily> {
    await this.migrate();
    const range = this.seriesRange(from, to, options);
    const rows = await this.seriesDeltas('blocklist', from, to, range);
    const deltas = rows.map((r) => ({
      date: str(r, 'business_date'),
      added: num(r, 'added'),
      removed: num(r, 'removed'),
    }));
    return { from, to, knownAt: range.echo, days: accumulateBlocklistSizes(deltas, from, to) };
  }

  /**
   * A daily series' changes per date from `from` (earlier ones as '') to `to`, in one snapshot: the kept
   * deltas when every event projected so far was recorded by `knownAt` (or none is given); as known at an
   * earlier instant, the kept deltas with what the events recorded after it changed taken back, when they
   * are few (`recordedAfterCap`); else the whole history up to `to`.
   */
  private async seriesDeltas(
    series: 'states' | 'blocklist',
    from: string,
    to: string,
    range: { knownAt: string | null; toBound: string },
  ): Promise<SqlRecord[]> {
    // The kept rows, when they are the answer (a look and a small read: on the request loop).
    const kept = await this.client.snapshot(async (tx) =>
      (await this.timelineAdmits(tx))(range.knownAt) ? tx.query(KEPT_SERIES[series], [from, to]) : null,
    );
    if (kept !== null) return kept;
    const knownAt = range.knownAt;
    if (knownAt === null) return this.historySeries(series, 'history', range);
    const recorded = await this.recordedSeries(series, knownAt, from, to);
    if (recorded !== null) return recorded;
    // Everything else reads timelines — the kept rows corrected for what was recorded after `knownAt`, or
    // the whole history — seconds at a million systems: off the request loop, the counts that choose the
    // way too. Each statement is right whatever was projected since the look above; the counts only choose.
    if (await this.fewRecordedAfter(this.aside, knownAt))
      return this.readAside(
        recordedAfterSeriesSql(this.client.dialect)[series],
        recordedAfterParams(knownAt, from, to),
        'history',
      );
    // The states' statement reads the rows recorded by `knownAt` along the record-time index when they are
    // few, the table in its order when they are not; the blocklist's sums each case's feed lines from its
    // first revision, so it reads whole timelines: only those of the cases recorded by then, when few.
    const few = await this.fewRecordedBy(this.aside, knownAt);
    if (series === 'states') return this.historySeries(series, few ? 'history' : 'historyScan', range);
    return this.historySeries(series, few ? 'recordedBy' : 'history', range);
  }

  /**
   * A daily series as known at `knownAt` from the deltas kept by record time (decision 0019), or null where that
   * does not hold for the instant: the kept deltas less what was recorded after it when that is little (a recent
   * instant), else what was recorded by it (complete only without a bound), else that subtraction after all.
   * Each statement checks in its own snapshot that it may answer.
   */
  private async recordedSeries(
    series: 'states' | 'blocklist',
    knownAt: string,
    from: string,
    to: string,
  ): Promise<SqlRecord[] | null> {
    if (this.tuning.recordedDeltas === false) return null;
    // The side with fewer dates of record to sum (a recent instant: the changes recorded after it; an early
    // one: those recorded by it). The changes recorded by it answer only when complete from the start; when
    // they do not, the subtraction is tried next (the one side a bound lets answer).
    const first = this.tuning.recordedFirst ?? (await this.fewerRecordedDays(knownAt));
    const sides: Array<'by' | 'after'> = first === 'by' ? ['by', 'after'] : ['after'];
    for (const side of sides) {
      const rows = await this.readAside(
        recordedSeriesSql(side)[series],
        recordedSeriesParams(side, knownAt, from, to),
        'history',
      );
      if (!rows.some((r) => str(r, 'business_date') === NOT_ANSWERED)) return rows;
    }
    return null;
  }

  /**
   * The side of the record-date roll-up with fewer rows around the date `knownAt` was recorded on: those after it
   * counted up to RECORDED_DAYS_COUNT_CAP, those before it only up to that count (none for a recent instant).
   */
  private async fewerRecordedDays(knownAt: string): Promise<'by' | 'after'> {
    const date = recordedDate(knownAt);
    const [counts] = await this.readAside(
      `WITH a AS (
        SELECT count(*) AS n FROM (SELECT 1 AS one FROM state_deltas_recorded_days WHERE recorded_date > ? LIMIT ?) r)
      SELECT a.n AS after_rows, (SELECT count(*) FROM (
        SELECT 1 AS one FROM state_deltas_recorded_days WHERE recorded_date < ? LIMIT (SELECT n FROM a)) r) AS by_rows
      FROM a`,
      [date, RECORDED_DAYS_COUNT_CAP, date],
      'history',
    );
    return counts !== undefined && num(counts, 'by_rows') < num(counts, 'after_rows') ? 'by' : 'after';
  }

  /** A daily series read from the timeline itself (`scope`: which rows and how), on the history lane. */
  private historySeries(
    series: 'states' | 'blocklist',
    scope: HistoryScope,
    range: { knownAt: string | null; toBound: string },
  ): Promise<SqlRecord[]> {
    const whole = series === 'states' ? stateDeltasSql : blocklistDeltasSql;
    return this.readAside(
      whole(this.client.dialect, range.knownAt !== null, scope),
      historyParams(scope, range.toBound, range.knownAt),
      'history',
    );
  }

  /** Statements on the history lane, for what takes a `query` (the counts that choose how to read history). */
  private readonly aside: Pick<SqlTransaction, 'query'> = {
    query: (sql, params) => this.readAside(sql, params ?? [], 'history'),
  };

  /**
   * A read off the request loop where it would hold it: a search or the blocklist's load (`quick`), or the
   * whole history (`history`, seconds at a million systems, on a thread of its own).
   */
  private readAside(
    sql: string,
    params: readonly unknown[],
    lane: AsideLane = 'quick',
  ): Promise<SqlRecord[]> {
    return this.client.queryAside
      ? this.client.queryAside(sql, params, lane)
      : this.client.query(sql, params);
  }

  /** Whether at most `recordedAfterCap` events projected so far were recorded after `knownAt`. */
  private fewRecordedAfter(tx: Pick<SqlTransaction, 'query'>, knownAt: string): Promise<boolean> {
    return this.fewRecorded(tx, '>', knownAt, this.tuning.recordedAfterCap ?? RECORDED_AFTER_CAP);
  }

  /** Whether at most `recordedByCap` events projected so far were recorded by `knownAt`. */
  private fewRecordedBy(tx: Pick<SqlTransaction, 'query'>, knownAt: string): Promise<boolean> {
    return this.fewRecorded(tx, '<=', knownAt, this.tuning.recordedByCap ?? RECORDED_BY_CAP);
  }

  /** Whether at most `cap` timeline rows were recorded after (`>`) or by (`<=`) `knownAt`: an index range. */
  private async fewRecorded(
    tx: Pick<SqlTransaction, 'query'>,
    side: '>' | '<=',
    knownAt: string,
    cap: number,
  ): Promise<boolean> {
    if (cap <= 0) return false;
    const [row] = await tx.query(
      `SELECT count(*) AS n FROM (SELECT 1 AS one FROM case_timeline WHERE recorded_at ${side} ? LIMIT ?) r`,
      [knownAt, cap + 1],
    );
    return row !== undefined && num(row, 'n') <= cap;
  }

  /** The checked bounds of a daily series and its SQL parameters (the end of `to` in WIB, then `knownAt`). */
  private seriesRange(from: string, to: string, options: StateCountsOptions) {
    const fromBound = timeBoundParam('from', from);
    const toBound = timeBoundParam('to', to);
    if (!isBusinessDate(from)) throw new InvalidQuery({ field: 'from', reason: 'expected YYYY-MM-DD' });
    if (!isBusinessDate(to)) throw new InvalidQuery({ field: 'to', reason: 'expected YYYY-MM-DD' });
    if (fromBound > toBound) throw new InvalidQuery({ field: 'from', reason: 'must not be after to' });
    if (businessDaysBetween(from, to) > MAX_SERIES_DAYS)
      throw new InvalidQuery({ field: 'to', reason: `at most ${MAX_SERIES_DAYS} days after from` });
    const knownAt = options.knownAt === undefined ? null : timeBoundParam('knownAt', options.knownAt);
    const echo =
      options.knownAt === undefined || knownAt === null
        ? null
        : isBusinessDate(options.knownAt)
          ? options.knownAt
          : knownAt;
    return { knownAt, echo, toBound };
  }

  async getLatestBlocklistChanges(limit?: number): Promise<BlocklistFeedEntry[]> {
    await this.migrate();
    const rows = await this.client.query(
      `SELECT position, kind, domain, pse_id, action, at FROM blocklist_changes
       ORDER BY position DESC, action, domain DESC LIMIT ?`,
      [clampLimit(limit, 20)],
    );
    return rows.map((r) => ({
      position: num(r, 'position'),
      kind: entryKind(r),
      domain: str(r, 'domain'),
      pseId: str(r, 'pse_id'),
      action: str(r, 'action') === 'add' ? 'add' : 'remove',
      at: str(r, 'at'),
    }));
  }

  async getWarningToRegistrationDays(): Promise<WarningToRegistrationBucket[]> {
    await this.migrate();
    // Whole days, rounded down (seconds are never negative: registration follows the warning), kept by the
    // projector (moveWarningTotals).
    const rows = await this.client.query(
      `SELECT days, cases FROM warning_to_registration_days ORDER BY days`,
    );
    return rows.map((r) => ({ days: num(r, 'days'), cases: num(r, 'cases') }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
