/**
 * The NetworkPolicy list+watch cache against the test API server: what it holds (raw JSON, so unknown
 * fields survive as "unreadable"), changes through the watch, 410 relists that forget deleted policies,
 * backoff on failing watches, RBAC denials in `status`, and direct reads before the first sync.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeCluster } from '../../../src/sources/kubernetes.js';
import { namespace, networkPolicy, node, pod } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { kubeDeps, question, until } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;
let cluster: KubeCluster;

const npRequests = (verb: 'list' | 'watch', since = 0) => api.requests.filter((r) => r.resource === 'networkpolicies' && r.verb === verb && r.at >= since);
const npState = () => cluster.cacheStates().find((s) => s.resource === 'networkpolicies')!;
const watchingPolicies = () => api.activeWatches().some((w) => w.resource === 'networkpolicies');
const names = async (ns?: string) => (await cluster.networkPolicies(ns)).map((p) => `${p.namespace}/${p.name}`).sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const allowFrontend = networkPolicy('allow-frontend', {
  podSelector: { matchLabels: { app: 'db' } },
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
}, 'shop');

beforeEach(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop', { team: 'shop' }),
      node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
      pod('db-0', { namespace: 'shop', ip: '10.244.1.10', nodeName: 'node-1', labels: { app: 'db' } }),
      networkPolicy('default-deny', {}, 'shop'),
      allowFrontend,
    ],
  });
  deps = kubeDeps(api.kubeconfigPath);
  cluster = deps.kube.cluster();
});

afterEach(async () => {
  await deps.kube.stop();
  await api.stop();
});

describe('the NetworkPolicy cache', () => {
  it('answers directly before the first sync, then from memory, with the server defaults and namespace labels', async () => {
    // The first read starts the caches; nothing is synced yet, so it is a direct (raw) list.
    expect(await names('shop')).toEqual(['shop/allow-frontend', 'shop/default-deny']);
    expect(npRequests('list').some((r) => r.namespace === 'shop')).toBe(true);
    expect(await cluster.waitForSync(10_000)).toBe(true);
    api.clearRequests();
    const [p] = (await cluster.networkPolicies('shop')).filter((x) => x.name === 'allow-frontend');
    expect(npRequests('list')).toHaveLength(0);
    expect(p).toEqual({
      namespace: 'shop', name: 'allow-frontend',
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['ingress'],
      ingress: [{ peers: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
      egress: [],
      unreadable: [],
    });
    expect((await cluster.namespace('shop'))?.labels).toEqual({ team: 'shop', 'kubernetes.io/metadata.name': 'shop' });
    expect(npState()).toMatchObject({ resource: 'networkpolicies', synced: true, current: true, objects: 2 });
  });

  it('keeps fields it does not know as "unreadable", from the list and from watch events', async () => {
    api.add(networkPolicy('future', { podSelector: {}, ingress: [{ from: [{ serviceAccountSelector: { matchLabels: { sa: 'web' } } } as never] }] }, 'shop'));
    expect(await cluster.waitForSync(10_000)).toBe(true);
    const listed = (await cluster.networkPolicies('shop')).find((p) => p.name === 'future')!;
    expect(listed.unreadable).toEqual(['spec.ingress[0].from[0].serviceAccountSelector: a field netpeek does not know']);
    await until(watchingPolicies, 5000, 'the networkpolicies watch');
    api.add(networkPolicy('newer', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 53, protocol: 'UDP' }] }], dnsNames: ['x'] }, 'shop'));
    await until(async () => (await names('shop')).includes('shop/newer'), 5000, 'the watched policy');
    const watched = (await cluster.networkPolicies('shop')).find((p) => p.name === 'newer')!;
    expect(watched.unreadable).toEqual(['spec.dnsNames: a field netpeek does not know']);
    expect(watched.policyTypes).toEqual(['ingress', 'egress']);
  });

  it('follows ADDED, MODIFIED and DELETED through the watch', async () => {
    expect(await cluster.waitForSync(10_000)).toBe(true);
    await until(watchingPolicies, 5000, 'the networkpolicies watch');
    api.add(networkPolicy('allow-web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }));
    await until(async () => (await names()).includes('default/allow-web'), 5000, 'allow-web');
    api.modify({ kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-frontend' }, (o) => {
      (o.spec as { ingress: { ports: { port: number }[] }[] }).ingress[0]!.ports[0]!.port = 6432;
    });
    await until(async () => (await cluster.networkPolicies('shop')).find((p) => p.name === 'allow-frontend')?.ingress[0]?.ports[0]?.port === 6432, 5000, 'the modified port');
    api.remove({ kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny' });
    await until(async () => !(await names()).includes('shop/default-deny'), 5000, 'the deletion');
    expect(await names()).toEqual(['default/allow-web', 'shop/allow-frontend']);
    expect(npRequests('list')).toHaveLength(1);
  });

  it('relists after 410 Expired and forgets a policy deleted while the watch was down', async () => {
    expect(await cluster.waitForSync(10_000)).toBe(true);
    await until(watchingPolicies, 5000, 'the networkpolicies watch');
    const lastSync = npState().lastSyncAt!;
    api.dropAllWatches();
    api.remove({ kind: 'NetworkPolicy', namespace: 'shop', name: 'default-deny' });
    api.compactHistory();
    await until(() => npRequests('list').length === 2 && npState().lastSyncAt! > lastSync, 5000, 'the relist');
    expect(await names('shop')).toEqual(['shop/allow-frontend']);
  });

  it('backs off when every watch fails, and keeps answering from memory', async () => {
    expect(await cluster.waitForSync(10_000)).toBe(true);
    api.failNext(1000, { code: 500, match: { resource: 'networkpolicies', verb: 'watch' } });
    const since = Date.now();
    api.dropAllWatches();
    await sleep(3000);
    const attempts = npRequests('watch', since);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.length).toBeLessThanOrEqual(6);
    expect(npState().lastError).toBe(`The Kubernetes API server at ${api.url} (context netpeek-test) answered 500 to watch networkpolicies.`);
    expect(await names('shop')).toEqual(['shop/allow-frontend', 'shop/default-deny']);
  });

  it('an RBAC denial shows in status with the missing permission, while the other caches serve', async () => {
    api.setAuthorizer((a) => a.resource !== 'networkpolicies');
    await cluster.waitForSync(1500);
    const state = npState();
    expect(state).toMatchObject({ synced: false, current: false });
    expect(state.lastError).toContain('Missing permission: "list" on "networkpolicies"');
    const status = await question(deps, 'status');
    const kube = status.facts.find((f) => f.label === 'Kubernetes (context netpeek-test)')!.value;
    expect(kube).toContain('5 of 6 caches synced');
    expect(kube).toContain('may not list networkpolicies in API group networking.k8s.io at the cluster scope. Missing permission: "list" on "networkpolicies".');
    expect((await question(deps, 'pod db-0 -n shop')).addresses[0]!.ip).toBe('10.244.1.10');
  });
});
