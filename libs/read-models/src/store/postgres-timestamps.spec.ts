import { timestampToIso } from './postgres-sql.client';

/** The conversion before its fast path: PostgreSQL's text through `Date`. */
const throughDate = (value: string): string =>
  new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();

/** PostgreSQL's text form of an instant in UTC, with `digits` of fraction (0: none, as the server omits it). */
function pgText(ms: number, micros: number, digits: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = `${iso.slice(20, 23)}${String(micros).padStart(3, '0')}`
    .slice(0, digits)
    .replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}+00`;
}

describe('timestamptz text from PostgreSQL to ISO instants', () => {
  it('given instants across the years with and without fractions, then the rewrite is what Date writes', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 48271) % 2147483647);
    const samples: string[] = [];
    for (let i = 0; i < 5000; i++) {
      // years 1 to about 9500, whole seconds one time in three
      const ms = (next() % 300_000_000) * 1_000_000 + (i % 3 === 0 ? 0 : next() % 1000) - 62_000_000_000_000;
      samples.push(pgText(ms, next() % 1000, i % 7));
    }
    samples.push('2022-07-21 02:00:00+00', '2022-07-21 02:00:00.5+00', '0999-12-31 23:59:59.999999+00');
    for (const s of samples) expect([s, timestampToIso(s)]).toEqual([s, throughDate(s)]);
  });

  it('given what the rewrite does not cover, then Date converts it', () => {
    expect(timestampToIso('2022-07-21 09:00:00+07')).toBe('2022-07-21T02:00:00.000Z');
  });
});
