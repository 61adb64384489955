import { CALENDAR_YEARS, HOLIDAY_YEARS } from './holidays.table';

/** The months ahead the horizon check wants covered by default: one year, one SKB cycle. */
export const CALENDAR_WARNING_MONTHS = 12;

/** Where the yearly procedure is written down; refusals and warnings point there. */
export const CALENDAR_PROCEDURE = 'docs/calendar.md §Adding a year';

/** The span of local dates the holiday table covers, and which of its years are provisional. */
export interface CalendarSpan {
  /** First covered local date, `YYYY-MM-DD`. */
  knownFrom: string;
  /** Last covered local date, `YYYY-MM-DD`: 31 December of the last year in the table. */
  knownThrough: string;
  /** The year to add next. */
  nextYear: number;
  /** Years whose every entry is an estimate (no SKB entered yet). */
  provisionalYears: number[];
}

/** What the holiday table covers. */
export function calendarSpan(): CalendarSpan {
  const first = CALENDAR_YEARS[0] as number;
  const last = CALENDAR_YEARS[CALENDAR_YEARS.length - 1] as number;
  return {
    knownFrom: `${first}-01-01`,
    knownThrough: `${last}-12-31`,
    nextYear: last + 1,
    provisionalYears: HOLIDAY_YEARS.filter(
      (y) => y.holidays.length > 0 && y.holidays.every((h) => h.provisional === true),
    ).map((y) => y.year),
  };
}

/** The outcome of checking the horizon on one day. */
export interface CalendarHorizonCheck extends CalendarSpan {
  /** The day checked, `YYYY-MM-DD`. */
  today: string;
  /** How far ahead the table should reach. */
  warningMonths: number;
  /** Days from `today` to `knownThrough` (negative once past it). */
  daysLeft: number;
  /** True when the table ends less than `warningMonths` after `today`. */
  warn: boolean;
  /** One sentence for people and logs. */
  message: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/**
 * Whether the holiday table reaches at least `warningMonths` past `today` (a local date): working-day
 * deadlines beyond it are refused, so the next year's SKB must be entered before then. Pure: the
 * caller gives the date, so tests choose it and CI does not depend on the day it runs.
 */
export function checkCalendarHorizon(
  today: string,
  warningMonths: number = CALENDAR_WARNING_MONTHS,
): CalendarHorizonCheck {
  const m = DATE_RE.exec(today);
  if (!m) throw new RangeError(`today must be YYYY-MM-DD, got ${JSON.stringify(today)}`);
  if (!Number.isInteger(warningMonths) || warningMonths < 0) {
    throw new RangeError(`warningMonths must be a whole number of months, got ${warningMonths}`);
  }
  const span = calendarSpan();
  const todayMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const [y, mo, d] = span.knownThrough.split('-').map(Number) as [number, number, number];
  const throughMs = Date.UTC(y, mo - 1, d);
  // The day `warningMonths` after today (Date.UTC rolls 31 Feb over to March, which only errs early).
  const wantedMs = Date.UTC(Number(m[1]), Number(m[2]) - 1 + warningMonths, Number(m[3]));
  const daysLeft = Math.round((throughMs - todayMs) / MS_PER_DAY);
  const warn = throughMs < wantedMs;
  const known = `the Indonesian working-day calendar is known only through ${span.knownThrough}`;
  const message =
    daysLeft < 0
      ? `${known}, which has passed: deadlines after it are refused; add the ${span.nextYear} holidays (${CALENDAR_PROCEDURE})`
      : warn
        ? `${known}, ${daysLeft} day(s) from ${today} (less than ${warningMonths} months): add the ${span.nextYear} holidays (${CALENDAR_PROCEDURE}) before deadlines reach it`
        : `the Indonesian working-day calendar is known through ${span.knownThrough}, ${daysLeft} day(s) from ${today}`;
  return { ...span, today, warningMonths, daysLeft, warn, message };
}
