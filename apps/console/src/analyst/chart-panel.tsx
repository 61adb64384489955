import type { ComponentChildren } from 'preact';
import type { EChartsCoreOption } from 'echarts/core';
import { Chart } from './chart';
import type { DataTable } from './data-table';
import { CsvLink, DataTableView } from './data-table-view';
import { useAnalystText } from './analyst.messages';

/**
 * One analysis: its heading, what it is about, the chart and its data as a table side by side, and the
 * CSV download of that same table. Without a chart option it is a table alone (a list of changes).
 */
export function ChartPanel(props: {
  id: string;
  title: string;
  table: DataTable;
  option?: EChartsCoreOption;
  csvName: string;
  range?: string[];
  children?: ComponentChildren;
}) {
  const { a, locale } = useAnalystText();
  const empty = props.table.rows.length === 0;
  return (
    <section
      class="panel analysis"
      aria-labelledby={`${props.id}-title`}
      data-testid={`analysis-${props.id}`}
    >
      <div class="analysis-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <CsvLink
          table={props.table}
          name={props.csvName}
          range={props.range}
          label={`${a('an.csv')}: ${props.title}`}
        />
      </div>
      {props.children}
      {empty ? (
        <p class="muted">{a('an.noData')}</p>
      ) : (
        <div class={props.option ? 'chart-pair' : undefined}>
          {props.option && <Chart option={props.option} label={`${a('an.chartOf')}: ${props.title}`} />}
          <DataTableView table={props.table} caption={`${a('an.table')}: ${props.title}`} locale={locale} />
        </div>
      )}
    </section>
  );
}
