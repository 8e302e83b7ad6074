/**
 * `pod` against the test API server through the real @kubernetes/client-node: every case of issue 3,
 * answered once from the synced watch cache and once through the direct-GET fallback of a cache that
 * has not synced yet. Both must say the same thing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../../src/core/answer.js';
import { UserError } from '../../../src/core/errors.js';
import type { KubeSource } from '../../../src/sources/kubernetes.js';
import { endpointSlice, namespace, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { fact, failure, kubeDeps, question, until } from './helpers.js';

const N1 = { nodeName: 'node-1', hostIP: '192.0.2.21' };
const N2 = { nodeName: 'node-2', hostIP: '192.0.2.22' };

const OBJECTS = [
  namespace('team-a'),
  node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24', podCIDRv6: 'fd00:10:244:1::/64' }),
  node('node-2', { internalIP: '192.0.2.22', podCIDR: '10.244.2.0/24' }),
  // a single-container pod
  pod('webserver-2', { ...N1, ip: '10.244.1.30' }),
  // two containers on different ports
  pod('two-ports', { ...N1, ip: '10.244.1.31', containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }, { name: 'metrics', ports: [{ name: 'metrics', containerPort: 9090 }] }] }),
  // two containers declaring the same port
  pod('clash', { ...N1, ip: '10.244.1.32', containers: [{ name: 'httpd', ports: [{ containerPort: 8080 }] }, { name: 'nc', ports: [{ containerPort: 8080 }] }] }),
  // hostNetwork, and a second hostNetwork pod competing for the same node port
  pod('node-exporter-x1', { ...N2, hostNetwork: true, namespace: 'team-a', containers: [{ name: 'exporter', ports: [{ name: 'metrics', containerPort: 9100 }] }] }),
  pod('other-exporter', { ...N2, hostNetwork: true, namespace: 'team-a', containers: [{ name: 'exporter', ports: [{ containerPort: 9100 }] }] }),
  // a native sidecar and a plain init container
  pod('meshed', {
    ...N1,
    ip: '10.244.1.33',
    initContainers: [{ name: 'migrate' }],
    sidecars: [{ name: 'proxy', ports: [{ name: 'proxy', containerPort: 15001 }] }],
    containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }],
  }),
  // dual-stack
  pod('dual', { ...N1, ip: '10.244.1.34', ipv6: 'fd00:10:244:1::34' }),
  // selected by two Services, one with a named targetPort, with a hostPort; two Deployment replicas
  pod('api-7d9c5b8f4-x2x1q', {
    ...N1,
    ip: '10.244.1.40',
    labels: { app: 'api', tier: 'backend' },
    containers: [{ name: 'api', ports: [{ name: 'http', containerPort: 8080, hostPort: 18080 }, { name: 'grpc', containerPort: 9000 }] }],
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-7d9c5b8f4', uid: '11111111-1111-4111-8111-111111111111', controller: true }],
  }),
  pod('api-7d9c5b8f4-k9p2z', { ...N2, ip: '10.244.2.41', labels: { app: 'api', tier: 'backend' }, ready: false, containers: [{ name: 'api', ports: [{ name: 'http', containerPort: 8080 }, { name: 'grpc', containerPort: 9000 }] }] }),
  service('api', { selector: { app: 'api' }, clusterIP: '10.96.0.80', ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
  service('backend', { selector: { tier: 'backend' }, clusterIP: '10.96.0.90', type: 'NodePort', ports: [{ name: 'grpc', port: 9000, targetPort: 'grpc', nodePort: 30900 }, { name: 'admin', port: 9999, targetPort: 'admin' }] }),
  endpointSlice('api-abcde', {
    serviceName: 'api',
    ports: [{ name: 'http', port: 8080 }],
    endpoints: [
      { ip: '10.244.1.40', podName: 'api-7d9c5b8f4-x2x1q', nodeName: 'node-1' },
      { ip: '10.244.2.41', podName: 'api-7d9c5b8f4-k9p2z', nodeName: 'node-2', ready: false },
    ],
  }),
  endpointSlice('backend-fghij', { serviceName: 'backend', ports: [{ name: 'grpc', port: 9000 }], endpoints: [{ ip: '10.244.1.40', podName: 'api-7d9c5b8f4-x2x1q', nodeName: 'node-1' }] }),
  // pending, never scheduled
  pod('pending-1', {}),
  // the same name in two namespaces
  pod('dup', { ...N1, ip: '10.244.1.50' }),
  pod('dup', { ...N2, ip: '10.244.2.50', namespace: 'team-a' }),
  // deleted while cached (see the last test)
  pod('doomed', { ...N1, ip: '10.244.1.60' }),
];

let api: KubeApiServer;
let cached: ReturnType<typeof kubeDeps>;
const sources: KubeSource[] = [];

beforeAll(async () => {
  api = await startKubeApiServer({ objects: OBJECTS });
  cached = kubeDeps(api.kubeconfigPath);
  sources.push(cached.kube);
  expect(await cached.kube.cluster().waitForSync(10_000)).toBe(true);
});

afterAll(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  await api?.stop();
});

/** Asks through the synced cache, or through a brand-new source whose caches have not listed yet. */
async function askVia(mode: 'cache' | 'direct', text: string): Promise<Answer> {
  if (mode === 'cache') return question(cached, text);
  const fresh = kubeDeps(api.kubeconfigPath);
  sources.push(fresh.kube);
  return question(fresh, text);
}

