import type { Holiday, HolidayYear } from './holiday.types';
import { HOLIDAYS_2022 } from './holidays/holidays-2022';
import { HOLIDAYS_2023 } from './holidays/holidays-2023';
import { HOLIDAYS_2024 } from './holidays/holidays-2024';
import { HOLIDAYS_2025 } from './holidays/holidays-2025';
import { HOLIDAYS_2026 } from './holidays/holidays-2026';
import { HOLIDAYS_2027 } from './holidays/holidays-2027';

/** Every covered year with its decree citation, oldest first. */
export const HOLIDAY_YEARS: readonly HolidayYear[] = [
  HOLIDAYS_2022,
  HOLIDAYS_2023,
  HOLIDAYS_2024,
  HOLIDAYS_2025,
  HOLIDAYS_2026,
  HOLIDAYS_2027,
];

/** The years the business calendar can answer for (2022–2027). */
export const CALENDAR_YEARS: readonly number[] = HOLIDAY_YEARS.map((y) => y.year);

// Built once: lookups by date happen for every day a deadline walks over.
export const HOLIDAYS_BY_DATE: ReadonlyMap<string, Holiday> = new Map(
  HOLIDAY_YEARS.flatMap((y) => y.holidays.map((h) => [h.date, h] as const)),
);
