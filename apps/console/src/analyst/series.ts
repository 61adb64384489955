// From the stats answers to what the analyst pages show: each chart's data table (rows the page lists
// and the CSV holds) and its ECharts option, built from that same table. Pure functions, no I/O.
import type { EChartsCoreOption } from 'echarts/core';
import type { AnalystKey } from './analyst.messages';
import {
  CASE_STATES,
  POLICIES,
  type BlocklistChange,
  type BlocklistDaily,
  type FinesMonth,
  type Policy,
  type StateCounts,
  type StatesDaily,
  type TransitionsPerDay,
  type WarningToRegistrationDays,
  type WhatIfAnswer,
  type WhatIfFinal,
} from './analyst-api';
import type { DataTable } from './data-table';
import { formatRupiah } from '../i18n/format';

/** The analyst pages' words. */
export type Text = (key: AnalystKey) => string;

const DAY_MS = 86_400_000;

/** Every date from `from` to `to` (YYYY-MM-DD, inclusive). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Every month from `first` to `last` (YYYY-MM, inclusive). */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  for (let guard = 0; guard < 2400; guard += 1) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > last) break;
    out.push(month);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** Cases per state on each date: one column per state, and the total. */
export function statesOverTimeTable(series: StatesDaily, a: Text): DataTable {
  return {
    columns: [
      { key: 'date', label: a('col.date'), kind: 'date' },
      ...CASE_STATES.map((s) => ({ key: s, label: s, kind: 'count' as const })),
      { key: 'total', label: a('col.total'), kind: 'count' },
    ],
    rows: series.days.map((d) => ({ date: d.date, ...d.counts, total: d.total })),
  };
}

/** Cases per state on one date. */
export function stateCountsTable(counts: StateCounts, a: Text): DataTable {
  return {
    columns: [
      { key: 'state', label: a('col.state'), kind: 'text' },
      { key: 'count', label: a('col.count'), kind: 'count' },
    ],
    rows: CASE_STATES.map((s) => ({ state: s, count: counts.counts[s] ?? 0 })),
  };
}

/** Transitions per date, one row per (date, from, to). */
export function transitionsTable(transitions: TransitionsPerDay, a: Text): DataTable {
  return {
    columns: [
      { key: 'date', label: a('col.date'), kind: 'date' },
      { key: 'fromState', label: a('col.from'), kind: 'text' },
      { key: 'toState', label: a('col.to'), kind: 'text' },
      { key: 'count', label: a('col.count'), kind: 'count' },
    ],
    rows: transitions.days.map((d) => ({ ...d })),
  };
}

/**
 * Fines per month, every month from the first to the last with any fine (a quiet month shows zeros),
 * with what is outstanding at the end of each: imposed less paid less annulled (an annulment takes off
 * what was still unpaid), summed from the first month.
 */
export function finesTable(months: readonly FinesMonth[], a: Text): DataTable {
  const byMonth = new Map(months.map((m) => [m.month, m]));
  const sorted = [...byMonth.keys()].sort();
  let outstanding = 0;
  const rows =
    sorted.length === 0
      ? []
      : monthsBetween(sorted[0] as string, sorted[sorted.length - 1] as string).map((month) => {
          const m = byMonth.get(month);
          const imposedIdr = m?.imposedIdr ?? 0;
          const paidIdr = m?.paidIdr ?? 0;
          const annulledIdr = m?.annulledIdr ?? 0;
          outstanding += imposedIdr - paidIdr - annulledIdr;
          return { month, imposedIdr, paidIdr, annulledIdr, outstandingIdr: outstanding };
        });
  return {
    columns: [
      { key: 'month', label: a('col.month'), kind: 'month' },
      { key: 'imposedIdr', label: a('col.imposed'), kind: 'idr' },
      { key: 'paidIdr', label: a('col.paid'), kind: 'idr' },
      { key: 'annulledIdr', label: a('col.annulled'), kind: 'idr' },
      { key: 'outstandingIdr', label: a('col.outstanding'), kind: 'idr' },
    ],
    rows,
  };
}

