import {
  CalendarYearNotCovered,
  InvalidHours,
  InvalidInstant,
  InvalidLocalDate,
  InvalidPeriod,
  InvalidZone,
} from './calendar.errors';
import type { Holiday } from './holiday.types';
import { CALENDAR_YEARS, HOLIDAY_YEARS, HOLIDAYS_BY_DATE } from './holidays.table';

/** Indonesia's three time zones; none observes daylight saving time. */
export type Zone = 'WIB' | 'WITA' | 'WIT';

/** A deadline length: `working` days skip weekends, national holidays and cuti bersama. */
export type Period = { days: number; unit: 'working' | 'calendar' };

const ZONE_OFFSET_HOURS: Record<Zone, number> = { WIB: 7, WITA: 8, WIT: 9 };
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;
const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface ParsedInstant {
  epochMs: number;
  offsetMinutes: number;
}

function isValidYmd(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function parseInstant(instant: string): ParsedInstant {
  const m = typeof instant === 'string' ? INSTANT_RE.exec(instant) : null;
  if (!m) throw new InvalidInstant({ instant: String(instant) });
  const [, y, mo, d, h, mi, s, frac, zoneDesignator, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (!isValidYmd(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    throw new InvalidInstant({ instant });
  }
  let offsetMinutes = 0;
  if (zoneDesignator !== 'Z') {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 14 || offM > 59) throw new InvalidInstant({ instant });
    offsetMinutes = (zoneDesignator.startsWith('-') ? -1 : 1) * (offH * 60 + offM);
  }
  const millis = frac === undefined ? 0 : Math.floor(Number(frac) * 1000);
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return { epochMs, offsetMinutes };
}

function assertZone(zone: Zone): number {
  const offset = ZONE_OFFSET_HOURS[zone];
  if (offset === undefined) throw new InvalidZone({ zone: String(zone) });
  return offset;
}

function pad(n: number, width = 2): string {
  return width === 2 && n < 10 && n >= 0 ? `0${n}` : String(n).padStart(width, '0');
}

function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function render(epochMs: number, offsetMinutes: number): string {
  const shifted = new Date(epochMs + offsetMinutes * 60_000);
  const ms = shifted.getUTCMilliseconds();
  return (
    `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}` +
    `T${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}` +
    (ms === 0 ? '' : `.${pad(ms, 3)}`) +
    formatOffset(offsetMinutes)
  );
}

function parseLocalDate(value: string): number {
  const m = typeof value === 'string' ? LOCAL_DATE_RE.exec(value) : null;
  if (!m || !isValidYmd(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new InvalidLocalDate({ localDate: String(value) });
  }
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function formatLocalDate(dayMs: number): string {
  const d = new Date(dayMs);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

function assertYearCovered(year: number): void {
  if (!CALENDAR_YEARS.includes(year)) {
    throw new CalendarYearNotCovered({ year, covered: CALENDAR_YEARS });
  }
}

/** The local calendar date (`YYYY-MM-DD`) of an instant in an Indonesian zone (default WIB). */
export function localDate(instant: string, zone: Zone = 'WIB'): string {
  const { epochMs } = parseInstant(instant);
  return formatLocalDate(epochMs + assertZone(zone) * MS_PER_HOUR);
}

// The form read models keep every instant in (`Date#toISOString`'s, or the domain's `+00:00`), with a year
// of four digits not starting with 0 (`render` writes the year unpadded).
const UTC_MILLIS_RE =
  /^([1-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3])(:[0-5]\d:[0-5]\d)\.(\d{3})(?:Z|\+00:00)$/;

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `toZone` of an instant in the read models' UTC form, on its digits: the API shows every instant of a case
 * list in WIB, about five a case, and the general way (parse, validate, `Date`, render) cost 0.9 µs each.
 * The zone's hour is the UTC hour plus its offset, on the next day past midnight. Null for anything else
 * (and for the last day of 9999), which takes the general way.
 */
function utcToZone(instant: string, offsetHours: number): string | null {
  const m = UTC_MILLIS_RE.exec(instant);
  if (m === null) return null;
  let year = Number(m[1]);
  let month = Number(m[2]);
  let day = Number(m[3]);
  let hour = Number(m[4]) + offsetHours;
  const days = daysInMonth(year, month);
  if (day > days) return null;
  let date = `${m[1]}-${m[2]}-${m[3]}`;
  if (hour > 23) {
    hour -= 24;
    if (day < days) day += 1;
    else if (month < 12) [month, day] = [month + 1, 1];
    else if (year < 9999) [year, month, day] = [year + 1, 1, 1];
    else return null;
    date = `${year}-${pad(month)}-${pad(day)}`;
  }
  return `${date}T${pad(hour)}${m[5]}${m[6] === '000' ? '' : `.${m[6]}`}+${pad(offsetHours)}:00`;
}

/** The same instant rendered with the zone's fixed offset, e.g. `2022-07-29T23:59:59+08:00`. */
export function toZone(instant: string, zone: Zone): string {
  const offsetHours: unknown = ZONE_OFFSET_HOURS[zone];
  if (typeof offsetHours === 'number' && typeof instant === 'string') {
    const fast = utcToZone(instant, offsetHours);
    if (fast !== null) return fast;
  }
  const { epochMs } = parseInstant(instant);
  return render(epochMs, assertZone(zone) * 60);
}

/** The instant `hours` later (negative: earlier), rendered in the input's own offset. */
export function addHours(instant: string, hours: number): string {
  if (typeof hours !== 'number' || !Number.isFinite(hours)) throw new InvalidHours({ hours });
  const { epochMs, offsetMinutes } = parseInstant(instant);
  return render(epochMs + Math.round(hours * MS_PER_HOUR), offsetMinutes);
}

/** The national holidays and cuti bersama of a covered year, in date order. */
export function holidaysIn(year: number): Holiday[] {
  assertYearCovered(year);
  const entry = HOLIDAY_YEARS.find((y) => y.year === year);
  return entry ? entry.holidays.map((h) => ({ ...h })) : [];
}

/** Whether a local date is a working day: not Saturday/Sunday, not a holiday or cuti bersama. */
export function isWorkingDay(date: string): boolean {
  const dayMs = parseLocalDate(date);
  assertYearCovered(new Date(dayMs).getUTCFullYear());
  const weekday = new Date(dayMs).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !HOLIDAYS_BY_DATE.has(date);
}

// The holidays by their UTC midnight, so counting working days (every warning, fine and suspension
// decided) need not write and re-read each day's date: `isWorkingDayAt(d)` is `isWorkingDay` of d's date.
const HOLIDAY_DAYS_MS: ReadonlySet<number> = new Set([...HOLIDAYS_BY_DATE.keys()].map(parseLocalDate));

/** `isWorkingDay` of the local date whose UTC midnight is `dayMs` (the same answers and refusals). */
function isWorkingDayAt(dayMs: number): boolean {
  const day = new Date(dayMs);
  assertYearCovered(day.getUTCFullYear());
  const weekday = day.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !HOLIDAY_DAYS_MS.has(dayMs);
}

function assertPeriod(period: Period): void {
  if (typeof period !== 'object' || period === null) {
    throw new InvalidPeriod({ period, reason: 'period must be an object' });
  }
  if (!Number.isInteger(period.days) || period.days < 0) {
    throw new InvalidPeriod({ period, reason: 'days must be a non-negative integer' });
  }
  if (period.unit !== 'working' && period.unit !== 'calendar') {
    throw new InvalidPeriod({ period, reason: "unit must be 'working' or 'calendar'" });
  }
}

/**
 * End (23:59:59 local) of the last day of `period`, counted from the day after the local date of
 * `fromInstant`; working days skip weekends, national holidays and cuti bersama.
 */
export function dueDate(fromInstant: string, period: Period, zone: Zone = 'WIB'): string {
  assertPeriod(period);
  const offsetHours = assertZone(zone);
  const { epochMs } = parseInstant(fromInstant);
  let dayMs = parseLocalDate(formatLocalDate(epochMs + offsetHours * MS_PER_HOUR));
  if (period.unit === 'calendar') {
    dayMs += period.days * MS_PER_DAY;
    // A calendar-day deadline does not consult holidays, but we still refuse uncovered years so
    // that callers get one consistent range from the calendar.
    assertYearCovered(new Date(dayMs).getUTCFullYear());
  } else {
    let remaining = period.days;
    while (remaining > 0) {
      dayMs += MS_PER_DAY;
      if (isWorkingDayAt(dayMs)) remaining -= 1;
    }
  }
  return `${formatLocalDate(dayMs)}T23:59:59${formatOffset(offsetHours * 60)}`;
}
