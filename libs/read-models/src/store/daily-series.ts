import { CASE_STATES, type CaseState } from '../events/read-model-event';
import type { SqlDialect } from './read-model.schema';
import type { BlocklistOnDate, StateCountsOnDate } from './read-model-store.port';

/** The longest range a daily series answers (about ten years of business dates). */
export const MAX_SERIES_DAYS = 3660;

const DAY_MS = 86_400_000;

/** Every business date from `from` to `to` (inclusive, YYYY-MM-DD; both already valid dates). */
export function businessDatesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += DAY_MS)
    dates.push(new Date(t).toISOString().slice(0, 10));
  return dates;
}

/** The WIB calendar date of a stored instant, in SQL (WIB is UTC+7 all year, docs/regulation.md §9.2). */
function businessDateSql(dialect: SqlDialect, column: string): string {
  return dialect === 'sqlite'
    ? `date(${column}, '+7 hours')`
    : `to_char((${column} AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM-DD')`;
}

/**
 * The changes of the bitemporal population (docs/regulation.md §9.6) over business time, as rows of
 * `effective`: per case, the events that become its "last event by revision among those that occurred
 * by D" as D moves forward. An event is such a change exactly when its revision is the highest of all
 * the case's events that occurred no later than it (a retraction, dated before the automatic events it
 * retracts, hides them for good); each carries the state before it (`prev_state`, null for the first)
 * and, with `blocklist`, the case's listed domains after it and before it. The listed domains after a
 * revision are the running sum of the change feed's lines over the case's revisions — the fold of the
 * blocklist entry, whatever the business dates. Parameters: the `to` bound, then `knownAt` when asked.
 */
export function effectiveChangesCte(dialect: SqlDialect, options: { knownAt: boolean; blocklist: boolean }) {
  const listed = options.blocklist
    ? `SELECT t.pse_id, t.revision, t.occurred_at, t.recorded_at, t.state_after,
         sum(coalesce(c.delta, 0)) OVER (PARTITION BY t.pse_id ORDER BY t.revision ROWS UNBOUNDED PRECEDING) AS listed
       FROM case_timeline t
       LEFT JOIN (SELECT position, sum(CASE WHEN action = 'add' THEN 1 ELSE -1 END) AS delta
                  FROM blocklist_changes GROUP BY position) c ON c.position = t.position`
    : `SELECT t.pse_id, t.revision, t.occurred_at, t.recorded_at, t.state_after, 0 AS listed FROM case_timeline t`;
  return `WITH listed AS (${listed}),
    known AS (
      SELECT pse_id, revision, occurred_at, state_after, listed,
        max(revision) OVER (PARTITION BY pse_id ORDER BY occurred_at RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS top
      FROM listed WHERE occurred_at <= ?${options.knownAt ? ' AND recorded_at <= ?' : ''}
    ),
    effective AS (
      SELECT ${businessDateSql(dialect, 'occurred_at')} AS business_date, state_after, listed,
        lag(state_after) OVER (PARTITION BY pse_id ORDER BY occurred_at, revision) AS prev_state,
        coalesce(lag(listed) OVER (PARTITION BY pse_id ORDER BY occurred_at, revision), 0) AS prev_listed
      FROM known WHERE revision = top
    )`;
}

/** Per business date and state: cases that entered it minus cases that left it (the `to` bound and `knownAt` as parameters). */
export function stateDeltasSql(dialect: SqlDialect, knownAt: boolean): string {
  return `${effectiveChangesCte(dialect, { knownAt, blocklist: false })}
    SELECT business_date, state, sum(n) AS n FROM (
      SELECT business_date, state_after AS state, 1 AS n FROM effective
      UNION ALL
      SELECT business_date, prev_state AS state, -1 AS n FROM effective WHERE prev_state IS NOT NULL
    ) deltas GROUP BY business_date, state`;
}

/** Per business date: listed domains added and removed (the `to` bound and `knownAt` as parameters). */
export function blocklistDeltasSql(dialect: SqlDialect, knownAt: boolean): string {
  return `${effectiveChangesCte(dialect, { knownAt, blocklist: true })}
    SELECT business_date,
      sum(CASE WHEN listed > prev_listed THEN listed - prev_listed ELSE 0 END) AS added,
      sum(CASE WHEN listed < prev_listed THEN prev_listed - listed ELSE 0 END) AS removed
    FROM effective GROUP BY business_date`;
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
