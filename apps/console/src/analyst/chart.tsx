// One ECharts chart, drawn as SVG. ECharts itself is loaded on demand (./echarts-setup), the first
// time a chart is shown.
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A chart of `option`, redrawn when it changes and resized with its box. It is an image to assistive
 * technology (`label`); the figures are in the data table beside it.
 */
export function Chart(props: { option: EChartsCoreOption; label: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const option = useRef(props.option);
  option.current = props.option;
  useEffect(() => {
    let disposed = false;
    let resize: ResizeObserver | null = null;
    void import('./echarts-setup').then(({ echarts }) => {
      const element = box.current;
      if (disposed || !element) return;
      const instance = echarts.init(element, null, { renderer: 'svg' });
      instance.setOption(option.current, { notMerge: true });
      chart.current = instance;
      resize = new ResizeObserver(() => instance.resize());
      resize.observe(element);
    });
    return () => {
      disposed = true;
      resize?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(props.option, { notMerge: true });
  }, [props.option]);
  return (
    <div
      class="chart"
      ref={box}
      role="img"
      aria-label={props.label}
      data-testid="chart"
      style={{ height: `${props.height ?? 320}px` }}
    />
  );
}
