import { describe, expect, it } from 'vitest';
import { diffRuns } from '../../../src/reports/diff.js';
import { endsOf, flipChanges } from '../../../src/reports/flip-changes.js';
import { reportDigest } from '../../../src/reports/report-digest.js';
import { ChangeHistory, type RecordedChange } from '../../../src/sources/kube-change-history.js';
import type { ChangeLog } from '../../../src/sources/kube-recent-changes.js';
import { def, row, run } from './helpers.js';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const at = (min: number) => T0 + min * 60_000;

/** The cluster's ring (ChangeHistory) as a report reads it (KubeCluster.changes). */
function history(changes: (Omit<RecordedChange, 'touches'> & { touches?: RecordedChange['touches'] })[]): ChangeLog {
  const h = new ChangeHistory({ maxEntries: 100, maxAgeMs: 24 * 3_600_000 }, () => at(120));
  for (const c of [...changes].sort((a, b) => a.at - b.at)) h.record({ touches: [], ...c } as RecordedChange);
  return { changes: (f) => h.list(f) };
}

describe('endsOf', () => {
  it('reads the objects at both ends from the subjects and vantages targets.ts writes', () => {
    expect(endsOf({ subject: 'pod shop/web-1', from: 'node node-a' })).toEqual([
      { kind: 'Pod', namespace: 'shop', name: 'web-1' },
      { kind: 'Node', name: 'node-a' },
    ]);
    expect(endsOf({ subject: 'service shop/web → pod shop/web-2 (not ready)', from: 'node node-b' })).toEqual([
      { kind: 'Service', namespace: 'shop', name: 'web' },
      { kind: 'Pod', namespace: 'shop', name: 'web-2' },
      { kind: 'Node', name: 'node-b' },
    ]);
    expect(endsOf({ subject: 'node node-a → node-b', from: 'node node-a' })).toEqual([
      { kind: 'Node', name: 'node-a' },
      { kind: 'Node', name: 'node-b' },
    ]);
    expect(endsOf({ subject: 'container web-1', from: 'the Docker host' })).toEqual([]);
  });
});

describe('flipChanges: what changed between the last good run and the first bad one', () => {
  const good = run('2026-12-03T10:00:00Z', [row('pod shop/web-1 icmp', 'ok'), row('pod shop/db-0 icmp', 'ok')]);
  const bad = run('2026-12-03T10:30:00Z', [row('pod shop/web-1 icmp', 'failed', { from: 'node node-a' }), row('pod shop/db-0 icmp', 'ok')]);
  const log = history([
    // Before the good run: not part of the flip.
    { at: at(50), kind: 'Pod', namespace: 'shop', name: 'web-1', action: 'changed', diff: 'IP 10.244.1.9 → 10.244.1.10' },
    // Between the runs, touching either end.
    { at: at(70), kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny', action: 'created', diff: 'created: ingress from nothing', touches: [{ kind: 'Pod', namespace: 'shop', name: 'web-1' }], manager: 'kubectl-client-side-apply' },
    { at: at(80), kind: 'Node', name: 'node-a', action: 'changed', diff: 'schedulable → cordoned', manager: 'kubectl-cordon' },
    // Between the runs, but about a pod that did not flip.
    { at: at(75), kind: 'Pod', namespace: 'shop', name: 'db-0', action: 'changed', diff: 'ready → not ready' },
    // After the bad run.
    { at: at(100), kind: 'Pod', namespace: 'shop', name: 'web-1', action: 'deleted', diff: 'deleted' },
  ]);

  it('lists only the changes touching the flipped target\'s ends, oldest first, with time and manager', () => {
    const diff = diffRuns(bad, good);
    const flip = flipChanges(bad, good, diff, log);
    expect(flip.total).toBe(2);
    expect(flip.lines).toEqual([
      { kind: 'change', subject: 'NetworkPolicy shop/default-deny', text: 'created: ingress from nothing · 10:10Z by kubectl-client-side-apply' },
      { kind: 'change', subject: 'node node-a', text: 'schedulable → cordoned · 10:20Z by kubectl-cordon' },
    ]);
  });

  it('the post carries them as a section under the unreachable targets', () => {
    const diff = diffRuns(bad, good);
    const flip = flipChanges(bad, good, diff, log);
    const digest = reportDigest({ def: def(), run: bad, diff, now: at(35), flip });
    const titles = digest.sections.map((s) => s.title);
    expect(titles[0]).toBe('Unreachable (1)');
    expect(titles[1]).toBe('Changed since the last good run, at either end of what became unreachable (2)');
    expect(digest.sections[1]!.lines).toHaveLength(2);
  });

  it('nothing to list: no new failure, no previous run, or no change history', () => {
    expect(flipChanges(good, undefined, diffRuns(good, undefined), log)).toEqual({ lines: [], total: 0 });
    const still = run('2026-12-03T11:00:00Z', bad.results);
    expect(flipChanges(still, bad, diffRuns(still, bad), log).total).toBe(0);
    expect(flipChanges(bad, good, diffRuns(bad, good), undefined).total).toBe(0);
    expect(reportDigest({ def: def(), run: good, diff: diffRuns(good, undefined) }).sections.map((s) => s.title)).not.toContain(expect.stringContaining('Changed since'));
  });
});
