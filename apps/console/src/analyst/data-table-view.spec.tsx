import { render, screen, within } from '@testing-library/preact';
import { CsvLink, DataTableView } from './data-table-view';
import { toCsv, type DataTable } from './data-table';

const table: DataTable = {
  columns: [
    { key: 'pseId', label: 'Case', kind: 'text' },
    { key: 'outstanding', label: 'Outstanding', kind: 'idr' },
  ],
  rows: [
    { pseId: 'paypal', outstanding: 500_000_000 },
    { pseId: 'steam', outstanding: null },
  ],
  link: { column: 'pseId', path: (id) => `/cases/${id}` },
};

describe('a chart’s data table on the page', () => {
  it('given rows, when rendered, then a captioned table shows them formatted, cases linking to their pages', () => {
    render(<DataTableView table={table} caption="Data as a table: fines" locale="en" />);
    const shown = screen.getByRole('table', { name: 'Data as a table: fines' });
    expect(
      within(shown)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Case', 'Outstanding']);
    const rows = within(shown).getAllByRole('row').slice(1);
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['paypal', 'Rp 500.000.000'],
      ['steam', '—'],
    ]);
    expect(
      within(rows[0] as HTMLElement)
        .getByRole('link', { name: 'paypal' })
        .getAttribute('href'),
    ).toBe('/console/cases/paypal');
    // The scrolling box can be reached by keyboard.
    expect(screen.getByRole('region', { name: 'Data as a table: fines' }).tabIndex).toBe(0);
  });

  it('given a table, then its CSV link downloads that table under its file name', () => {
    render(<CsvLink table={table} name="fines-monthly" label="Download CSV: fines" />);
    const link = screen.getByRole('link', { name: 'Download CSV: fines' });
    expect(link.getAttribute('download')).toBe('sanksi-fines-monthly.csv');
    expect(decodeURIComponent((link.getAttribute('href') ?? '').split(',').slice(1).join(','))).toBe(
      toCsv(table),
    );
  });
});
