import { daysInMonth } from '@sanksi/domain';
import { CASE_STATES, type CaseState } from '../events/read-model-event';
import type { SqlDialect } from './read-model.schema';
import type { BlocklistOnDate, StateCountsOnDate } from './read-model-store.port';

/** The longest range a daily series answers (about ten years of business dates). */
export const MAX_SERIES_DAYS = 3660;

const DAY_MS = 86_400_000;

/** How many business dates from `from` to `to` (inclusive, YYYY-MM-DD; both already valid dates); 0 if none. */
export function businessDaysBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Every business date from `from` to `to` (inclusive, YYYY-MM-DD; both already valid dates, years of four
 * digits). Counted on the digits, month and year rolling over by the calendar: a Date and its ISO text for
 * each date were half the CPU of a year's series (0.55 ms a request).
 */
export function businessDatesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  let day = Number(from.slice(8, 10));
  for (let date = from; date <= to; ) {
    dates.push(date);
    if (++day > daysInMonth(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        year += 1;
      }
    }
    date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  }
  return dates;
}

/** The WIB calendar date of a stored instant, in SQL (WIB is UTC+7 all year, docs/regulation.md §9.2). */
function businessDateSql(dialect: SqlDialect, column: string): string {
  return dialect === 'sqlite'
    ? `date(${column}, '+7 hours')`
    : `to_char((${column} AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM-DD')`;
}

/**
 * Where the effective changes are read from. `history`: every case's timeline up to the `to` bound (and
 * `knownAt` when asked) — the parameters, in that order. `recordedBy`: the same, read only for the cases with
 * an event recorded by `knownAt` (a case with none has no event as known then) — parameters: the instant, the
 * `to` bound, the instant. `historyScan`: as `history`, the timeline read in its table's order rather than
 * along the record-time index (SQLite's choice for any bound, which fetches every row it admits one by one:
 * right when few rows were recorded by `knownAt`, 9× slower than the scan when most were, at a million systems).
 * `all`: every case's whole timeline, no parameter.
 * `revision`: what one revision of one case changed — its timeline up to and including the revision
 * (`sign` 1) beside the same without it (`sign` -1); parameters: the case and the revision, twice.
 * `recordedAfter`: what the events recorded after an instant changed — the timelines of the cases that have
 * any, as known then (`sign` 1) beside as they are (`sign` -1); parameters: the instant, three times.
 */
type ChangesScope = 'history' | 'historyScan' | 'recordedBy' | 'all' | 'revision' | 'recordedAfter';

const TIMELINE_COLUMNS = 'pse_id, revision, position, occurred_at, recorded_at, state_after';

/** The timeline rows a scope reads, each with its `sign`. */
function changesSource(scope: ChangesScope, dialect: SqlDialect): string {
  const rows = (sign: 1 | -1, where = '') =>
    `SELECT ${sign} AS sign, ${TIMELINE_COLUMNS} FROM case_timeline${where}`;
  switch (scope) {
    case 'revision':
      return `(${rows(1, ' WHERE pse_id = ? AND revision <= ?')} UNION ALL ${rows(-1, ' WHERE pse_id = ? AND revision < ?')})`;
    case 'recordedAfter': {
      const cases = ' WHERE pse_id IN (SELECT pse_id FROM case_timeline WHERE recorded_at > ?)';
      return `(${rows(1, cases)} UNION ALL ${rows(-1, cases)})`;
    }
    case 'recordedBy':
      return `(${rows(1, ' WHERE pse_id IN (SELECT pse_id FROM case_timeline WHERE recorded_at <= ?)')})`;
    case 'historyScan':
      // PostgreSQL plans the bound from its statistics.
      return `(${rows(1, dialect === 'sqlite' ? ' NOT INDEXED' : '')})`;
    default:
      return `(${rows(1)})`;
  }
}