/** Registered cases per whole day from warning to registration, every day from 0 to the longest. */
export function warningToRegistrationTable(stats: WarningToRegistrationDays, a: Text): DataTable {
  const byDays = new Map(stats.buckets.map((b) => [b.days, b.cases]));
  const longest = Math.max(-1, ...stats.buckets.map((b) => b.days));
  return {
    columns: [
      { key: 'days', label: a('col.days'), kind: 'count' },
      { key: 'cases', label: a('col.cases'), kind: 'count' },
    ],
    rows: Array.from({ length: longest + 1 }, (_, days) => ({ days, cases: byDays.get(days) ?? 0 })),
  };
}

/** The blocklist's size, additions and removals per date. */
export function blocklistTable(series: BlocklistDaily, a: Text): DataTable {
  return {
    columns: [
      { key: 'date', label: a('col.date'), kind: 'date' },
      { key: 'size', label: a('col.size'), kind: 'count' },
      { key: 'added', label: a('col.added'), kind: 'count' },
      { key: 'removed', label: a('col.removed'), kind: 'count' },
    ],
    rows: series.days.map((d) => ({ ...d })),
  };
}

/** The newest blocklist changes, each case linking to its page. */
export function latestChangesTable(
  changes: readonly BlocklistChange[],
  a: Text,
  formatAt: (instant: string) => string,
): DataTable {
  return {
    columns: [
      { key: 'at', label: a('col.at'), kind: 'text' },
      { key: 'domain', label: a('col.domain'), kind: 'text' },
      { key: 'pseId', label: a('col.case'), kind: 'text' },
      { key: 'action', label: a('col.action'), kind: 'text' },
      { key: 'position', label: a('col.position'), kind: 'count' },
    ],
    rows: changes.map((c) => ({
      at: formatAt(c.at),
      domain: c.domain,
      pseId: c.pseId,
      action: a(c.action === 'add' ? 'action.add' : 'action.remove'),
      position: c.position,
    })),
    link: { column: 'pseId', path: casePath },
  };
}

/** The console path of a case page. */
export const casePath = (pseId: string): string => `/cases/${encodeURIComponent(pseId)}`;

/** The what-if answers that have come back, by policy. */
export type WhatIfByPolicy = Partial<Record<Policy, WhatIfAnswer>>;

/** Final states side by side: as recorded, and under each policy (every state any of them counts). */
export function whatIfCountsTable(answers: WhatIfByPolicy, a: Text): DataTable {
  const got = POLICIES.filter((p) => answers[p] !== undefined);
  const recorded = got.length ? (answers[got[0] as Policy] as WhatIfAnswer).counts.recorded : {};
  const named = new Set<string>(Object.keys(recorded));
  for (const p of got)
    for (const s of Object.keys((answers[p] as WhatIfAnswer).counts.alternative)) named.add(s);
  const states = [
    ...CASE_STATES.filter((s) => named.has(s)),
    ...[...named].filter((s) => !CASE_STATES.includes(s as never)),
  ];
  return {
    columns: [
      { key: 'state', label: a('col.state'), kind: 'text' },
      { key: 'recorded', label: a('col.recorded'), kind: 'count' },
      ...got.map((p) => ({ key: p, label: p, kind: 'count' as const })),
    ],
    rows: states.map((state) => ({
      state,
      recorded: recorded[state] ?? 0,
      ...Object.fromEntries(got.map((p) => [p, (answers[p] as WhatIfAnswer).counts.alternative[state] ?? 0])),
    })),
  };
}

/** A final state as the table shows it: state and substate, and fines still owed when there are any. */
export function finalText(f: WhatIfFinal | null): string {
  if (!f) return '—';
  const state = f.substate ? `${f.state} · ${f.substate}` : f.state;
  const owed = f.fines?.outstandingIdr ?? 0;
  return owed > 0 ? `${state} · ${formatRupiah(owed)}` : state;
}

