import { describe, expect, it } from 'vitest';
import { digestOf, p95 } from '../../../src/reports/model.js';
import { reachableShare, TREND_RUNS, trendPoints, withCurrent } from '../../../src/reports/trend.js';

describe('report trend', () => {
  it('p95 is the nearest-rank value a probe measured', () => {
    expect(p95([])).toBeUndefined();
    expect(p95([7])).toBe(7);
    expect(p95(Array.from({ length: 100 }, (_, i) => i + 1))).toBe(95);
    expect(p95([5, 1, 3])).toBe(5);
  });

  it('reachable share counts the probed targets only', () => {
    expect(reachableShare({ a: 'o', b: 'f', c: 'n', d: 'o' })).toBeCloseTo(2 / 3);
    expect(reachableShare({ a: 'n' })).toBeUndefined();
  });

  it("a run's digest carries the p95 of its answering probes, not of the failed ones", () => {
    const d = digestOf({
      tickKey: 'r@1',
      scheduledAt: '2026-12-03T09:00:00.000Z',
      results: [
        { id: 'a', group: 'g', subject: 'a', kind: 'tcp', from: 'h', status: 'ok', ms: 2 },
        { id: 'b', group: 'g', subject: 'b', kind: 'tcp', from: 'h', status: 'ok', ms: 40 },
        { id: 'c', group: 'g', subject: 'c', kind: 'tcp', from: 'h', status: 'failed', ms: 5000, reason: 'timeout' },
      ],
    });
    expect(d).toEqual({ tickKey: 'r@1', scheduledAt: '2026-12-03T09:00:00.000Z', statuses: { a: 'o', b: 'o', c: 'f' }, p95Ms: 40 });
  });

  it('points run oldest first; the current run is added once and the series is capped', () => {
    const at = (h: number) => `2026-12-03T${String(h).padStart(2, '0')}:00:00.000Z`;
    const stored = Array.from({ length: 30 }, (_, i) => ({ tickKey: `r@${i}`, scheduledAt: at(i % 24), statuses: { a: 'o' as const } })).slice(0, 23).reverse();
    const current = { tickKey: 'r@now', scheduledAt: '2026-12-04T00:00:00.000Z', statuses: { a: 'f' as const }, p95Ms: 3 };
    const runs = withCurrent(current, [...stored, { ...current }]);
    expect(runs).toHaveLength(TREND_RUNS);
    expect(runs[0]).toEqual(current);
    const points = trendPoints(runs);
    expect(points.at(-1)).toEqual({ at: current.scheduledAt, reachableShare: 0, p95Ms: 3 });
    expect(points[0]!.at < points[1]!.at).toBe(true);
  });
});
