import type { CaseTrafficPoint } from '../api/sanksi-api';

/** One bar of a case's traffic trend: a period and the visits of all the case's domains in it. */
export interface TrafficBar {
  period: string;
  /** The sum over the case's domains of each one's largest visits of any source; null when only ranks are known. */
  visits: number | null;
  /** The best rank of any of its domains in that period, when a source gave one. */
  rank: number | null;
}

/** The trend of `GET /v1/cases/{pseId}/traffic`: one bar per period, oldest first. */
export function trafficSeries(points: readonly CaseTrafficPoint[]): TrafficBar[] {
  const byPeriod = new Map<string, TrafficBar>();
  for (const p of points) {
    const bar = byPeriod.get(p.period) ?? { period: p.period, visits: null, rank: null };
    if (p.visits !== null) bar.visits = (bar.visits ?? 0) + p.visits;
    if (p.rank !== null) bar.rank = bar.rank === null ? p.rank : Math.min(bar.rank, p.rank);
    byPeriod.set(p.period, bar);
  }
  // Periods are YYYY-MM, a day or a range A/B: text order is time order for each form.
  return [...byPeriod.values()].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
}

/** Bar heights for a chart `height` high: proportional to visits, the largest at full height (0 when unknown). */
export function barHeights(bars: readonly TrafficBar[], height: number): number[] {
  const largest = Math.max(0, ...bars.map((b) => b.visits ?? 0));
  return bars.map((b) =>
    largest === 0 || b.visits === null ? 0 : Math.max(1, (b.visits / largest) * height),
  );
}