/**
 * The changes of the bitemporal population (docs/regulation.md §9.6) over business time, as rows of
 * `effective`: per case, the events that become its "last event by revision among those that occurred
 * by D" as D moves forward. An event is such a change exactly when its revision is the highest of all
 * the case's events that occurred no later than it (a retraction, dated before the automatic events it
 * retracts, hides them for good); each carries the state before it (`prev_state`, null for the first)
 * and, with `blocklist`, the case's listed domains after it and before it. The listed domains after a
 * revision are the running sum of the change feed's lines over the case's revisions — the fold of the
 * blocklist entry, whatever the business dates. Every row carries the `sign` its scope gives it; each case
 * and sign is a timeline of its own.
 */
export function effectiveChangesCte(
  dialect: SqlDialect,
  options: { knownAt: boolean; blocklist: boolean; scope?: ChangesScope },
) {
  const scope = options.scope ?? 'history';
  const whole = scope === 'history' || scope === 'historyScan' || scope === 'all';
  const line = `CASE WHEN action = 'add' THEN 1 ELSE -1 END`;
  // A few cases' lines by the feed's key (position first); the whole feed grouped once otherwise.
  const listed = !options.blocklist
    ? '0'
    : `sum(${
        whole
          ? 'coalesce(c.delta, 0)'
          : `(SELECT coalesce(sum(${line}), 0) FROM blocklist_changes c WHERE c.position = t.position)`
      }) OVER (PARTITION BY t.pse_id, t.sign ORDER BY t.revision ROWS UNBOUNDED PRECEDING)`;
  const join =
    options.blocklist && whole
      ? ` LEFT JOIN (SELECT position, sum(${line}) AS delta FROM blocklist_changes GROUP BY position) c
          ON c.position = t.position`
      : '';
  const bounds =
    scope === 'history' || scope === 'historyScan' || scope === 'recordedBy'
      ? ` WHERE occurred_at <= ?${options.knownAt ? ' AND recorded_at <= ?' : ''}`
      : scope === 'recordedAfter'
        ? ` WHERE sign < 0 OR recorded_at <= ?`
        : '';
  return `WITH listed AS (
      SELECT t.pse_id, t.sign, t.revision, t.occurred_at, t.recorded_at, t.state_after, ${listed} AS listed
      FROM ${changesSource(scope, dialect)} t${join}
    ),
    known AS (
      SELECT pse_id, sign, revision, occurred_at, state_after, listed,
        max(revision) OVER (PARTITION BY pse_id, sign ORDER BY occurred_at RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS top
      FROM listed${bounds}
    ),
    effective AS (
      SELECT sign, ${businessDateSql(dialect, 'occurred_at')} AS business_date, state_after, listed,
        lag(state_after) OVER (PARTITION BY pse_id, sign ORDER BY occurred_at, revision) AS prev_state,
        coalesce(lag(listed) OVER (PARTITION BY pse_id, sign ORDER BY occurred_at, revision), 0) AS prev_listed
      FROM known WHERE revision = top
    )`;
}

const STATE_DELTAS = `SELECT business_date, state, sum(n) AS n FROM (
      SELECT business_date, state_after AS state, sign AS n FROM effective
      UNION ALL
      SELECT business_date, prev_state AS state, -sign AS n FROM effective WHERE prev_state IS NOT NULL
    ) deltas GROUP BY business_date, state`;

const BLOCKLIST_DELTAS = `SELECT business_date,
      sum(sign * CASE WHEN listed > prev_listed THEN listed - prev_listed ELSE 0 END) AS added,
      sum(sign * CASE WHEN listed < prev_listed THEN prev_listed - listed ELSE 0 END) AS removed
    FROM effective GROUP BY business_date`;

/**
 * Where a whole-history series reads: every case (the `to` bound and `knownAt` as parameters, `historyParams`)
 * along the record-time index (`history`) or in table order (`historyScan`), or only the cases with an event
 * recorded by `knownAt` (`recordedBy`: few of them when it is early).
 */
export type HistoryScope = 'history' | 'historyScan' | 'recordedBy';

