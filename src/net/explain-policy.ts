import type { AllowedRange } from './policy-ports.js';
import type { PeerSpec, PolicyDirection, PolicyPortSpec, PolicyProtocol, RuleSpec, SelectorSpec } from './policy-spec.js';
import { compileSelector, selectorText } from './policy-peers.js';

/**
 * The sentences of NetworkPolicy answers: what a rule admits, why a connection is allowed or denied, and
 * what netpeek does not evaluate. Written to be read in an incident channel: policy and rule named, the
 * peer's labels next to what the rule wanted.
 */

const sel = (s: SelectorSpec) => selectorText(compileSelector(s));

/** "pods app=web in namespaces team=web", "every pod in shop", "10.0.0.0/8 except 10.1.0.0/16". */
export function describePeer(p: PeerSpec, policyNamespace: string): string {
  if (p.ipBlock) return `${p.ipBlock.cidr}${p.ipBlock.except.length ? ` except ${p.ipBlock.except.join(', ')}` : ''}`;
  const pods = p.podSelector ? sel(p.podSelector) : '';
  if (p.namespaceSelector) {
    const ns = sel(p.namespaceSelector);
    const where = ns ? `in namespaces ${ns}` : 'in every namespace';
    return pods ? `pods ${pods} ${where}` : `every pod ${where}`;
  }
  return pods ? `pods ${pods} in ${policyNamespace}` : `every pod in ${policyNamespace}`;
}

/** "TCP 8080", "TCP 8000-8080", "UDP, every port", "TCP port http (8080 on db-0)". */
export function describePort(p: PolicyPortSpec, resolved?: { pod: string; numbers: readonly number[] }): string {
  if (p.port === undefined) return `${p.protocol}, every port`;
  if (typeof p.port === 'number') return `${p.protocol} ${p.port}${p.endPort !== undefined && p.endPort !== p.port ? `-${p.endPort}` : ''}`;
  if (!resolved) return `${p.protocol} port named ${p.port}`;
  return resolved.numbers.length
    ? `${p.protocol} port named ${p.port} (${resolved.numbers.join(', ')} on ${resolved.pod})`
    : `${p.protocol} port named ${p.port} (${resolved.pod} has no ${p.protocol} port of that name, so it admits nothing there)`;
}

export function describePorts(ports: readonly PolicyPortSpec[], resolve?: (p: PolicyPortSpec) => { pod: string; numbers: readonly number[] } | undefined): string {
  if (ports.length === 0) return 'every port';
  return ports.map((p) => describePort(p, typeof p.port === 'string' ? resolve?.(p) : undefined)).join(', ');
}

/** "pods app=web in namespaces team=web, TCP 8080": who a rule admits, and on which ports. */
export function describeRule(rule: RuleSpec, policyNamespace: string, direction: PolicyDirection, resolve?: Parameters<typeof describePorts>[1]): string {
  const who = rule.peers.length ? rule.peers.map((p) => describePeer(p, policyNamespace)).join(' or ') : direction === 'ingress' ? 'any source' : 'any destination';
  return `${who}, ${describePorts(rule.ports, resolve)}`;
}

/** "TCP 80, 443, 8000-8080; UDP 53", "every port", "nothing". */
export function describeAllowed(allowed: 'all' | 'none' | readonly AllowedRange[]): string {
  if (allowed === 'all') return 'every port of every protocol';
  if (allowed === 'none') return 'nothing';
  const byProto = new Map<PolicyProtocol, string[]>();
  for (const r of allowed) {
    const list = byProto.get(r.protocol) ?? [];
    list.push(r.port === 1 && r.endPort === 65535 ? 'every port' : r.port === r.endPort ? String(r.port) : `${r.port}-${r.endPort}`);
    byProto.set(r.protocol, list);
  }
  return [...byProto].map(([p, list]) => `${p} ${list.join(', ')}`).join('; ');
}

export function directionWord(d: PolicyDirection): string {
  return d === 'ingress' ? 'ingress' : 'egress';
}

/** "web-1 is not isolated for egress: no NetworkPolicy with policyType Egress selects it". */
export function notIsolatedSentence(subject: string, d: PolicyDirection): string {
  return `${subject} is not isolated for ${d}: no NetworkPolicy with policyType ${d === 'ingress' ? 'Ingress' : 'Egress'} selects it, so every ${d === 'ingress' ? 'source' : 'destination'} is allowed`;
}

/** "allowed by shop/allow-frontend, ingress rule 1: pods app=web in namespaces team=web, TCP 8080". */
export function admittedSentence(policy: string, d: PolicyDirection, rule: number, description: string): string {
  return `allowed by ${policy}, ${d} rule ${rule}: ${description}`;
}

