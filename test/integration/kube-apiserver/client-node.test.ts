/**
 * @kubernetes/client-node 1.4 against the test API server, through the kubeconfig it writes: typed
 * lists with limit/continue, Watch with ADDED/MODIFIED/DELETED in order, ERROR 410 after compaction,
 * bookmarks, create/replace conflicts, deletes, and the other resource groups netpeek reads.
 */
import {
  ApiException, CoordinationV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig, makeInformer, NetworkingV1Api, Watch, type V1ConfigMap, type V1Lease,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, endpointSlice, lease, networkPolicy, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';

type Seen = { type: string; obj: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

let api: KubeApiServer;
let kc: KubeConfig;
let core: CoreV1Api;

/** Runs a client-node Watch and collects its events until `until` holds. */
async function watchUntil(path: string, query: Record<string, string | number | boolean | undefined>, until: (seen: Seen[]) => boolean, act?: () => void) {
  const seen: Seen[] = [];
  let doneErr: unknown = 'not done';
  let resolveWait: () => void = () => {};
  const changed = () => resolveWait();
  const ctrl = await new Watch(kc).watch(
    path,
    query,
    (type, obj) => {
      seen.push({ type, obj });
      changed();
    },
    (err) => {
      doneErr = err;
      changed();
    },
  );
  act?.();
  const deadline = Date.now() + 5000;
  while (!until(seen) && Date.now() < deadline) {
    await new Promise<void>((r) => {
      resolveWait = r;
      setTimeout(r, 100);
    });
  }
  ctrl.abort();
  return { seen, doneErr: () => doneErr };
}

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
      ...['a', 'b', 'c', 'd', 'e'].map((s, i) => pod(`web-${s}`, { ip: `10.244.1.${10 + i}`, nodeName: 'node-1', labels: { app: 'web' } })),
      service('web', { selector: { app: 'web' } }),
      endpointSlice('web-x1y2z', { serviceName: 'web', endpoints: [{ ip: '10.244.1.10', podName: 'web-a', nodeName: 'node-1' }] }),
    ],
  });
  kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await api?.stop();
});

