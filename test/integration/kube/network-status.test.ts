/** The Kubernetes parts of `network` and `status`: node pod CIDRs, the inferred service range, Docker's bridge beside them, contexts and caches. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { dockerDesktopFake } from '../../support/docker-desktop-fake.js';
import { freeTcpPort } from '../../support/docker-fixtures.js';
import { kubeDeps, kubeconfigFor, question } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      node('desktop-1', { internalIP: '192.168.65.3', podCIDR: '10.1.0.0/24' }),
      node('desktop-2', { internalIP: '192.168.65.4', podCIDR: '10.1.1.0/24' }),
      node('odd', { internalIP: '192.168.65.5', podCIDR: '172.17.5.0/24' }),
      pod('webserver-2', { ip: '10.1.0.30', nodeName: 'desktop-1' }),
      service('kubernetes', { clusterIP: '10.96.0.1', selector: null, ports: [{ name: 'https', port: 443, targetPort: 6443 }] }),
      service('web', { clusterIP: '10.96.12.7' }),
      service('db', { clusterIP: 'None' }),
    ],
  });
  deps = kubeDeps(api.kubeconfigPath);
});

afterAll(async () => {
  await deps?.kube.stop();
  await api?.stop();
});

describe('network with Kubernetes', () => {
  it("lists each node's pod CIDR and the inferred service CIDR beside Docker's networks, and says how they differ", async () => {
    const a = await question({ ...deps, docker: dockerDesktopFake() }, 'network');
    const rows = a.tables[0]!.rows;
    expect(rows[0]).toEqual(['bridge', 'Docker', 'bridge', '172.17.0.0/16', '172.17.0.1', '']);
    expect(rows.slice(1)).toEqual([
      ['pod network (netpeek-test)', 'Kubernetes', 'network plugin', '10.1.0.0/23, 172.17.5.0/24', '—', 'at least these ranges: covers the pod CIDRs of 3 nodes'],
      ['pods on desktop-1', 'Kubernetes', 'pod CIDR', '10.1.0.0/24', '—', 'node 192.168.65.3'],
      ['pods on desktop-2', 'Kubernetes', 'pod CIDR', '10.1.1.0/24', '—', 'node 192.168.65.4'],
      ['pods on odd', 'Kubernetes', 'pod CIDR', '172.17.5.0/24', '—', 'node 192.168.65.5'],
      ['services (netpeek-test)', 'Kubernetes', 'ClusterIP', '10.96.0.0/12', '—', 'probably: the default of kubeadm, kind, minikube and Docker Desktop'],
    ]);
    expect(a.explanations).toContain(
      "The pod network (10.1.0.0/23, 172.17.5.0/24) is a different subnet from Docker's 172.17.0.0/16 (bridge): pod IPs come from the cluster's network plugin, container IPs on a Docker network from Docker.",
    );
    expect(a.explanations).toContain('Service CIDR: probably 10.96.0.0/12, the default of kubeadm, kind, minikube and Docker Desktop; all 2 ClusterIPs seen fall inside it.');
    expect(a.warnings).toEqual([
      'Pod CIDR 172.17.5.0/24 overlaps Docker network "bridge" (172.17.0.0/16): on a machine that has both, packets for one range can be routed to the other. Give Docker or the cluster a different range.',
    ]);
  });

  it('network pod-network: the pod CIDRs by node', async () => {
    const a = await question(deps, 'network pod-network');
    expect(a.tables[0]!.rows).toEqual([
      ['desktop-1', '192.168.65.3', '10.1.0.0/24'],
      ['desktop-2', '192.168.65.4', '10.1.1.0/24'],
      ['odd', '192.168.65.5', '172.17.5.0/24'],
    ]);
    expect(a.summary).toBe('The pod network of context netpeek-test spans at least 10.1.0.0/23 and 172.17.5.0/24 across 3 nodes.');
  });

  it('Kubernetes down: Docker networks still listed, Kubernetes as a warning', async () => {
    const down = kubeDeps(await kubeconfigFor(`http://127.0.0.1:${await freeTcpPort()}`));
    const a = await question({ ...down, docker: dockerDesktopFake() }, 'network');
    expect(a.tables[0]!.rows.map((r) => r[0])).toEqual(['bridge']);
    expect(a.warnings[0]).toMatch(/^Kubernetes: The Kubernetes API server at http:\/\/127\.0\.0\.1:\d+ \(context nowhere\) did not answer: connection refused\.$/);
    await down.kube.stop();
  });
});

describe('status with Kubernetes', () => {
  it('shows the default context, its server version and cache state', async () => {
    const before = await question(deps, 'status');
    const row = before.tables[0]!.rows.find((r) => r[0] === 'Kubernetes (context netpeek-test)')!;
    expect(row[1]).toBe('answers');
    expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
    const after = await question(deps, 'status');
    expect(after.tables[0]!.rows.find((r) => r[0] === 'Kubernetes (context netpeek-test)')).toEqual([
      'Kubernetes (context netpeek-test)',
      'answers',
      `Kubernetes v1.32.4: netpeek-test (default) at ${api.url}: caches synced (pods 1, services 3, endpointslices 0, nodes 3, namespaces 4, networkpolicies 0)`,
    ]);
    expect(after.facts).toContainEqual({ label: 'Kubernetes netpeek-test', value: `v1.32.4 at ${api.url} (default context)` });
    expect(after.facts).toContainEqual({ label: 'netpeek-test watch caches', value: 'pods 1, services 3, endpointslices 0, nodes 3, namespaces 4, networkpolicies 0' });
  });

  it('an unreachable server and a missing kubeconfig are reported, not thrown', async () => {
    const server = `http://127.0.0.1:${await freeTcpPort()}`;
    const down = kubeDeps(await kubeconfigFor(server));
    const a = await question(down, 'status');
    expect(a.tables[0]!.rows).toContainEqual(['Kubernetes (context nowhere)', 'does not answer', `The Kubernetes API server at ${server} (context nowhere) did not answer: connection refused.`]);
    const none = kubeDeps('/nonexistent/kubeconfig');
    expect((await question(none, 'status')).tables[0]!.rows).toContainEqual([
      'Kubernetes',
      'does not answer',
      'No Kubernetes cluster: KUBECONFIG points to /nonexistent/kubeconfig, which does not exist.',
    ]);
  });
});
