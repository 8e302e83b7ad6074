import { describe, expect, it } from 'vitest';
import { countChanges, diffRuns, failuresFirst, nothingToReport, verdictLine } from '../../../src/reports/diff.js';
import { digestOf, type ReportRun, type TargetResult } from '../../../src/reports/model.js';
import { row, run } from './helpers.js';

/**
 * A recorded history of one report, hour by hour: each string is one run, one letter per target
 * (o = ok, f = failed, n = not probed, - = absent), targets a…e.
 */
const HISTORY = [
  // a  b  c  d  e
  'oofo-', // 09:00
  'ofoo-', // 10:00
  'ooff-', // 11:00
  'foof-', // 12:00
  'ofofn', // 13:00  ← the newest
];
const IDS = ['a', 'b', 'c', 'd', 'e'].map((x) => `pod default/${x} icmp`);

function recorded(): ReportRun[] {
  return HISTORY.map((line, i) => {
    const results: TargetResult[] = [];
    [...line].forEach((ch, j) => {
      if (ch === '-') return;
      results.push(row(IDS[j] as string, ch === 'o' ? 'ok' : ch === 'f' ? 'failed' : 'not-probed', ch === 'n' ? { reason: 'agent down' } : {}));
    });
    return run(`2024-05-03T${String(9 + i).padStart(2, '0')}:00:00Z`, results);
  });
}

const ids = (rs: readonly { id: string }[]) => rs.map((r) => r.id.split(' ')[1]?.split('/')[1]);

describe('diff of recorded run histories', () => {
  const runs = recorded();
  const newest = runs[4] as ReportRun;
  const previous = runs[3] as ReportRun;
  const history = runs.slice(0, 4).reverse().map(digestOf);

  it('finds new failures, recoveries, still-failing and not-probed targets', () => {
    const d = diffRuns(newest, previous, history);
    expect(ids(d.newFailures)).toEqual(['b']); // b: ok → failed
    expect(ids(d.recovered)).toEqual(['a']); // a: failed → ok
    expect(ids(d.stillFailing)).toEqual(['d']); // d: failed → failed
    expect(ids(d.notProbed)).toEqual(['e']);
    expect(d.appeared).toBe(1);
    expect(d.previous?.scheduledAt).toBe('2024-05-03T12:00:00.000Z');
    expect(ids(failuresFirst(d))).toEqual(['b', 'd']);
  });

  it('finds flapping targets over the window, ignoring not-probed runs', () => {
    const d = diffRuns(newest, previous, history);
    // Newest first — b: f o o f o (3 changes); c: o f f o f (3); a: o f o o o (2, not flapping).
    expect(d.flapping.map((f) => [f.id.split('/')[1], f.changes])).toEqual([
      ['b icmp', 3],
      ['c icmp', 3],
    ]);
    expect(countChanges(['o', 'n', 'o', undefined, 'f'])).toBe(1);
  });

  it('a first run has nothing to compare with', () => {
    const d = diffRuns(runs[0] as ReportRun, undefined, []);
    expect(d.previous).toBeUndefined();
    expect(ids(d.newFailures)).toEqual(['c']);
    expect(d.appeared).toBe(0);
    expect(d.flapping).toEqual([]);
  });

  it('lists targets that went away', () => {
    const gone = run('2024-05-03T14:00:00Z', [row(IDS[0] as string, 'ok')]);
    expect(diffRuns(gone, newest).disappeared).toHaveLength(4);
  });

  it('finds latency regressions: 2× and +10 ms, or newly over the warning level', () => {
    const before = run('2024-05-03T09:00:00Z', [row('x icmp', 'ok', { ms: 2 }), row('y icmp', 'ok', { ms: 20 }), row('z icmp', 'ok', { ms: 8 })]);
    const now = run('2024-05-03T10:00:00Z', [row('x icmp', 'ok', { ms: 9 }), row('y icmp', 'ok', { ms: 45 }), row('z icmp', 'ok', { ms: 12 })]);
    expect(diffRuns(now, before).latencyRegressions.map((l) => [l.result.id, l.beforeMs])).toEqual([['y icmp', 20]]);
    expect(diffRuns(now, before, [], { latencyWarnMs: 10 }).latencyRegressions.map((l) => l.result.id)).toEqual(['y icmp', 'z icmp']);
  });

  it('leads with the verdict', () => {
    const since = (iso: string) => iso.slice(11, 16);
    const d = diffRuns(newest, previous, history);
    expect(verdictLine(newest, d, since)).toBe('2 of 5 targets unreachable; 1 new since 12:00; 1 not probed; 1 recovered; 2 flapping');
    const allOk = run('2024-05-03T14:00:00Z', Array.from({ length: 412 }, (_, i) => row(`t${i}`, 'ok')));
    expect(verdictLine(allOk, diffRuns(allOk, undefined), since)).toBe('all 412 reachable');
    const three = run('2024-05-03T10:00:00Z', Array.from({ length: 412 }, (_, i) => row(`t${i}`, i < 3 ? 'failed' : 'ok')));
    const before = run('2024-05-03T09:00:00Z', Array.from({ length: 412 }, (_, i) => row(`t${i}`, i < 1 ? 'failed' : 'ok')));
    expect(verdictLine(three, diffRuns(three, before), since)).toBe('3 of 412 targets unreachable; 2 new since 09:00');
    expect(nothingToReport(allOk, diffRuns(allOk, undefined))).toBe(true);
    expect(nothingToReport(three, diffRuns(three, before))).toBe(false);
  });
});
