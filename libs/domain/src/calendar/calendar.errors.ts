/** Codes of the calendar's refusals, stable for mapping to HTTP or CLI output. */
export type CalendarErrorCode =
  | 'CALENDAR_INVALID_INSTANT'
  | 'CALENDAR_INVALID_LOCAL_DATE'
  | 'CALENDAR_INVALID_PERIOD'
  | 'CALENDAR_INVALID_HOURS'
  | 'CALENDAR_INVALID_ZONE'
  | 'CALENDAR_YEAR_NOT_COVERED';

/** Base class of every error the calendar throws. */
export abstract class CalendarError extends Error {
  abstract readonly code: CalendarErrorCode;
}

/** The input is not an ISO-8601 instant with an explicit offset (`Z` or `±HH:MM`). */
export class InvalidInstant extends CalendarError {
  readonly code = 'CALENDAR_INVALID_INSTANT' as const;
  readonly instant: string;
  constructor(fields: { instant: string }) {
    super(`Not an ISO-8601 instant with offset: ${JSON.stringify(fields.instant)}`);
    this.name = 'InvalidInstant';
    this.instant = fields.instant;
  }
}

/** The input is not a real `YYYY-MM-DD` date. */
export class InvalidLocalDate extends CalendarError {
  readonly code = 'CALENDAR_INVALID_LOCAL_DATE' as const;
  readonly localDate: string;
  constructor(fields: { localDate: string }) {
    super(`Not a YYYY-MM-DD date: ${JSON.stringify(fields.localDate)}`);
    this.name = 'InvalidLocalDate';
    this.localDate = fields.localDate;
  }
}

/** A period needs a non-negative integer number of days and a known unit. */
export class InvalidPeriod extends CalendarError {
  readonly code = 'CALENDAR_INVALID_PERIOD' as const;
  readonly period: unknown;
  constructor(fields: { period: unknown; reason: string }) {
    super(`Invalid period: ${fields.reason}`);
    this.name = 'InvalidPeriod';
    this.period = fields.period;
  }
}

/** Hours to add must be a finite number. */
export class InvalidHours extends CalendarError {
  readonly code = 'CALENDAR_INVALID_HOURS' as const;
  readonly hours: number;
  constructor(fields: { hours: number }) {
    super(`Hours must be a finite number, got ${String(fields.hours)}`);
    this.name = 'InvalidHours';
    this.hours = fields.hours;
  }
}

/** Only WIB, WITA and WIT exist. */
export class InvalidZone extends CalendarError {
  readonly code = 'CALENDAR_INVALID_ZONE' as const;
  readonly zone: string;
  constructor(fields: { zone: string }) {
    super(`Unknown Indonesian time zone: ${JSON.stringify(fields.zone)} (expected WIB, WITA or WIT)`);
    this.name = 'InvalidZone';
    this.zone = fields.zone;
  }
}

/** The date lies in a year the holiday table does not cover; we never guess it is a working day. */
export class CalendarYearNotCovered extends CalendarError {
  readonly code = 'CALENDAR_YEAR_NOT_COVERED' as const;
  readonly year: number;
  readonly covered: readonly number[];
  /** First and last covered local dates (`YYYY-MM-DD`). */
  readonly knownFrom: string;
  readonly knownThrough: string;
  constructor(fields: { year: number; covered: readonly number[] }) {
    const first = fields.covered[0];
    const last = fields.covered[fields.covered.length - 1];
    const knownFrom = `${first}-01-01`;
    const knownThrough = `${last}-12-31`;
    super(
      fields.year > (last ?? 0)
        ? `the Indonesian working-day calendar is known only through ${knownThrough}; add the ${
            fields.year === (last ?? 0) + 1 ? fields.year : `${(last ?? 0) + 1}–${fields.year}`
          } holidays (docs/calendar.md §Adding a year)`
        : `the Indonesian working-day calendar is known only from ${knownFrom}; ${fields.year} is not covered`,
    );
    this.name = 'CalendarYearNotCovered';
    this.year = fields.year;
    this.covered = fields.covered;
    this.knownFrom = knownFrom;
    this.knownThrough = knownThrough;
  }
}
