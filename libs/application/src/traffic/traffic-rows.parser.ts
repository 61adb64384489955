import { parseTrafficObservation, type TrafficObservationInput } from '@sanksi/domain';

/** A row of a traffic file or body, as validated: the observation, or why it was refused. */
export type TrafficRowResult =
  | { line: number; ok: true; observation: TrafficObservationInput }
  | { line: number; ok: false; reason: string };

/** The formats a traffic file or body may come in. */
export type TrafficFormat = 'csv' | 'jsonl';

/** Values a file may leave out of every row (one source's export of one month). */
export interface TrafficRowDefaults {
  source?: string;
  period?: string;
}

const COLUMNS = ['domain', 'period', 'visits', 'rank', 'source'] as const;
type Column = (typeof COLUMNS)[number];

/** The zod issues of a refused row as one line: `visits: …; domain: …`. */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join('.') || 'row'}: ${i.message}`).join('; ');
}

/** Validates one row (an object from JSON or a CSV line), filling the file's defaults; never throws. */
export function validateTrafficRow(
  line: number,
  value: unknown,
  defaults: TrafficRowDefaults = {},
): TrafficRowResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { line, ok: false, reason: 'row: not an object with domain, period, visits, rank and source' };
  }
  let row = value as Record<string, unknown>;
  const fillSource = row['source'] === undefined && defaults.source !== undefined;
  const fillPeriod = row['period'] === undefined && defaults.period !== undefined;
  // A copy only when a default is filled in: the caller's object is never changed.
  if (fillSource || fillPeriod) {
    row = { ...row };
    if (fillSource) row['source'] = defaults.source;
    if (fillPeriod) row['period'] = defaults.period;
  }
  const parsed = parseTrafficObservation(row);
  return parsed.success
    ? { line, ok: true, observation: parsed.data }
    : { line, ok: false, reason: describeIssues(parsed.error.issues) };
}

/** Splits one CSV line into fields (RFC 4180 quoting within the line); null when a quote is left open. */
export function splitCsvLine(text: string): string[] | null {
  // Nearly every line of a traffic export has no quotes: the native split is the same answer, faster.
  if (!text.includes('"')) return text.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}

/** A CSV cell as a number, or the cell itself when it is no whole number (zod then names the problem). */
function numberCell(cell: string): number | string | undefined {
  const trimmed = cell.trim();
  if (trimmed === '') return undefined;
  return /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Thrown when a CSV file's header lacks the domain column or names one twice; nothing was read. */
export class TrafficCsvHeaderInvalid extends Error {
  readonly code = 'TRAFFIC_CSV_HEADER_INVALID';
  constructor(readonly reason: string) {
    super(`the CSV header is not usable: ${reason} (columns: ${COLUMNS.join(', ')}; domain is required)`);
    this.name = 'TrafficCsvHeaderInvalid';
  }
}

/**
 * Validates the lines of a CSV or JSON-lines file as they arrive (line numbers from 1; blank lines
 * skipped). A CSV file starts with a header naming its columns; unknown columns are ignored.
 */
export async function* parseTrafficLines(
  lines: AsyncIterable<string> | Iterable<string>,
  format: TrafficFormat,
  defaults: TrafficRowDefaults = {},
): AsyncGenerator<TrafficRowResult> {
  let lineNumber = 0;
  let header: Array<Column | null> | null = null;
  for await (const raw of lines) {
    lineNumber++;
    const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    if (format === 'jsonl') {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        yield { line: lineNumber, ok: false, reason: `row: not JSON (${(e as Error).message})` };
        continue;
      }
      yield validateTrafficRow(lineNumber, value, defaults);
      continue;
    }
    const cells = splitCsvLine(text.endsWith('\r') ? text.slice(0, -1) : text);
    if (header === null) {
      header = csvHeader(cells);
      continue;
    }
    if (cells === null) {
      yield { line: lineNumber, ok: false, reason: 'row: a quoted field is not closed on its line' };
      continue;
    }
    const row: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) {
      const column = header[i];
      const cell = cells[i];
      if (column === null || cell === undefined) continue;
      if (column === 'visits' || column === 'rank') row[column] = numberCell(cell);
      else {
        const trimmed = cell.trim();
        if (trimmed !== '') row[column] = trimmed;
      }
    }
    yield validateTrafficRow(lineNumber, row, defaults);
  }
}

function csvHeader(cells: string[] | null): Array<Column | null> {
  if (cells === null) throw new TrafficCsvHeaderInvalid('a quoted field is not closed');
  const names = cells.map((c) => c.trim().toLowerCase());
  const columns = names.map((n) => ((COLUMNS as readonly string[]).includes(n) ? (n as Column) : null));
  if (!columns.includes('domain'))
    throw new TrafficCsvHeaderInvalid(`no domain column in "${names.join(',')}"`);
  const twice = COLUMNS.find((c) => columns.filter((x) => x === c).length > 1);
  if (twice) throw new TrafficCsvHeaderInvalid(`the ${twice} column appears twice`);
  return columns;
}

/** The format of a file by its name (`.csv`, `.jsonl`/`.ndjson`, gzip or not), or null when it does not say. */
export function trafficFormatOf(file: string): TrafficFormat | null {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  return null;
}
