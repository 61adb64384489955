import { type BatchChanges, type BatchContext, fineKey } from '../projections/batch-planner';
import type { RegistryRow } from '../projections/registry.projection';
import {
  caseSummaryTable,
  fineTable,
  incrementClause,
  registryTable,
  type TableMapping,
  timelineTable,
  upsertClause,
  warningToRegistrationTable,
} from './row-mapping';
import {
  backdatedIncrements,
  dailyIncrements,
  recordedDate as recordedDateOf,
  recordedIncrements,
} from './daily-series';
import type { StoredRows } from './sql-client';

/** One statement of a batch's write plan, in the dialect-neutral form every `SqlClient` executes. */
export type SqlWrite =
  | { kind: 'delete'; table: string; column: string; values: string[] }
  | {
      kind: 'insert';
      table: string;
      columns: readonly string[];
      rows: unknown[][];
      onConflict?: string;
      stored?: StoredRows;
    };

const MONTH_COUNTERS = [
  'imposed_count',
  'imposed_idr',
  'paid_count',
  'paid_idr',
  'annulled_count',
  'annulled_idr',
];

/**
 * Increments kept by record time summed per UTC date of record (the `…_recorded_days` roll-ups): one row
 * `[recordedDate, ...key, ...counts]` per date of record and key, the counts added up; rows whose counts all
 * sum to zero are left out, as the tables keep none.
 */
function byRecordedDate<Row extends { recordedAt: string }>(
  rows: Iterable<Row>,
  key: (row: Row) => string[],
  counts: (row: Row) => number[],
): unknown[][] {
  const days = new Map<string, { row: string[]; counts: number[] }>();
  for (const r of rows) {
    const row = [recordedDateOf(r.recordedAt), ...key(r)];
    const k = row.join('|');
    const day = days.get(k);
    if (day === undefined) days.set(k, { row, counts: counts(r) });
    else counts(r).forEach((n, i) => (day.counts[i] = (day.counts[i] as number) + n));
  }
  return [...days.values()].filter((d) => d.counts.some((n) => n !== 0)).map((d) => [...d.row, ...d.counts]);
}

/** A keyed upsert of whole rows; with `before`, each row travels with the row it replaces. */
function upsert<Row>(
  mapping: TableMapping<Row>,
  rows: readonly Row[],
  before: ((row: Row) => Row | undefined) | undefined,
): SqlWrite {
  const params = rows.map(mapping.toParams);
  const write: SqlWrite = {
    kind: 'insert',
    table: mapping.table,
    columns: mapping.columns,
    rows: params,
    onConflict: upsertClause(mapping),
  };
  if (before) {
    write.stored = {
      key: mapping.key,
      rows: rows.map((r) => {
        const old = before(r);
        return old === undefined ? null : mapping.toParams(old);
      }),
    };
  }
  return write;
}

/**
 * The statements that store a planned batch, in order: per-case sets (domains, blocklist, deadlines,
 * registry) are replaced, keyed rows upserted, append-only rows inserted, aggregates incremented.
 * Given the batch's context (the rows as stored before it), each keyed upsert carries the rows it
 * replaces (`stored`), so a client can skip unchanged rows and set only the changed columns.
 */
