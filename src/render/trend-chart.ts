/**
 * A report's trend as a PNG for its Slack post: reachable share (bars, left axis, %) and p95 latency
 * (line, right axis, ms) per run. Apache ECharts draws it as SVG in-process (its server-side SVG
 * renderer needs no DOM or canvas), resvg rasterises it — no system library. Both load on first use.
 */
import type { ReportTrend } from '../core/report.js';

export type TrendSeries = ReportTrend;

export const TREND_WIDTH = 800;
export const TREND_HEIGHT = 320;

export async function trendChartSvg(s: TrendSeries): Promise<string> {
  const echarts = await import('echarts');
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: TREND_WIDTH, height: TREND_HEIGHT });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: 'DejaVu Sans' },
      title: { text: s.title, left: 10, top: 6, textStyle: { fontSize: 14 } },
      legend: { bottom: 4, data: ['reachable %', 'p95 ms'] },
      grid: { left: 50, right: 60, top: 44, bottom: 56 },
      xAxis: { type: 'category', data: s.labels },
      yAxis: [
        { type: 'value', min: 0, max: 100, name: '%', axisLabel: { formatter: '{value}' } },
        { type: 'value', min: 0, name: 'ms', splitLine: { show: false } },
      ],
      series: [
        { name: 'reachable %', type: 'bar', data: s.reachablePct, itemStyle: { color: '#2a9d8f' }, barMaxWidth: 28 },
        { name: 'p95 ms', type: 'line', yAxisIndex: 1, data: s.p95Ms, itemStyle: { color: '#e76f51' }, connectNulls: false, symbolSize: 6 },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export async function trendChartPng(s: TrendSeries): Promise<Buffer> {
  const svg = await trendChartSvg(s);
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return Buffer.from(png);
}
