/**
 * Reading NetworkPolicies from the API's JSON: every v1 field, the defaults, and what the reader refuses
 * to guess about (unknown fields, values the schema does not allow), each named by its path.
 */
import { describe, expect, it } from 'vitest';
import { effectivePolicyTypes, readNetworkPolicy } from '../../../src/net/policy-spec.js';
import { PortSet, resolveRulePorts } from '../../../src/net/policy-ports.js';

const read = (spec: unknown, extra: Record<string, unknown> = {}) =>
  readNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec, ...extra });

describe('readNetworkPolicy', () => {
  it('reads every v1 field: selectors, peers, ipBlock with except, ports with protocol, names and endPort', () => {
    const p = read({
      podSelector: { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 'pg' }, { protocol: 'UDP', port: 53 }, { port: 8000, endPort: 8080 }] }],
      egress: [{ to: [], ports: [] }],
    });
    expect(p).toEqual({
      namespace: 'shop', name: 'p',
      podSelector: { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      policyTypes: ['ingress', 'egress'],
      ingress: [{
        peers: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
        ports: [{ protocol: 'TCP', port: 'pg' }, { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 8000, endPort: 8080 }],
      }],
      egress: [{ peers: [], ports: [] }],
      unreadable: [],
    });
  });

  it('normalises CIDRs to their network address (what the API keeps as written, matched the same)', () => {
    expect(read({ ingress: [{ from: [{ ipBlock: { cidr: '10.1.2.3/16' } }] }] }).ingress[0]!.peers[0]!.ipBlock).toEqual({ cidr: '10.1.0.0/16', except: [] });
  });

  it.each([
    ['an unknown spec field', { podSelector: {}, newThing: true }, 'spec.newThing: a field netpeek does not know'],
    ['an unknown peer field', { ingress: [{ from: [{ serviceAccountSelector: {} }] }] }, 'spec.ingress[0].from[0].serviceAccountSelector: a field netpeek does not know'],
    ['an unknown port field', { egress: [{ ports: [{ port: 80, appProtocol: 'http' }] }] }, 'spec.egress[0].ports[0].appProtocol: a field netpeek does not know'],
    ["client-node's typed `_from`", { ingress: [{ _from: [{ podSelector: {} }] }] }, 'spec.ingress[0]._from: a field netpeek does not know'],
    ['`to` in an ingress rule', { ingress: [{ to: [] }] }, 'spec.ingress[0].to: a field netpeek does not know'],
    ['an unknown protocol', { ingress: [{ ports: [{ protocol: 'ICMP' }] }] }, 'spec.ingress[0].ports[0].protocol: "ICMP" is not TCP, UDP or SCTP'],
    ['endPort with a named port', { ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }, 'spec.ingress[0].ports[0].endPort: needs a numeric port'],
    ['endPort below port', { ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }, 'spec.ingress[0].ports[0].endPort: 80 must be a port from 90 to 65535'],
    ['a port out of range', { ingress: [{ ports: [{ port: 70000 }] }] }, 'spec.ingress[0].ports[0].port: 70000 is not a port from 1 to 65535'],
    ['an except outside the cidr', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }] }, 'spec.ingress[0].from[0].ipBlock.except[0]: 10.1.0.0/24 is not inside 10.0.0.0/16'],
    ['a bad cidr', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.300/8' } }] }] }, 'spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.300/8" is not a CIDR'],
    ['ipBlock with a selector', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }, 'spec.ingress[0].from[0]: ipBlock cannot be combined with podSelector or namespaceSelector'],
    ['an empty peer', { ingress: [{ from: [{}] }] }, 'spec.ingress[0].from[0]: a peer needs podSelector, namespaceSelector or ipBlock'],
    ['an unknown operator', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] } }, 'spec.podSelector.matchExpressions[0].operator: "Gt" is not In, NotIn, Exists or DoesNotExist'],
    ['In without values', { podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }, 'spec.podSelector.matchExpressions[0].values: In needs at least one value'],
    ['an unknown policyType', { policyTypes: ['Sideways'] }, 'spec.policyTypes[0]: "Sideways" is not Ingress or Egress'],
  ])('%s is unreadable, named by its path', (_what, spec, problem) => {
    expect(read(spec).unreadable).toEqual([problem]);
  });

  it('status (1.24–1.27) is known and ignored; a missing spec is unreadable', () => {
    expect(read({}, { status: { conditions: [] } }).unreadable).toEqual([]);
    expect(readNetworkPolicy({ metadata: { name: 'x', namespace: 'a' } }).unreadable).toEqual(['spec: missing']);
  });
});

describe('effectivePolicyTypes', () => {
  it.each([
    ['explicit types are used as written', { policyTypes: ['egress'] as const, egress: [] }, ['egress']],
    ['implied: Ingress always', { policyTypes: [] as const, egress: [] }, ['ingress']],
    ['implied: Egress when there are egress rules', { policyTypes: [] as const, egress: [{ peers: [], ports: [] }] }, ['ingress', 'egress']],
  ])('%s', (_what, p, want) => {
    expect(effectivePolicyTypes({ policyTypes: [...p.policyTypes], egress: p.egress })).toEqual(want);
  });
});

describe('PortSet', () => {
  it('merges adjacent and overlapping ranges, intersects per protocol', () => {
    const a = PortSet.of([{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 81, endPort: 90 }, { protocol: 'UDP', port: 53 }]);
    expect(a.ranges()).toEqual([{ protocol: 'TCP', port: 80, endPort: 90 }, { protocol: 'UDP', port: 53, endPort: 53 }]);
    const b = PortSet.of([{ protocol: 'TCP', port: 85, endPort: 100 }, { protocol: 'SCTP', port: 53 }]);
    expect(a.intersect(b).toAllowed()).toEqual([{ protocol: 'TCP', port: 85, endPort: 90 }]);
    expect(PortSet.all().intersect(a).toAllowed()).toEqual(a.ranges());
    expect(PortSet.all().toAllowed()).toBe('all');
    expect(a.intersect(PortSet.none()).toAllowed()).toBe('none');
  });

  it('a rule without ports admits every port; a named port resolves by name and protocol', () => {
    expect(resolveRulePorts([], undefined).set.isAll()).toBe(true);
    const named = resolveRulePorts([{ protocol: 'TCP', port: 'http' }], [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'http', port: 8081, protocol: 'UDP' }]);
    expect(named.set.ranges()).toEqual([{ protocol: 'TCP', port: 8080, endPort: 8080 }]);
    expect(resolveRulePorts([{ protocol: 'TCP', port: 'http' }], undefined).set.isEmpty()).toBe(true);
  });
});