describe('@kubernetes/client-node 1.4', () => {
  it('uses the kubeconfig context and lists pods across namespaces', async () => {
    expect(kc.getCurrentContext()).toBe('netpeek-test');
    const list = await core.listPodForAllNamespaces();
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['web-a', 'web-b', 'web-c', 'web-d', 'web-e']);
    expect(list.items[0]!.status?.podIP).toBe('10.244.1.10');
    expect(list.items[0]!.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(list.metadata?.resourceVersion)).toBe(api.resourceVersion);
  });

  it('pages with limit and continue', async () => {
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 2, _continue: cont });
      names.push(...page.items.map((p) => p.metadata!.name!));
      cont = page.metadata?._continue;
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(names).toEqual(['web-a', 'web-b', 'web-c', 'web-d', 'web-e']);
  });

  it('filters lists by label and field selectors', async () => {
    const byField = await core.listNamespacedPod({ namespace: 'default', fieldSelector: 'status.podIP=10.244.1.12' });
    expect(byField.items.map((p) => p.metadata?.name)).toEqual(['web-c']);
    const byLabel = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app!=web' });
    expect(byLabel.items).toEqual([]);
  });

  it('watch receives ADDED, MODIFIED, DELETED in order after a list', async () => {
    const rv = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata!.resourceVersion!;
    const { seen } = await watchUntil(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: rv },
      (s) => s.some((e) => e.type === 'DELETED'),
      () => {
        api.add(configMap('state', { n: '1' }));
        api.modify({ kind: 'ConfigMap', namespace: 'default', name: 'state' }, (o) => {
          o.data = { n: '2' };
        });
        api.remove({ kind: 'ConfigMap', namespace: 'default', name: 'state' });
      },
    );
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(seen[1]!.obj.data).toEqual({ n: '2' });
    const rvs = seen.map((e) => Number(e.obj.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
  });

  it('a watch from an expired resourceVersion receives ERROR 410 and ends', async () => {
    const old = api.resourceVersion;
    api.add(configMap('churn'));
    api.compactHistory();
    const { seen, doneErr } = await watchUntil('/api/v1/namespaces/default/configmaps', { resourceVersion: String(old) }, (s) => s.length > 0);
    expect(seen[0]).toMatchObject({ type: 'ERROR', obj: { kind: 'Status', code: 410, reason: 'Expired' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(doneErr()).toBeNull();
    api.remove(configMap('churn'));
  });

  it('bookmarks arrive when asked for', async () => {
    const { seen } = await watchUntil(
      '/api/v1/pods',
      { resourceVersion: String(api.resourceVersion), allowWatchBookmarks: true },
      (s) => s.some((e) => e.type === 'BOOKMARK'),
      () => setTimeout(() => api.sendBookmarks(), 50),
    );
    const bm = seen.find((e) => e.type === 'BOOKMARK')!;
    expect(bm.obj).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(api.resourceVersion) } });
  });

  it('create then replace with a stale resourceVersion fails with 409 Conflict', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('report-state', { last: 'x' }) as V1ConfigMap });
    expect(created.metadata?.uid).toBeTruthy();
    const fresh = await core.replaceNamespacedConfigMap({ name: 'report-state', namespace: 'default', body: { ...created, data: { last: 'y' } } });
    expect(fresh.data).toEqual({ last: 'y' });
    const err = await core
      .replaceNamespacedConfigMap({ name: 'report-state', namespace: 'default', body: { ...created, data: { last: 'z' } } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<string>).code).toBe(409);
    expect(JSON.parse((err as ApiException<string>).body)).toMatchObject({ reason: 'Conflict', details: { name: 'report-state', kind: 'configmaps' } });
    const dup = await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('report-state') as V1ConfigMap }).catch((e: unknown) => e);
    expect((dup as ApiException<string>).code).toBe(409);
  });

  it('delete returns the object and watchers see DELETED', async () => {
    const { seen } = await watchUntil(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: String(api.resourceVersion) },
      (s) => s.some((e) => e.type === 'DELETED'),
      () => void core.deleteNamespacedConfigMap({ name: 'report-state', namespace: 'default' }),
    );
    expect(seen).toEqual([expect.objectContaining({ type: 'DELETED', obj: expect.objectContaining({ metadata: expect.objectContaining({ name: 'report-state' }) }) })]);
    const gone = await core.readNamespacedConfigMap({ name: 'report-state', namespace: 'default' }).catch((e: unknown) => e);
    expect((gone as ApiException<string>).code).toBe(404);
    expect(JSON.parse((gone as ApiException<string>).body).message).toBe('configmaps "report-state" not found');
  });

  it('leases (leader election) and endpoint slices work through their group clients', async () => {
    const coord = kc.makeApiClient(CoordinationV1Api);
    const l = await coord.createNamespacedLease({ namespace: 'default', body: lease('netpeek-reports', { holderIdentity: 'bot-a' }) as V1Lease });
    expect(l.spec?.holderIdentity).toBe('bot-a');
    // client-node 1.4 types MicroTime as a Date subclass but does not deserialize it: it arrives as the raw string.
    expect(String(l.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const taken = await coord.replaceNamespacedLease({
      name: 'netpeek-reports', namespace: 'default', body: { ...l, spec: { ...l.spec, holderIdentity: 'bot-b', leaseTransitions: 1 } },
    });
    expect(taken.spec?.holderIdentity).toBe('bot-b');
    const slices = await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' });
    expect(slices.items[0]!.endpoints[0]).toMatchObject({ addresses: ['10.244.1.10'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: 'web-a' }, nodeName: 'node-1' });
    const svc = await core.readNamespacedService({ name: 'web', namespace: 'default' });
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: 'http', protocol: 'TCP' });
  });

  it('network policies: typed list with the defaults filled in, create, and a watch that sees the change', async () => {
    const net = kc.makeApiClient(NetworkingV1Api);
    api.add(networkPolicy('db-ingress', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 'pg' }] }] }));
    const list = await net.listNetworkPolicyForAllNamespaces();
    const np = list.items.find((p) => p.metadata?.name === 'db-ingress')!;
    expect(np.spec?.policyTypes).toEqual(['Ingress']);
    // client-node's typed models call `from` `_from`.
    expect(np.spec?.ingress?.[0]?._from?.[0]?.ipBlock).toEqual({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] });
    expect(np.spec?.ingress?.[0]?.ports).toEqual([{ protocol: 'TCP', port: 'pg' }]);
    const { seen } = await watchUntil(
      '/apis/networking.k8s.io/v1/networkpolicies',
      { resourceVersion: list.metadata!.resourceVersion },
      (s) => s.length >= 1,
      () => void net.createNamespacedNetworkPolicy({ namespace: 'default', body: networkPolicy('egress-only', { policyTypes: ['Egress'], egress: [{}] }) as V1NetworkPolicy }),
    );
    // Watch events are raw JSON: `from`/`to` keep their API names.
    expect(seen[0]).toMatchObject({ type: 'ADDED', obj: { kind: 'NetworkPolicy', metadata: { name: 'egress-only', generation: 1 }, spec: { policyTypes: ['Egress'], egress: [{}] } } });
  });

  it('a 500 from failNext surfaces as ApiException and the next call succeeds', async () => {
    api.failNext(1, 500);
    const err = await core.listNode().catch((e: unknown) => e);
    expect((err as ApiException<string>).code).toBe(500);
    expect((await core.listNode()).items).toHaveLength(1);
  });

  it('an informer lists, watches, and re-watches from its resourceVersion after the server ends the watch', async () => {
    const informer = makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
    const added: string[] = [];
    informer.on('add', (p) => added.push(p.metadata!.name!));
    api.clearRequests();
    await informer.start();
    const waitFor = async (cond: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(cond()).toBe(true);
    };
    const watches = () => api.requests.filter((r) => r.verb === 'watch' && r.resource === 'pods');
    await waitFor(() => watches().length === 1 && api.activeWatches().length > 0);
    api.add(pod('late-1', { ip: '10.244.1.50', nodeName: 'node-1' }));
    await waitFor(() => added.includes('late-1'));
    const rvBeforeDrop = String(api.resourceVersion);
    expect(api.dropAllWatches()).toBe(1);
    await waitFor(() => watches().length === 2);
    expect(watches()[1]!.query.resourceVersion).toBe(rvBeforeDrop);
    expect(api.requests.filter((r) => r.verb === 'list')).toHaveLength(1);
    await waitFor(() => api.activeWatches().length > 0);
    api.add(pod('late-2', { ip: '10.244.1.51', nodeName: 'node-1' }));
    await waitFor(() => added.includes('late-2'));
    await informer.stop();
    expect(added.filter((n) => n.startsWith('web-'))).toHaveLength(5);
  });

  it('works over TLS with the generated CA', async () => {
    const secure = await startKubeApiServer({ tls: true, objects: [node('tls-node')] });
    try {
      const skc = new KubeConfig();
      skc.loadFromFile(secure.kubeconfigPath);
      expect(skc.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
      const nodes = await skc.makeApiClient(CoreV1Api).listNode();
      expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['tls-node']);
    } finally {
      await secure.stop();
    }
  });
});