export function toSqlWrites(c: BatchChanges, before?: BatchContext): SqlWrite[] {
  const registryRemoved = [...c.registry].filter(([, r]) => r === undefined).map(([k]) => k);
  const registryKept = [...c.registry.values()].filter((r): r is RegistryRow => r !== undefined);
  const writes: SqlWrite[] = [
    upsert(caseSummaryTable, [...c.summaries.values()], before && ((r) => before.summaries.get(r.pseId))),
    { kind: 'delete', table: 'case_domains', column: 'pse_id', values: [...c.caseDomains.keys()] },
    {
      kind: 'insert',
      table: 'case_domains',
      columns: ['pse_id', 'domain_key'],
      rows: [...c.caseDomains].flatMap(([pseId, keys]) => keys.map((k) => [pseId, k])),
    },
    { kind: 'delete', table: 'case_addresses', column: 'pse_id', values: [...c.caseAddresses.keys()] },
    {
      kind: 'insert',
      table: 'case_addresses',
      columns: ['pse_id', 'kind', 'address'],
      rows: [...c.caseAddresses].flatMap(([pseId, list]) => list.map((a) => [pseId, a.kind, a.address])),
    },
    // No conflict clause: an event projected twice is a bug to surface, not to paper over.
    {
      kind: 'insert',
      table: 'case_timeline',
      columns: timelineTable.columns,
      rows: c.timeline.map(timelineTable.toParams),
    },
    { kind: 'delete', table: 'blocklist', column: 'pse_id', values: [...c.blocklist.keys()] },
    {
      kind: 'insert',
      table: 'blocklist',
      columns: ['domain', 'kind', 'pse_id', 'since', 'position'],
      rows: [...c.blocklist.values()].flatMap((e) =>
        e ? e.domains.map((d) => [d.domain, d.kind, e.pseId, d.since, d.position]) : [],
      ),
    },
    {
      kind: 'insert',
      table: 'blocklist_changes',
      columns: ['position', 'domain', 'kind', 'pse_id', 'action', 'at', 'event_id'],
      rows: c.blocklistChanges.map((f) => [f.position, f.domain, f.kind, f.pseId, f.action, f.at, f.eventId]),
    },
    {
      kind: 'insert',
      table: 'state_transitions',
      columns: [
        'position',
        'pse_id',
        'business_date',
        'from_state',
        'from_substate',
        'to_state',
        'to_substate',
        'event_type',
        'occurred_at',
      ],
      rows: c.transitions.map((t) => [
        t.position,
        t.pseId,
        t.businessDate,
        t.fromState,
        t.fromSubstate,
        t.toState,
        t.toSubstate,
        t.eventType,
        t.occurredAt,
      ]),
    },
    {
      kind: 'insert',
      ...dailyIncrements.states,
      rows: [...c.stateDeltas.values()].filter((d) => d.n !== 0).map((d) => [d.businessDate, d.state, d.n]),
    },
    {
      kind: 'insert',
      ...dailyIncrements.blocklist,
      rows: [...c.blocklistDeltas.values()].map((d) => [d.businessDate, d.added, d.removed]),
    },
    // By instant: a live event's summed into its key's row, a backdated event's appended (decision 0019).
    ...([false, true] as const).flatMap((backdated): SqlWrite[] => [
      {
        kind: 'insert',
        ...(backdated ? backdatedIncrements.states : recordedIncrements.states),
        rows: [...c.stateDeltasRecorded.values()]
          .filter((d) => d.backdated === backdated && d.n !== 0)
          .map((d) => [d.recordedAt, d.businessDate, d.state, d.n]),
      },
      {
        kind: 'insert',
        ...(backdated ? backdatedIncrements.blocklist : recordedIncrements.blocklist),
        rows: [...c.blocklistDeltasRecorded.values()]
          .filter((d) => d.backdated === backdated && (d.added !== 0 || d.removed !== 0))
          .map((d) => [d.recordedAt, d.businessDate, d.added, d.removed]),
      },
    ]),
    {
      kind: 'insert',
      ...recordedIncrements.statesByDay,
      rows: byRecordedDate(
        c.stateDeltasRecorded.values(),
        (d) => [d.businessDate, d.state],
        (d) => [d.n],
      ),
    },
    {
      kind: 'insert',
      ...recordedIncrements.blocklistByDay,
      rows: byRecordedDate(
        c.blocklistDeltasRecorded.values(),
        (d) => [d.businessDate],
        (d) => [d.added, d.removed],
      ),
    },
    {
      kind: 'insert',
      table: 'record_order_descents',
      columns: ['known_from', 'known_until'],
      rows: c.recordDescents.map((d) => [d.knownFrom, d.knownUntil]),
      onConflict: 'ON CONFLICT (known_until, known_from) DO NOTHING',
    },
    {
      kind: 'insert',
      table: 'transitions_daily',
      columns: ['business_date', 'from_state', 'to_state', 'count'],
      rows: [...c.transitionsDaily.values()].map((d) => [d.businessDate, d.fromState, d.toState, d.count]),
      onConflict: incrementClause(
        'transitions_daily',
        ['business_date', 'from_state', 'to_state'],
        ['count'],
      ),
    },
    upsert(fineTable, [...c.fines.values()], before && ((f) => before.fines.get(fineKey(f.pseId, f.fineId)))),
    {
      kind: 'insert',
      table: 'fines_monthly',
      columns: ['month', ...MONTH_COUNTERS],
      rows: [...c.finesMonthly.values()].map((m) => [
        m.month,
        m.imposedCount,
        m.imposedIdr,
        m.paidCount,
        m.paidIdr,
        m.annulledCount,
        m.annulledIdr,
      ]),
      onConflict: incrementClause('fines_monthly', ['month'], MONTH_COUNTERS),
    },
    upsert(
      warningToRegistrationTable,
      [...c.warningToRegistration.values()],
      before && ((w) => before.warningToRegistration.get(w.pseId)),
    ),
    { kind: 'delete', table: 'registry', column: 'pse_id', values: registryRemoved },
    upsert(registryTable, registryKept, before && ((r) => before.registry.get(r.pseId))),
    { kind: 'delete', table: 'deadlines', column: 'pse_id', values: [...c.deadlines.keys()] },
    {
      kind: 'insert',
      table: 'deadlines',
      columns: ['pse_id', 'kind', 'due_at', 'fine_id', 'case_state'],
      rows: [...c.deadlines.values()]
        .flat()
        .map((d) => [d.pseId, d.kind, d.dueAt, d.fineId ?? '', d.caseState]),
    },
  ];
  return writes.filter((w) => (w.kind === 'delete' ? w.values.length > 0 : w.rows.length > 0));
}