/** True when a case ends differently: its final state, its place on the blocklist or the fines it owes. */
export function endsDifferently(final: {
  recorded: WhatIfFinal | null;
  alternative: WhatIfFinal | null;
}): boolean {
  const { recorded: r, alternative: a } = final;
  if (!r || !a) return r !== a;
  return (
    r.state !== a.state ||
    (r.substate ?? null) !== (a.substate ?? null) ||
    (r.onBlocklist ?? false) !== (a.onBlocklist ?? false) ||
    (r.fines?.outstandingIdr ?? 0) !== (a.fines?.outstandingIdr ?? 0)
  );
}

/**
 * The cases that end differently under at least one policy (a history that parts and comes back to the
 * same end is left out), each linking to its case page: the end as recorded and under each policy. A
 * case a policy's answer does not list ends there as recorded when that answer lists all its differing
 * cases; otherwise it is unknown (a dash).
 */
export function whatIfDifferingTable(answers: WhatIfByPolicy, a: Text): DataTable {
  const got = POLICIES.filter((p) => answers[p] !== undefined);
  const cases = new Map<string, { recorded: string; alternatives: Partial<Record<Policy, string>> }>();
  for (const p of got) {
    for (const r of (answers[p] as WhatIfAnswer).reports) {
      if (!r.differs) continue;
      const entry = cases.get(r.pseId) ?? { recorded: finalText(r.final.recorded), alternatives: {} };
      entry.alternatives[p] = finalText(r.final.alternative);
      cases.set(r.pseId, entry);
    }
  }
  const ending = new Set(
    got.flatMap((p) =>
      (answers[p] as WhatIfAnswer).reports
        .filter((r) => r.differs && endsDifferently(r.final))
        .map((r) => r.pseId),
    ),
  );
  const complete = (p: Policy) => {
    const answer = answers[p] as WhatIfAnswer;
    return answer.reports.filter((r) => r.differs).length >= answer.differing;
  };
  return {
    columns: [
      { key: 'pseId', label: a('col.case'), kind: 'text' },
      { key: 'recorded', label: a('col.recorded'), kind: 'text' },
      ...got.map((p) => ({ key: p, label: p, kind: 'text' as const })),
    ],
    rows: [...cases.entries()]
      .filter(([pseId]) => ending.has(pseId))
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([pseId, c]) => ({
        pseId,
        recorded: c.recorded,
        ...Object.fromEntries(got.map((p) => [p, c.alternatives[p] ?? (complete(p) ? c.recorded : null)])),
      })),
    link: { column: 'pseId', path: casePath },
  };
}

/** The values of a numeric column, in row order. */
const column = (table: DataTable, key: string): number[] => table.rows.map((r) => Number(r[key] ?? 0));
const labels = (table: DataTable, key: string): string[] => table.rows.map((r) => String(r[key] ?? ''));

const BASE: EChartsCoreOption = {
  animation: false,
  tooltip: { trigger: 'axis' },
  legend: { type: 'scroll', top: 0 },
  grid: { left: 56, right: 24, top: 40, bottom: 64 },
};
const STATE_COLOURS: Record<string, string> = {
  unregistered: '#9aa5b1',
  registrationPending: '#7cc4fa',
  registered: '#3ebd93',
  warned: '#f0b429',
  fined: '#de911d',
  blocked: '#d64545',
  reRegistered: '#147d64',
  suspended: '#8d2b0b',
  revoked: '#610316',
  exempted: '#4098d7',
};

/** A stacked area per state over the dates of a table from `statesOverTimeTable`. */
export function statesOverTimeChart(table: DataTable): EChartsCoreOption {
  return {
    ...BASE,
    xAxis: { type: 'category', boundaryGap: false, data: labels(table, 'date') },
    yAxis: { type: 'value', minInterval: 1 },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
    series: CASE_STATES.map((s) => ({
      name: s,
      type: 'line',
      stack: 'cases',
      areaStyle: {},
      symbol: 'none',
      lineStyle: { width: 0.5 },
      color: STATE_COLOURS[s],
      data: column(table, s),
    })),
  };
}

