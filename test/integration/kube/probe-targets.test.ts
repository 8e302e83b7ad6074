/** Deps.probeResolvers from the Kubernetes source: pods and pod-CIDR addresses placed on their node. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeProbeResolvers } from '../../../src/sources/kube-probe-targets.js';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { kubeDeps } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
      pod('webserver-2', { ip: '10.244.1.30', ipv6: 'fd00::30', nodeName: 'node-1', containers: [{ name: 'web', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }] }),
      pod('exporter', { hostNetwork: true, nodeName: 'node-1', hostIP: '192.0.2.21', containers: [{ name: 'x', ports: [{ containerPort: 9100 }] }] }),
      pod('pending-1', {}),
    ],
  });
  deps = kubeDeps(api.kubeconfigPath);
});

afterAll(async () => {
  await deps?.kube.stop();
  await api?.stop();
});

describe('kubeProbeResolvers', () => {
  it('places a pod on its node with its IPv4 address, subnet and TCP ports', async () => {
    const { pods } = kubeProbeResolvers(deps.kube)();
    expect(await pods!('webserver-2', undefined)).toEqual({
      kind: 'pod', name: 'default/webserver-2', ip: '10.244.1.30', vantage: { kind: 'node', node: 'node-1', context: 'netpeek-test' }, ports: [{ port: 80, protocol: 'tcp' }],
      networks: ['pod network of node node-1'], subnet: '10.244.1.0/24', node: 'node-1', namespace: 'default', hostNetwork: false,
      // What --from pod/webserver-2 enters through node-1's agent: the running containers' IDs, never a PID.
      containers: [{ id: expect.stringMatching(/^containerd:\/\/[0-9a-f]{64}$/), name: 'web' }],
    });
    const exporter = await pods!('exporter', 'default');
    expect(exporter).toMatchObject({ ip: '192.0.2.21', hostNetwork: true, networks: ['node node-1 (hostNetwork)'] });
    expect(exporter!.containers).toBeUndefined();
  });

  it('a missing pod is undefined; a pending one is explained', async () => {
    const { pods } = kubeProbeResolvers(deps.kube)();
    expect(await pods!('nope', undefined)).toBeUndefined();
    await expect(pods!('pending-1', undefined)).rejects.toMatchObject({ message: 'Pod pending-1 is Pending and not on a node yet, so there is nothing to probe.' });
  });

  it('places an address inside a node pod CIDR', async () => {
    const { placeAddress } = kubeProbeResolvers(deps.kube)();
    expect(await placeAddress!('10.244.1.99')).toMatchObject({ kind: 'ip', vantage: { kind: 'node', node: 'node-1' }, subnet: '10.244.1.0/24' });
    expect(await placeAddress!('10.9.9.9')).toBeUndefined();
  });
});