/** Per business date and state: cases that entered it minus cases that left it (parameters: `historyParams`). */
export function stateDeltasSql(
  dialect: SqlDialect,
  knownAt: boolean,
  scope: HistoryScope = 'history',
): string {
  return `${effectiveChangesCte(dialect, { knownAt, blocklist: false, scope })}\n    ${STATE_DELTAS}`;
}

/** Per business date: listed domains added and removed (parameters: `historyParams`). */
export function blocklistDeltasSql(
  dialect: SqlDialect,
  knownAt: boolean,
  scope: HistoryScope = 'history',
): string {
  return `${effectiveChangesCte(dialect, { knownAt, blocklist: true, scope })}\n    ${BLOCKLIST_DELTAS}`;
}

/** The parameters of `stateDeltasSql` and `blocklistDeltasSql`: the end of `to`, and `knownAt` when given. */
export function historyParams(scope: HistoryScope, toBound: string, knownAt: string | null): unknown[] {
  if (knownAt === null) return [toBound];
  return scope === 'recordedBy' ? [knownAt, toBound, knownAt] : [toBound, knownAt];
}

/**
 * A daily delta's date, or '' for every date before the range's `from` (the parameter): summed as one.
 * Rows after `to` are left out by a `business_date <= ?` of the statement.
 */
export const BEFORE_FROM = `CASE WHEN business_date < ? THEN '' ELSE business_date END`;

/**
 * The daily series as known at an instant before the newest record time, from the kept deltas: they hold
 * every event projected, so what the events recorded after the instant changed is taken back — for the cases
 * that have any, their changes as they are out, as known then in. Per date from `from` to `to` (earlier
 * dates as ''), no more than the bounds of the kept tables. Parameters: the instant three times, `from`, `to`.
 */
export function recordedAfterSeriesSql(dialect: SqlDialect): { states: string; blocklist: string } {
  const scope = { knownAt: true, scope: 'recordedAfter' as const };
  return {
    states: `${effectiveChangesCte(dialect, { ...scope, blocklist: false })}
    SELECT ${BEFORE_FROM} AS business_date, state, sum(n) AS n FROM (
      SELECT business_date, state, n FROM state_deltas_daily
      UNION ALL
      SELECT business_date, state_after AS state, sign AS n FROM effective
      UNION ALL
      SELECT business_date, prev_state AS state, -sign AS n FROM effective WHERE prev_state IS NOT NULL
    ) d WHERE business_date <= ? GROUP BY 1, 2`,
    blocklist: `${effectiveChangesCte(dialect, { ...scope, blocklist: true })}
    SELECT ${BEFORE_FROM} AS business_date, sum(added) AS added, sum(removed) AS removed FROM (
      SELECT business_date, added, removed FROM blocklist_deltas_daily
      UNION ALL
      SELECT business_date,
        sign * CASE WHEN listed > prev_listed THEN listed - prev_listed ELSE 0 END,
        sign * CASE WHEN listed < prev_listed THEN prev_listed - listed ELSE 0 END
      FROM effective
    ) d WHERE business_date <= ? GROUP BY 1`,
  };
}

/** The parameters of `recordedAfterSeriesSql`'s statements. */
export const recordedAfterParams = (knownAt: string, from: string, to: string): unknown[] => [
  knownAt,
  knownAt,
  knownAt,
  from,
  to,
];

/**
 * A table of counters summed per key: its columns, and the upsert clause that adds a row's counters to the kept
 * row's (the increments of a batch).
 */
function summedTable(table: string, key: readonly string[], counters: readonly string[]) {
  return {
    table,
    columns: [...key, ...counters],
    onConflict: `ON CONFLICT (${key.join(', ')}) DO UPDATE SET
      ${counters.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(',\n      ')}`,
  };
}

/** Drops a summed table's rows that a batch brought to zero (a partial index finds them). */
function zeroRows(table: string, counters: readonly string[]): string {
  return `DELETE FROM ${table} WHERE ${counters.map((c) => `${c} = 0`).join(' AND ')}`;
}

