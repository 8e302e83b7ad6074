import { describe, expect, it } from 'vitest';
import { explainPath, type Placement } from '../../../src/net/explain-path.js';

const ctr = (name: string, ip: string, networks: string[]): Placement => ({ kind: 'container', name, ip, networks, hostNetwork: false, world: 'docker' });
const pod = (name: string, ip: string, node: string, hostNetwork = false): Placement => ({ kind: 'pod', name, ip, networks: ['pod network'], node, hostNetwork, world: 'cluster' });

describe('explainPath', () => {
  it('same bridge network: direct', () => {
    const v = explainPath(ctr('web-1', '172.17.0.3', ['bridge']), ctr('db-0', '172.17.0.2', ['bridge', 'backend']));
    expect(v).toMatchObject({ kind: 'same-bridge', direct: true });
    expect(v.sentences[0]).toContain('both on network bridge');
  });

  it('different bridges: not direct, says how to connect', () => {
    const v = explainPath(ctr('web-1', '10.1.0.2', ['front']), ctr('db-0', '10.2.0.2', ['back']));
    expect(v).toMatchObject({ kind: 'different-bridges', direct: false });
    expect(v.sentences[1]).toContain('docker network connect front db-0');
  });

  it('one namespace: localhost and different ports', () => {
    expect(explainPath(ctr('a', '172.17.0.2', ['bridge']), ctr('b', '172.17.0.2', ['bridge'])).sentences[0]).toMatch(/share one network namespace .* must bind different ports/);
  });

  it('pods on one node and across nodes', () => {
    expect(explainPath(pod('a', '10.1.0.5', 'n1'), pod('b', '10.1.0.6', 'n1')).kind).toBe('same-node');
    const across = explainPath(pod('a', '10.1.0.5', 'n1'), pod('b', '10.1.1.6', 'n2'));
    expect(across).toMatchObject({ kind: 'across-nodes', direct: true });
    expect(across.sentences[0]).toMatch(/routes between the nodes' pod CIDRs/);
  });

  it('hostNetwork pods are reached at the node address', () => {
    expect(explainPath(pod('a', '10.1.0.5', 'n1'), pod('agent', '192.168.1.10', 'n2', true)).sentences[0]).toMatch(/node's address 192\.168\.1\.10, and its ports are the node's ports/);
  });

  it('Docker container to pod: two networks, use a Service', () => {
    const v = explainPath(ctr('web-1', '172.17.0.2', ['bridge']), pod('db-0', '10.1.0.30', 'n1'));
    expect(v).toMatchObject({ kind: 'docker-to-cluster', direct: false });
    expect(v.sentences[1]).toMatch(/Service \(NodePort or LoadBalancer\)/);
  });
});