/** "db-0 is isolated for ingress by shop/default-deny and shop/allow-frontend, and none of their rules admits web-1 on TCP 8080". */
export function isolatedDeniedSentence(subject: string, d: PolicyDirection, policies: readonly string[], peer: string, what: string): string {
  const list = policies.length > 1 ? `${policies.slice(0, -1).join(', ')} and ${policies[policies.length - 1]}` : policies[0] ?? '';
  return `${subject} is isolated for ${d} by ${list}, and none of ${policies.length > 1 ? 'their' : 'its'} rules admits ${peer}${what ? ` on ${what}` : ''}`;
}

/** "nearest miss: shop/allow-frontend ingress rule 1 admits pods app=web in shop, TCP 8080; web-1 has app=webapp (wanted app=web)". */
export function nearestMissSentence(policy: string, d: PolicyDirection, rule: number, description: string, reasons: readonly string[]): string {
  return `nearest miss: ${policy} ${d} rule ${rule} admits ${description}; ${reasons.join('; ')}`;
}

export const IP_BLOCK_POD_CAVEAT =
  'An ipBlock matched a pod\'s own address here. CNIs differ on whether ipBlocks apply to traffic between pods (the Kubernetes documentation meant them for addresses outside the cluster), so check how yours treats it.';

export const NOT_EVALUATED_SCOPE =
  'netpeek evaluates Kubernetes NetworkPolicies only. It does not evaluate hostNetwork pods (most CNIs exempt them), traffic from a pod\'s own node (always allowed), AdminNetworkPolicy or CNI-specific policies.';

export function otherPolicyKindsSentence(kinds: readonly string[]): string {
  return `Present in this cluster, not evaluated: ${kinds.join(', ')}. They can allow or deny traffic before or regardless of NetworkPolicies.`;
}

export function hostNetworkReason(pod: string): string {
  return `${pod} uses the node's network (hostNetwork: true): most CNIs do not apply NetworkPolicies to such pods, so netpeek does not evaluate them.`;
}

export function nodeAddressReason(ip: string, node?: string): string {
  return `${ip} is ${node ? `node ${node}'s address` : 'a node\'s address'}: traffic between a node and pods is not what NetworkPolicies decide reliably (a pod\'s own node may always reach it; other nodes depend on the CNI), so netpeek does not evaluate it.`;
}

export function unownedPodNetworkReason(ip: string): string {
  return `${ip} is inside the pod network but belongs to no pod: there are no labels to match policies against, so netpeek does not evaluate it.`;
}

export const NO_POD_REASON = 'Neither end is a pod: NetworkPolicies select pods, so there is nothing to evaluate.';

export function unreadablePolicyReason(policy: string, problems: readonly string[]): string {
  return `${policy} has ${problems.length > 1 ? 'parts' : 'a part'} netpeek cannot read (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}), so it does not guess what the policy allows.`;
}

/** When a live probe disagrees with the policy verdict. */
export function probeDisagreesSentence(verdict: 'allowed' | 'denied', probeOk: boolean, vantage: string): string | undefined {
  if (verdict === 'denied' && probeOk) {
    return `The policies deny this connection, but the probe from ${vantage} connected: node traffic is usually not subject to NetworkPolicy, and some CNIs do not enforce NetworkPolicy at all.`;
  }
  if (verdict === 'allowed' && !probeOk) {
    return `The policies allow this connection, but the probe from ${vantage} did not connect: nothing may listen there, something other than NetworkPolicy (a CNI policy, an AdminNetworkPolicy, a host firewall) may drop it, or the path from ${vantage} is not the pod's path.`;
  }
  return undefined;
}

export function serviceAddressReason(ip: string, service: string): string {
  return `${ip} is the ClusterIP of Service ${service}: NetworkPolicies see the pod the connection is translated to, not this address, so netpeek does not evaluate it. Ask about one of the Service's pods (\`svc ${service.split('/')[1]} -n ${service.split('/')[0]}\` lists them).`;
}

export const NO_CLUSTER_REASON = 'No Kubernetes cluster is configured, so there are no NetworkPolicies to evaluate.';

export function clusterUnavailableReason(message: string): string {
  return `The Kubernetes API could not be read, so NetworkPolicies were not evaluated: ${message}`;
}

