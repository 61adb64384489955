// ECharts with only what the analyst charts use (line and bar charts, grid, tooltip, legend, zoom; SVG
// output). Loaded on demand by chart.tsx, so the rest of the console never downloads it.
import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  SVGRenderer,
]);

export { echarts };