const STATE_COUNTERS = ['n'];
const BLOCKLIST_COUNTERS = ['added', 'removed'];

/** Increments of the daily delta tables computed in the planner: per `date|state`, and per date. */
export const dailyIncrements = {
  states: summedTable('state_deltas_daily', ['business_date', 'state'], STATE_COUNTERS),
  blocklist: summedTable('blocklist_deltas_daily', ['business_date'], BLOCKLIST_COUNTERS),
};

/**
 * The same increments kept under their events' record times (decision 0019): per `recordedAt|date|state`, and
 * per `recordedAt|date`; and summed per UTC date of record (`…ByDay`, migration 24).
 */
export const recordedIncrements = {
  states: summedTable('state_deltas_recorded', ['recorded_at', 'business_date', 'state'], STATE_COUNTERS),
  blocklist: summedTable('blocklist_deltas_recorded', ['recorded_at', 'business_date'], BLOCKLIST_COUNTERS),
  statesByDay: summedTable(
    'state_deltas_recorded_days',
    ['recorded_date', 'business_date', 'state'],
    STATE_COUNTERS,
  ),
  blocklistByDay: summedTable(
    'blocklist_deltas_recorded_days',
    ['recorded_date', 'business_date'],
    BLOCKLIST_COUNTERS,
  ),
};

/**
 * A backdated event's increments kept by record time (an import or a simulation of the past, decision 0019,
 * "Backdated events kept apart"): appended as each batch sums them, one row per batch and key, never summed into
 * a kept row — their record times lie all over the past, and a keyed table took each on a page of its own. The
 * index over the record time is an ordinary one, which a rebuild (and a simulation's projection) sets aside and
 * builds once at the end.
 */
export const backdatedIncrements = {
  states: appendedTable('state_deltas_backdated', ['recorded_at', 'business_date', 'state'], STATE_COUNTERS),
  blocklist: appendedTable(
    'blocklist_deltas_backdated',
    ['recorded_at', 'business_date'],
    BLOCKLIST_COUNTERS,
  ),
};

/** A table of counters appended to per batch and key: its columns, and its key and counters apart. */
function appendedTable(table: string, key: readonly string[], counters: readonly string[]) {
  return { table, key, counters, columns: [...key, ...counters] };
}

/** Statements that drop the rows a batch brought to zero (a partial index each finds them). */
export const dailyDeltaCleanup = {
  states: zeroRows(dailyIncrements.states.table, STATE_COUNTERS),
  blocklist: zeroRows(dailyIncrements.blocklist.table, BLOCKLIST_COUNTERS),
  statesRecorded: zeroRows(recordedIncrements.states.table, STATE_COUNTERS),
  blocklistRecorded: zeroRows(recordedIncrements.blocklist.table, BLOCKLIST_COUNTERS),
  statesRecordedDays: zeroRows(recordedIncrements.statesByDay.table, STATE_COUNTERS),
  blocklistRecordedDays: zeroRows(recordedIncrements.blocklistByDay.table, BLOCKLIST_COUNTERS),
};

/**
 * The tables the projector keeps the daily series in (docs/read-models.md, "Daily series") — per business
 * date, the sum of the effective changes dated on it, as `stateDeltasSql` and `blocklistDeltasSql` give them
 * over the whole history; a date whose changes cancel out has no row — and their fill from the timeline as it
 * stands (a migration's statements).
 */
