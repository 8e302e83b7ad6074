import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/reports/clock.js';
import { stateConfigMapName } from '../../../src/reports/cluster-state.js';
import { loadReportsConfig } from '../../../src/reports/report-config.js';
import type { TickEvent } from '../../../src/reports/scheduler.js';
import { startReports, type RunningReports } from '../../../src/reports/start.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { FakePoster, ScriptedProbes, silent } from '../../unit/reports/helpers.js';
import { until } from './helpers.js';

/** `netpeek serve`'s wiring: definitions, state stores, Lease and scheduler, from the environment. */
describe('startReports', () => {
  let api: KubeApiServer;
  let dir: string;
  let file: string;
  let running: RunningReports | undefined;

  beforeEach(async () => {
    api = await startKubeApiServer();
    dir = mkdtempSync(join(tmpdir(), 'netpeek-start-'));
    file = join(dir, 'reports.yaml');
    writeFileSync(file, 'reports:\n  - name: web\n    schedule: "* * * * *"\n    channel: C0123ABCD\n    targets: [{ address: "10.0.0.1:80", from: docker-host }]\n  - name: bad\n    schedule: "* * *"\n    channel: C0123ABCD\n    targets: [{ address: 10.0.0.2 }]\n');
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => loadReportsConfig({ NETPEEK_REPORTS_FILE: file, NETPEEK_REPORTS_DB: join(dir, 'data', 'netpeek.db'), NETPEEK_POD_NAME: 'bot-0', ...extra });

  it('does nothing without NETPEEK_REPORTS_FILE', async () => {
    expect(await startReports({ reports: loadReportsConfig({}), deps: {}, kube: {}, log: silent })).toBeUndefined();
  });

  it('one replica outside Kubernetes: SQLite only, no Lease', async () => {
    const poster = new FakePoster();
    const clock = new ManualClock('2024-05-03T10:00:30Z');
    running = await startReports({ reports: env(), deps: { probes: new ScriptedProbes() }, kube: { kubeconfig: api.kubeconfigPath }, env: {}, poster, log: silent, clock });
    expect(running?.mode).toBe('sqlite');
    await running?.scheduler.idle();
    expect(poster.posts.map((p) => p.message.text)).toEqual(['web: all 2 reachable']);
    const listing = await running!.scheduler.list();
    expect(listing.runner).toBe('single');
    expect(listing.problems.map((p) => p.report)).toEqual(['bad']);
    expect(api.list('Lease', 'default')).toEqual([]);
  });

  it('cluster state: elects with the Lease, keeps state in a ConfigMap, and goes on through a short API outage while its lease is valid', async () => {
    const poster = new FakePoster();
    const clock = new ManualClock('2024-05-03T10:00:30Z');
    const events: TickEvent[] = [];
    running = await startReports({
      reports: env({ NETPEEK_REPORTS_STATE: 'cluster', NETPEEK_LEASE_NAMESPACE: 'default', NETPEEK_LEASE_DURATION_S: '6' }),
      deps: { probes: new ScriptedProbes() },
      kube: { kubeconfig: api.kubeconfigPath },
      env: {},
      poster,
      log: silent,
      clock,
      onTick: (e) => events.push(e),
    });
    expect(running?.mode).toBe('cluster');
    await until(() => poster.posts.length === 1, 5000, 'the first post');
    await running!.scheduler.idle();
    const leaseObj = api.get({ kind: 'Lease', namespace: 'default', name: 'netpeek-reports-leader' }) as unknown as { spec: { holderIdentity: string } };
    expect(leaseObj.spec.holderIdentity).toMatch(/^bot-0\/\d+\/[0-9a-f]{8}$/);
    expect(api.get({ kind: 'ConfigMap', namespace: 'default', name: stateConfigMapName('web') })).toBeDefined();

    // ConfigMaps unreachable for a moment: the leader's lease is valid for seconds yet, so it posts,
    // keeping the tick key locally.
    api.failNext(1000, { code: 503, match: { resource: 'configmaps' } });
    await clock.advanceTo('2024-05-03T10:01:00Z');
    await running!.scheduler.idle();
    expect(events.at(-1)).toMatchObject({ tickKey: 'web@2024-05-03T10:01:00.000Z', outcome: 'posted' });
    api.clearFaults();
    await clock.advanceTo('2024-05-03T10:02:00Z');
    await running!.scheduler.idle();
    expect(poster.posts.map((p) => p.message.metadata.event_payload.tick)).toEqual(['web@2024-05-03T10:00:00.000Z', 'web@2024-05-03T10:01:00.000Z', 'web@2024-05-03T10:02:00.000Z']);
    expect(poster.posts[2]?.message.text).toBe('web: all 2 reachable');
    expect((await running!.scheduler.list()).runner).toBe('leader');
    await running!.stop();
    expect((api.get({ kind: 'Lease', namespace: 'default', name: 'netpeek-reports-leader' }) as unknown as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe('');
    running = undefined;
  });

  it('refuses cluster state without a cluster', async () => {
    await expect(startReports({ reports: env({ NETPEEK_REPORTS_STATE: 'cluster' }), deps: {}, kube: { kubeconfig: join(dir, 'nope') }, env: {}, log: silent })).rejects.toThrow(
      'NETPEEK_REPORTS_STATE=cluster needs the Kubernetes API for its Lease and ConfigMaps',
    );
  });
});
