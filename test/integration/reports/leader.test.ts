import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { microTime, parseMicroTime, type LeaseElector } from '../../../src/reports/leader.js';
import { lease } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { elector, FAST_LEASE, until } from './helpers.js';

/** Lease election against the test API server (real client-node, real HTTP, 409 on stale writes). */
describe('Lease leader election', () => {
  let api: KubeApiServer;
  const started: LeaseElector[] = [];
  const make = (id: string) => {
    const e = elector(api, id);
    started.push(e);
    return e;
  };

  beforeEach(async () => {
    api = await startKubeApiServer();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.stop({ release: false })));
    await api.stop();
  });

  const stored = () => api.get({ kind: 'Lease', namespace: 'default', name: 'netpeek-reports-leader' }) as { spec: Record<string, unknown> } | undefined;

  it('acquires a missing lease and writes MicroTime with microseconds', async () => {
    const a = make('a');
    expect(await a.tryOnce()).toBe(true);
    expect(a.isLeader()).toBe(true);
    expect(stored()?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 2, leaseTransitions: 0 });
    expect(stored()?.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(microTime(Date.parse('2024-05-03T10:00:00.123Z'))).toBe('2024-05-03T10:00:00.123000Z');
    expect(parseMicroTime('2024-05-03T10:00:00.123456Z')).toBe(Date.parse('2024-05-03T10:00:00.123Z'));
    expect(parseMicroTime(new Date(5))).toBe(5);
    expect(parseMicroTime(undefined)).toBeUndefined();
  });

  it('two candidates: never two leaders at once, exactly one leads', async () => {
    const [a, b] = [make('a'), make('b')];
    a.start();
    b.start();
    await until(() => a.isLeader() || b.isLeader(), 3000, 'a leader');
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      expect(a.isLeader() && b.isLeader()).toBe(false);
      await new Promise((r) => setTimeout(r, 15));
    }
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
  });

  it('the leader killed: the other takes over within one lease period (plus one retry)', async () => {
    const [a, b] = [make('a'), make('b')];
    a.start();
    await until(() => a.isLeader(), 3000, 'a to lead');
    b.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(b.isLeader()).toBe(false);
    const killedAt = Date.now();
    await a.stop({ release: false }); // a crash: nothing released
    await until(() => b.isLeader(), 5000, 'b to take over');
    const took = Date.now() - killedAt;
    expect(took).toBeLessThanOrEqual(FAST_LEASE.leaseDurationMs + 2 * FAST_LEASE.retryPeriodMs + 300);
    expect(took).toBeGreaterThanOrEqual(FAST_LEASE.leaseDurationMs - FAST_LEASE.retryPeriodMs - 100);
    expect(stored()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a leader that stops hands over at once', async () => {
    const [a, b] = [make('a'), make('b')];
    a.start();
    await until(() => a.isLeader(), 3000, 'a to lead');
    b.start();
    const stoppedAt = Date.now();
    await a.stop();
    expect(stored()?.spec.holderIdentity).toBe('');
    await until(() => b.isLeader(), 3000, 'b to take over');
    expect(Date.now() - stoppedAt).toBeLessThan(FAST_LEASE.leaseDurationMs);
  });

  it('respects a lease another holder renewed (renewTime arrives as a string), and takes it once it expires', async () => {
    api.add(lease('netpeek-reports-leader', { holderIdentity: 'someone-else', leaseDurationSeconds: 1 }));
    const a = make('a');
    expect(await a.tryOnce()).toBe(false);
    expect(a.observedHolder()).toBe('someone-else');
    await new Promise((r) => setTimeout(r, 1100));
    expect(await a.tryOnce()).toBe(true);
    expect(stored()?.spec).toMatchObject({ holderIdentity: 'a', leaseTransitions: 1 });
  });

  it('stops leading when the API server is gone for longer than the renew deadline, and leads again when it is back', async () => {
    const a = make('a');
    const changes: boolean[] = [];
    a.onChange((v) => changes.push(v));
    a.start();
    await until(() => a.isLeader(), 3000, 'a to lead');
    api.failNext(1000, { code: 503, match: { resource: 'leases' } });
    await until(() => !a.isLeader(), FAST_LEASE.renewDeadlineMs + 1000, 'a to step down');
    expect(a.validForMs()).toBeLessThan(FAST_LEASE.leaseDurationMs);
    api.clearFaults();
    await until(() => a.isLeader(), 3000, 'a to lead again');
    expect(changes).toEqual([true, false, true]);
  });
});
