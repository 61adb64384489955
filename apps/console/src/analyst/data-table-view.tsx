import { Link } from '../app/router';
import type { Locale } from '../i18n/format';
import { csvFileName, csvHref, formatCell, type DataTable } from './data-table';

const NUMERIC = new Set(['count', 'idr', 'days']);

/** A chart's data as an accessible table: a caption, column headers, numbers right-aligned; scrolls when long. */
export function DataTableView(props: { table: DataTable; caption: string; locale: Locale }) {
  const { table, locale } = props;
  return (
    <div class="data-table" tabIndex={0} role="region" aria-label={props.caption}>
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c.key} scope="col" class={NUMERIC.has(c.kind) ? 'number' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i}>
              {table.columns.map((c) => {
                const value = row[c.key] ?? null;
                const text = formatCell(value, c.kind, locale);
                const link =
                  table.link?.column === c.key && typeof value === 'string' ? table.link : undefined;
                return (
                  <td key={c.key} class={NUMERIC.has(c.kind) ? 'number' : undefined}>
                    {link && typeof value === 'string' ? <Link to={link.path(value)}>{text}</Link> : text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The download link of a table's CSV. */
export function CsvLink(props: { table: DataTable; name: string; range?: string[]; label: string }) {
  return (
    <a class="csv" href={csvHref(props.table)} download={csvFileName(props.name, ...(props.range ?? []))}>
      {props.label}
    </a>
  );
}
