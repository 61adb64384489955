import { formatDate, formatDateTime, formatRupiah, wibDate } from './format';
import { MESSAGES } from './messages';

describe('formats: WIB and rupiah', () => {
  it('given an instant in UTC, then it is shown in WIB in either language', () => {
    expect(formatDateTime('2022-07-29T16:59:59Z', 'id')).toBe('29/07/2022, 23.59.59 WIB');
    expect(formatDateTime('2022-07-29T16:59:59Z', 'en')).toBe('29/07/2022, 23:59:59 WIB');
    expect(formatDateTime(null, 'id')).toBe('—');
    expect(formatDate('2022-07-31T01:00:00Z', 'id')).toBe('31 Juli 2022');
    expect(wibDate('2022-07-31T20:00:00Z')).toBe('2022-08-01');
  });

  it('given whole rupiah, then Indonesian grouping whatever the language', () => {
    expect(formatRupiah(60_000_000)).toBe('Rp 60.000.000');
    expect(formatRupiah(0)).toBe('Rp 0');
  });

  it('given the two dictionaries, then every key has a non-empty text in both', () => {
    const keys = Object.keys(MESSAGES.id);
    expect(Object.keys(MESSAGES.en).sort()).toEqual([...keys].sort());
    for (const locale of ['id', 'en'] as const)
      for (const k of keys)
        expect({ k, ok: MESSAGES[locale][k as keyof typeof MESSAGES.id].length > 0 }).toEqual({
          k,
          ok: true,
        });
  });
});
