export type { Holiday, HolidayYear } from './holiday.types';
export type { Zone, Period } from './business-calendar';
export {
  dueDate,
  isWorkingDay,
  localDate,
  toZone,
  addHours,
  holidaysIn,
  daysInMonth,
} from './business-calendar';
export { CALENDAR_YEARS, HOLIDAY_YEARS } from './holidays.table';
export {
  CalendarError,
  CalendarYearNotCovered,
  InvalidHours,
  InvalidInstant,
  InvalidLocalDate,
  InvalidPeriod,
  InvalidZone,
} from './calendar.errors';
export type { CalendarErrorCode } from './calendar.errors';
export {
  CALENDAR_PROCEDURE,
  CALENDAR_WARNING_MONTHS,
  calendarSpan,
  checkCalendarHorizon,
  type CalendarHorizonCheck,
  type CalendarSpan,
} from './calendar-horizon';