export function dailyDeltaTablesSql(dialect: SqlDialect, big: string): string[] {
  const all = { knownAt: false, scope: 'all' as const };
  return [
    `CREATE TABLE IF NOT EXISTS state_deltas_daily (
      business_date TEXT NOT NULL,
      state TEXT NOT NULL,
      n ${big} NOT NULL,
      PRIMARY KEY (business_date, state)
    )`,
    `CREATE TABLE IF NOT EXISTS blocklist_deltas_daily (
      business_date TEXT PRIMARY KEY,
      added ${big} NOT NULL,
      removed ${big} NOT NULL
    )`,
    // The rows a batch may have brought to zero, found without reading the rest (see dailyDeltaCleanup).
    `CREATE INDEX IF NOT EXISTS state_deltas_daily_zero ON state_deltas_daily (business_date) WHERE n = 0`,
    `CREATE INDEX IF NOT EXISTS blocklist_deltas_daily_zero ON blocklist_deltas_daily (business_date)
      WHERE added = 0 AND removed = 0`,
    `${effectiveChangesCte(dialect, { ...all, blocklist: false })}
    INSERT INTO state_deltas_daily (business_date, state, n)
    SELECT business_date, state, n FROM (${STATE_DELTAS}) d WHERE n <> 0`,
    `${effectiveChangesCte(dialect, { ...all, blocklist: true })}
    INSERT INTO blocklist_deltas_daily (business_date, added, removed)
    SELECT business_date, added, removed FROM (${BLOCKLIST_DELTAS}) d WHERE added <> 0 OR removed <> 0`,
  ];
}

/**
 * What one revision of a case changed in the daily delta tables, when the projector cannot tell from the
 * case's last event alone (it occurred no later than the event before it: it hides events, docs/decisions/0004).
 * Run after the revision's timeline row and change-feed lines are written; parameters: `revisionParams`.
 */
export function revisionDeltasSql(dialect: SqlDialect): {
  states: string;
  blocklist: string;
  statesRecorded: string;
  blocklistRecorded: string;
  statesRecordedDays: string;
  blocklistRecordedDays: string;
  statesBackdated: string;
  blocklistBackdated: string;
} {
  const scope = { knownAt: false, scope: 'revision' as const };
  // The revision's record time or its date, after the CTE's parameters (decision 0019).
  const recordedAt = `CAST(? AS ${dialect === 'sqlite' ? 'TEXT' : 'TIMESTAMPTZ'}), `;
  const recordedOn = 'CAST(? AS TEXT), ';
  const insert = (
    t: { table: string; columns: readonly string[]; onConflict?: string },
    blocklist: boolean,
    keyFirst = '',
  ) => `${effectiveChangesCte(dialect, { ...scope, blocklist })}
    INSERT INTO ${t.table} (${t.columns.join(', ')})
    SELECT ${keyFirst}${
      blocklist
        ? `business_date, added, removed FROM (${BLOCKLIST_DELTAS}) d WHERE added <> 0 OR removed <> 0`
        : `business_date, state, n FROM (${STATE_DELTAS}) d WHERE n <> 0`
    }
    ${t.onConflict ?? ''}`;
  return {
    states: insert(dailyIncrements.states, false),
    blocklist: insert(dailyIncrements.blocklist, true),
    statesRecorded: insert(recordedIncrements.states, false, recordedAt),
    blocklistRecorded: insert(recordedIncrements.blocklist, true, recordedAt),
    statesRecordedDays: insert(recordedIncrements.statesByDay, false, recordedOn),
    blocklistRecordedDays: insert(recordedIncrements.blocklistByDay, true, recordedOn),
    statesBackdated: insert(backdatedIncrements.states, false, recordedAt),
    blocklistBackdated: insert(backdatedIncrements.blocklist, true, recordedAt),
  };
}

/**
 * The parameters of `revisionDeltasSql`'s recorded statements: the revision's, then its record time (`instant`)
 * or the UTC date of it (`date`, for the `…RecordedDays` statements).
 */
export const revisionRecordedParams = (
  pseId: string,
  revision: number,
  recordedAt: string,
  key: 'instant' | 'date' = 'instant',
): unknown[] => [...revisionParams(pseId, revision), key === 'date' ? recordedDate(recordedAt) : recordedAt];

