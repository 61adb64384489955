import type { BusinessCalendar } from '../api/sanksi-api';
import { countdown } from './working-days';

const calendar = (now: string): BusinessCalendar => ({
  now,
  zone: 'WIB',
  years: [
    {
      year: 2022,
      source: 'SKB 3 Menteri',
      holidays: [{ date: '2022-08-17', name: 'Hari Kemerdekaan', kind: 'national' }],
    },
  ],
});

describe('working-day countdown on the Indonesian calendar', () => {
  it('given Monday 1 August 2022 and PayPal’s window ending Friday 5 August 23:59 WIB, then 4 working days are left', () => {
    expect(countdown('2022-08-05T23:59:00+07:00', calendar('2022-08-01T10:00:00+07:00'))).toEqual({
      kind: 'due',
      workingDays: 4,
      calendarDays: 4,
      beyondCalendar: false,
    });
  });

  it('given a deadline across a weekend and Independence Day, then those days are not counted', () => {
    // Tue 16 → Mon 22 August: 18, 19, 22 are working days; 17 is a holiday, 20–21 the weekend
    expect(countdown('2022-08-22T23:59:59+07:00', calendar('2022-08-16T09:00:00+07:00'))).toMatchObject({
      workingDays: 3,
      calendarDays: 6,
    });
  });

  it('given a deadline later today, then 0 working days; given one already passed, then overdue', () => {
    expect(countdown('2022-08-01T23:59:59+07:00', calendar('2022-08-01T10:00:00+07:00'))).toMatchObject({
      workingDays: 0,
    });
    expect(countdown('2022-07-29T23:59:59+07:00', calendar('2022-08-01T10:00:00+07:00'))).toEqual({
      kind: 'overdue',
    });
  });

  it('given a deadline in a year the calendar does not cover, then it says the count skips weekends only', () => {
    expect(countdown('2023-01-03T23:59:59+07:00', calendar('2022-12-30T10:00:00+07:00'))).toMatchObject({
      beyondCalendar: true,
      workingDays: 2,
    });
  });
});
