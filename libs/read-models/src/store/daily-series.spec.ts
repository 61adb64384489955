import fc from 'fast-check';
import { businessDatesBetween, businessDaysBetween } from './daily-series';

const DAY_MS = 86_400_000;

/** The dates as Date counts them: one UTC day after another. */
function viaDate(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += DAY_MS)
    dates.push(new Date(t).toISOString().slice(0, 10));
  return dates;
}

// Ranges end before the year 10000 (which ISO text writes with six digits and a sign): no business date is there.
const date = fc
  .integer({
    min: Date.parse('1899-12-01T00:00:00Z') / DAY_MS,
    max: Date.parse('9997-09-01T00:00:00Z') / DAY_MS,
  })
  .map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10));

describe('business dates of a range', () => {
  it('for any range of up to 800 days from any date, the dates and their count are what Date counts', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -3, max: 800 }), (from, span) => {
        const to = new Date(Date.parse(`${from}T00:00:00Z`) + span * DAY_MS).toISOString().slice(0, 10);
        const want = viaDate(from, to);
        expect(businessDatesBetween(from, to)).toEqual(want);
        expect(businessDaysBetween(from, to)).toBe(want.length);
      }),
      { numRuns: 500, seed: 20261204 },
    );
  });

  it('given the ends of months, leap and common years and centuries, then each rolls over as the calendar does', () => {
    expect(businessDatesBetween('2024-02-28', '2024-03-01')).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(businessDatesBetween('2100-02-28', '2100-03-01')).toEqual(['2100-02-28', '2100-03-01']);
    expect(businessDatesBetween('2000-02-28', '2000-03-01')).toEqual([
      '2000-02-28',
      '2000-02-29',
      '2000-03-01',
    ]);
    expect(businessDatesBetween('2022-12-31', '2023-01-01')).toEqual(['2022-12-31', '2023-01-01']);
    expect(businessDatesBetween('2022-08-02', '2022-08-01')).toEqual([]);
    expect(businessDaysBetween('2022-08-02', '2022-08-01')).toBe(0);
  });
});