/**
 * The UTC date an instant was recorded on, the key of the record-date roll-ups (decision 0019): the first ten
 * characters of the stored instant (UTC text, as every instant the read models keep).
 */
export const recordedDate = (recordedAt: string): string => recordedAt.slice(0, 10);

/** The first instant of the UTC date after `date` (YYYY-MM-DD), as stored instants are written. */
function nextDateStart(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + DAY_MS).toISOString();
}

/** The parameters of `revisionDeltasSql`'s statements. */
export const revisionParams = (pseId: string, revision: number): unknown[] => [
  pseId,
  revision,
  pseId,
  revision,
];

/**
 * The two tables of changes summed by record (`state_deltas_recorded…`, `blocklist_deltas_recorded…`), keyed by
 * `column` first, and their indexes of rows brought to zero.
 */
function summedByRecordTablesSql(
  dialect: SqlDialect,
  big: string,
  record: { column: string; type: string; suffix: '' | '_days' },
): string[] {
  // On SQLite the rows are their key's index (no rowid table beside it): an import or a simulation states
  // record times all over its range, so each row lands on a page of its own of one tree, not of two.
  const keyed = dialect === 'sqlite' ? ' WITHOUT ROWID' : '';
  const { column, type, suffix } = record;
  return [
    `CREATE TABLE IF NOT EXISTS state_deltas_recorded${suffix} (
      ${column} ${type} NOT NULL,
      business_date TEXT NOT NULL,
      state TEXT NOT NULL,
      n ${big} NOT NULL,
      PRIMARY KEY (${column}, business_date, state)
    )${keyed}`,
    `CREATE TABLE IF NOT EXISTS blocklist_deltas_recorded${suffix} (
      ${column} ${type} NOT NULL,
      business_date TEXT NOT NULL,
      added ${big} NOT NULL,
      removed ${big} NOT NULL,
      PRIMARY KEY (${column}, business_date)
    )${keyed}`,
    `CREATE INDEX IF NOT EXISTS state_deltas_recorded${suffix}_zero ON state_deltas_recorded${suffix} (${column})
      WHERE n = 0`,
    `CREATE INDEX IF NOT EXISTS blocklist_deltas_recorded${suffix}_zero ON blocklist_deltas_recorded${suffix} (${column})
      WHERE added = 0 AND removed = 0`,
  ];
}

/**
 * The tables of decision 0019 — each increment of the kept daily tables also kept under the record time of the
 * event that made it, and the intervals of record time in which some case's recorded events are not a prefix of
 * its revisions (`record_order_descents`) — and the instant from which they are complete: the newest record
 * time of the timeline when they were added (a `timeline_bounds` row, none when the timeline was empty; a reset
 * drops it, and the projector fills them from the first event on).
 */
export function recordedDeltaTablesSql(dialect: SqlDialect, big: string, ts: string): string[] {
  const keyed = dialect === 'sqlite' ? ' WITHOUT ROWID' : '';
  return [
    ...summedByRecordTablesSql(dialect, big, { column: 'recorded_at', type: ts, suffix: '' }),
    `CREATE TABLE IF NOT EXISTS record_order_descents (
      known_from ${ts} NOT NULL,
      known_until ${ts} NOT NULL,
      PRIMARY KEY (known_until, known_from)
    )${keyed}`,
    `INSERT INTO timeline_bounds (name, max_occurred_at, max_recorded_at)
      SELECT '${RECORDED_DELTAS_BOUND}', max(occurred_at), max(recorded_at) FROM case_timeline HAVING count(*) > 0`,
  ];
}

/**
 * The record-date roll-ups of decision 0019's recorded deltas (read-model migration 24): the same increments
 * summed per UTC date of record, so that an instant's changes recorded before or after its own date are a few
 * rows a day rather than one per instant; filled from the recorded deltas as they stand.
 */
