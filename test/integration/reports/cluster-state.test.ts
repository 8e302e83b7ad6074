import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateUnavailableError } from '../../../src/reports/history.js';
import type { TickClaim } from '../../../src/reports/tick-key.js';
import { stateConfigMapName } from '../../../src/reports/cluster-state.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { row, run } from '../../unit/reports/helpers.js';
import { clusterState } from './helpers.js';

/** Report state in one ConfigMap per report, written with resourceVersion checks, against the test API server. */
describe('report state in ConfigMaps', () => {
  let api: KubeApiServer;
  beforeAll(async () => {
    api = await startKubeApiServer();
  });
  afterAll(async () => {
    await api.stop();
  });

  const claim = (holder: string, key = 'web@2024-05-03T10:00:00.000Z'): TickClaim => ({ report: 'web', key, scheduledAt: key.split('@')[1] as string, holder, late: false, at: new Date().toISOString() });

  it('a new leader diffs against the true previous run: runs written by one replica are read by another', async () => {
    const a = clusterState(api);
    const b = clusterState(api);
    await a.save(run('2024-05-03T09:00:00Z', [row('x icmp', 'failed')], { verdict: '1 of 1 targets unreachable' }));
    await a.save(run('2024-05-03T10:00:00Z', [row('x icmp', 'ok')]));
    expect((await b.latest('web'))?.scheduledAt).toBe('2024-05-03T10:00:00.000Z');
    expect((await b.latest('web', { before: '2024-05-03T10:00:00.000Z' }))?.results).toEqual([row('x icmp', 'failed')]);
    expect((await b.recent('web', 5)).map((d) => d.statuses)).toEqual([{ 'x icmp': 'o' }, { 'x icmp': 'f' }]);
    const cm = api.get({ kind: 'ConfigMap', namespace: 'default', name: stateConfigMapName('web') }) as { data: Record<string, string>; binaryData: Record<string, string>; metadata: { labels: Record<string, string> } };
    expect(cm.data).toMatchObject({ report: 'web', 'last-run': 'web@2024-05-03T10:00:00.000Z' });
    expect(cm.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'report-state' });
    expect(Object.keys(cm.binaryData)).toEqual(['runs.json.gz']);
  });

  it('replicas racing for one tick: exactly one claim wins (409s are re-decided on what the winner wrote)', async () => {
    const replicas = Array.from({ length: 6 }, () => clusterState(api));
    const results = await Promise.all(replicas.map((s, i) => s.claim(claim(`replica-${i}`, 'web@2024-05-03T11:00:00.000Z'))));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.every((r) => r.record.holder === winners[0]?.record.holder)).toBe(true);
    const holder = winners[0]?.record.holder as string;
    expect(await replicas[0]?.advance('web', 'web@2024-05-03T11:00:00.000Z', 'not-the-holder', 'posting')).toBe(false);
    expect(await replicas[1]?.advance('web', 'web@2024-05-03T11:00:00.000Z', holder, 'posting', { channel: 'C1' })).toBe(true);
    expect(await replicas[2]?.get('web', 'web@2024-05-03T11:00:00.000Z')).toMatchObject({ state: 'posting', holder, channel: 'C1' });
  });

  it('retries an update that hits a 409 Conflict', async () => {
    const s = clusterState(api);
    api.failNext(2, { code: 409, match: { verb: 'update', resource: 'configmaps' } });
    expect((await s.claim(claim('a', 'web@2024-05-03T12:00:00.000Z'))).ok).toBe(true);
    expect(api.requests.filter((r) => r.resource === 'configmaps' && r.verb === 'update' && r.status === 409).length).toBeGreaterThanOrEqual(2);
  });

  it('keeps a 1,000-target run far under the ConfigMap size limit', async () => {
    const s = clusterState(api);
    const big = run('2024-05-03T13:00:00Z', Array.from({ length: 1000 }, (_, i) => row(`pod shop/web-${i}-7d9f8c6b5-x2k4p tcp/8080`, i % 9 ? 'ok' : 'failed', { kind: 'tcp', port: 8080, ip: `10.244.${i >> 8}.${i & 255}`, detail: i % 9 ? undefined : 'connect timed out after 1000 ms' })));
    await s.save(big);
    const size = JSON.stringify(api.get({ kind: 'ConfigMap', namespace: 'default', name: stateConfigMapName('web') })).length;
    expect(size).toBeLessThan(200_000);
    expect((await s.latest('web'))?.results).toHaveLength(1000);
  });

  it('says which ConfigMap and why when RBAC forbids it or the server is unreachable', async () => {
    const s = clusterState(api);
    api.setAuthorizer((a) => a.resource !== 'configmaps');
    await expect(s.get('web', 'x')).rejects.toThrow(/could not read ConfigMap default\/netpeek-report-state-web .*RBAC forbids it/);
    api.setAuthorizer(undefined);
    api.failNext(1, { code: 503, match: { resource: 'configmaps' } });
    const err = await s.claim(claim('a', 'web@2024-05-03T14:00:00.000Z')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateUnavailableError);
    expect((err as Error).message).toContain('the API server answered HTTP 503');
  });
});
