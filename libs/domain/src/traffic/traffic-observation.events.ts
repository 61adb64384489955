import { z } from 'zod';
import { normaliseHostnameForMatching } from '../hostname/system-address';
import { Actor, Instant } from '../pse-case/pse-case.events';

/** The category of every traffic stream: `traffic-<source>-<period>` (docs/decisions/0008). */
export const TRAFFIC_STREAM_CATEGORY = 'traffic';
/** The event type of one traffic observation. */
export const TRAFFIC_OBSERVED = 'TrafficObserved';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Why `period` is not a traffic period, or null when it is one. */
export function trafficPeriodProblem(period: string): string | null {
  if (MONTH.test(period)) return null;
  const [start, end, ...rest] = period.split('/');
  if (end === undefined && isCalendarDate(start)) return null;
  if (rest.length === 0 && end !== undefined && isCalendarDate(start) && isCalendarDate(end)) {
    return start <= end ? null : `the range ${period} ends before it starts`;
  }
  return `a period is a month (YYYY-MM), a day (YYYY-MM-DD) or a range of days (YYYY-MM-DD/YYYY-MM-DD), got ${JSON.stringify(period.slice(0, 40))}`;
}

/** A month `YYYY-MM`, a day `YYYY-MM-DD` or an inclusive range of days `YYYY-MM-DD/YYYY-MM-DD`. */
export const TrafficPeriod = z
  .string()
  .superRefine((value, ctx) => {
    const problem = trafficPeriodProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description: 'A month (YYYY-MM), a day (YYYY-MM-DD) or a range of days (YYYY-MM-DD/YYYY-MM-DD)',
    example: '2022-07',
  });
export type TrafficPeriod = z.infer<typeof TrafficPeriod>;

/** Who measured the traffic: a short lower-case slug (`similarweb`, `kominfo-crawler`). */
export const TrafficSource = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'a source is 1–64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
  )
  .meta({ example: 'similarweb' });
export type TrafficSource = z.infer<typeof TrafficSource>;

const Visits = z.number().int('visits must be a whole number').nonnegative().max(Number.MAX_SAFE_INTEGER);
const Rank = z.number().int('rank must be a whole number').positive().max(100_000_000);

/**
 * The observed address as the key it is matched by (the registry import's normaliser: scheme, `www.`,
 * path, port, upper case and trailing dot dropped; a public IP or an app-store id kept as such).
 */
export const TrafficDomain = z
  .string()
  .superRefine((value, ctx) => {
    const result = normaliseHostnameForMatching(value);
    if ('refused' in result) ctx.addIssue({ code: 'custom', message: result.refused.message });
  })
  .overwrite((value) => {
    const result = normaliseHostnameForMatching(value);
    return 'key' in result ? result.key : value;
  })
  .meta({
    description:
      'A host name (a URL, www., port or trailing dot is reduced to it), a public IP address or an app-store id',
    example: 'tokopedia.com',
  });

/**
 * One observation as a new fact (a file row, an HTTP body item, a Kafka message): the domain meets the
 * host-name rule, and visits, rank or both are given.
 */
export const TrafficObservationInput = z
  .object({
    domain: TrafficDomain,
    period: TrafficPeriod,
    visits: Visits.nullish(),
    rank: Rank.nullish(),
    source: TrafficSource,
  })
  .strict()
  .refine((o) => o.visits != null || o.rank != null, {
    message: 'give visits, rank or both',
    path: ['visits'],
  });
export type TrafficObservationInput = z.infer<typeof TrafficObservationInput>;

/**
 * Traffic of a domain in a period as one source measured it. Not a case event: it lives in its own
 * streams, and the same (domain, period, source) is recorded once.
 */
export const TrafficObserved = z.object({
  domain: z.string().min(1),
  period: z.string().min(1),
  visits: z.number().int().nonnegative().nullable(),
  rank: z.number().int().positive().nullable(),
  source: z.string().min(1),
});
export type TrafficObserved = z.infer<typeof TrafficObserved>;

/** What a `TrafficObserved` event carries besides its data. */
export const TrafficEventMetadata = z.object({
  recordedAt: Instant,
  actor: Actor,
  correlationId: z.string().nullable(),
});
export type TrafficEventMetadata = z.infer<typeof TrafficEventMetadata>;

/** The stream of one source's observations of one period. */
export function trafficStreamId(source: string, period: string): string {
  return `${TRAFFIC_STREAM_CATEGORY}-${source}-${period}`;
}

/** The dedupe key of an observation: one fact per (domain, period, source). */
export function trafficObservationKey(o: { domain: string; period: string; source: string }): string {
  return `${o.source}\u0000${o.period}\u0000${o.domain}`;
}

const INPUT_KEYS = new Set(['domain', 'period', 'visits', 'rank', 'source']);
const SOURCE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const isCount = (v: unknown, min: number, max: number): boolean =>
  v === undefined || v === null || (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);

/**
 * `TrafficObservationInput.safeParse` for the rows a file or body is made of, without zod's cost on the
 * valid ones (the address is normalised once): the same observation for a valid row; for any other the
 * schema's own issues (it is run then). Equal to the schema on every input (traffic-observation.events.spec).
 */
export function parseTrafficObservation(
  value: unknown,
): { success: true; data: TrafficObservationInput } | { success: false; error: z.ZodError } {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const row = value as Record<string, unknown>;
    const { domain, period, visits, rank, source } = row;
    if (
      Object.keys(row).every((k) => INPUT_KEYS.has(k)) &&
      typeof domain === 'string' &&
      typeof period === 'string' &&
      typeof source === 'string' &&
      SOURCE.test(source) &&
      isCount(visits, 0, Number.MAX_SAFE_INTEGER) &&
      isCount(rank, 1, 100_000_000) &&
      (visits != null || rank != null) &&
      trafficPeriodProblem(period) === null
    ) {
      const key = normaliseHostnameForMatching(domain);
      if ('key' in key) {
        // In the schema's key order, with the optional counts only when given, as zod would answer
        // (both given, the usual row, without the spreads' throw-away objects).
        const data: TrafficObservationInput =
          visits !== undefined && rank !== undefined
            ? {
                domain: key.key,
                period,
                visits: visits as number | null,
                rank: rank as number | null,
                source,
              }
            : {
                domain: key.key,
                period,
                ...(visits !== undefined ? { visits: visits as number | null } : {}),
                ...(rank !== undefined ? { rank: rank as number | null } : {}),
                source,
              };
        return { success: true, data };
      }
    }
  }
  const parsed = TrafficObservationInput.safeParse(value);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error };
}
