import { calendarSpan, checkCalendarHorizon, dueDate, holidaysIn } from './index';

// Every date here is given, never read from a clock: the outcome cannot change with the day CI runs.
describe('the calendar horizon', () => {
  it('given the table, then it is known from 1 January of its first year through 31 December of its last', () => {
    expect(calendarSpan()).toEqual({
      knownFrom: '2022-01-01',
      knownThrough: '2027-12-31',
      nextYear: 2028,
      provisionalYears: [2027],
    });
  });

  it('given a day more than 12 months before the horizon, then no warning', () => {
    expect(checkCalendarHorizon('2026-12-02')).toEqual({
      ...calendarSpan(),
      today: '2026-12-02',
      warningMonths: 12,
      daysLeft: 394,
      warn: false,
      message: 'the Indonesian working-day calendar is known through 2027-12-31, 394 day(s) from 2026-12-02',
    });
  });

  it('given the last day 12 months still reach, then no warning; the day after, a warning naming the fix', () => {
    expect(checkCalendarHorizon('2026-12-31').warn).toBe(false);
    const next = checkCalendarHorizon('2027-01-01');
    expect(next).toMatchObject({ warn: true, daysLeft: 364 });
    expect(next.message).toBe(
      'the Indonesian working-day calendar is known only through 2027-12-31, 364 day(s) from 2027-01-01 ' +
        '(less than 12 months): add the 2028 holidays (docs/calendar.md §Adding a year) before deadlines reach it',
    );
  });

  it('given another lead time, then the warning starts that many months ahead', () => {
    expect(checkCalendarHorizon('2027-06-30', 6).warn).toBe(false);
    expect(checkCalendarHorizon('2027-07-01', 6).warn).toBe(true);
    expect(checkCalendarHorizon('2027-12-31', 0).warn).toBe(false);
  });

  it('given a day past the horizon, then the warning says deadlines are already refused', () => {
    const past = checkCalendarHorizon('2028-02-01');
    expect(past).toMatchObject({ warn: true, daysLeft: -32 });
    expect(past.message).toBe(
      'the Indonesian working-day calendar is known only through 2027-12-31, which has passed: deadlines ' +
        'after it are refused; add the 2028 holidays (docs/calendar.md §Adding a year)',
    );
  });

  it('given a deadline beyond the horizon, then the refusal names the last known day and the year to add', () => {
    expect(() => dueDate('2027-12-28T10:00:00+07:00', { days: 5, unit: 'working' })).toThrow(
      'the Indonesian working-day calendar is known only through 2027-12-31; add the 2028 holidays (docs/calendar.md §Adding a year)',
    );
    expect(() => holidaysIn(2021)).toThrow(
      'the Indonesian working-day calendar is known only from 2022-01-01; 2021 is not covered',
    );
  });

  it('given a malformed day or lead time, then it refuses rather than guess', () => {
    expect(() => checkCalendarHorizon('2027-1-1')).toThrow(RangeError);
    expect(() => checkCalendarHorizon('2027-01-01', -1)).toThrow(RangeError);
    expect(() => checkCalendarHorizon('2027-01-01', 1.5)).toThrow(RangeError);
  });
});
