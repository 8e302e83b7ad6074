import { describe, expect, it } from 'vitest';
import { ChangeHistory, latestManager, type RecordedChange } from '../../../src/sources/kube-change-history.js';
import { podChange } from '../../../src/net/reachability-changes.js';

const change = (name: string, at: number): RecordedChange => ({ kind: 'Pod', namespace: 'default', name, action: 'created', diff: 'created', touches: [], at });

describe('ChangeHistory', () => {
  it('keeps at most maxEntries, dropping the oldest', () => {
    const h = new ChangeHistory({ maxEntries: 3, maxAgeMs: 3_600_000 }, () => 10_000);
    for (let i = 1; i <= 5; i++) h.record(change(`p${i}`, 10_000));
    expect(h.list().map((c) => c.name)).toEqual(['p3', 'p4', 'p5']);
    expect(h.size).toBe(3);
  });

  it('drops changes older than maxAgeMs', () => {
    let now = 0;
    const h = new ChangeHistory({ maxEntries: 10, maxAgeMs: 1000 }, () => now);
    h.record(change('old', 0));
    now = 800;
    h.record(change('new', 800));
    now = 1500;
    expect(h.list().map((c) => c.name)).toEqual(['new']);
  });

  it('keeps nothing with maxEntries 0', () => {
    const h = new ChangeHistory({ maxEntries: 0, maxAgeMs: 1000 });
    h.record(change('x', Date.now()));
    expect(h.list()).toEqual([]);
  });

  it('names the newest managedFields writer', () => {
    expect(latestManager({ metadata: { managedFields: [{ manager: 'kubectl', time: '2026-01-01T00:00:00Z' }, { manager: 'kube-controller-manager', time: '2026-01-02T00:00:00Z' }] } })).toBe('kube-controller-manager');
    expect(latestManager({ metadata: {} })).toBeUndefined();
  });
});

describe('podChange', () => {
  const base = { namespace: 'shop', name: 'cart-1', uid: 'u1', nodeName: 'node-1', phase: 'Running', podIPs: ['10.244.1.5'], ready: true, terminating: false, labels: { app: 'cart' } };
  it('says a readiness flip and a new IP in one line', () => {
    expect(podChange(base, { ...base, podIPs: ['10.244.1.9'], ready: false })?.diff).toBe('IP 10.244.1.5 → 10.244.1.9; ready → not ready');
  });
  it('reports nothing when nothing that moves packets changed', () => {
    expect(podChange(base, { ...base })).toBeUndefined();
  });
  it('names a reschedule', () => {
    expect(podChange(base, { ...base, nodeName: 'node-2' })?.diff).toBe('rescheduled node-1 → node-2');
  });
});
