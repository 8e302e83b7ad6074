/**
 * The NetworkPolicy engine, rule by rule. Each case is named for the Kubernetes rule it proves; the
 * policies are written as the API serves them and read by the same reader as the cache.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyEndpoint } from '../../../src/net/policy-peers.js';
import type { PolicyVerdict } from '../../../src/net/policy-engine.js';
import type { NetworkPolicySpec, PolicyProtocol } from '../../../src/net/policy-spec.js';
import { DB, WEB, engine, external, np, ns, pod } from './policy-helpers.js';

type Case = {
  rule: string;
  policies: NetworkPolicySpec[];
  from?: PolicyEndpoint;
  to?: PolicyEndpoint;
  port?: { protocol: PolicyProtocol; port: number };
  // toMatchObject: a partial verdict (nested objects partial too), or a callback that asserts itself.
  want: Record<string, unknown> | ((v: PolicyVerdict) => void);
};

const allowFrom = (peers: unknown[], ports?: unknown[], podSelector: unknown = { matchLabels: { app: 'db' } }) =>
  ({ podSelector, ingress: [{ from: peers, ...(ports ? { ports } : {}) }] });
const tcp = (port: number, endPort = port) => ({ protocol: 'TCP' as const, port, endPort });
const open = { isolated: false, policies: [], admittedBy: [] };

function run(c: Case): PolicyVerdict {
  const v = engine(c.policies).evaluate(c.from ?? WEB, c.to ?? DB, c.port).verdict;
  if (typeof c.want === 'function') c.want(v);
  else expect(v).toMatchObject(c.want);
  return v;
}

describe('isolation: a pod is isolated for a direction when a policy with that policyType selects it', () => {
  it.each<Case>([
    { rule: 'no policy selects either pod: nothing is isolated, every connection is allowed', policies: [], want: { evaluated: true, allowed: 'all', egress: open, ingress: open } },
    {
      rule: 'a policy selecting B with policyTypes [Ingress] and no rules isolates B and admits nothing',
      policies: [np('default-deny', { policyTypes: ['Ingress'] })],
      want: { allowed: 'none', ingress: { isolated: true, policies: ['shop/default-deny'], admittedBy: [] }, egress: open },
    },
    {
      rule: 'policyTypes implied: without policyTypes and egress rules a policy isolates for Ingress only',
      policies: [np('deny-all', {}, 'web')],
      from: DB, to: WEB,
      want: { allowed: 'none', ingress: { isolated: true, policies: ['web/deny-all'] }, egress: open },
    },
    {
      rule: 'policyTypes implied: egress rules without policyTypes isolate for Ingress and Egress',
      policies: [np('egress-dns', { egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }, 'web')],
      want: (v) => {
        expect(v.egress).toEqual({ isolated: true, policies: ['web/egress-dns'], admittedBy: ['web/egress-dns'] });
        expect(v.allowed).toEqual([{ protocol: 'UDP', port: 53, endPort: 53 }]);
        // the same policy isolates web-1 for ingress too: db-0 → web-1 is denied
        expect(engine([np('egress-dns', { egress: [{}] }, 'web')]).evaluate(DB, WEB).verdict.ingress).toMatchObject({ isolated: true, policies: ['web/egress-dns'] });
      },
    },
    {
      rule: 'policyTypes explicit [Egress] does not isolate for Ingress',
      policies: [np('egress-only', { policyTypes: ['Egress'] })],
      want: { allowed: 'all', ingress: open },
    },
    {
      rule: 'a policy in another namespace never selects the pod',
      policies: [np('default-deny', { policyTypes: ['Ingress'] }, 'ops')],
      want: { allowed: 'all', ingress: open },
    },
    {
      rule: 'a policy whose podSelector picks other pods does not isolate this one',
      policies: [np('only-cache', { podSelector: { matchLabels: { app: 'cache' } } })],
      want: { allowed: 'all', ingress: open },
    },
  ])('$rule', (c) => {
    run(c);
  });
});

describe('union and intersection', () => {
  it.each<Case>([
    {
      rule: 'allowed is the union over the selecting policies\' rules',
      policies: [np('allow-80', allowFrom([], [{ port: 80 }])), np('allow-443', allowFrom([], [{ port: 443 }])), np('deny', {})],
      want: { allowed: [tcp(80), tcp(443)], ingress: { isolated: true, policies: ['shop/allow-443', 'shop/allow-80', 'shop/deny'], admittedBy: ['shop/allow-443', 'shop/allow-80'] } },
    },
    {
      rule: 'A → B needs A\'s egress AND B\'s ingress: B admits, A\'s egress does not',
      policies: [np('allow-web', allowFrom([{ namespaceSelector: {} }])), np('no-egress', { policyTypes: ['Egress'] }, 'web')],
      want: { allowed: 'none', egress: { isolated: true, policies: ['web/no-egress'], admittedBy: [] }, ingress: { isolated: true, admittedBy: ['shop/allow-web'] } },
    },
    {
      rule: 'A → B needs A\'s egress AND B\'s ingress: the ports are the intersection of both',
      policies: [np('allow-range', allowFrom([{ namespaceSelector: {} }], [{ port: 5000, endPort: 6000 }])), np('egress-pg', { policyTypes: ['Egress'], egress: [{ ports: [{ port: 5432 }, { port: 8080 }] }] }, 'web')],
      want: { allowed: [tcp(5432)] },
    },
    {
      rule: 'allowed ranges are merged and sorted by protocol (TCP, UDP, SCTP) then port',
      policies: [np('many', allowFrom([], [{ protocol: 'SCTP', port: 9 }, { protocol: 'UDP', port: 53 }, { port: 90 }, { port: 80, endPort: 89 }, { port: 22 }]))],
      want: { allowed: [tcp(22), tcp(80, 90), { protocol: 'UDP', port: 53, endPort: 53 }, { protocol: 'SCTP', port: 9, endPort: 9 }] },
    },
  ])('$rule', (c) => {
    run(c);
  });
});

describe('peers', () => {
  const same = pod('web-2', { app: 'web' }, { ns: 'shop', ips: ['10.244.1.20'] });
  it.each<Case>([
    { rule: 'podSelector alone selects pods of the policy\'s own namespace only', policies: [np('p', allowFrom([{ podSelector: { matchLabels: { app: 'web' } } }]))], from: WEB, want: { allowed: 'none' } },
    { rule: 'podSelector alone admits a matching pod of the same namespace', policies: [np('p', allowFrom([{ podSelector: { matchLabels: { app: 'web' } } }]))], from: same, want: { allowed: 'all', ingress: { admittedBy: ['shop/p'] } } },
    { rule: 'namespaceSelector alone admits every pod of the selected namespaces', policies: [np('p', allowFrom([{ namespaceSelector: { matchLabels: { team: 'web' } } }]))], want: { allowed: 'all' } },
    { rule: 'namespaceSelector alone does not admit pods of other namespaces', policies: [np('p', allowFrom([{ namespaceSelector: { matchLabels: { team: 'ops' } } }]))], want: { allowed: 'none' } },
    {
      rule: 'namespaceSelector and podSelector together: pods matching both (AND)',
      policies: [np('p', allowFrom([{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'api' } } }]))],
      want: { allowed: 'none' },
    },
    {
      rule: 'two peers in one rule are alternatives (OR)',
      policies: [np('p', allowFrom([{ namespaceSelector: { matchLabels: { team: 'ops' } } }, { namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }]))],
      want: { allowed: 'all' },
    },
    { rule: 'an empty podSelector peer admits every pod of the policy\'s namespace', policies: [np('p', allowFrom([{ podSelector: {} }]))], from: same, want: { allowed: 'all' } },
    { rule: 'an empty namespaceSelector peer admits every pod of every namespace', policies: [np('p', allowFrom([{ namespaceSelector: {} }]))], want: { allowed: 'all' } },
    { rule: 'an empty policy podSelector selects every pod of its namespace', policies: [np('p', { podSelector: {}, policyTypes: ['Ingress'] })], want: { ingress: { isolated: true, policies: ['shop/p'] } } },
    { rule: 'a rule without from admits every source', policies: [np('p', { podSelector: {}, ingress: [{ ports: [{ port: 5432 }] }] })], from: external('203.0.113.9'), want: { allowed: [tcp(5432)] } },
    { rule: 'an empty from list admits every source', policies: [np('p', { podSelector: {}, ingress: [{ from: [], ports: [] }] })], want: { allowed: 'all' } },
    { rule: 'an empty rule {} admits everything', policies: [np('p', { podSelector: {}, ingress: [{}] })], want: { allowed: 'all' } },
    { rule: 'a rule without to admits every destination', policies: [np('p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 443 }] }] }, 'web')], to: external('198.51.100.20'), want: { allowed: [tcp(443)] } },
  ])('$rule', (c) => {
    run(c);
  });
});

describe('label selectors: matchLabels and matchExpressions', () => {
  const peer = (matchExpressions: unknown[], matchLabels?: Record<string, string>) => [np('p', allowFrom([{ namespaceSelector: {}, podSelector: { matchExpressions, ...(matchLabels ? { matchLabels } : {}) } }]))];
  const labelled = pod('web-1', { app: 'web', tier: 'front' }, { ns: 'web', ips: ['10.244.2.5'] });
  it.each<Case>([
    { rule: 'matchLabels must all match', policies: [np('p', allowFrom([{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web', tier: 'back' } } }]))], from: labelled, want: { allowed: 'none' } },
    { rule: 'In matches one of the values', policies: peer([{ key: 'tier', operator: 'In', values: ['back', 'front'] }]), from: labelled, want: { allowed: 'all' } },
    { rule: 'In does not match a missing key', policies: peer([{ key: 'zone', operator: 'In', values: ['a'] }]), from: labelled, want: { allowed: 'none' } },
    { rule: 'NotIn excludes the values', policies: peer([{ key: 'tier', operator: 'NotIn', values: ['front'] }]), from: labelled, want: { allowed: 'none' } },
    { rule: 'NotIn matches a pod without the key', policies: peer([{ key: 'zone', operator: 'NotIn', values: ['a'] }]), from: labelled, want: { allowed: 'all' } },
    { rule: 'Exists needs the key', policies: peer([{ key: 'tier', operator: 'Exists' }]), from: labelled, want: { allowed: 'all' } },
    { rule: 'DoesNotExist needs the key absent', policies: peer([{ key: 'tier', operator: 'DoesNotExist' }]), from: labelled, want: { allowed: 'none' } },
    { rule: 'matchLabels and matchExpressions are ANDed', policies: peer([{ key: 'tier', operator: 'Exists' }], { app: 'api' }), from: labelled, want: { allowed: 'none' } },
    {
      rule: 'namespaceSelector matches the namespace\'s labels, including kubernetes.io/metadata.name',
      policies: [np('p', allowFrom([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } } }]))],
      want: { allowed: 'all' },
    },
  ])('$rule', (c) => {
    run(c);
  });
});

describe('ipBlock', () => {
  const block = (cidr: string, except: string[] = []) => [np('p', allowFrom([{ ipBlock: { cidr, except } }], [{ port: 443 }]))];
  it.each<Case>([
    { rule: 'ipBlock admits an address inside the CIDR', policies: block('203.0.113.0/24'), from: external('203.0.113.9'), want: { allowed: [tcp(443)] } },
    { rule: 'ipBlock does not admit an address outside the CIDR', policies: block('203.0.113.0/24'), from: external('198.51.100.9'), want: { allowed: 'none' } },
    { rule: 'ipBlock except carves addresses out', policies: block('203.0.113.0/24', ['203.0.113.0/28']), from: external('203.0.113.9'), want: { allowed: 'none' } },
    { rule: 'ipBlock except leaves the rest of the CIDR admitted', policies: block('203.0.113.0/24', ['203.0.113.0/28']), from: external('203.0.113.99'), want: { allowed: [tcp(443)] } },
    { rule: 'IPv6 ipBlock admits an IPv6 address', policies: block('2001:db8::/32'), from: external('2001:db8::5'), want: { allowed: [tcp(443)] } },
    { rule: 'an IPv4 ipBlock never matches an IPv6 address', policies: block('0.0.0.0/0'), from: external('2001:db8::5'), want: { allowed: 'none' } },
    {
      rule: 'ipBlock is matched against a pod peer\'s address in the connection\'s family (IPv6-only destination → the source\'s IPv6 address)',
      policies: block('fd00:10:244:2::/64'),
      to: pod('db-6', { app: 'db' }, { ips: ['fd00:10:244:1::a'] }),
      want: { allowed: [tcp(443)] },
    },
  ])('$rule', (c) => {
    run(c);
  });

  it('an ipBlock covering a pod IP admits it, with the note that CNIs differ on ipBlocks for pod traffic', () => {
    const e = engine(block('10.244.0.0/16')).evaluate(WEB, DB);
    expect(e.verdict.allowed).toEqual([tcp(443)]);
    expect(e.ingress!.admissions[0]).toMatchObject({ policy: 'shop/p', rule: 1, ipBlockOnPod: true });
    expect(e.notes[0]).toContain('CNIs differ on whether ipBlocks apply to traffic between pods');
  });

  it('dual-stack: a pod-to-pod connection uses the destination\'s first family both share', () => {
    const v6only = [np('p', allowFrom([{ ipBlock: { cidr: 'fd00:10:244:2::/64' } }]))];
    expect(engine(v6only).evaluate(WEB, DB).verdict.allowed).toBe('none'); // IPv4 first: 10.244.2.5 is not in the IPv6 block
    const v6db = pod('db-0', { app: 'db' }, { ips: ['fd00:10:244:1::a'] });
    expect(engine(v6only).evaluate(WEB, v6db).verdict.allowed).toBe('all');
  });
});

describe('ports', () => {
  it.each<Case>([
    { rule: 'a port by number admits that port of the protocol', policies: [np('p', allowFrom([], [{ port: 5432 }]))], want: { allowed: [tcp(5432)] } },
    { rule: 'protocol defaults to TCP', policies: [np('p', allowFrom([], [{ port: 5432 }]))], port: { protocol: 'UDP', port: 5432 }, want: { port: expect.objectContaining({ verdict: 'denied' }) } },
    { rule: 'UDP ports are their own', policies: [np('p', allowFrom([], [{ protocol: 'UDP', port: 53 }]))], want: { allowed: [{ protocol: 'UDP', port: 53, endPort: 53 }] } },
    { rule: 'SCTP ports are their own', policies: [np('p', allowFrom([], [{ protocol: 'SCTP', port: 3868 }]))], want: { allowed: [{ protocol: 'SCTP', port: 3868, endPort: 3868 }] } },
    { rule: 'endPort admits the range port..endPort', policies: [np('p', allowFrom([], [{ port: 30000, endPort: 32767 }]))], want: { allowed: [tcp(30000, 32767)] } },
    { rule: 'a port entry without port admits every port of its protocol', policies: [np('p', allowFrom([], [{ protocol: 'UDP' }]))], want: { allowed: [{ protocol: 'UDP', port: 1, endPort: 65535 }] } },
    { rule: 'a named port resolves against the destination pod\'s container ports', policies: [np('p', allowFrom([], [{ port: 'pg' }]))], want: { allowed: [tcp(5432)] } },
    { rule: 'a named port matches by name AND protocol (dns is UDP on db-0)', policies: [np('p', allowFrom([], [{ port: 'dns' }]))], want: { allowed: 'none' } },
    { rule: 'a named port with its protocol matches', policies: [np('p', allowFrom([], [{ protocol: 'UDP', port: 'dns' }]))], want: { allowed: [{ protocol: 'UDP', port: 53, endPort: 53 }] } },
    { rule: 'a named port the destination does not have admits nothing', policies: [np('p', allowFrom([], [{ port: 'http' }]))], want: { allowed: 'none', ingress: { isolated: true, admittedBy: [] } } },
    {
      rule: 'an egress named port toward an address admits nothing: an IP has no named ports',
      policies: [np('p', { policyTypes: ['Egress'], egress: [{ ports: [{ port: 'https' }, { port: 80 }] }] }, 'web')],
      to: external('198.51.100.20'),
      want: { allowed: [tcp(80)] },
    },
    {
      rule: 'an egress named port resolves against the destination pod, not the source',
      policies: [np('p', { policyTypes: ['Egress'], egress: [{ ports: [{ port: 'metrics' }] }] }, 'web')],
      want: { allowed: [tcp(9187)] },
    },
  ])('$rule', (c) => {
    run(c);
  });
});

describe('addresses outside the cluster: only the pod side\'s policies apply', () => {
  it.each<Case>([
    { rule: 'external → pod: the pod\'s ingress decides, there is no egress side', policies: [np('p', allowFrom([{ ipBlock: { cidr: '203.0.113.0/24' } }], [{ port: 443 }]))], from: external('203.0.113.7'), want: { allowed: [tcp(443)], egress: open } },
    { rule: 'pod → external: the pod\'s egress decides, there is no ingress side', policies: [np('p', { policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] }, 'web')], to: external('198.51.100.1'), want: { allowed: 'all', ingress: open, egress: { isolated: true, admittedBy: ['web/p'] } } },
    { rule: 'a pod selector never matches an address', policies: [np('p', allowFrom([{ namespaceSelector: {} }]))], from: external('203.0.113.7'), want: { allowed: 'none' } },
  ])('$rule', (c) => {
    run(c);
  });
});

describe('not evaluated: said, never guessed', () => {
  const nodeIp: PolicyEndpoint = { kind: 'address', ip: '192.0.2.11', place: 'node', node: 'node-1' };
  const stray: PolicyEndpoint = { kind: 'address', ip: '10.244.1.99', place: 'pod-network' };
  const hostNet = pod('kube-proxy-x', { k8s: 'proxy' }, { ns: 'ops', ips: ['192.0.2.11'], hostNetwork: true });
  it.each<{ rule: string; from: PolicyEndpoint; to: PolicyEndpoint; policies?: NetworkPolicySpec[]; reason: string }>([
    { rule: 'a hostNetwork pod is not evaluated (most CNIs exempt it)', from: hostNet, to: DB, reason: 'kube-proxy-x uses the node\'s network (hostNetwork: true)' },
    { rule: 'a node\'s address is not evaluated', from: nodeIp, to: DB, reason: '192.0.2.11 is node node-1\'s address' },
    { rule: 'an address of the pod network that belongs to no pod is not evaluated', from: WEB, to: stray, reason: '10.244.1.99 is inside the pod network but belongs to no pod' },
    { rule: 'two addresses: nothing to evaluate', from: external('203.0.113.1'), to: external('203.0.113.2'), reason: 'Neither end is a pod' },
    {
      rule: 'a selecting policy with a field the engine does not know is not evaluated',
      from: WEB, to: DB,
      policies: [np('future', { ingress: [{ from: [{ serviceAccountSelector: {} }] }] })],
      reason: 'shop/future has a part netpeek cannot read (spec.ingress[0].from[0].serviceAccountSelector: a field netpeek does not know)',
    },
  ])('$rule', ({ from, to, policies, reason }) => {
    const e = engine(policies ?? []).evaluate(from, to, { protocol: 'TCP', port: 80 });
    expect(e.verdict).toEqual({ evaluated: false, reason: expect.stringContaining(reason) });
    expect(e.notes[0]).toContain('does not evaluate hostNetwork pods');
  });

  it('an unreadable policy that does not select either pod does not stop the evaluation', () => {
    const v = engine([np('future', { podSelector: { matchLabels: { app: 'cache' } }, ingress: [{ from: [{ serviceAccountSelector: {} }] }] })]).evaluate(WEB, DB).verdict;
    expect(v).toMatchObject({ evaluated: true, allowed: 'all' });
  });

  it('AdminNetworkPolicy and CNI kinds present in the cluster are listed as present, not evaluated', () => {
    const e = engine([]).evaluate(WEB, DB, undefined, { otherPolicyKinds: ['AdminNetworkPolicy (policy.networking.k8s.io)'] });
    expect(e.notes).toContain('Present in this cluster, not evaluated: AdminNetworkPolicy (policy.networking.k8s.io). They can allow or deny traffic before or regardless of NetworkPolicies.');
  });
});

describe('the port verdict names the policy and rule, or the isolating policies and the nearest miss', () => {
  const shop = [
    np('default-deny', { policyTypes: ['Ingress'] }),
    np('allow-frontend', allowFrom([{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], [{ port: 8080 }, { port: 5432 }])),
  ];
  it('allowed: "allowed by shop/allow-frontend, ingress rule 1: pods app=web in namespaces team=web, TCP 8080"', () => {
    const v = engine(shop).evaluate(WEB, DB, { protocol: 'TCP', port: 8080 }).verdict;
    expect(v.port).toEqual({
      protocol: 'TCP', port: 8080, verdict: 'allowed',
      because: 'web-1 is not isolated for egress: no NetworkPolicy with policyType Egress selects it, so every destination is allowed; allowed by shop/allow-frontend, ingress rule 1: pods app=web in namespaces team=web, TCP 8080, TCP 5432.',
    });
  });

  it('denied by labels: the isolating policies, and the nearest miss with the label the pod has', () => {
    const webapp = pod('web-1', { app: 'webapp' }, { ns: 'web', ips: ['10.244.2.5'] });
    const v = engine(shop).evaluate(webapp, DB, { protocol: 'TCP', port: 8080 }).verdict;
    expect(v.port).toEqual({
      protocol: 'TCP', port: 8080, verdict: 'denied',
      because:
        'db-0 is isolated for ingress by shop/allow-frontend and shop/default-deny, and none of their rules admits web-1 on TCP 8080 ' +
        '(nearest miss: shop/allow-frontend ingress rule 1 admits pods app=web in namespaces team=web, TCP 8080, TCP 5432; web-1 has app=webapp (wanted app=web)).',
    });
    expect(v.ingress).toEqual({ isolated: true, policies: ['shop/allow-frontend', 'shop/default-deny'], admittedBy: [] });
  });

  it('denied by port: the rule admits the peer on other ports only', () => {
    const v = engine(shop).evaluate(WEB, DB, { protocol: 'TCP', port: 9187 }).verdict;
    expect(v.port?.verdict).toBe('denied');
    expect(v.port?.because).toContain('it admits web-1 on TCP 5432, 8080 only, not TCP 9187');
    expect(v.ingress?.admittedBy).toEqual(['shop/allow-frontend']);
  });

  it('denied by namespace: a namespace without the wanted label', () => {
    const ops = pod('web-9', { app: 'web' }, { ns: 'ops', ips: ['10.244.3.5'] });
    expect(engine(shop).evaluate(ops, DB, { protocol: 'TCP', port: 8080 }).verdict.port?.because).toContain('namespace ops has team=ops (wanted team=web)');
  });

  it('denied on the egress side names the source\'s isolating policy', () => {
    const v = engine([np('lockdown', { policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }, 'web')]).evaluate(WEB, DB, { protocol: 'TCP', port: 5432 }).verdict;
    expect(v.port?.because).toMatch(/^web-1 is isolated for egress by web\/lockdown, and none of its rules admits db-0 on TCP 5432 \(nearest miss: web\/lockdown egress rule 1 admits any destination, UDP 53; it admits db-0 on UDP 53 only, not TCP 5432\)\.$/);
  });
});

describe('the policy object has exactly the issue\'s JSON shape', () => {
  it('keys and order: evaluated, allowed, egress, ingress, port', () => {
    const v = engine([np('allow', allowFrom([], [{ port: 80 }]))]).evaluate(WEB, DB, { protocol: 'TCP', port: 80 }).verdict;
    expect(Object.keys(v)).toEqual(['evaluated', 'allowed', 'egress', 'ingress', 'port']);
    expect(Object.keys(v.ingress!)).toEqual(['isolated', 'policies', 'admittedBy']);
    expect(Object.keys(v.port!)).toEqual(['protocol', 'port', 'verdict', 'because']);
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it('not evaluated: evaluated and reason only', () => {
    const v = engine([]).evaluate(external('203.0.113.1'), external('203.0.113.2')).verdict;
    expect(Object.keys(v)).toEqual(['evaluated', 'reason']);
  });

  it('without a port asked, there is no port entry', () => {
    expect(engine([]).evaluate(WEB, DB).verdict).toEqual({ evaluated: true, allowed: 'all', egress: open, ingress: open });
  });
});

describe('podPolicies (for `policy <pod>`)', () => {
  it('lists the policies selecting a pod per direction, and unreadable ones', () => {
    const e = engine([
      np('default-deny', { policyTypes: ['Ingress', 'Egress'] }),
      np('allow-web', allowFrom([{ namespaceSelector: {} }])),
      np('future', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ serviceAccountSelector: {} }] }] }),
      np('cache-only', { podSelector: { matchLabels: { app: 'cache' } } }),
    ], [ns('shop')]);
    const r = e.podPolicies((DB as { pod: Parameters<typeof e.podPolicies>[0] }).pod);
    expect(r.ingress.policies.map((p) => p.ref)).toEqual(['shop/allow-web', 'shop/default-deny', 'shop/future']);
    expect(r.egress.policies.map((p) => p.ref)).toEqual(['shop/default-deny']);
    expect(r.unreadable).toEqual([{ policy: 'shop/future', problems: ['spec.ingress[0].from[0].serviceAccountSelector: a field netpeek does not know'] }]);
  });
});
