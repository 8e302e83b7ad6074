/** `svc` and `node` against the test API server with the real client-node, from the synced caches. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointSlice, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { fact, failure, kubeDeps, question } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      node('node-1', { internalIP: '192.0.2.21', externalIP: '203.0.113.21', podCIDR: '10.244.1.0/24', roles: ['control-plane'] }),
      node('node-2', { internalIP: '192.0.2.22', podCIDR: '10.244.2.0/24', ready: false }),
      // two versions of web use different numbers behind the named port "http"
      pod('web-a1', { ip: '10.244.1.10', nodeName: 'node-1', labels: { app: 'web' }, containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }] }),
      pod('web-a2', { ip: '10.244.2.11', nodeName: 'node-2', labels: { app: 'web' }, ready: false, containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }] }),
      pod('web-b1', { ip: '10.244.1.12', nodeName: 'node-1', labels: { app: 'web' }, containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8081 }] }] }),
      service('web', { clusterIP: '10.96.0.50', type: 'LoadBalancer', loadBalancerIPs: ['198.51.100.7'], ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 31080 }] }),
      endpointSlice('web-x1', {
        serviceName: 'web',
        ports: [{ name: 'http', port: 8080 }],
        endpoints: [
          { ip: '10.244.1.10', podName: 'web-a1', nodeName: 'node-1' },
          { ip: '10.244.2.11', podName: 'web-a2', nodeName: 'node-2', ready: false },
        ],
      }),
      endpointSlice('web-x2', { serviceName: 'web', ports: [{ name: 'http', port: 8081 }], endpoints: [{ ip: '10.244.1.12', podName: 'web-b1', nodeName: 'node-1', terminating: true, serving: true }] }),
      service('db', { clusterIP: 'None', ports: [{ port: 5432 }] }),
      service('ghost', { selector: { app: 'nothing' }, ports: [{ port: 80 }] }),
      service('upstream', { type: 'ExternalName', externalName: 'api.example.internal' }),
      // hostNetwork and hostPort pods on node-1 that want the same node port
      pod('agent-1', { nodeName: 'node-1', hostIP: '192.0.2.21', hostNetwork: true, namespace: 'kube-system', containers: [{ name: 'agent', ports: [{ containerPort: 9100 }] }] }),
      pod('proxy-1', { ip: '10.244.1.20', nodeName: 'node-1', containers: [{ name: 'proxy', ports: [{ containerPort: 80, hostPort: 9100 }] }] }),
    ],
  });
  deps = kubeDeps(api.kubeconfigPath, {}, { NETPEEK_AGENTS: 'node-1=http://192.0.2.21:7070' });
  expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
});

afterAll(async () => {
  await deps?.kube.stop();
  await api?.stop();
});

describe('svc', () => {
  it('type, ClusterIP, LoadBalancer, ports with the named targetPort resolved per pod, endpoints by state', async () => {
    const a = await question(deps, 'svc web');
    expect(a.subject).toMatchObject({ kind: 'service', name: 'web', namespace: 'default' });
    expect(fact(a, 'Type')).toBe('LoadBalancer');
    expect(fact(a, 'ClusterIP')).toBe('10.96.0.50');
    expect(fact(a, 'Load balancer')).toBe('198.51.100.7');
    expect(fact(a, 'Selector')).toBe('app=web');
    expect(a.tables.find((t) => t.title === 'Ports')!.rows).toEqual([
      ['http', '80/tcp', 'http', 'http → 8080 (container web): web-a1, web-a2; http → 8081 (container web): web-b1', '31080'],
    ]);
    expect(a.tables.find((t) => t.title === 'Endpoints')!.rows).toEqual([
      ['web-a1', '10.244.1.10', 'node-1', 'ready', 'http 8080/tcp'],
      ['web-a2', '10.244.2.11', 'node-2', 'not ready', 'http 8080/tcp'],
      ['web-b1', '10.244.1.12', 'node-1', 'terminating (still serving)', 'http 8081/tcp'],
    ]);
    expect(a.summary).toBe('web is a LoadBalancer Service at 10.96.0.50 with 3 endpoints (1 ready, 1 not ready, 1 terminating).');
    expect(a.ports).toEqual([expect.objectContaining({ port: 80, source: 'service', targetPort: 'http', hostPort: 31080 })]);
    expect(a.explanations.join(' ')).toMatch(/NodePort Service also listens/);
    expect(a.explanations.join(' ')).toMatch(/LoadBalancer Service asks the cloud/);
  });

  it('is also `service`, and takes -n', async () => {
    expect((await question(deps, 'service web -n default')).title).toBe('service web');
  });

  it('headless, ExternalName, and a selector that matches nothing', async () => {
    expect(fact(await question(deps, 'svc db'), 'ClusterIP')).toBe('None (headless: DNS returns the pod IPs)');
    const ext = await question(deps, 'svc upstream');
    expect(ext.summary).toBe('upstream is an alias for api.example.internal: DNS answers with that name, no endpoints are involved.');
    const ghost = await question(deps, 'svc ghost');
    expect(ghost.warnings).toContain('The selector matches no pod in namespace default: the Service has nothing to send traffic to.');
  });

  it('an unknown Service suggests the closest name', async () => {
    expect(await failure(deps, 'svc wev')).toMatchObject({ code: 'not_found', message: 'There is no Service "wev" in context netpeek-test. Did you mean "web"?' });
  });
});

describe('node', () => {
  it('addresses, pod CIDR, pods on it, hostNetwork pods and node-port conflicts, and the agent hook', async () => {
    const a = await question(deps, 'node node-1');
    expect(fact(a, 'InternalIP')).toBe('192.0.2.21');
    expect(fact(a, 'ExternalIP')).toBe('203.0.113.21');
    expect(fact(a, 'Pod CIDR')).toBe('10.244.1.0/24');
    expect(fact(a, 'Roles')).toBe('control-plane');
    expect(fact(a, 'Pods')).toBe('4 (1 with hostNetwork)');
    expect(fact(a, 'netpeek agent')).toBe('configured at http://192.0.2.21:7070');
    expect(a.summary).toBe("node-1 is 192.0.2.21, with pod CIDR 10.244.1.0/24: 4 pods run there, 1 on the node's own network.");
    expect(a.tables.find((t) => t.title === "Pods on the node's network (hostNetwork)")!.rows).toEqual([['agent-1', 'kube-system', '9100/tcp (hostPort 9100)']]);
    expect(a.warnings).toEqual([
      'Node port conflict on node-1: default/proxy-1/proxy (hostPort), kube-system/agent-1/agent (hostNetwork) all want 9100/tcp on the node; only one of them can bind it.',
    ]);
    expect(a.addresses.map((x) => x.ip)).toEqual(['192.0.2.21', '203.0.113.21']);
  });

  it('a node that is not ready, without an agent', async () => {
    const a = await question(deps, 'node node-2');
    expect(a.warnings).toContain('node-2 is not ready: the kubelet is not reporting, so its pods may be unreachable.');
    expect(fact(a, 'netpeek agent')).toBe('none configured for this node (NETPEEK_AGENTS)');
  });

  it('an unknown node lists the nodes', async () => {
    expect(await failure(deps, 'node node-3')).toMatchObject({ code: 'not_found', details: ['Nodes: node-1, node-2', 'Example: node worker-1'] });
  });
});
