import { type CalendarHorizonCheck, checkCalendarHorizon, localDate } from '@sanksi/domain';
import type { Logger } from 'pino';

/**
 * Checks, on the WIB date of `now`, that the holiday table reaches `months` ahead (default 12) and
 * logs a warning naming the yearly procedure when it does not; returns the check either way.
 */
export function warnOfCalendarHorizon(
  logger: Pick<Logger, 'warn'>,
  now: Date,
  months?: number,
): CalendarHorizonCheck {
  const check = checkCalendarHorizon(localDate(now.toISOString(), 'WIB'), months);
  if (check.warn) {
    logger.warn(
      { calendar: { knownThrough: check.knownThrough, daysLeft: check.daysLeft, nextYear: check.nextYear } },
      check.message,
    );
  }
  return check;
}
