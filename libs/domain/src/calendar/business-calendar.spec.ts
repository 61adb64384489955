import fc from 'fast-check';
import {
  addHours,
  CALENDAR_YEARS,
  CalendarError,
  CalendarYearNotCovered,
  dueDate,
  InvalidHours,
  InvalidInstant,
  InvalidLocalDate,
  InvalidPeriod,
  InvalidZone,
  isWorkingDay,
  localDate,
  toZone,
  type Zone,
} from './index';

describe('dueDate with working days', () => {
  it('given a warning dated Saturday 2022-07-23, when 5 working days are granted, then it is due Friday 29th end of day WIB', () => {
    expect(dueDate('2022-07-23T10:00:00+07:00', { days: 5, unit: 'working' })).toBe(
      '2022-07-29T23:59:59+07:00',
    );
  });

  it('given Thursday before Idul Fitri 2022, when 1 working day is granted, then cuti bersama 29 Apr and 2–6 May are skipped', () => {
    expect(dueDate('2022-04-28T09:00:00+07:00', { days: 1, unit: 'working' })).toBe(
      '2022-05-09T23:59:59+07:00',
    );
  });

  it('given the last working day before Idul Fitri 2022, when 3 working days are granted, then they are 9–11 May', () => {
    expect(dueDate('2022-04-27T09:00:00+07:00', { days: 3, unit: 'working' })).toBe(
      '2022-05-10T23:59:59+07:00',
    );
  });

  it('given a working day, when 0 days are granted, then it is due at the end of that same local day', () => {
    expect(dueDate('2022-07-25T08:00:00+07:00', { days: 0, unit: 'working' })).toBe(
      '2022-07-25T23:59:59+07:00',
    );
  });

  it('given Friday 2022-12-23, when 2 working days are granted, then Christmas and its cuti bersama are skipped', () => {
    expect(dueDate('2022-12-23T12:00:00+07:00', { days: 2, unit: 'working' })).toBe(
      '2022-12-28T23:59:59+07:00',
    );
  });

  it('given Friday 2022-12-30, when 1 working day is granted, then it crosses into Monday 2023-01-02', () => {
    expect(dueDate('2022-12-30T12:00:00+07:00', { days: 1, unit: 'working' })).toBe(
      '2023-01-02T23:59:59+07:00',
    );
  });

  it('given 2023 Idul Adha with cuti bersama 28 and 30 June, when 1 working day from Tuesday 27th, then it is Monday 3 July', () => {
    expect(dueDate('2023-06-27T12:00:00+07:00', { days: 1, unit: 'working' })).toBe(
      '2023-07-03T23:59:59+07:00',
    );
  });

  it('given the 2025 amendment adding 18 August, when 1 working day from Friday 15th, then it is Tuesday 19th', () => {
    expect(dueDate('2025-08-15T12:00:00+07:00', { days: 1, unit: 'working' })).toBe(
      '2025-08-19T23:59:59+07:00',
    );
  });

  it('given a start near the end of the covered range, when the count runs into 2028, then it refuses rather than guess', () => {
    expect(() => dueDate('2027-12-30T12:00:00+07:00', { days: 2, unit: 'working' })).toThrow(
      CalendarYearNotCovered,
    );
  });
});

describe('dueDate with calendar days', () => {
  it('given Saturday 2022-07-23, when 7 calendar days are granted, then it is due 30 July regardless of holidays', () => {
    expect(dueDate('2022-07-23T10:00:00+07:00', { days: 7, unit: 'calendar' })).toBe(
      '2022-07-30T23:59:59+07:00',
    );
  });

  it('given 2022-12-20, when 14 calendar days are granted, then it lands in January 2023', () => {
    expect(dueDate('2022-12-20T10:00:00+07:00', { days: 14, unit: 'calendar' })).toBe(
      '2023-01-03T23:59:59+07:00',
    );
  });

  it('given a leap year, when 1 calendar day is added to 28 Feb 2024, then it is 29 Feb', () => {
    expect(dueDate('2024-02-28T10:00:00+07:00', { days: 1, unit: 'calendar' })).toBe(
      '2024-02-29T23:59:59+07:00',
    );
  });

  it('given 2027-12-31, when the period ends in 2028, then it refuses', () => {
    expect(() => dueDate('2027-12-31T10:00:00+07:00', { days: 1, unit: 'calendar' })).toThrow(
      CalendarYearNotCovered,
    );
  });
});

