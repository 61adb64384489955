// A chart's data as a table: what the page shows beside the chart (for screen readers and anyone who
// wants the figures) and what its CSV download holds. One model, so the two never disagree.
import { formatCount, formatRupiah, type Locale } from '../i18n/format';

/** How a column's values read: a business date or month, a count, whole rupiah, days, or text. */
export type ColumnKind = 'date' | 'month' | 'count' | 'idr' | 'days' | 'text';

/** One column: its key in the rows, its heading, how its values read. */
export interface Column {
  key: string;
  label: string;
  kind: ColumnKind;
}

/** A cell: a number, a text, or nothing (shown as a dash, empty in CSV). */
export type Cell = string | number | null;

/** A chart's data as rows under named columns; `link` makes one column's cells links to console pages. */
export interface DataTable {
  columns: Column[];
  rows: Array<Record<string, Cell>>;
  link?: { column: string; path: (value: string) => string };
}

/** A cell as the page shows it: counts and rupiah with Indonesian grouping, days to one decimal. */
export function formatCell(value: Cell, kind: ColumnKind, locale: Locale): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'idr':
      return formatRupiah(value);
    case 'count':
      return formatCount(value);
    case 'days':
      return new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: 1 }).format(
        value,
      );
    case 'date':
    case 'month':
    case 'text':
      return String(value);
    default: {
      const never: never = kind;
      return String(never);
    }
  }
}

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a leading =+-@ is defused. */
function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A spreadsheet would run a text starting with these as a formula (CSV injection); numbers stay numbers.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The table as CSV (RFC 4180, CRLF line ends): the headings as shown, numbers as plain digits (rupiah
 * as whole numbers, no grouping) so that a spreadsheet reads them as numbers in any locale.
 */
export function toCsv(table: DataTable): string {
  const lines = [table.columns.map((c) => csvField(c.label)).join(',')];
  for (const row of table.rows) lines.push(table.columns.map((c) => csvField(row[c.key] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A `data:` URL of the table's CSV, for a plain download link (works without script, no object URL to revoke). */
export function csvHref(table: DataTable): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(toCsv(table))}`;
}

/** A file name for a chart's CSV: `sanksi-<name>-<from>-<to>.csv`, lower-case, safe on every system. */
export function csvFileName(name: string, ...range: Array<string | undefined>): string {
  const parts = ['sanksi', name, ...range.filter((p): p is string => !!p)];
  return `${parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')}.csv`;
}
