import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodeIp, selects, toEndpointSlice, toNode, toPod, toService } from '../../../src/sources/kube-model.js';
import { endpointSlice, node, pod, service } from '../../support/kube-apiserver/fixtures.js';

describe('toPod', () => {
  it('keeps what answers need, with init containers, native sidecars and app containers in order', () => {
    const raw = pod('meshed-1', {
      ip: '10.244.1.5',
      ipv6: 'fd00::5',
      nodeName: 'node-1',
      hostIP: '192.0.2.21',
      initContainers: [{ name: 'migrate' }],
      sidecars: [{ name: 'proxy', ports: [{ name: 'proxy', containerPort: 15001 }] }],
      containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080, hostPort: 18080 }, { containerPort: 53, protocol: 'UDP' }] }],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'meshed-7d9c5b', uid: 'u', controller: true }],
    }) as V1Pod;
    const p = toPod(raw);
    expect(p).toMatchObject({
      namespace: 'default',
      name: 'meshed-1',
      labels: { app: 'meshed' },
      owner: { kind: 'ReplicaSet', name: 'meshed-7d9c5b' },
      nodeName: 'node-1',
      hostNetwork: false,
      phase: 'Running',
      podIPs: ['10.244.1.5', 'fd00::5'],
      hostIPs: ['192.0.2.21'],
      ready: true,
      terminating: false,
    });
    expect(p.containers.map((c) => [c.name, c.kind, c.state])).toEqual([
      ['migrate', 'init', 'terminated'],
      ['proxy', 'sidecar', 'running'],
      ['app', 'app', 'running'],
    ]);
    expect(p.containers[2]!.ports).toEqual([
      { port: 8080, protocol: 'tcp', name: 'http', hostPort: 18080 },
      { port: 53, protocol: 'udp' },
    ]);
    expect(p.containers[0]!.stateReason).toBe('Completed');
  });

  it('falls back to podIP, and reads deletionTimestamp as a Date or a string alike', () => {
    const raw = pod('old', { ip: '10.1.0.30' }) as V1Pod;
    delete raw.status!.podIPs;
    expect(toPod(raw).podIPs).toEqual(['10.1.0.30']);
    expect(toPod({ ...raw, metadata: { ...raw.metadata, deletionTimestamp: new Date() } }).terminating).toBe(true);
    expect(toPod({ ...raw, metadata: { ...raw.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' as unknown as Date } }).terminating).toBe(true);
  });

  it('a pending pod has no IPs and is not ready', () => {
    expect(toPod(pod('pending') as V1Pod)).toMatchObject({ phase: 'Pending', podIPs: [], ready: false });
  });

  it('an unschedulable pod carries the scheduler\'s message; merely unscheduled is not unschedulable', () => {
    const raw = pod('big') as V1Pod;
    Object.assign(raw.status!.conditions!.find((c) => c.type === 'PodScheduled')!, { status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' });
    expect(toPod(raw).unschedulable).toBe('0/3 nodes are available: 3 Insufficient memory.');
    expect(toPod(pod('pending') as V1Pod).unschedulable).toBeUndefined();
  });
});

describe('toService / selects', () => {
  it('reads ports, ClusterIPs and selector; headless has no ClusterIP', () => {
    const s = toService(service('web', { clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }] }) as V1Service);
    expect(s).toMatchObject({ type: 'NodePort', clusterIPs: ['10.96.0.10'], headless: false, selector: { app: 'web' } });
    expect(s.ports).toEqual([{ name: 'http', port: 80, protocol: 'tcp', targetPort: 'http', nodePort: 30080 }]);
    expect(toService(service('db', { clusterIP: 'None' }) as V1Service)).toMatchObject({ clusterIPs: [], headless: true });
    expect(toService(service('manual', { selector: null }) as V1Service).selector).toBeUndefined();
  });

  it('selects pods in its namespace whose labels match', () => {
    const s = toService(service('web', { selector: { app: 'web' } }) as V1Service);
    expect(selects(s, toPod(pod('web-1', { labels: { app: 'web', v: '2' } }) as V1Pod))).toBe(true);
    expect(selects(s, toPod(pod('web-1', { labels: { app: 'api' } }) as V1Pod))).toBe(false);
    expect(selects(s, toPod(pod('web-1', { namespace: 'other', labels: { app: 'web' } }) as V1Pod))).toBe(false);
  });
});

describe('toEndpointSlice / toNode', () => {
  it('reads endpoint conditions (absent ready means ready) and the owning Service', () => {
    const raw = endpointSlice('web-abcde', { endpoints: [{ ip: '10.244.1.5', podName: 'web-1', nodeName: 'node-1' }, { ip: '10.244.1.6', terminating: true }] }) as unknown as V1EndpointSlice;
    delete raw.endpoints[0]!.conditions!.ready;
    const e = toEndpointSlice(raw);
    expect(e.serviceName).toBe('web');
    expect(e.endpoints).toEqual([
      { addresses: ['10.244.1.5'], ready: true, serving: true, terminating: false, pod: { namespace: 'default', name: 'web-1' }, nodeName: 'node-1' },
      { addresses: ['10.244.1.6'], ready: false, serving: false, terminating: true },
    ]);
  });

  it('reads node addresses, pod CIDRs and roles', () => {
    const n = toNode(node('cp-1', { internalIP: '192.0.2.10', podCIDR: '10.244.0.0/24', podCIDRv6: 'fd00:10:244::/64', roles: ['control-plane'] }) as V1Node);
    expect(n).toMatchObject({ name: 'cp-1', podCIDRs: ['10.244.0.0/24', 'fd00:10:244::/64'], ready: true, roles: ['control-plane'], kubeletVersion: 'v1.32.4' });
    expect(nodeIp(n)).toBe('192.0.2.10');
  });
});
