import type { BusinessCalendar } from '../api/sanksi-api';
import { wibDate } from '../i18n/format';

/** How far a deadline is from the server's now, counted on the Indonesian business calendar. */
export type Countdown =
  | { kind: 'overdue' }
  | { kind: 'due'; workingDays: number; calendarDays: number; beyondCalendar: boolean };

const DAY = 86_400_000;

const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/**
 * Working days left before a deadline: the working days after today (WIB) up to and including the
 * deadline's own date (0: due today), skipping weekends, national holidays and cuti bersama. Past the
 * years the calendar covers, only weekends are skipped and `beyondCalendar` says so.
 */
export function countdown(dueAt: string, calendar: BusinessCalendar): Countdown {
  if (Date.parse(dueAt) < Date.parse(calendar.now)) return { kind: 'overdue' };
  const holidays = new Set(calendar.years.flatMap((y) => y.holidays.map((h) => h.date)));
  const covered = new Set(calendar.years.map((y) => y.year));
  const today = wibDate(calendar.now);
  const due = wibDate(dueAt);
  let workingDays = 0;
  let calendarDays = 0;
  let beyondCalendar = false;
  for (let day = addDays(today, 1); day <= due; day = addDays(day, 1)) {
    calendarDays += 1;
    if (!covered.has(Number(day.slice(0, 4)))) beyondCalendar = true;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.has(day)) workingDays += 1;
  }
  return { kind: 'due', workingDays, calendarDays, beyondCalendar };
}
