import { CsvMissingColumns, CsvUnterminatedQuote } from './registry-import.errors';

/** One CSV record with the 1-based line on which it starts (records may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses RFC 4180 CSV: `,` separators, `"` quoting with `""` escapes, quoted commas/newlines,
 * LF or CRLF line ends, optional BOM. A lone `"` inside an unquoted field is kept literally.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  // Distinguishes an empty trailing line from a record consisting of one empty field.
  let recordHasContent = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endRecord = (): void => {
    fields.push(field);
    records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    recordHasContent = false;
  };

  while (i < text.length) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i += 1;
        continue;
      }
      if (ch === '\n') line += 1;
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      quoteLine = line;
      recordHasContent = true;
      i += 1;
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      recordHasContent = true;
      i += 1;
      continue;
    }
    if (ch === '\r' && text[i + 1] === '\n') {
      i += 1;
      continue;
    }
    if (ch === '\n') {
      if (recordHasContent || field !== '') endRecord();
      line += 1;
      recordLine = line;
      i += 1;
      continue;
    }
    field += ch;
    recordHasContent = true;
    i += 1;
  }
  if (inQuotes) throw new CsvUnterminatedQuote({ line: quoteLine });
  if (recordHasContent || field !== '') endRecord();
  return records;
}

/** A CSV row keyed by header name, with the line it starts on. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
  /** Set when the record has a different number of fields than the header. */
  fieldCountMismatch: boolean;
}

/** Parses CSV with a header row into keyed rows; throws if `requiredColumns` are absent. */
export function parseCsvWithHeader(text: string, file: string, requiredColumns: readonly string[]): CsvRow[] {
  const [header, ...body] = parseCsv(text);
  const names = header ? header.fields.map((h) => h.trim()) : [];
  const missing = requiredColumns.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new CsvMissingColumns({ file, missing });
  return body.map((record) => {
    const values: Record<string, string> = {};
    names.forEach((name, index) => {
      values[name] = record.fields[index] ?? '';
    });
    return { line: record.line, values, fieldCountMismatch: record.fields.length !== names.length };
  });
}