/** The verdict first, as answers lead with it: "Denied: web/web-1 → shop/db-0 on TCP 8080." */
export function verdictHeadline(v: { evaluated: boolean; reason?: string; allowed?: 'all' | 'none' | readonly AllowedRange[]; port?: { protocol: PolicyProtocol; port: number; verdict: 'allowed' | 'denied'; because: string } }, from: string, to: string): string {
  if (!v.evaluated) return `Not evaluated: ${v.reason ?? 'see below'}`;
  if (v.port) return `${v.port.verdict === 'allowed' ? 'Allowed' : 'Denied'}: ${from} → ${to} on ${v.port.protocol} ${v.port.port}. ${capitalize(v.port.because)}`;
  const allowed = v.allowed ?? 'none';
  if (allowed === 'all') return `Allowed: NetworkPolicies let ${from} connect to ${to} on every port of every protocol.`;
  if (allowed === 'none') return `Denied: NetworkPolicies let ${from} connect to ${to} on no port at all.`;
  return `Allowed on ${describeAllowed(allowed)} only: that is every connection NetworkPolicies let ${from} open to ${to}.`;
}

// Sentences that start with a pod's name keep it as written; only "allowed by …" gets a capital.
const capitalize = (s: string) => (s.startsWith('allowed ') ? `A${s.slice(1)}` : s);

/**
 * The miss closest to admitting the peer: fewest failed requirements, and a rule of the peer's kind
 * (an ipBlock for an address) before one that selects pods.
 */
export function nearestMiss<M extends { reasons: readonly string[] }>(misses: readonly M[]): M | undefined {
  const offKind = (m: M) => (m.reasons.some((r) => r.includes('is not a pod, and this peer selects pods')) ? 1 : 0);
  return [...misses].filter((m) => m.reasons.length).sort((a, b) => offKind(a) - offKind(b) || a.reasons.length - b.reasons.length)[0];
}

/** One side of a connection in sentences: why it is open, which rules admit the peer, or the nearest miss. */
export function sideSentences(side: {
  direction: PolicyDirection;
  subject: string;
  isolated: boolean;
  policies: readonly string[];
  admissions: readonly { policy: string; rule: number; description: string; ports: 'all' | 'none' | readonly AllowedRange[] }[];
  misses: readonly { policy: string; rule: number; description: string; reasons: readonly string[] }[];
}, peer: string): string[] {
  const name = side.subject.split('/')[1] ?? side.subject;
  if (!side.isolated) return [`${capitalize(notIsolatedSentence(name, side.direction))}.`];
  if (side.admissions.length) {
    return side.admissions.map((a) => `${capitalize(admittedSentence(a.policy, side.direction, a.rule, a.description))} — for ${peer}: ${describeAllowed(a.ports)}.`);
  }
  const sentence = isolatedDeniedSentence(name, side.direction, side.policies, peer, '');
  const nearest = nearestMiss(side.misses);
  return [`${capitalize(sentence)}${nearest ? ` (${nearestMissSentence(nearest.policy, side.direction, nearest.rule, nearest.description, nearest.reasons)})` : ''}.`];
}

/** A side's state as one fact value: "isolated by shop/default-deny, shop/allow-frontend; admitted by shop/allow-frontend". */
export function sideFact(d: { isolated: boolean; policies: readonly string[]; admittedBy: readonly string[] }): string {
  if (!d.isolated) return 'not isolated (no policy selects it for this direction)';
  return `isolated by ${d.policies.join(', ')}; ${d.admittedBy.length ? `admitted by ${d.admittedBy.join(', ')}` : 'no rule admits the peer'}`;
}

/**
 * `policy <pod>` in one sentence per direction: who may connect to the pod (ingress) or where it may
 * connect (egress), from the rules of the policies that select it.
 */
export function podDirectionSummary(pod: string, d: PolicyDirection, policies: readonly string[], rules: readonly string[]): string {
  const word = d === 'ingress' ? 'Ingress' : 'Egress';
  if (!policies.length) {
    return d === 'ingress'
      ? `Anything may connect to ${pod}: no NetworkPolicy with policyType Ingress selects it.`
      : `${pod} may connect anywhere: no NetworkPolicy with policyType Egress selects it.`;
  }
  const by = `${word}-isolated by ${policies.join(', ')}`;
  if (!rules.length) return d === 'ingress' ? `Nothing may connect to ${pod} (${by}, and none of their rules admits anyone).` : `${pod} may connect nowhere (${by}, and none of their rules admits any destination).`;
  return d === 'ingress' ? `Only these may connect to ${pod} (${by}): ${rules.join('; ')}.` : `${pod} may connect only to (${by}): ${rules.join('; ')}.`;
}

export const EGRESS_NAMED_PORT_NOTE = 'An egress rule\'s named port is resolved against each destination pod\'s container ports, so what it admits depends on the destination.';