/** Bars of the cases per state on one date. */
export function stateCountsChart(table: DataTable): EChartsCoreOption {
  return {
    ...BASE,
    legend: undefined,
    grid: { left: 120, right: 24, top: 16, bottom: 32 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: labels(table, 'state') },
    series: [
      {
        type: 'bar',
        data: table.rows.map((r) => ({
          value: Number(r.count),
          itemStyle: { color: STATE_COLOURS[String(r.state)] },
        })),
      },
    ],
  };
}

/** Stacked bars of transitions per date, by the state entered, over every date of the range. */
export function transitionsChart(table: DataTable, from: string, to: string): EChartsCoreOption {
  const dates = datesBetween(from, to);
  const index = new Map(dates.map((d, i) => [d, i]));
  const byTarget = new Map<string, number[]>();
  for (const r of table.rows) {
    const target = String(r.toState);
    const values = byTarget.get(target) ?? dates.map(() => 0);
    const i = index.get(String(r.date));
    if (i !== undefined) values[i] = (values[i] ?? 0) + Number(r.count);
    byTarget.set(target, values);
  }
  return {
    ...BASE,
    xAxis: { type: 'category', data: dates },
    yAxis: { type: 'value', minInterval: 1 },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
    series: [...byTarget.entries()].map(([name, data]) => ({
      name,
      type: 'bar',
      stack: 'transitions',
      color: STATE_COLOURS[name],
      data,
    })),
  };
}

/** Bars of fines imposed, paid and annulled per month, and a line of what is outstanding. */
export function finesChart(table: DataTable, a: Text): EChartsCoreOption {
  return {
    ...BASE,
    xAxis: { type: 'category', data: labels(table, 'month') },
    yAxis: {
      type: 'value',
      axisLabel: {
        formatter: (v: number) => new Intl.NumberFormat('id-ID', { notation: 'compact' }).format(v),
      },
    },
    series: [
      { name: a('col.imposed'), type: 'bar', color: '#de911d', data: column(table, 'imposedIdr') },
      { name: a('col.paid'), type: 'bar', color: '#3ebd93', data: column(table, 'paidIdr') },
      { name: a('col.annulled'), type: 'bar', color: '#9aa5b1', data: column(table, 'annulledIdr') },
      { name: a('col.outstanding'), type: 'line', color: '#d64545', data: column(table, 'outstandingIdr') },
    ],
  };
}

/** A histogram of the days from warning to registration. */
export function warningToRegistrationChart(table: DataTable, a: Text): EChartsCoreOption {
  return {
    ...BASE,
    legend: undefined,
    grid: { left: 56, right: 24, top: 16, bottom: 48 },
    xAxis: {
      type: 'category',
      name: a('an.days'),
      nameLocation: 'middle',
      nameGap: 28,
      data: labels(table, 'days'),
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: a('col.cases'),
        type: 'bar',
        barCategoryGap: '10%',
        color: '#4098d7',
        data: column(table, 'cases'),
      },
    ],
  };
}

/** The blocklist's size as a line, with the day's additions and removals as bars. */
export function blocklistChart(table: DataTable, a: Text): EChartsCoreOption {
  return {
    ...BASE,
    xAxis: { type: 'category', data: labels(table, 'date') },
    yAxis: { type: 'value', minInterval: 1 },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
    series: [
      {
        name: a('col.size'),
        type: 'line',
        step: 'end',
        symbol: 'none',
        areaStyle: { opacity: 0.2 },
        color: '#d64545',
        data: column(table, 'size'),
      },
      { name: a('col.added'), type: 'bar', color: '#f0b429', data: column(table, 'added') },
      {
        name: a('col.removed'),
        type: 'bar',
        color: '#3ebd93',
        data: column(table, 'removed').map((n) => -n),
      },
    ],
  };
}

/** Grouped bars of the final states, as recorded and under each policy. */
export function whatIfCountsChart(table: DataTable): EChartsCoreOption {
  const ways = table.columns.slice(1);
  return {
    ...BASE,
    xAxis: { type: 'category', data: labels(table, 'state'), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: ways.map((c) => ({ name: c.label, type: 'bar', data: column(table, c.key) })),
  };
}
