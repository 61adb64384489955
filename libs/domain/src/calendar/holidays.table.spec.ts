import { CALENDAR_YEARS, CalendarYearNotCovered, HOLIDAY_YEARS, holidaysIn } from './index';

const weekday = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

describe('holiday data', () => {
  it('covers exactly 2022 to 2027', () => {
    expect([...CALENDAR_YEARS]).toEqual([2022, 2023, 2024, 2025, 2026, 2027]);
  });

  describe.each(HOLIDAY_YEARS.map((y) => [y.year, y] as const))('%i', (year, entry) => {
    it('cites its source', () => {
      expect(entry.source.length).toBeGreaterThan(10);
    });

    it('has only real dates in its own year, in order, without duplicates', () => {
      const dates = entry.holidays.map((h) => h.date);
      for (const date of dates) {
        expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(date);
        expect(date.startsWith(`${year}-`)).toBe(true);
      }
      expect(new Set(dates).size).toBe(dates.length);
      expect([...dates].sort()).toEqual(dates);
    });

    it('has the fixed-date national holidays', () => {
      const national = entry.holidays.filter((h) => h.kind === 'national').map((h) => h.date);
      for (const md of ['01-01', '05-01', '06-01', '08-17', '12-25']) {
        expect(national).toContain(`${year}-${md}`);
      }
    });

    it('has a plausible number of days (14–17 national, at most 11 cuti bersama)', () => {
      const national = entry.holidays.filter((h) => h.kind === 'national').length;
      const cuti = entry.holidays.filter((h) => h.kind === 'cutiBersama').length;
      expect(national).toBeGreaterThanOrEqual(14);
      expect(national).toBeLessThanOrEqual(17);
      expect(cuti).toBeLessThanOrEqual(11);
    });

    it('never puts cuti bersama on a weekend (leave on a day off is a data error)', () => {
      const onWeekend = entry.holidays
        .filter((h) => h.kind === 'cutiBersama')
        .filter((h) => weekday(h.date) === 0 || weekday(h.date) === 6);
      expect(onWeekend).toEqual([]);
    });
  });

  it('given the decrees, then the counts per year match what they announced', () => {
    const counts = (year: number): [number, number] => {
      const days = holidaysIn(year);
      return [
        days.filter((h) => h.kind === 'national').length,
        days.filter((h) => h.kind === 'cutiBersama').length,
      ];
    };
    // 2024: 17 + 10 (SKB 855/2023); 2026: 17 + 8 (SKB 1497/2025); 2025: 17 + 10 + 18 Aug amendment.
    expect(counts(2024)).toEqual([17, 10]);
    expect(counts(2025)).toEqual([17, 11]);
    expect(counts(2026)).toEqual([17, 8]);
  });

  it('marks uncertain Hijri-dependent 2026 dates and all of 2027 as provisional', () => {
    expect(holidaysIn(2026).find((h) => h.date === '2026-03-21')?.provisional).toBe(true);
    expect(holidaysIn(2026).find((h) => h.date === '2026-08-17')?.provisional).toBeUndefined();
    expect(holidaysIn(2027).every((h) => h.provisional === true)).toBe(true);
  });

  it('given a returned list, when mutated, then the table is unchanged', () => {
    const first = holidaysIn(2022);
    first[0].name = 'changed';
    first.pop();
    expect(holidaysIn(2022)[0].name).toBe('Tahun Baru 2022 Masehi');
    expect(holidaysIn(2022)).toHaveLength(21);
  });

  it('given an uncovered year, when asked, then it refuses', () => {
    expect(() => holidaysIn(2021)).toThrow(CalendarYearNotCovered);
  });
});
