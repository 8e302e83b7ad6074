import { describe, expect, it } from 'vitest';
import { kubeRouteStep, nodeRouteStep, type RouteNode } from '../../../src/net/why-route-step.js';

const n1: RouteNode = { name: 'node-1', ready: true, podCIDRs: ['10.244.1.0/24'], ip: '192.168.50.11' };
const n2: RouteNode = { name: 'node-2', ready: true, podCIDRs: ['10.244.2.0/24'], ip: '192.168.50.12' };
const client = { kind: 'pod' as const, name: 'shop/client-1', ip: '10.244.1.50', hostNetwork: false, node: n1 };
const web = (node: RouteNode, ip = '10.244.2.7') => ({ kind: 'pod' as const, name: 'shop/web-1', ip, hostNetwork: false, node, nodeName: node.name });

describe('kubeRouteStep', () => {
  it('same node: passes, naming the node', () => {
    const s = kubeRouteStep({ from: client, to: web(n1, '10.244.1.7') });
    expect(s).toEqual({ id: 'route', status: 'pass', evidence: 'pod shop/client-1 and pod shop/web-1 run on the same node (node-1): traffic to 10.244.1.7 stays on that node\'s pod network.' });
  });

  it('across nodes: passes through the destination node\'s pod CIDR, and names the ClusterIP hop for a Service', () => {
    const s = kubeRouteStep({ from: client, to: web(n2), service: { name: 'shop/web', type: 'ClusterIP', clusterIP: '10.96.0.9', loadBalancerIPs: [], readyNodes: [] } });
    expect(s.status).toBe('pass');
    expect(s.evidence).toBe("pod shop/client-1 on node node-1 and pod shop/web-1 on node node-2 are on different nodes: the network plugin routes node node-2's pod CIDR 10.244.2.0/24, which holds 10.244.2.7. Through Service shop/web: kube-proxy on the client's node rewrites its ClusterIP 10.96.0.9 to the endpoint's address.");
  });

  it('a pod IP outside its node\'s pod CIDR is a warning; a node without pod CIDR is a skip, never a pass', () => {
    expect(kubeRouteStep({ from: client, to: web(n2, '10.244.9.7') })).toMatchObject({ status: 'warn', evidence: expect.stringContaining("10.244.9.7 is outside node node-2's pod CIDR 10.244.2.0/24") });
    expect(kubeRouteStep({ from: client, to: web({ ...n2, podCIDRs: [] }) })).toMatchObject({ status: 'skip', evidence: expect.stringMatching(/^Not checked: .*node node-2 declares no pod CIDR/) });
  });

  it('a destination (or client) on a NotReady node fails, naming the node', () => {
    const down = { ...n2, ready: false };
    const s = kubeRouteStep({ from: client, to: web(down) });
    expect(s).toMatchObject({ status: 'fail', evidence: 'pod shop/web-1 runs on node node-2, which is not Ready: its kubelet is not reporting, so the pod network there is not kept up.' });
    expect(s.fix).toContain('node node-2');
    expect(kubeRouteStep({ from: { ...client, node: { ...n1, ready: false } }, to: web(n2) })).toMatchObject({ status: 'fail', evidence: expect.stringContaining('The client pod shop/client-1 runs on node node-1') });
  });

  it('host network: passes at the node\'s address', () => {
    const s = kubeRouteStep({ from: client, to: { ...web(n2, '192.168.50.12'), hostNetwork: true } });
    expect(s).toMatchObject({ status: 'pass', evidence: expect.stringContaining("pod shop/web-1 uses its node's network (hostNetwork)") });
    expect(s.evidence).toContain('node node-2 (192.168.50.12)');
  });

  it('from outside the cluster: a ClusterIP Service fails for an outside address, is a warning from `here`', () => {
    const svc = { name: 'shop/web', type: 'ClusterIP', clusterIP: '10.96.0.9', port: { port: 80 }, loadBalancerIPs: [], readyNodes: [n1, n2] };
    const outside = kubeRouteStep({ from: { kind: 'outside', name: '203.0.113.9', what: 'an address no pod or node of the cluster has' }, to: web(n2), service: svc });
    expect(outside.status).toBe('fail');
    expect(outside.evidence).toContain('its ClusterIP 10.96.0.9 is answered only by kube-proxy on the cluster\'s nodes');
    expect(outside.fix).toContain('NodePort or LoadBalancer');
    expect(kubeRouteStep({ from: { kind: 'outside', name: 'here', what: "netpeek's host", maybeInside: true }, to: web(n2), service: svc }).status).toBe('warn');
  });

  it('from outside: NodePort passes with the nodes\' addresses; a LoadBalancer passes at its address, warns while pending', () => {
    const from = { kind: 'outside' as const, name: '203.0.113.9', what: 'outside' };
    const np = kubeRouteStep({ from, to: web(n2), service: { name: 'shop/web', type: 'NodePort', port: { port: 80, nodePort: 30080 }, loadBalancerIPs: [], readyNodes: [n1, n2] } });
    expect(np).toMatchObject({ status: 'pass', evidence: expect.stringContaining('NodePort 30080 of any Ready node: 192.168.50.11:30080 (node-1), 192.168.50.12:30080 (node-2)') });
    const lb = kubeRouteStep({ from, to: web(n2), service: { name: 'shop/web', type: 'LoadBalancer', port: { port: 80, nodePort: 30080 }, loadBalancerIPs: ['198.51.100.4'], readyNodes: [n1] } });
    expect(lb).toMatchObject({ status: 'pass', evidence: expect.stringContaining('at its load balancer 198.51.100.4 port 80') });
    const pending = kubeRouteStep({ from, to: web(n2), service: { name: 'shop/web', type: 'LoadBalancer', port: { port: 80, nodePort: 30080 }, loadBalancerIPs: [], readyNodes: [n1] } });
    expect(pending).toMatchObject({ status: 'warn', evidence: expect.stringContaining('no address yet (pending)') });
    const none = kubeRouteStep({ from, to: web(n2), service: { name: 'shop/web', type: 'LoadBalancer', port: { port: 80 }, loadBalancerIPs: [], readyNodes: [n1] } });
    expect(none.status).toBe('fail');
  });

  it('to a node: passes from a pod; a NotReady node fails; without a client, Ready and an address', () => {
    expect(kubeRouteStep({ from: client, to: { kind: 'node', name: 'node-2', node: n2 } })).toMatchObject({ status: 'pass', evidence: expect.stringContaining('reaches node node-2 (192.168.50.12)') });
    expect(nodeRouteStep(n2)).toEqual({ id: 'route', status: 'pass', evidence: 'node node-2 is Ready and is reached at its address 192.168.50.12; it routes pod CIDR 10.244.2.0/24.' });
    expect(nodeRouteStep({ ...n2, ready: false })).toMatchObject({ status: 'fail', evidence: expect.stringContaining('node node-2, which is not Ready') });
  });

  it('a pod whose node is not in the API, or not scheduled, is a skip with the reason', () => {
    expect(kubeRouteStep({ from: client, to: { kind: 'pod', name: 'shop/x', hostNetwork: false, nodeName: 'gone' } }).evidence).toContain('node gone, which is not in the API');
    expect(kubeRouteStep({ from: client, to: { kind: 'pod', name: 'shop/x', hostNetwork: false, phase: 'Pending' } }).evidence).toContain('is Pending and not on a node yet');
  });
});
