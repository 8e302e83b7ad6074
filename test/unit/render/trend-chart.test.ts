import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { TREND_HEIGHT, TREND_WIDTH, trendChartPng, trendChartSvg } from '../../../src/render/trend-chart.js';

const TREND = { title: 'nightly: the last 4 runs', labels: ['09:00', '10:00', '11:00', '12:00'], reachablePct: [100, 100, 75, null], p95Ms: [1.2, 1.5, 9.8, null] };

describe('report trend chart (ECharts SVG → resvg PNG, in-process)', () => {
  it('draws both series with their labels', async () => {
    const svg = await trendChartSvg(TREND);
    expect(svg).toContain('<svg');
    for (const text of ['nightly: the last 4 runs', 'reachable %', 'p95 ms', '11:00']) expect(svg).toContain(text);
  }, 30_000);

  it('is a PNG of the stated size with ink on it (bars and line in their colours)', async () => {
    const png = PNG.sync.read(await trendChartPng(TREND));
    expect([png.width, png.height]).toEqual([TREND_WIDTH, TREND_HEIGHT]);
    let ink = 0;
    let teal = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      if (r < 240 || g < 240 || b < 240) ink++;
      if (Math.abs(r - 0x2a) < 16 && Math.abs(g - 0x9d) < 16 && Math.abs(b - 0x8f) < 16) teal++;
    }
    expect(ink / (png.width * png.height)).toBeGreaterThan(0.02);
    // The three bars (100 %, 100 %, 75 %) are teal: thousands of pixels.
    expect(teal).toBeGreaterThan(2000);
  }, 30_000);
});
