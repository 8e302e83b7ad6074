/** The policy map: one node per workload, an edge where the policies of both ends allow a connection. */
import { describe, expect, it } from 'vitest';
import { buildPolicyMap, MAX_MAP_WORKLOADS, policyMapGraph, type Workload } from '../../../src/net/policy-map.js';
import type { PolicyPod } from '../../../src/net/policy-peers.js';
import { engine, np, ns } from './policy-helpers.js';

const pod = (name: string, labels: Record<string, string>, ip: string, o: Partial<PolicyPod> = {}): PolicyPod => ({ namespace: 'shop', name, labels, ips: [ip], hostNetwork: false, namedPorts: [], ...o });
const w = (name: string, p: PolicyPod, pods = 1): Workload => ({ name, pod: p, pods });

const WORKLOADS = [
  w('web', pod('web-7d9c5b-x1', { app: 'web' }, '10.244.1.5'), 3),
  w('db', pod('db-0', { app: 'db' }, '10.244.1.10', { namedPorts: [{ name: 'pg', port: 5432, protocol: 'TCP' }] })),
  w('cache', pod('cache-0', { app: 'cache' }, '10.244.1.11')),
];
const POLICIES = [
  np('default-deny', { policyTypes: ['Ingress'] }),
  np('db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'pg' }] }] }),
  np('cache-from-any', { podSelector: { matchLabels: { app: 'cache' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 6379 }, { protocol: 'UDP', port: 6379 }] }] }),
];

describe('policy map', () => {
  it('draws an edge for each allowed connection, labelled with its ports, and none for denied ones', () => {
    const map = buildPolicyMap(engine(POLICIES, [ns('shop')]), 'shop', WORKLOADS);
    expect(map.edges.map((e) => [e.from, e.to, e.allowed])).toEqual([
      ['db', 'cache', [{ protocol: 'TCP', port: 6379, endPort: 6379 }, { protocol: 'UDP', port: 6379, endPort: 6379 }]],
      ['web', 'cache', [{ protocol: 'TCP', port: 6379, endPort: 6379 }, { protocol: 'UDP', port: 6379, endPort: 6379 }]],
      ['web', 'db', [{ protocol: 'TCP', port: 5432, endPort: 5432 }]],
    ]);
    expect(map.isolated).toEqual(['cache', 'db', 'web']);
  });

  it('the graph has the nodes and edges, and its DOT draws exactly them', () => {
    const g = policyMapGraph(buildPolicyMap(engine(POLICIES, [ns('shop')]), 'shop', WORKLOADS));
    expect(g.nodes.map((n) => n.id)).toEqual(['cache', 'db', 'web']);
    expect(g.edges).toEqual([
      { from: 'db', to: 'cache', label: 'TCP 6379; UDP 6379' },
      { from: 'web', to: 'cache', label: 'TCP 6379; UDP 6379' },
      { from: 'web', to: 'db', label: 'TCP 5432' },
    ]);
    expect(g.dot).toContain('"web" [label="web (3 pods)", penwidth=2];');
    expect(g.dot).toContain('"web" -> "db" [label="TCP 5432"];');
    expect(g.dot.match(/->/g)).toHaveLength(3);
    expect(g.dot).not.toContain('"db" -> "web"');
    expect(g.name).toBe('policy-map-shop');
  });

  it('no policies: every workload reaches every other on any port', () => {
    const g = policyMapGraph(buildPolicyMap(engine([], [ns('shop')]), 'shop', WORKLOADS));
    expect(g.edges).toHaveLength(6);
    expect(new Set(g.edges.map((e) => e.label))).toEqual(new Set(['any port']));
    expect(g.dot).not.toContain('penwidth');
  });

  it('hostNetwork workloads and those under an unreadable policy are not drawn, with why', () => {
    const host = w('exporter', pod('exporter-x', { app: 'exporter' }, '192.0.2.1', { hostNetwork: true }));
    const map = buildPolicyMap(engine([...POLICIES, np('future', { podSelector: { matchLabels: { app: 'cache' } }, ingress: [{ from: [{ serviceAccountSelector: {} }] }] })], [ns('shop')]), 'shop', [...WORKLOADS, host]);
    expect(map.workloads.map((x) => x.name)).toEqual(['db', 'web']);
    expect(map.skipped.map((s) => s.name)).toEqual(['cache', 'exporter']);
    expect(map.skipped[0]!.reason).toContain('shop/future has a part netpeek cannot read');
    expect(map.skipped[1]!.reason).toContain('hostNetwork: true');
  });

  it(`more than ${MAX_MAP_WORKLOADS} workloads: the rest are counted, not drawn`, () => {
    const many = Array.from({ length: MAX_MAP_WORKLOADS + 5 }, (_, i) => w(`app-${String(i).padStart(3, '0')}`, pod(`app-${i}`, { app: `a${i}` }, `10.244.2.${i + 1}`)));
    const map = buildPolicyMap(engine([np('default-deny', { policyTypes: ['Ingress'] })], [ns('shop')]), 'shop', many);
    expect(map.workloads).toHaveLength(MAX_MAP_WORKLOADS);
    expect(map.omitted).toBe(5);
    expect(map.edges).toEqual([]);
  });
});
