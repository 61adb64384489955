import { csvFileName, csvHref, formatCell, toCsv, type DataTable } from './data-table';

describe('a chart’s data table', () => {
  const table: DataTable = {
    columns: [
      { key: 'month', label: 'Bulan', kind: 'month' },
      { key: 'imposedIdr', label: 'Dikenakan', kind: 'idr' },
      { key: 'note', label: 'Catatan, "kutipan"', kind: 'text' },
    ],
    rows: [
      { month: '2022-08', imposedIdr: 500_000_000, note: 'denda, tahap "1"' },
      { month: '2022-09', imposedIdr: 0, note: null },
      { month: '2022-10', imposedIdr: 1_250_000, note: '=HYPERLINK("x")' },
    ],
  };

  it('given rupiah and counts, when shown, then they have Indonesian grouping in either language', () => {
    expect(formatCell(500_000_000, 'idr', 'en')).toBe('Rp 500.000.000');
    expect(formatCell(500_000_000, 'idr', 'id')).toBe('Rp 500.000.000');
    expect(formatCell(13_654, 'count', 'en')).toBe('13.654');
    expect(formatCell(16.125, 'days', 'id')).toBe('16,1');
    expect(formatCell(16.125, 'days', 'en')).toBe('16.1');
    expect(formatCell(null, 'count', 'id')).toBe('—');
    expect(formatCell('2022-08', 'month', 'id')).toBe('2022-08');
  });

  it('given commas, quotes and a formula-like text, when written as CSV, then fields are quoted and the formula defused', () => {
    expect(toCsv(table)).toBe(
      [
        'Bulan,Dikenakan,"Catatan, ""kutipan"""',
        '2022-08,500000000,"denda, tahap ""1"""',
        '2022-09,0,',
        `2022-10,1250000,"'=HYPERLINK(""x"")"`,
        '',
      ].join('\r\n'),
    );
  });

  it('given a table, then its download link holds exactly its CSV, under a safe file name', () => {
    const href = csvHref(table);
    expect(href.startsWith('data:text/csv;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(href.slice('data:text/csv;charset=utf-8,'.length))).toBe(toCsv(table));
    expect(csvFileName('states-daily', '2022-07-01', '2022-08-31')).toBe(
      'sanksi-states-daily-2022-07-01-2022-08-31.csv',
    );
    expect(csvFileName('What If/Counts', undefined)).toBe('sanksi-what-if-counts.csv');
  });

  it('given no rows, then the CSV is the header line alone', () => {
    expect(toCsv({ ...table, rows: [] })).toBe('Bulan,Dikenakan,"Catatan, ""kutipan"""\r\n');
  });
});
