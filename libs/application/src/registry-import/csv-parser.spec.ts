import fc from 'fast-check';
import { parseCsv, parseCsvWithHeader } from './csv-parser';
import { CsvMissingColumns, CsvUnterminatedQuote } from './registry-import.errors';

const fieldsOf = (text: string): string[][] => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('given plain rows, when parsed, then fields split on commas', () => {
    expect(fieldsOf('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('given quoted fields with commas, quotes and newlines, when parsed, then they stay one field', () => {
    const text = 'id,website\n1,"a.com, b.com"\n2,"say ""hi"""\n3,"line one\nline two"\n4,x\n';
    const records = parseCsv(text);
    expect(records.map((r) => r.fields)).toEqual([
      ['id', 'website'],
      ['1', 'a.com, b.com'],
      ['2', 'say "hi"'],
      ['3', 'line one\nline two'],
      ['4', 'x'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
  });

  it('given CRLF line ends, a BOM and no final newline, when parsed, then the result is the same', () => {
    expect(fieldsOf('\ufeffa,b\r\n1,"x\r\ny"\r\n2,3')).toEqual([
      ['a', 'b'],
      ['1', 'x\r\ny'],
      ['2', '3'],
    ]);
  });

  it('given empty fields and blank lines, when parsed, then empties are kept and blank lines skipped', () => {
    expect(fieldsOf('a,,c\n\n,,\n""\n')).toEqual([['a', '', 'c'], ['', '', ''], ['']]);
  });

  it('given a stray quote inside an unquoted field, when parsed, then it is kept literally', () => {
    expect(fieldsOf('5" screen,b\n')).toEqual([['5" screen', 'b']]);
  });

  it('given an unterminated quote, when parsed, then it refuses with the opening line', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(CsvUnterminatedQuote);
    try {
      parseCsv('a,b\n1,"open\n2,3\n');
    } catch (error) {
      expect((error as CsvUnterminatedQuote).line).toBe(2);
    }
  });
});

describe('parseCsvWithHeader', () => {
  it('given a header, when parsed, then rows are keyed and field-count mismatches flagged', () => {
    const rows = parseCsvWithHeader('id,name\n1,a\n2\n', 'test.csv', ['id']);
    expect(rows).toEqual([
      { line: 2, values: { id: '1', name: 'a' }, fieldCountMismatch: false },
      { line: 3, values: { id: '2', name: '' }, fieldCountMismatch: true },
    ]);
  });

  it('given a header without a required column, when parsed, then it refuses naming it', () => {
    expect(() => parseCsvWithHeader('id\n1\n', 'snapshot.csv', ['id', 'status'])).toThrow(CsvMissingColumns);
  });
});

describe('parseCsv properties', () => {
  // Writes fields the way a spreadsheet export does: quote only when needed, double inner quotes.
  const serialise = (rows: string[][], eol: string): string =>
    rows
      .map((row) =>
        row.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f)).join(','),
      )
      .join(eol);

  it('given any table of strings, when serialised and parsed, then the same table comes back', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', ',', '"', '\n', '\r\n', 'é', '–') });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        (rows, eol) => {
          expect(parseCsv(serialise(rows, eol)).map((r) => r.fields)).toEqual(rows);
        },
      ),
    );
  });
});
