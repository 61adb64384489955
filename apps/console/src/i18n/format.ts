// Dates and times in WIB (Asia/Jakarta), amounts in rupiah with Indonesian grouping, whatever the
// interface language: the regulation runs on WIB and the ministry writes rupiah the Indonesian way.

/** The interface languages: Bahasa Indonesia (default) and English. */
export type Locale = 'id' | 'en';

export const TIME_ZONE = 'Asia/Jakarta';

const intlLocale = (locale: Locale) => (locale === 'id' ? 'id-ID' : 'en-GB');

/** An instant as a WIB date and time (`29/07/2022 23.59.59 WIB`), or '—' when there is none. */
export function formatDateTime(instant: string | null | undefined, locale: Locale): string {
  if (!instant) return '—';
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  const text = new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(date);
  return `${text} WIB`;
}

/** An instant as its WIB calendar date (`29 Juli 2022`). */
export function formatDate(instant: string | null | undefined, locale: Locale): string {
  if (!instant) return '—';
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(intlLocale(locale), {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(date);
}

/** Whole rupiah with Indonesian grouping in either language (`Rp 60.000.000`). */
export function formatRupiah(amount: number): string {
  return new Intl.NumberFormat('id-ID', { style: 'currency', currency: 'IDR', maximumFractionDigits: 0 })
    .format(amount)
    .replace(/\u00a0/g, ' ');
}

/** A count with Indonesian grouping (`13.654`). */
export function formatCount(n: number): string {
  return new Intl.NumberFormat('id-ID').format(n);
}

/** The WIB calendar date (YYYY-MM-DD) of an instant. */
export function wibDate(instant: string | Date): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}
