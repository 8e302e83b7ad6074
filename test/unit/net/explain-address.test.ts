import { describe, expect, it } from 'vitest';
import { addressSummary, holderPhrase, kubeUnheldSentence, mentionsAddress, rangePhrase } from '../../../src/net/explain-address.js';

describe('what an address is, in words', () => {
  it('one holder: the pod, its namespace and node', () => {
    expect(addressSummary('10.244.1.10', [{ kind: 'pod', namespace: 'shop', name: 'web-1', node: 'node-1', hostNetwork: false, phase: 'Running' }], [])).toBe(
      '10.244.1.10 is held by pod shop/web-1 on node node-1.',
    );
  });

  it('several holders are all named: a container and the pod built on it', () => {
    const s = addressSummary('10.210.3.2', [
      { kind: 'pod', namespace: 'default', name: 'web-1', node: 'node-1', hostNetwork: false, phase: 'Running' },
      { kind: 'container', name: 'web-1-pause', network: 'podnet', sharedWith: ['web-1-app'] },
    ], []);
    expect(s).toContain('held by 2 things');
    expect(s).toContain('pod default/web-1 on node node-1');
    expect(s).toContain('Docker container web-1-pause on network podnet (shared with web-1-app, started with --network container:web-1-pause)');
  });

  it('a Service, a node, a gateway, a hostNetwork pod', () => {
    expect(holderPhrase({ kind: 'service', namespace: 'shop', name: 'web', type: 'ClusterIP', as: 'ClusterIP' })).toBe('Service shop/web (ClusterIP, its ClusterIP)');
    expect(holderPhrase({ kind: 'node', name: 'node-1', addressType: 'InternalIP' })).toBe('node node-1 (its InternalIP)');
    expect(holderPhrase({ kind: 'gateway', network: 'lab', driver: 'bridge' })).toBe("the Docker host: the gateway of Docker network lab (its bridge interface on the host)");
    expect(holderPhrase({ kind: 'pod', namespace: 'kube-system', name: 'agent-1', node: 'node-1', hostNetwork: true, phase: 'Running' })).toContain("uses its node node-1's address");
  });

  it('nothing holds it: the first range it is in, and what that means', () => {
    expect(addressSummary('10.244.1.99', [], [{ kind: 'pod-cidr', node: 'node-1', cidr: '10.244.1.0/24' }])).toBe(
      "Nothing netpeek sees holds 10.244.1.99; it is inside node node-1's pod CIDR 10.244.1.0/24: a pod address that no running pod holds now (pod IPs change when a pod is recreated).",
    );
    expect(addressSummary('10.210.3.77', [], [{ kind: 'docker-network', network: 'lab', cidr: '10.210.3.0/24', driver: 'bridge' }])).toContain("inside Docker network lab's subnet 10.210.3.0/24 (bridge): an address Docker has not given to any running container");
    expect(rangePhrase({ kind: 'service-cidr', guess: { cidr: '10.96.0.0/12', basis: 'default', who: 'kubeadm', from: 3, family: 'ipv4' } })).toBe('the service CIDR 10.96.0.0/12 (the default of kubeadm, holding the ClusterIPs in use)');
    expect(addressSummary('203.0.113.9', [], [])).toContain('in none of the ranges netpeek knows');
  });

  it("the cluster's half of why's resolve step", () => {
    expect(kubeUnheldSentence({ podCidrs: ['10.244.1.0/24', '10.244.2.0/24'] })).toBe(
      "it is outside every node's pod CIDR (10.244.1.0/24, 10.244.2.0/24) and outside the service CIDR the ClusterIPs suggest: not an address of this cluster's pods or Services",
    );
  });

  it('a change diff names the address only as a whole address', () => {
    expect(mentionsAddress('IP 10.244.1.10 → 10.244.1.12', '10.244.1.10')).toBe(true);
    expect(mentionsAddress('deleted (was 10.244.1.10 on node-1)', '10.244.1.10')).toBe(true);
    expect(mentionsAddress('created on node-1, IP 10.244.1.100, running', '10.244.1.10')).toBe(false);
    expect(mentionsAddress('IP 110.244.1.10', '10.244.1.10')).toBe(false);
    expect(mentionsAddress('endpoint 10.244.1.10.', '10.244.1.10')).toBe(true);
    expect(mentionsAddress('IP fd00::10 → fd00::11', 'fd00::1')).toBe(false);
  });
});
