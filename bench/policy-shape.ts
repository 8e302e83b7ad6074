/**
 * The 2,000 NetworkPolicies of bench:policy, over the benchmark cluster of bench/kube-cluster-shape.ts
 * (at 10k pods: 50 namespaces, 40 Services of 5 pods each per namespace, pods labelled app=svc-N with container
 * ports http 8080 and metrics 9090). Per namespace, 40 policies of mixed kinds: a default deny, pod
 * selectors of the namespace, namespace + pod selectors across namespaces, ipBlocks with except,
 * named ports, endPort ranges, matchExpressions, egress rules with UDP.
 */
import type { KubeObject } from '../test/support/kube-apiserver/index.js';
import { networkPolicy } from '../test/support/kube-apiserver/fixtures.js';
import { NAMESPACES, SERVICES } from './kube-cluster-shape.js';

/** 40 (bench:policy: 2,000 at 10k pods); bench:scale sets 20 for the 10,000 policies at 100k pods. */
export const POLICIES_PER_NAMESPACE = Number(process.env.BENCH_POLICIES_PER_NAMESPACE ?? 40);
export const POLICIES = NAMESPACES * POLICIES_PER_NAMESPACE;

/** team-N gets tier=t<N mod 5> and zone=z<N mod 3>: what the namespaceSelectors match. */
export function namespaceLabels(ns: number): Record<string, string> {
  return { tier: `t${ns % 5}`, zone: `z${ns % 3}` };
}

/** Service numbers of namespace ns (svc-s lives in team-(s mod 50)). */
const servicesOf = (ns: number) => Array.from({ length: SERVICES / NAMESPACES }, (_, k) => k * NAMESPACES + ns);

export function networkPolicies(): KubeObject[] {
  const out: KubeObject[] = [];
  for (let ns = 0; ns < NAMESPACES; ns++) {
    const namespace = `team-${ns}`;
    const svcs = servicesOf(ns);
    out.push(networkPolicy('default-deny', { policyTypes: ['Ingress'] }, namespace));
    for (let i = 1; i < POLICIES_PER_NAMESPACE; i++) {
      const target = { matchLabels: { app: `svc-${svcs[i % svcs.length]}` } };
      const peerApp = `svc-${svcs[(i * 7) % svcs.length]}`;
      const name = `p-${i}`;
      switch (i % 6) {
        case 0:
          out.push(networkPolicy(name, { podSelector: target, ingress: [{ from: [{ podSelector: { matchLabels: { app: peerApp } } }], ports: [{ port: 8080 }] }] }, namespace));
          break;
        case 1:
          out.push(networkPolicy(name, { podSelector: target, ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: `t${i % 5}` } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } }], ports: [{ port: 'http' }] }] }, namespace));
          break;
        case 2:
          out.push(networkPolicy(name, { podSelector: target, ingress: [{ from: [{ ipBlock: { cidr: '10.64.0.0/10', except: [`10.64.${i}.0/24`] } }], ports: [{ port: 9000, endPort: 9100 }] }] }, namespace));
          break;
        case 3:
          out.push(networkPolicy(name, { podSelector: target, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z0', 'z1'] }] } }], ports: [{ port: 'metrics' }] }], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }, { to: [{ namespaceSelector: {} }], ports: [{ port: 8080 }, { port: 9090 }] }] }, namespace));
          break;
        case 4:
          out.push(networkPolicy(name, { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [`svc-${svcs[i % svcs.length]}`, peerApp] }] }, ingress: [{ from: [{ podSelector: {} }, { ipBlock: { cidr: '192.168.0.0/16' } }] }] }, namespace));
          break;
        default:
          out.push(networkPolicy(name, { podSelector: target, ingress: [{ from: [{ namespaceSelector: { matchLabels: { zone: `z${i % 3}` } }, podSelector: { matchLabels: { app: peerApp } } }], ports: [{ port: 8080 }, { protocol: 'UDP', port: 8125 }] }] }, namespace));
      }
    }
  }
  return out;
}