export function recordedDayTablesSql(dialect: SqlDialect, big: string): string[] {
  const day =
    dialect === 'sqlite'
      ? 'substr(recorded_at, 1, 10)'
      : `to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
  return [
    ...summedByRecordTablesSql(dialect, big, { column: 'recorded_date', type: 'TEXT', suffix: '_days' }),
    `INSERT INTO state_deltas_recorded_days (recorded_date, business_date, state, n)
      SELECT ${day}, business_date, state, sum(n) FROM state_deltas_recorded
      GROUP BY ${day}, business_date, state HAVING sum(n) <> 0`,
    `INSERT INTO blocklist_deltas_recorded_days (recorded_date, business_date, added, removed)
      SELECT ${day}, business_date, sum(added), sum(removed) FROM blocklist_deltas_recorded
      GROUP BY ${day}, business_date HAVING sum(added) <> 0 OR sum(removed) <> 0`,
  ];
}

/**
 * The tables of backdated events' increments by record time (read-model migration 25, `backdatedIncrements`):
 * rows appended as they come (a rowid table on SQLite), and an ordinary index over the record time. Empty at the
 * migration: the events projected before it that were backdated are covered by the bound they raised.
 */
export function backdatedDeltaTablesSql(big: string, ts: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS state_deltas_backdated (
      recorded_at ${ts} NOT NULL,
      business_date TEXT NOT NULL,
      state TEXT NOT NULL,
      n ${big} NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS blocklist_deltas_backdated (
      recorded_at ${ts} NOT NULL,
      business_date TEXT NOT NULL,
      added ${big} NOT NULL,
      removed ${big} NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS state_deltas_backdated_at ON state_deltas_backdated (recorded_at)`,
    `CREATE INDEX IF NOT EXISTS blocklist_deltas_backdated_at ON blocklist_deltas_backdated (recorded_at)`,
  ];
}

/** The `timeline_bounds` row whose record time says from when the recorded deltas are complete (decision 0019). */
export const RECORDED_DELTAS_BOUND = 'recorded-deltas';

/** A row the recorded-deltas statements answer with when their way does not hold for the instant. */
export const NOT_ANSWERED = '!';

/**
 * A daily series as known at `knownAt` from the deltas kept by record time (decision 0019), per date from `from`
 * (earlier dates as '') to `to`; a single row dated `NOT_ANSWERED` (and nothing else) when that does not hold
 * for the instant: a case's events recorded by it are not a prefix of its revisions (a descent covers it), or
 * the recorded deltas are not complete for it. `after`: the kept deltas less what was recorded after the
 * instant (complete for instants from the bound on); `by`: what was recorded by the instant (complete only
 * without a bound). Either reads the instant's own UTC date of record by instant and the other dates from
 * their roll-up (`…_recorded_days`, a few rows a date). Parameters: `recordedSeriesParams`.
 */
