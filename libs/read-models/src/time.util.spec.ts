import fc from 'fast-check';
import { businessDate, businessMonth, formatWib, isInstant, isoOfEpochMs, toUtcIso } from './time.util';

// The reference is Date itself: the conversions format instants by hand and must give its text exactly.
const WIB_MS = 7 * 3_600_000;
const wibReference = (iso: string) => new Date(Date.parse(iso) + WIB_MS).toISOString();

const epochMs = fc.integer({ min: -8.64e15, max: 8.64e15 });
const fourDigitYears = fc.integer({
  min: Date.parse('0000-01-01T00:00:00.000Z'),
  max: Date.parse('9999-12-31T23:59:59.999Z'),
});
// Edges: the last hours of months, leap days and years, in the forms the engine and its policies write.
const edges = fc
  .tuple(
    fc.constantFrom(0, 1, 1900, 2000, 2022, 2023, 2024, 2100, 9999),
    fc.integer({ min: 1, max: 12 }),
    fc.constantFrom(1, 28, 29, 30, 31, 32),
    fc.integer({ min: 0, max: 23 }),
    fc.constantFrom('.000+00:00', '.123Z', 'Z', '+07:00', '.999Z', '-03:30', '.000+00:00x', '.5Z'),
  )
  .map(
    ([y, m, d, h, tail]) =>
      `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:59:59${tail}`,
  );

describe('business time in WIB', () => {
  it('given any instant, when formatted, then exactly what Date#toISOString gives', () => {
    fc.assert(
      fc.property(fc.oneof(epochMs, fourDigitYears, fourDigitYears), (t) => {
        expect(isoOfEpochMs(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('given instants in any written form, including impossible days Date rolls over, when converted, then as Date converts them', () => {
    fc.assert(
      fc.property(edges, (iso) => {
        const t = Date.parse(iso);
        if (Number.isNaN(t)) {
          expect(isInstant(iso)).toBe(false);
          return;
        }
        const reference = wibReference(iso);
        expect(toUtcIso(iso)).toBe(new Date(t).toISOString());
        expect(businessDate(iso)).toBe(reference.slice(0, 10));
        expect(businessMonth(iso)).toBe(reference.slice(0, 7));
        expect(formatWib(iso)).toBe(`${reference.slice(0, 10)} ${reference.slice(11, 16)} WIB`);
      }),
      { numRuns: 2000 },
    );
  });

  it('given any instant in the forms the engine writes, when converted, then as Date converts it', () => {
    fc.assert(
      fc.property(fourDigitYears, fc.boolean(), (t, domainForm) => {
        const z = new Date(t).toISOString();
        const iso = domainForm ? z.replace('Z', '+00:00') : z;
        const reference = wibReference(iso);
        expect(toUtcIso(iso)).toBe(z);
        expect(formatWib(iso)).toBe(`${reference.slice(0, 10)} ${reference.slice(11, 16)} WIB`);
        expect(businessDate(iso)).toBe(reference.slice(0, 10));
      }),
      { numRuns: 5000 },
    );
  });

  it('given the instants of the regulation, when converted, then their WIB dates', () => {
    expect(toUtcIso('2022-07-30T07:00:00+07:00')).toBe('2022-07-30T00:00:00.000Z');
    expect(businessDate('2022-07-29T23:59:59+07:00')).toBe('2022-07-29');
    expect(formatWib('2022-07-30T17:00:00.000+00:00')).toBe('2022-07-31 00:00 WIB');
    expect(businessMonth('2022-07-31T17:00:00Z')).toBe('2022-08');
    expect(() => toUtcIso('not a time')).toThrow(RangeError);
    // past 17:00 UTC the date rolls over, across a year and into the year 10000 as Date writes it
    expect(formatWib('2022-12-31T17:00:00.000+00:00')).toBe('2023-01-01 00:00 WIB');
    expect(businessDate('9999-12-31T17:00:00.000Z')).toBe(
      wibReference('9999-12-31T17:00:00.000Z').slice(0, 10),
    );
    expect(toUtcIso('2022-02-30T00:00:00.000Z')).toBe('2022-03-02T00:00:00.000Z');
  });
});
