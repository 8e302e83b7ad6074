/**
 * Questions that cannot be answered, and why: names that cannot exist (refused before any API call),
 * an unknown namespace or context, an API server that does not answer, and RBAC saying no. Also that
 * several contexts work side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, UserError } from '../../../src/core/errors.js';
import { kubeBackendState } from '../../../src/sources/kubernetes.js';
import { freeTcpPort } from '../../support/docker-fixtures.js';
import { endpointSlice, namespace, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { failure, kubeDeps, kubeconfigFor, question, until } from './helpers.js';

let api: KubeApiServer;
let other: KubeApiServer;

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop'),
      node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
      pod('web-1', { ip: '10.244.1.10', nodeName: 'node-1' }),
      service('web', { selector: { app: 'web' } }),
      endpointSlice('web-abcde', { serviceName: 'web', endpoints: [{ ip: '10.244.1.10', podName: 'web-1', nodeName: 'node-1' }] }),
    ],
  });
  other = await startKubeApiServer({ context: 'cluster-b', objects: [node('b-node', { internalIP: '192.0.2.99', podCIDR: '10.9.0.0/24' }), pod('web-1', { ip: '10.9.0.7', nodeName: 'b-node' })] });
});

afterAll(async () => {
  await api?.stop();
  await other?.stop();
});

describe('names are checked before any API call', () => {
  it.each([
    ['pod Web-1', /^"Web-1" cannot be a Kubernetes pod name: Kubernetes names are lower-case\.$/],
    ['pod web_1', /^"web_1" cannot be a Kubernetes pod name \(it contains "_"\)\.$/],
    ['pod web-1 -n Shop', /^"Shop" cannot be a Kubernetes namespace name/],
    ['pod web-1 -n my.ns', /namespace name: it may not contain "\."/],
    ['svc 1web', /^"1web" cannot be a Kubernetes service name: it must start with a letter\.$/],
    ['node node_1', /^"node_1" cannot be a Kubernetes node name \(it contains "_"\)\.$/],
  ])('%s', async (text, message) => {
    const deps = kubeDeps(api.kubeconfigPath);
    api.clearRequests();
    const err = await failure(deps, text);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'bad_input' });
    expect((err as Error).message).toMatch(message);
    expect(api.requests.filter((r) => r.verb !== undefined)).toEqual([]);
    await deps.kube.stop();
  });
});

describe('unknown namespace', () => {
  it.each(['cache', 'direct'])('says so and names the closest (%s)', async (mode) => {
    const deps = kubeDeps(api.kubeconfigPath);
    if (mode === 'cache') expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
    for (const text of ['pod web-1 -n shopp', 'svc web -n shopp']) {
      const err = await failure(deps, text);
      expect(err).toMatchObject({ code: 'not_found', message: 'There is no namespace "shopp" in context netpeek-test. Did you mean "shop"?' });
      expect((err as UserError).details[0]).toBe('Namespaces: default, kube-node-lease, kube-public, kube-system, shop');
    }
    await deps.kube.stop();
  });
});

describe('contexts', () => {
  it('an unknown context lists the ones there are', async () => {
    const deps = kubeDeps(api.kubeconfigPath);
    const err = await failure(deps, 'pod web-1 --cluster prod');
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'not_found', message: `There is no Kubernetes context "prod" in ${api.kubeconfigPath}.` });
    expect((err as UserError).details[0]).toBe('Contexts: netpeek-test');
  });

  it('several contexts at once: --cluster picks the cluster, the default context answers otherwise', async () => {
    const deps = kubeDeps(`${api.kubeconfigPath}:${other.kubeconfigPath}`, {}, { NETPEEK_KUBE_CONTEXT: 'cluster-b' });
    try {
      expect(deps.kube.contexts().sort()).toEqual(['cluster-b', 'netpeek-test']);
      expect((await question(deps, 'pod web-1')).addresses[0]!.ip).toBe('10.9.0.7');
      expect((await question(deps, 'pod web-1 --cluster netpeek-test')).addresses[0]!.ip).toBe('10.244.1.10');
      const b = (await question(deps, 'pod web-1 --cluster cluster-b')).subject;
      expect(b).toMatchObject({ source: 'context cluster-b' });
      const states = deps.kube.states();
      expect(states.map((s) => [s.context, s.isDefault, s.started])).toEqual([
        ['netpeek-test', false, true],
        ['cluster-b', true, true],
      ]);
    } finally {
      await deps.kube.stop();
    }
  });
});

describe('the API server does not answer', () => {
  it('names the server, for every command', async () => {
    const server = `http://127.0.0.1:${await freeTcpPort()}`;
    const deps = kubeDeps(await kubeconfigFor(server));
    try {
      for (const text of ['pod web-1', 'pod web-1 -n default', 'svc web', 'node node-1']) {
        const err = await failure(deps, text);
        expect(err).toBeInstanceOf(BackendError);
        expect((err as Error).message).toBe(`The Kubernetes API server at ${server} (context nowhere) did not answer: connection refused.`);
      }
    } finally {
      await deps.kube.stop();
    }
  });

  it('without any kubeconfig, says what is missing', async () => {
    const deps = kubeDeps('/nonexistent/kubeconfig');
    const err = await failure(deps, 'pod web-1');
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toBe('This netpeek has no Kubernetes cluster to ask: KUBECONFIG points to /nonexistent/kubeconfig, which does not exist.');
  });
});

describe('forbidden by RBAC', () => {
  it('names the verb and resource that are missing', async () => {
    api.setAuthorizer((a) => a.resource !== 'pods');
    const deps = kubeDeps(api.kubeconfigPath);
    try {
      const err = await failure(deps, 'pod web-1');
      expect(err).toBeInstanceOf(UserError);
      expect(err).toMatchObject({ code: 'forbidden' });
      expect((err as Error).message).toBe(
        'Kubernetes (context netpeek-test) forbids it: system:serviceaccount:netpeek:netpeek may not list pods at the cluster scope. Missing permission: "list" on "pods".',
      );
      expect((err as UserError).details).toContain('Grant it with an RBAC rule: apiGroups [""], resources ["pods"], verbs ["list"].');
      const byName = await failure(deps, 'pod web-1 -n default');
      expect((byName as Error).message).toMatch(/may not get pods in namespace default\. Missing permission: "get" on "pods"\.$/);
      await until(() => deps.kube.cluster().cacheStates().find((s) => s.resource === 'pods')!.lastError !== undefined, 5000, 'the cache error');
      const state = kubeBackendState(deps.kube);
      expect(state.ok).toBe(false);
      expect(state.detail).toMatch(/Missing permission: "list" on "pods"/);
    } finally {
      api.setAuthorizer(undefined);
      await deps.kube.stop();
    }
  });

  it('an EndpointSlice denial names its API group', async () => {
    const deps = kubeDeps(api.kubeconfigPath);
    api.setAuthorizer((a) => a.resource !== 'endpointslices');
    const err = await failure(deps, 'svc web -n default').finally(() => api.setAuthorizer(undefined));
    expect((err as Error).message).toBe(
      'Kubernetes (context netpeek-test) forbids it: system:serviceaccount:netpeek:netpeek may not list endpointslices in API group discovery.k8s.io in namespace default. Missing permission: "list" on "endpointslices".',
    );
    await deps.kube.stop();
  });
});

describe('status of the source', () => {
  it('lists contexts and cache sync state without touching the network', async () => {
    const deps = kubeDeps(api.kubeconfigPath);
    api.clearRequests();
    expect(kubeBackendState(deps.kube)).toEqual({
      ok: true,
      detail: `kubeconfig ${api.kubeconfigPath}; netpeek-test (default) at ${api.url}: watches not started (they start with the first question)`,
    });
    expect(api.requests).toEqual([]);
    expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
    expect(kubeBackendState(deps.kube).detail).toBe(
      `kubeconfig ${api.kubeconfigPath}; netpeek-test (default) at ${api.url}: caches synced (pods 1, services 1, endpointslices 1, nodes 1, namespaces 5, networkpolicies 0)`,
    );
    await deps.kube.stop();
  });
});