export function recordedSeriesSql(side: 'after' | 'by'): { states: string; blocklist: string } {
  // The instant three times: a descent around it, and the bound (any bound, for `by`).
  const refused = `SELECT 1 AS one FROM record_order_descents WHERE known_until > ? AND known_from <= ?
      UNION ALL SELECT 1 FROM timeline_bounds WHERE name = '${RECORDED_DELTAS_BOUND}'${
        side === 'after' ? ' AND max_recorded_at > ?' : ' AND CAST(? AS TEXT) IS NOT NULL'
      }`;
  const guard = `NOT EXISTS (${refused})`;
  const notAnswered = (columns: string) =>
    `SELECT '${NOT_ANSWERED}' AS business_date, ${columns} WHERE EXISTS (${refused})`;
  // By instant, live events' summed rows and backdated events' appended ones alike (the same range twice).
  const instants = (table: 'state' | 'blocklist', columns: string, range: string) =>
    `SELECT ${columns} FROM ${table}_deltas_recorded WHERE ${range}
      UNION ALL
      SELECT ${columns} FROM ${table}_deltas_backdated WHERE ${range}`;
  // The changes recorded after the instant (its own date's from the instant on, later dates' rolled up), or
  // by it (earlier dates' rolled up, its own date's up to the instant).
  const changes = (table: 'state' | 'blocklist', columns: string) =>
    side === 'after'
      ? `${instants(table, columns, 'recorded_at > ? AND recorded_at < ?')}
      UNION ALL
      SELECT ${columns} FROM ${table}_deltas_recorded_days WHERE recorded_date > ?`
      : `SELECT ${columns} FROM ${table}_deltas_recorded_days WHERE recorded_date < ?
      UNION ALL
      ${instants(table, columns, 'recorded_at >= ? AND recorded_at <= ?')}`;
  // What is summed: the kept deltas less the changes recorded after the instant, or those recorded by it.
  const rows = (table: 'state' | 'blocklist', columns: string, negated: string) =>
    side === 'after'
      ? `SELECT ${columns} FROM ${table}_deltas_daily
      UNION ALL
      ${changes(table, negated)}`
      : changes(table, columns);
  return {
    states: `${notAnswered(`'' AS state, 0 AS n`)}
    UNION ALL
    SELECT ${BEFORE_FROM} AS business_date, state, sum(n) AS n FROM (
      ${rows('state', 'business_date, state, n', 'business_date, state, -n')}
    ) d WHERE business_date <= ? AND ${guard} GROUP BY 1, 2`,
    blocklist: `${notAnswered('0 AS added, 0 AS removed')}
    UNION ALL
    SELECT ${BEFORE_FROM} AS business_date, sum(added) AS added, sum(removed) AS removed FROM (
      ${rows('blocklist', 'business_date, added, removed', 'business_date, -added, -removed')}
    ) d WHERE business_date <= ? AND ${guard} GROUP BY 1`,
  };
}

/** The parameters of `recordedSeriesSql(side)`'s statements. */
export function recordedSeriesParams(
  side: 'after' | 'by',
  knownAt: string,
  from: string,
  to: string,
): unknown[] {
  const date = recordedDate(knownAt);
  const dayStart = `${date}T00:00:00.000Z`;
  const changes =
    side === 'after'
      ? [knownAt, nextDateStart(date), knownAt, nextDateStart(date), date]
      : [date, dayStart, knownAt, dayStart, knownAt];
  const refused = [knownAt, knownAt, knownAt];
  return [...refused, from, ...changes, to, ...refused];
}

/** Folds per-date state deltas (any dates up to `to`) into the counts at the end of each date of the range. */
export function accumulateStateCounts(
  deltas: ReadonlyArray<{ date: string; state: string; n: number }>,
  from: string,
  to: string,
): StateCountsOnDate[] {
  const running = Object.fromEntries(CASE_STATES.map((s) => [s, 0])) as Record<CaseState, number>;
  const byDate = new Map<string, Array<{ state: string; n: number }>>();
  for (const d of deltas) {
    if (d.date < from) {
      if (d.state in running) running[d.state as CaseState] += d.n;
    } else byDate.set(d.date, [...(byDate.get(d.date) ?? []), d]);
  }
  return businessDatesBetween(from, to).map((date) => {
    for (const d of byDate.get(date) ?? []) if (d.state in running) running[d.state as CaseState] += d.n;
    const counts = { ...running };
    return { date, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
  });
}

/** Folds per-date listing changes (any dates up to `to`) into the blocklist's size at the end of each date of the range. */
export function accumulateBlocklistSizes(
  deltas: ReadonlyArray<{ date: string; added: number; removed: number }>,
  from: string,
  to: string,
): BlocklistOnDate[] {
  let size = 0;
  const byDate = new Map<string, { added: number; removed: number }>();
  for (const d of deltas) {
    if (d.date < from) size += d.added - d.removed;
    else byDate.set(d.date, d);
  }
  return businessDatesBetween(from, to).map((date) => {
    const day = byDate.get(date) ?? { added: 0, removed: 0 };
    size += day.added - day.removed;
    return { date, size, added: day.added, removed: day.removed };
  });
}
