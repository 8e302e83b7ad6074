/** The built `netpeek pod X -n ns` binary against the test API server: a one-shot answer reads what it needs, never whole caches. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, pod } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';
import { netpeek } from '../support/cli.js';

let api: KubeApiServer;
let env: Record<string, string>;

beforeAll(async () => {
  api = await startKubeApiServer({
    namespaces: ['default', 'kube-system', 'shop'],
    objects: [
      node('node-1', { podCIDR: '10.244.1.0/24', internalIP: '10.0.0.11' }),
      pod('web-1', { namespace: 'shop', ip: '10.244.1.5', nodeName: 'node-1', hostIP: '10.0.0.11' }),
      // Pods the answer has no need of: a one-shot `pod` must not list them.
      ...Array.from({ length: 20 }, (_, i) => pod(`other-${i}`, { namespace: 'default', ip: `10.244.1.${100 + i}`, nodeName: 'node-1' })),
    ],
  });
  // No Docker engine: the answer needs only the Kubernetes API (and the pod IP is a fixture: never probed).
  env = { KUBECONFIG: api.kubeconfigPath, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
});

afterAll(async () => {
  await api?.stop();
});

describe('netpeek pod X -n ns (the binary)', () => {
  it('answers with the pod IP, node and pod CIDR from a direct GET of the pod: no list of every pod, no watch', async () => {
    api.clearRequests();
    const r = await netpeek(['pod', 'web-1', '-n', 'shop', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout);
    const text = JSON.stringify(answer);
    expect(text).toContain('10.244.1.5');
    expect(text).toContain('node-1');
    expect(text).toContain('10.244.1.0/24');
    const calls = api.requests.filter((q) => q.resource);
    expect(calls).toContainEqual(expect.objectContaining({ verb: 'get', resource: 'pods', namespace: 'shop', name: 'web-1' }));
    expect(calls.filter((q) => q.verb === 'watch')).toEqual([]);
    expect(calls.filter((q) => q.resource === 'pods' && q.verb === 'list' && !q.query.fieldSelector && !q.query.labelSelector)).toEqual([]);
  });

  it('a pod that does not exist exits 1 naming it and the namespace', async () => {
    const r = await netpeek(['pod', 'web-9', '-n', 'shop'], env);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/web-9/);
    expect(r.stderr + r.stdout).toMatch(/shop/);
  });
});
