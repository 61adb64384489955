// Business dates are Indonesian: WIB is UTC+7 all year (no daylight saving), docs/regulation.md §9.2.
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000;

// Projections format the same instants again and again (a case's `since`, its deadlines): Date
// parsing dominates a batch's CPU, so conversions are memoised in small bounded caches.
function memo(f: (value: string) => string, capacity = 8192): (value: string) => string {
  const cache = new Map<string, string>();
  return (value) => {
    let out = cache.get(value);
    if (out === undefined) {
      out = f(value);
      if (cache.size >= capacity) cache.clear();
      cache.set(value, out);
    }
    return out;
  };
}

const wibParts = memo((iso) => new Date(Date.parse(iso) + WIB_OFFSET_MS).toISOString());

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

const normalised = memo((value) => {
  const t = Date.parse(value);
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
});

/** Normalises any ISO-8601 instant (with offset) to UTC `...Z`, so text comparison is time order. */
export function toUtcIso(value: string): string {
  const utc = normalised(value);
  if (utc === '') throw new RangeError(`not an ISO-8601 instant: ${value}`);
  return utc;
}

/** True when the string parses as an instant. */
export function isInstant(value: string): boolean {
  return normalised(value) !== '';
}

/** "Rp 500.000.000": whole rupiah with Indonesian thousands separators. */
export function formatRupiah(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  return `Rp ${sign}${Math.abs(Math.trunc(amount))
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.')}`;
}

const BUSINESS_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

// Date.parse rolls impossible days over (2022-02-30 becomes 2 March): a real date renders back to itself.
function isCalendarDate(date: string): boolean {
  const t = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date;
}

/**
 * The last instant (UTC ISO) a time bound admits: a business date `YYYY-MM-DD` is the end of that
 * day in WIB (its last millisecond, as the domain's as-of reads it); an ISO-8601 instant with an
 * offset is itself. Null for anything else, including impossible dates (`2022-02-30`).
 */
export function timeBound(value: string): string | null {
  if (BUSINESS_DATE.test(value)) {
    return isCalendarDate(value) ? toUtcIso(`${value}T23:59:59.999+07:00`) : null;
  }
  const instant = ISO_INSTANT.exec(value);
  return instant && isCalendarDate(instant[1] as string) ? toUtcIso(value) : null;
}

/** True for a business date `YYYY-MM-DD` (as opposed to an instant). */
export function isBusinessDate(value: string): boolean {
  return BUSINESS_DATE.test(value);
}