const ports = (a: Answer, source: string) => a.ports.filter((p) => p.source === source).map((p) => `${p.container ?? ''}:${p.port}/${p.protocol}`);

describe.each(['cache', 'direct'] as const)('pod answers (%s)', (mode) => {
  it('a single-container pod: IP, node, CIDR containment, no publishing', async () => {
    const a = await askVia(mode, 'pod webserver-2');
    expect(a.subject).toMatchObject({ kind: 'pod', name: 'webserver-2', namespace: 'default' });
    expect(a.addresses).toEqual([{ network: 'pod network', family: 'ipv4', ip: '10.244.1.30', prefixLength: 24, subnet: '10.244.1.0/24' }]);
    expect(fact(a, 'Node')).toBe('node-1 (InternalIP 192.0.2.21)');
    expect(fact(a, 'Node pod CIDR')).toBe('10.244.1.0/24, fd00:10:244:1::/64');
    expect(fact(a, '10.244.1.30 in node pod CIDR')).toBe('yes (10.244.1.0/24)');
    expect(fact(a, 'Phase')).toBe('Running');
    expect(a.summary).toBe('webserver-2 is 10.244.1.30 on node-1 (pod CIDR 10.244.1.0/24): every pod and node reaches it there on any port its containers listen on, without publishing anything.');
    expect(ports(a, 'declared')).toEqual(['app:80/tcp']);
    expect(a.ports[0]!.note).toBe('Reachable at 10.244.1.30:80/tcp from every pod and node; nothing to publish.');
    expect(a.sharing).toMatchObject({ mode: 'pod', with: ['app'] });
    expect(a.explanations.join('\n')).toMatch(/`kubectl exec webserver-2 -c app -- ip addr`.*shows 10\.244\.1\.30 on eth0/);
    expect(a.explanations.join('\n')).toMatch(/`ping 10\.244\.1\.30` reaches the pod directly/);
    expect(a.warnings).toEqual([]);
  });

  it('two containers on different ports share one IP, no conflict', async () => {
    const a = await askVia(mode, 'pod two-ports');
    expect(ports(a, 'declared')).toEqual(['web:8080/tcp', 'metrics:9090/tcp']);
    expect(a.sharing).toEqual({ mode: 'pod', with: ['web', 'metrics'], note: 'Its containers web, metrics share the pod IP 10.244.1.31 and one set of ports: one network namespace, so each must listen on different ports.' });
    expect(a.warnings).toEqual([]);
  });

  it('a port conflict is a warning', async () => {
    const a = await askVia(mode, 'pod clash');
    expect(a.warnings).toEqual([
      'Port conflict in clash: httpd and nc both declare 8080/tcp. They share one network namespace, so only the first to bind it gets it; the other fails with "address already in use".',
    ]);
  });

  it("hostNetwork: the node's IP and ports, competing with another hostNetwork pod", async () => {
    const a = await askVia(mode, 'pod node-exporter-x1');
    expect(a.summary).toBe("node-exporter-x1 uses node-2's network (hostNetwork: true): its address is the node's 192.0.2.22, and its ports are the node's ports.");
    expect(a.addresses).toEqual([{ network: 'node node-2 (hostNetwork)', family: 'ipv4', ip: '192.0.2.22', prefixLength: 32, subnet: '192.0.2.22/32' }]);
    expect(a.sharing).toMatchObject({ mode: 'host', with: ['node node-2', 'exporter'] });
    expect(ports(a, 'host-network')).toEqual(['exporter:9100/tcp']);
    expect(a.explanations.join(' ')).toMatch(/compete for them with the node's own services/);
    expect(a.warnings.join('\n')).toMatch(/Node port conflict on node-2: team-a\/node-exporter-x1\/exporter \(hostNetwork\), team-a\/other-exporter\/exporter \(hostNetwork\) all want 9100\/tcp/);
  });

  it('a native sidecar counts as a running container; a plain init container does not', async () => {
    const a = await askVia(mode, 'pod meshed');
    expect(a.tables[0]!.rows.map((r) => [r[0], r[1]])).toEqual([
      ['migrate', 'init (runs to completion first)'],
      ['proxy', 'sidecar (init container, restartPolicy: Always)'],
      ['app', 'app'],
    ]);
    expect(a.sharing!.with).toEqual(['proxy', 'app']);
    expect(ports(a, 'declared')).toEqual(['proxy:15001/tcp', 'app:8080/tcp']);
    expect(a.explanations.join(' ')).toMatch(/native sidecar is an init container with restartPolicy: Always/);
  });

  it('dual-stack: both pod IPs, each placed in the node CIDR of its family', async () => {
    const a = await askVia(mode, 'pod dual');
    expect(fact(a, 'Pod IPs')).toBe('10.244.1.34, fd00:10:244:1::34');
    expect(a.addresses.map((x) => `${x.ip} ${x.subnet}`)).toEqual(['10.244.1.34 10.244.1.0/24', 'fd00:10:244:1::34 fd00:10:244:1::/64']);
    expect(fact(a, 'fd00:10:244:1::34 in node pod CIDR')).toBe('yes (fd00:10:244:1::/64)');
    expect(a.summary).toMatch(/^dual is 10\.244\.1\.34 and fd00:10:244:1::34 on node-1/);
  });

  it('a pod selected by two Services: port → named targetPort → containerPort, endpoint state, hostPort', async () => {
    const a = await askVia(mode, 'pod api-7d9c5b8f4-x2x1q');
    const svcTable = a.tables.find((t) => t.title === 'Services selecting this pod')!;
    expect(svcTable.rows).toEqual([
      ['api', '10.96.0.80', '80/tcp', 'http', '8080 (api)', 'ready'],
      ['backend', '10.96.0.90', '9000/tcp (nodePort 30900)', 'grpc', '9000 (api)', 'ready'],
      ['backend', '10.96.0.90', expect.stringMatching(/^9999\/tcp \(nodePort \d+\)$/), 'admin', 'unresolved: no container of the pod declares a port named "admin"', 'ready'],
    ]);
    const viaService = a.ports.filter((p) => p.source === 'service');
    expect(viaService[0]).toEqual({
      port: 80, protocol: 'tcp', source: 'service', name: 'http', container: 'api', targetPort: 8080,
      note: 'Service api 10.96.0.80:80/tcp → targetPort (named "http") → 10.244.1.40:8080 in container api.',
    });
    expect(viaService[1]).toMatchObject({ port: 9000, targetPort: 9000, hostPort: 30900 });
    expect(a.ports.find((p) => p.source === 'hostPort')).toMatchObject({ port: 8080, hostPort: 18080, note: '192.0.2.21:18080 on the node forwards to 10.244.1.40:8080 (hostPort): reachable from outside the cluster through the node.' });
    expect(a.warnings).toContain('Service backend port 9999/tcp: targetPort "admin" does not resolve in api-7d9c5b8f4-x2x1q (no container of the pod declares a port named "admin").');
    expect(fact(a, 'Owner')).toBe('ReplicaSet api-7d9c5b8f4 (Deployment api)');
    expect(a.explanations.join(' ')).toMatch(/named targetPort is looked up in each selected pod/);
  });

  it('a not-ready replica is listed not ready by its Service', async () => {
    const a = await askVia(mode, 'pod api-7d9c5b8f4-k9p2z');
    expect(a.summary).toMatch(/It is not ready, so Services send it no traffic\.$/);
    expect(a.tables.find((t) => t.title === 'Services selecting this pod')!.rows[0]).toEqual(['api', '10.96.0.80', '80/tcp', 'http', '8080 (api)', 'not ready']);
    expect(a.warnings.join('\n')).toMatch(/is not ready \(api not ready\)/);
    expect(a.warnings.join('\n')).toMatch(/Service backend selects api-7d9c5b8f4-k9p2z, but its EndpointSlices do not list it yet/);
  });

  it('a pending pod without an IP is explained, not an error', async () => {
    const a = await askVia(mode, 'pod pending-1');
    expect(a.summary).toBe("pending-1 is Pending and not scheduled on a node yet, so it has no IP: the network plugin assigns one when the pod's sandbox starts on its node.");
    expect(a.addresses).toEqual([]);
    expect(fact(a, 'Pod IP')).toBe('none yet');
    expect(fact(a, 'Node')).toBe('not scheduled yet');
  });

  it('a Deployment-style prefix lists the candidates', async () => {
    const err = await failure(mode === 'cache' ? cached : kubeDeps(api.kubeconfigPath), 'pod api');
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'ambiguous', message: 'There is no pod named "api", but 2 pods start with it; which one?' });
    expect((err as UserError).details.slice(0, 2)).toEqual(['api-7d9c5b8f4-k9p2z (namespace default, 10.244.2.41)', 'api-7d9c5b8f4-x2x1q (namespace default, 10.244.1.40)']);
  });

  it('one prefix candidate is answered, saying so', async () => {
    const a = await askVia(mode, 'pod webserver');
    expect(a.subject!.name).toBe('webserver-2');
    expect(a.warnings[0]).toBe('There is no pod named "webserver"; webserver-2 is the only pod whose name starts with it, so this answer is about webserver-2.');
  });

  it('a name in two namespaces is ambiguous without -n and found with it', async () => {
    const err = await failure(mode === 'cache' ? cached : kubeDeps(api.kubeconfigPath), 'pod dup');
    expect(err).toMatchObject({ code: 'ambiguous', message: 'There is a pod "dup" in 2 namespaces (default, team-a); say which with -n.', details: ['pod dup -n default', 'pod dup -n team-a'] });
    const a = await askVia(mode, 'pod dup -n team-a');
    expect(a.addresses[0]!.ip).toBe('10.244.2.50');
  });

  it('a name found in another namespace without -n', async () => {
    const a = await askVia(mode, 'pod other-exporter');
    expect(a.subject).toMatchObject({ name: 'other-exporter', namespace: 'team-a' });
  });

  it('an unknown pod suggests the closest name', async () => {
    const err = await failure(mode === 'cache' ? cached : kubeDeps(api.kubeconfigPath), 'pod webservr-2');
    expect(err).toMatchObject({ code: 'not_found', message: 'There is no pod "webservr-2" in context netpeek-test. Did you mean "webserver-2"?' });
  });
});

describe('a pod deleted while cached', () => {
  it('is not found once the DELETED event arrives', async () => {
    expect((await question(cached, 'pod doomed')).addresses[0]!.ip).toBe('10.244.1.60');
    api.remove({ kind: 'Pod', namespace: 'default', name: 'doomed' });
    const cluster = cached.kube.cluster();
    await until(async () => (await cluster.pod('default', 'doomed')) === undefined, 5000, 'the DELETED event');
    const err = await failure(cached, 'pod doomed');
    expect(err).toMatchObject({ code: 'not_found' });
    expect((err as Error).message).toMatch(/^There is no pod "doomed" in context netpeek-test\./);
  });
});
