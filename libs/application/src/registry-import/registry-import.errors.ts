/** Codes of the import parser's refusals (whole-file problems; bad rows are reported, not thrown). */
export type RegistryImportErrorCode = 'CSV_UNTERMINATED_QUOTE' | 'CSV_MISSING_COLUMNS';

/** Base class of the errors the registry import throws. */
export abstract class RegistryImportError extends Error {
  abstract readonly code: RegistryImportErrorCode;
}

/** A quoted field was still open at the end of the text: the file is truncated or corrupt. */
export class CsvUnterminatedQuote extends RegistryImportError {
  readonly code = 'CSV_UNTERMINATED_QUOTE' as const;
  readonly line: number;
  constructor(fields: { line: number }) {
    super(`CSV quoted field opened on line ${fields.line} is never closed`);
    this.name = 'CsvUnterminatedQuote';
    this.line = fields.line;
  }
}

/** The header lacks columns the import needs: the wrong file was passed. */
export class CsvMissingColumns extends RegistryImportError {
  readonly code = 'CSV_MISSING_COLUMNS' as const;
  readonly file: string;
  readonly missing: string[];
  constructor(fields: { file: string; missing: string[] }) {
    super(`${fields.file} lacks column(s): ${fields.missing.join(', ')}`);
    this.name = 'CsvMissingColumns';
    this.file = fields.file;
    this.missing = fields.missing;
  }
}
