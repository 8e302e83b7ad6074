/**
 * The change history from real watch events of the test API server: what an on-call engineer reads
 * after "what changed?". The first list is the baseline (no "created" burst), each edit that can move a
 * packet is one line with its diff and manager, edits that cannot (a restart count) are not there, and a
 * 410 relist in the middle neither invents nor loses a change.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeCluster } from '../../../src/sources/kubernetes.js';
import { endpointSlice, networkPolicy, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { kubeDeps, question, until } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;
let cluster: KubeCluster;

const podsState = () => cluster.cacheStates().find((s) => s.resource === 'pods')!;
const watching = (resource: string) => api.activeWatches().some((w) => w.resource === resource);
const lines = () => cluster.changes().map((c) => `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}: ${c.diff}`);

beforeEach(async () => {
  api = await startKubeApiServer({
    objects: [
      node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
      node('node-2', { internalIP: '192.0.2.22', podCIDR: '10.244.2.0/24' }),
      pod('web-1', { ip: '10.244.1.10', nodeName: 'node-1' }),
      pod('web-2', { ip: '10.244.1.11', nodeName: 'node-1' }),
      service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
      endpointSlice('web-abc12', { serviceName: 'web', endpoints: [{ ip: '10.244.1.10', podName: 'web-1', nodeName: 'node-1' }, { ip: '10.244.1.11', podName: 'web-2', nodeName: 'node-1' }] }),
    ],
  });
  deps = kubeDeps(api.kubeconfigPath);
  cluster = deps.kube.cluster();
  expect(await cluster.waitForSync(10_000)).toBe(true);
  for (const r of ['pods', 'services', 'endpointslices', 'nodes', 'networkpolicies']) await until(() => watching(r), 5000, `the ${r} watch`);
});

afterEach(async () => {
  await deps.kube.stop();
  await api.stop();
});

describe('change history from watch events', () => {
  it('starts empty: the first list is the baseline, not a burst of "created"', () => {
    expect(cluster.changes()).toEqual([]);
    expect(cluster.changeHistory()).toMatchObject({ size: 0, limits: { maxEntries: 5000 } });
  });

  it('records a selector edit, a policy, a drained endpoint, a rescheduled pod and a cordoned node, each with its diff', async () => {
    api.modify({ kind: 'Service', namespace: 'default', name: 'web' }, (s) => {
      (s as unknown as { spec: { selector: Record<string, string> } }).spec.selector = { app: 'webb' };
      (s as unknown as { metadata: Record<string, unknown> }).metadata.managedFields = [{ manager: 'kubectl-edit', operation: 'Update', time: '2026-12-03T07:00:00Z' }];
    });
    api.add(networkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress'] }));
    api.apply(endpointSlice('web-abc12', { serviceName: 'web', endpoints: [{ ip: '10.244.1.10', podName: 'web-1', nodeName: 'node-1' }, { ip: '10.244.1.11', podName: 'web-2', nodeName: 'node-1', ready: false }] }));
    api.remove({ kind: 'Pod', namespace: 'default', name: 'web-2' });
    api.add(pod('web-2', { ip: '10.244.2.7', nodeName: 'node-2' }));
    api.apply(node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24', unschedulable: true }));
    await until(() => cluster.changes().some((c) => c.kind === 'Node'), 5000, 'the node change');

    expect(lines()).toEqual(
      expect.arrayContaining([
        'Service default/web: selector app=web → app=webb',
        'NetworkPolicy default/default-deny: created: selects all pods, ingress, 0 ingress / 0 egress rules',
        'EndpointSlice default/web-abc12: not ready 10.244.1.11 (web-2)',
        'Pod default/web-2: deleted (was 10.244.1.11 on node-1)',
        'Pod default/web-2: created on node-2, IP 10.244.2.7, ready',
        'Node node-1: cordoned',
      ]),
    );
    const selectorEdit = cluster.changes().find((c) => c.kind === 'Service')!;
    expect(selectorEdit.manager).toBe('kubectl-edit');
    expect(selectorEdit.viaRelist).toBeUndefined();
  });

  it('ignores edits that cannot change reachability (a restart count)', async () => {
    api.modify({ kind: 'Pod', namespace: 'default', name: 'web-1' }, (p) => {
      (p as unknown as { status: { containerStatuses: { restartCount: number }[] } }).status.containerStatuses[0]!.restartCount = 3;
    });
    api.add(pod('marker', { ip: '10.244.1.99', nodeName: 'node-1' }));
    await until(() => cluster.changes().some((c) => c.name === 'marker'), 5000, 'the marker pod');
    expect(cluster.changes().map((c) => c.name)).toEqual(['marker']);
  });

  it('filters by subject: a pod sees its own changes, its EndpointSlice and its node', async () => {
    api.apply(endpointSlice('web-abc12', { serviceName: 'web', endpoints: [{ ip: '10.244.1.10', podName: 'web-1', nodeName: 'node-1', ready: false }, { ip: '10.244.1.11', podName: 'web-2', nodeName: 'node-1' }] }));
    api.apply(node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24', ready: false }));
    api.apply(node('node-2', { internalIP: '192.0.2.22', podCIDR: '10.244.2.0/24', unschedulable: true }));
    await until(() => cluster.changes().filter((c) => c.kind === 'Node').length === 2, 5000, 'both node changes');
    const forWeb1 = cluster.changes({ subject: { kind: 'Pod', namespace: 'default', name: 'web-1', nodeName: 'node-1' } }).map((c) => `${c.kind} ${c.name}: ${c.diff}`);
    expect(forWeb1).toEqual(['EndpointSlice web-abc12: not ready 10.244.1.10 (web-1)', 'Node node-1: Ready → NotReady']);
  });
});

describe('a 410 relist in the middle', () => {
  it('recovers the changes whose events were compacted away, marks them, and invents none', async () => {
    api.modify({ kind: 'Pod', namespace: 'default', name: 'web-1' }, (p) => {
      (p as unknown as { status: { podIP: string } }).status.podIP = '10.244.1.10';
    });
    const lastSync = podsState().lastSyncAt!;
    api.dropAllWatches();
    // While no watch is open: web-2 goes away, web-3 arrives, web-1 changes IP; then the history is compacted.
    api.remove({ kind: 'Pod', namespace: 'default', name: 'web-2' });
    api.add(pod('web-3', { ip: '10.244.1.12', nodeName: 'node-1' }));
    api.remove({ kind: 'Pod', namespace: 'default', name: 'web-1' });
    api.add(pod('web-1', { ip: '10.244.1.20', nodeName: 'node-1' }));
    api.compactHistory();
    await until(() => podsState().lastSyncAt! > lastSync, 8000, 'the pods relist');

    const pods = cluster.changes().filter((c) => c.kind === 'Pod');
    expect(pods.map((c) => `${c.name}: ${c.diff}`).sort()).toEqual(['web-1: recreated; IP 10.244.1.10 → 10.244.1.20', 'web-2: deleted (was 10.244.1.11 on node-1)', 'web-3: created on node-1, IP 10.244.1.12, ready']);
    expect(pods.every((c) => c.viaRelist === true)).toBe(true);
    // Objects that did not change are not reported by the relist: no Service, slice or node lines.
    expect(cluster.changes().filter((c) => c.kind !== 'Pod')).toEqual([]);
    // And answers stay right.
    expect((await question(deps, 'pod web-1')).addresses[0]!.ip).toBe('10.244.1.20');
  });
});

describe('the changes command', () => {
  it('lists the changes touching svc/web newest first, with the diff and manager, and its JSON entries', async () => {
    api.modify({ kind: 'Service', namespace: 'default', name: 'web' }, (s) => {
      (s as unknown as { spec: { ports: unknown[] } }).spec.ports = [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }];
      (s as unknown as { metadata: Record<string, unknown> }).metadata.managedFields = [{ manager: 'helm', operation: 'Update', time: '2026-12-03T07:00:00Z' }];
    });
    api.apply(endpointSlice('web-abc12', { serviceName: 'web', endpoints: [{ ip: '10.244.1.10', podName: 'web-1', nodeName: 'node-1' }] }));
    api.add(pod('other', { ip: '10.244.1.50', nodeName: 'node-1', labels: { app: 'other' } }));
    await until(() => cluster.changes().length >= 3, 5000, 'three changes');

    const a = await question(deps, 'changes svc/web');
    expect(a.changes!.map((c) => `${c.kind} ${c.name}: ${c.diff}`)).toEqual(['EndpointSlice web-abc12: removed 10.244.1.11 (web-2)', 'Service web: ports 80/TCP→http → 8080/TCP→http']);
    expect(a.changes![1]).toMatchObject({ kind: 'Service', namespace: 'default', name: 'web', action: 'changed', manager: 'helm' });
    expect(a.summary).toMatch(/^2 reachability-relevant changes touching Service default\/web; the newest \d+s ago: EndpointSlice web-abc12 removed 10\.244\.1\.11 \(web-2\)\.$/);
    expect(a.tables[0]!.rows[1]).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\dZ \(\d+s ago\)$/), 'Service default/web', 'ports 80/TCP→http → 8080/TCP→http', 'helm']);

    const all = await question(deps, 'changes -n default');
    expect(all.changes!.map((c) => c.name)).toEqual(['other', 'web-abc12', 'web']);
    const recent = await question(deps, 'changes --since 1h');
    expect(recent.changes).toHaveLength(3);
  });

  it('says plainly when nothing changed, and since when it has been watching', async () => {
    const a = await question(deps, 'changes pod/web-1');
    expect(a.changes).toEqual([]);
    expect(a.summary).toMatch(/^No reachability-relevant change touching pod default\/web-1 since \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+s ago\)\.$/);
  });

  it('refuses a target that is not TYPE/NAME or of a type it does not know, with the accepted forms', async () => {
    await expect(question(deps, 'changes web-1')).rejects.toThrow(/"web-1" is not a TYPE\/NAME target/);
    await expect(question(deps, 'changes deploy/web')).rejects.toThrow(/does not know the type "deploy"/);
    await expect(question(deps, 'changes --since yesterday')).rejects.toThrow(/--since takes a duration back from now or a time; "yesterday" is neither/);
    await expect(question(deps, 'changes -n nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
