// Business dates are Indonesian: WIB is UTC+7 all year (no daylight saving), SPEC §1.
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000;

function wibParts(iso: string): string {
  return new Date(Date.parse(iso) + WIB_OFFSET_MS).toISOString();
}

/** The WIB calendar date (YYYY-MM-DD) of an instant. */
export function businessDate(iso: string): string {
  return wibParts(iso).slice(0, 10);
}

/** The WIB calendar month (YYYY-MM) of an instant. */
export function businessMonth(iso: string): string {
  return wibParts(iso).slice(0, 7);
}

/** "2022-07-30 10:00 WIB" for an instant. */
export function formatWib(iso: string): string {
  const s = wibParts(iso);
  return `${s.slice(0, 10)} ${s.slice(11, 16)} WIB`;
}

/** Normalises any ISO-8601 instant (with offset) to UTC `...Z`, so text comparison is time order. */
export function toUtcIso(value: string): string {
  return new Date(Date.parse(value)).toISOString();
}

/** True when the string parses as an instant. */
export function isInstant(value: string): boolean {
  return !Number.isNaN(Date.parse(value));
}

/** "Rp 500.000.000": whole rupiah with Indonesian thousands separators. */
export function formatRupiah(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  return `Rp ${sign}${Math.abs(Math.trunc(amount))
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.')}`;
}