describe('zones', () => {
  // 2022-07-21T16:30Z is Thursday 23:30 in Jakarta but already Friday 00:30 in Makassar.
  const instant = '2022-07-21T16:30:00Z';

  it.each<[Zone, string]>([
    ['WIB', '2022-07-22T23:59:59+07:00'],
    ['WITA', '2022-07-25T23:59:59+08:00'],
    ['WIT', '2022-07-25T23:59:59+09:00'],
  ])('given one instant, when 1 working day is counted in %s, then the local day decides', (zone, due) => {
    expect(dueDate(instant, { days: 1, unit: 'working' }, zone)).toBe(due);
  });

  it('given an instant, when its local date is asked per zone, then each offset is applied', () => {
    expect(localDate(instant)).toBe('2022-07-21');
    expect(localDate(instant, 'WITA')).toBe('2022-07-22');
    expect(localDate(instant, 'WIT')).toBe('2022-07-22');
  });

  it('given an instant, when rendered in a zone, then it is the same instant with that offset', () => {
    expect(toZone(instant, 'WIB')).toBe('2022-07-21T23:30:00+07:00');
    expect(toZone(instant, 'WITA')).toBe('2022-07-22T00:30:00+08:00');
    expect(toZone('2022-07-17T17:55:28+08:00', 'WIT')).toBe('2022-07-17T18:55:28+09:00');
    expect(Date.parse(toZone(instant, 'WIT'))).toBe(Date.parse(instant));
  });

  it('given milliseconds, when rendered in a zone, then they are kept', () => {
    expect(toZone('2022-07-21T16:30:00.250Z', 'WIB')).toBe('2022-07-21T23:30:00.250+07:00');
  });

  // toZone reads the read models' UTC form on its digits, carrying past midnight into the next day, month
  // and year; any instant, in either of the engine's forms, must come out as the general way (Date) renders
  // it. (Years before 100 are refused, and the last hours of 9999 would need a five-digit year.)
  it('given any UTC instant to the millisecond, when rendered in any zone, then it is what Date gives', () => {
    const oracle = (t: number, zone: Zone): string => {
      const hours = { WIB: 7, WITA: 8, WIT: 9 }[zone];
      const d = new Date(t + hours * 3_600_000);
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      const ms = d.getUTCMilliseconds();
      return (
        `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:` +
        `${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${ms === 0 ? '' : `.${p(ms, 3)}`}+${p(hours)}:00`
      );
    };
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('0100-01-01T00:00:00.000Z'),
          max: Date.parse('9999-12-31T14:59:59.999Z'),
        }),
        fc.constantFrom<Zone>('WIB', 'WITA', 'WIT'),
        fc.boolean(),
        fc.boolean(),
        (t, zone, plusZero, wholeSecond) => {
          const at = wholeSecond ? t - (((t % 1000) + 1000) % 1000) : t;
          const iso = new Date(at).toISOString();
          const text = plusZero ? iso.replace('Z', '+00:00') : iso;
          expect(toZone(text, zone)).toBe(oracle(at, zone));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('given an impossible day or time in the UTC form, when rendered, then it is refused as before', () => {
    for (const bad of ['2022-02-29T01:00:00.000Z', '2022-04-31T01:00:00.000Z', '2022-07-21T24:00:00.000Z']) {
      expect(() => toZone(bad, 'WIB')).toThrow(InvalidInstant);
    }
    expect(toZone('2024-02-29T01:00:00.000Z', 'WIB')).toBe('2024-02-29T08:00:00+07:00');
    expect(toZone('2024-02-28T17:00:00.000Z', 'WIB')).toBe('2024-02-29T00:00:00+07:00');
    expect(toZone('2023-02-28T17:00:00.000Z', 'WIB')).toBe('2023-03-01T00:00:00+07:00');
    expect(toZone('2022-12-31T23:59:59.999+00:00', 'WIT')).toBe('2023-01-01T08:59:59.999+09:00');
    expect(() => toZone('2022-07-21T01:00:00.000Z', 'CET' as Zone)).toThrow(InvalidZone);
  });
});

describe('addHours', () => {
  it('given an instant, when 24 hours are added, then the result keeps the input offset', () => {
    expect(addHours('2022-07-30T10:00:00+07:00', 24)).toBe('2022-07-31T10:00:00+07:00');
  });

  it('given a UTC instant, when hours are subtracted across midnight, then the date moves back', () => {
    expect(addHours('2022-08-01T01:00:00Z', -2)).toBe('2022-07-31T23:00:00+00:00');
  });

  it('given a non-finite number of hours, when added, then it refuses', () => {
    expect(() => addHours('2022-08-01T01:00:00Z', Number.NaN)).toThrow(InvalidHours);
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2022-07-25', true],
    ['2022-07-23', false],
    ['2022-07-24', false],
    ['2022-05-02', false],
    ['2022-05-05', false],
    ['2022-12-26', false],
    ['2024-04-15', false],
    ['2026-03-24', false],
    ['2026-03-25', true],
  ])('%s → %s', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it('given a date before 2022 or after 2027, when asked, then it refuses with a typed error', () => {
    const attempt = (): boolean => isWorkingDay('2021-12-31');
    expect(attempt).toThrow(CalendarYearNotCovered);
    try {
      isWorkingDay('2028-01-03');
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(CalendarError);
      expect((error as CalendarYearNotCovered).code).toBe('CALENDAR_YEAR_NOT_COVERED');
      expect((error as CalendarYearNotCovered).year).toBe(2028);
      expect((error as CalendarYearNotCovered).covered).toEqual([...CALENDAR_YEARS]);
    }
  });

  it('given a malformed or impossible date, when asked, then it refuses', () => {
    expect(() => isWorkingDay('2022-02-30')).toThrow(InvalidLocalDate);
    expect(() => isWorkingDay('22-7-25')).toThrow(InvalidLocalDate);
  });
});

describe('invalid input', () => {
  it.each([
    '2022-07-23',
    '2022-07-23T10:00:00',
    '2022-13-01T10:00:00+07:00',
    '2022-02-29T10:00:00+07:00',
    '2022-07-23T24:00:00+07:00',
    '2022-07-23T10:00:00+25:00',
    'yesterday',
    '',
  ])('given instant %p, when a due date is asked, then InvalidInstant', (instant) => {
    expect(() => dueDate(instant, { days: 1, unit: 'working' })).toThrow(InvalidInstant);
  });

  it.each([
    { days: -1, unit: 'working' },
    { days: 1.5, unit: 'working' },
    { days: Number.NaN, unit: 'calendar' },
    { days: 3, unit: 'weeks' },
  ])('given period %p, when a due date is asked, then InvalidPeriod with its code', (period) => {
    const call = (): string =>
      dueDate('2022-07-23T10:00:00+07:00', period as { days: number; unit: 'working' });
    expect(call).toThrow(InvalidPeriod);
    try {
      call();
    } catch (error) {
      expect((error as InvalidPeriod).code).toBe('CALENDAR_INVALID_PERIOD');
    }
  });

  it('given an unknown zone, when a due date is asked, then InvalidZone', () => {
    expect(() => dueDate('2022-07-23T10:00:00+07:00', { days: 1, unit: 'working' }, 'UTC' as Zone)).toThrow(
      InvalidZone,
    );
  });
});

describe('dueDate properties', () => {
  // Any instant from 2022-01-01 to 2027-10-31, leaving room for 30 working days inside the range.
  const instant = fc
    .integer({ min: Date.UTC(2022, 0, 1), max: Date.UTC(2027, 9, 31) })
    .map((ms) => new Date(ms).toISOString());
  const zone = fc.constantFrom<Zone>('WIB', 'WITA', 'WIT');

  it('given n > 0 working days, then the due day is a working day and exactly n working days follow the start day', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 30 }), zone, (from, days, z) => {
        const due = dueDate(from, { days, unit: 'working' }, z).slice(0, 10);
        expect(isWorkingDay(due)).toBe(true);
        let counted = 0;
        const start = localDate(from, z);
        for (let d = addDays(start, 1); d <= due; d = addDays(d, 1)) if (isWorkingDay(d)) counted += 1;
        expect(counted).toBe(days);
      }),
    );
  });

  it('given more days, then the due date is never earlier, and working days never end before calendar days', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 29 }), zone, (from, days, z) => {
        const a = dueDate(from, { days, unit: 'working' }, z);
        const b = dueDate(from, { days: days + 1, unit: 'working' }, z);
        expect(b > a).toBe(true);
        expect(dueDate(from, { days, unit: 'calendar' }, z) <= a).toBe(true);
      }),
    );
  });
});

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
