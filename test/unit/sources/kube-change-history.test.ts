import { describe, expect, it } from 'vitest';
import { ChangeHistory, latestManager, type RecordedChange } from '../../../src/sources/kube-change-history.js';

const change = (name: string, at: number): RecordedChange => ({ kind: 'Pod', namespace: 'shop', name, action: 'changed', diff: 'ready → not ready', touches: [], at });

describe('the change ring', () => {
  it('keeps at most maxEntries, dropping the oldest', () => {
    const h = new ChangeHistory({ maxEntries: 3, maxAgeMs: 3_600_000 }, () => 10_000);
    for (let i = 1; i <= 5; i++) h.record(change(`p${i}`, 10_000));
    expect(h.list().map((c) => c.name)).toEqual(['p3', 'p4', 'p5']);
    expect(h.size).toBe(3);
  });

  it('drops entries older than maxAgeMs, and filters by time and namespace', () => {
    let now = 0;
    const h = new ChangeHistory({ maxEntries: 10, maxAgeMs: 1000 }, () => now);
    h.record(change('old', 0));
    now = 900;
    h.record({ ...change('new', 900), namespace: 'other' });
    expect(h.list().map((c) => c.name)).toEqual(['old', 'new']);
    now = 1500;
    expect(h.list().map((c) => c.name)).toEqual(['new']);
    expect(h.list({ namespace: 'shop' })).toEqual([]);
    expect(h.list({ since: 1000 })).toEqual([]);
  });

  it('keeps nothing with maxEntries 0', () => {
    const h = new ChangeHistory({ maxEntries: 0, maxAgeMs: 1000 }, () => 0);
    h.record(change('x', 0));
    expect(h.size).toBe(0);
  });
});

describe('the manager from managedFields', () => {
  it('is the entry with the newest time', () => {
    const raw = { metadata: { managedFields: [{ manager: 'kube-controller-manager', time: '2026-12-03T06:00:00Z' }, { manager: 'kubectl-edit', time: '2026-12-03T07:00:00Z' }, { manager: 'kubelet', time: '2026-12-03T05:00:00Z' }] } };
    expect(latestManager(raw)).toBe('kubectl-edit');
    expect(latestManager({ metadata: {} })).toBeUndefined();
  });
});
