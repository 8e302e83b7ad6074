import { describe, expect, it } from 'vitest';
import { changeTouches, endpointSliceChange, networkPolicyChange, nodeChange, podChange, serviceChange, type PodShape } from '../../../src/net/reachability-changes.js';
import type { NetworkPolicySpec } from '../../../src/net/policy-spec.js';

const pod = (o: Partial<PodShape> = {}): PodShape => ({ namespace: 'shop', name: 'web-1', uid: 'u1', nodeName: 'node-1', phase: 'Running', podIPs: ['10.244.1.10'], ready: true, terminating: false, labels: { app: 'web' }, ...o });
const policy = (o: Partial<NetworkPolicySpec> = {}): NetworkPolicySpec => ({ namespace: 'shop', name: 'deny', podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['ingress'], ingress: [], egress: [], unreadable: [], ...o });

describe('pod changes', () => {
  it('says created, deleted, IP changed, rescheduled and readiness flipped', () => {
    expect(podChange(undefined, pod())?.diff).toBe('created on node-1, IP 10.244.1.10, ready');
    expect(podChange(pod(), undefined)?.diff).toBe('deleted (was 10.244.1.10 on node-1)');
    expect(podChange(pod(), pod({ podIPs: ['10.244.1.20'] }))?.diff).toBe('IP 10.244.1.10 → 10.244.1.20');
    expect(podChange(pod(), pod({ ready: false }))?.diff).toBe('ready → not ready');
    expect(podChange(pod(), pod({ uid: 'u2', nodeName: 'node-2', podIPs: ['10.244.2.5'] }))?.diff).toBe('recreated; rescheduled node-1 → node-2; IP 10.244.1.10 → 10.244.2.5');
    expect(podChange(pod(), pod({ terminating: true }))?.diff).toBe('ready → terminating');
  });

  it('reports nothing when nothing that moves packets changed', () => {
    expect(podChange(pod(), pod())).toBeUndefined();
  });

  it('names the node it touches', () => {
    expect(podChange(undefined, pod())?.touches).toEqual([{ kind: 'Node', name: 'node-1' }]);
  });
});

describe('Service changes', () => {
  const svc = { namespace: 'shop', name: 'web', type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] };
  it('says selector, ports and type edits in one line', () => {
    expect(serviceChange(svc, { ...svc, selector: { app: 'web2' }, type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', targetPort: 9090, nodePort: 30080 }] })?.diff).toBe(
      'selector app=web → app=web2; ports 80/TCP→8080 → 80/TCP→9090 (node 30080); type ClusterIP → NodePort',
    );
    expect(serviceChange(svc, { ...svc })).toBeUndefined();
    expect(serviceChange(undefined, svc)?.diff).toBe('created: ClusterIP, selector app=web, ports 80/TCP→8080');
  });
});

describe('EndpointSlice changes', () => {
  const slice = (endpoints: { addresses: string[]; ready: boolean; pod?: { namespace: string; name: string } }[]) => ({ namespace: 'shop', name: 'web-x1', serviceName: 'web', endpoints });
  const e1 = { addresses: ['10.244.1.10'], ready: true, pod: { namespace: 'shop', name: 'web-1' } };
  const e2 = { addresses: ['10.244.1.11'], ready: true, pod: { namespace: 'shop', name: 'web-2' } };
  it('says endpoints added, removed and not ready, and touches the Service and the pods', () => {
    const c = endpointSliceChange(slice([e1, e2]), slice([{ ...e1, ready: false }, { addresses: ['10.244.1.12'], ready: true }]))!;
    expect(c.diff).toBe('added 10.244.1.12; removed 10.244.1.11 (web-2); not ready 10.244.1.10 (web-1)');
    expect(c.touches).toEqual([
      { kind: 'Service', namespace: 'shop', name: 'web' },
      { kind: 'Pod', namespace: 'shop', name: 'web-1' },
      { kind: 'Pod', namespace: 'shop', name: 'web-2' },
    ]);
    expect(endpointSliceChange(slice([e1]), slice([e1]))).toBeUndefined();
  });
});

describe('NetworkPolicy changes', () => {
  it('says created, edited and deleted', () => {
    expect(networkPolicyChange(undefined, policy())?.diff).toBe('created: selects app=web, ingress, 0 ingress / 0 egress rules');
    expect(networkPolicyChange(policy(), policy({ podSelector: {}, ingress: [{ peers: [], ports: [] }] }))?.diff).toBe('podSelector app=web → all pods; ingress rules 0 → 1');
    expect(networkPolicyChange(policy(), undefined)?.action).toBe('deleted');
    expect(networkPolicyChange(policy(), policy())).toBeUndefined();
  });
});

describe('node changes', () => {
  it('says Ready/NotReady and cordoned', () => {
    expect(nodeChange({ name: 'n1', ready: true, unschedulable: false }, { name: 'n1', ready: false, unschedulable: true })?.diff).toBe('Ready → NotReady; cordoned');
    expect(nodeChange({ name: 'n1', ready: true, unschedulable: false }, { name: 'n1', ready: true, unschedulable: false })).toBeUndefined();
  });
});

describe('which changes touch a subject', () => {
  it('a pod: its own changes, a policy of its namespace, its node, a slice naming it; not another namespace', () => {
    const subject = { kind: 'Pod' as const, namespace: 'shop', name: 'web-1', nodeName: 'node-1' };
    expect(changeTouches(podChange(pod(), pod({ ready: false }))!, subject)).toBe(true);
    expect(changeTouches(networkPolicyChange(undefined, policy())!, subject)).toBe(true);
    expect(changeTouches(networkPolicyChange(undefined, policy({ namespace: 'other' }))!, subject)).toBe(false);
    expect(changeTouches(nodeChange({ name: 'node-1', ready: true, unschedulable: false }, { name: 'node-1', ready: false, unschedulable: false })!, subject)).toBe(true);
    expect(changeTouches(nodeChange({ name: 'node-2', ready: true, unschedulable: false }, { name: 'node-2', ready: false, unschedulable: false })!, subject)).toBe(false);
  });
});
