import ipaddr from 'ipaddr.js';
import type { LabelSelector } from './label-selector.js';
import { formatLabelSelector, matchesLabels } from './label-selector.js';
import type { NamedPort } from './policy-ports.js';
import type { PeerSpec, SelectorSpec } from './policy-spec.js';

/**
 * Who a rule's peer (`from` / `to` entry) is, and whether a given endpoint is it: podSelector (pods of
 * the policy's own namespace), namespaceSelector (every pod of the selected namespaces), both (pods of
 * the selected namespaces that match), or ipBlock (addresses in a CIDR minus its exceptions). A miss
 * says which part failed, in words a user can check against `kubectl get --show-labels`.
 */

/** A pod as policies see it: its labels, its namespace, its addresses and its named container ports. */
export interface PolicyPod {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** status.podIPs (one per family). */
  ips: readonly string[];
  hostNetwork: boolean;
  namedPorts: readonly NamedPort[];
}

export interface PolicyNamespace {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/**
 * One end of a connection. An address is `external` (outside every pod and node: only the pod side's
 * policies apply), a `node`'s address, or inside the `pod-network` without belonging to any pod; the
 * engine evaluates only pods and external addresses.
 */
export type PolicyEndpoint =
  | { kind: 'pod'; pod: PolicyPod }
  | { kind: 'address'; ip: string; place: 'external' | 'node' | 'pod-network'; node?: string };

/** The endpoint as the other side's peers are matched against it. */
export interface PeerView {
  /** The pod, with its namespace's labels; absent for an address. */
  pod?: PolicyPod;
  namespaceLabels?: Readonly<Record<string, string>>;
  /** The endpoint's address in the connection's family, if it has one. */
  ip?: string;
  /** "web-1" or "203.0.113.9": how sentences name it. */
  label: string;
}

export function compileSelector(s: SelectorSpec): LabelSelector {
  const requirements: LabelSelector['requirements'] = Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'in' as const, values: [v] }));
  for (const e of s.matchExpressions ?? []) {
    const operator = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'doesnotexist' } as const)[e.operator];
    requirements.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return { requirements };
}

/** "app=web,tier in (a,b)", or "" for an empty selector. */
export function selectorText(s: LabelSelector): string {
  return formatLabelSelector(s);
}

type Cidr = { addr: ipaddr.IPv4 | ipaddr.IPv6; bits: number; text: string };

function parseCidrRange(text: string): Cidr {
  const [addr, bits] = ipaddr.parseCIDR(text);
  return { addr, bits, text };
}

function inCidr(ip: ipaddr.IPv4 | ipaddr.IPv6, c: Cidr): boolean {
  return ip.kind() === c.addr.kind() && ip.match(c.addr as ipaddr.IPv4, c.bits);
}

export interface CompiledPeer {
  spec: PeerSpec;
  pods?: LabelSelector;
  namespaces?: LabelSelector;
  block?: { cidr: Cidr; except: Cidr[] };
}

export function compilePeer(spec: PeerSpec): CompiledPeer {
  return {
    spec,
    ...(spec.podSelector ? { pods: compileSelector(spec.podSelector) } : {}),
    ...(spec.namespaceSelector ? { namespaces: compileSelector(spec.namespaceSelector) } : {}),
    ...(spec.ipBlock ? { block: { cidr: parseCidrRange(spec.ipBlock.cidr), except: spec.ipBlock.except.map(parseCidrRange) } } : {}),
  };
}

/** How a peer matched: which of its parts decided. */
export type PeerMatch = { ok: true; via: 'pods' | 'namespaces' | 'pods-in-namespaces' | 'ipBlock' } | { ok: false; misses: string[] };

/** The requirements of `sel` that these labels fail, each as "app=web; web-1 has app=webapp". */
function failedRequirements(sel: LabelSelector, labels: Readonly<Record<string, string>>, who: string): string[] {
  return sel.requirements
    .filter((r) => !matchesLabels({ requirements: [r] }, labels))
    .map((r) => {
      const want = formatLabelSelector({ requirements: [r] });
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      return `${who} has ${has ? `${r.key}=${labels[r.key]}` : `no ${r.key} label`} (wanted ${want})`;
    });
}

const parsedIps = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | null>();
function parseIp(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  let p = parsedIps.get(ip);
  if (p === undefined) {
    try {
      p = ipaddr.process(ip);
    } catch {
      p = null;
    }
    if (parsedIps.size > 50_000) parsedIps.clear();
    parsedIps.set(ip, p);
  }
  return p ?? undefined;
}

/** Does `peer` of a policy in namespace `policyNs` cover this endpoint? */
export function matchPeer(peer: CompiledPeer, policyNs: string, who: PeerView): PeerMatch {
  if (peer.block) {
    const ip = who.ip ? parseIp(who.ip) : undefined;
    if (!ip) return { ok: false, misses: [`${who.label} has no address of the ipBlock's family (${peer.block.cidr.text})`] };
    if (!inCidr(ip, peer.block.cidr)) return { ok: false, misses: [`${who.label}'s address ${who.ip} is outside ${peer.block.cidr.text}`] };
    const ex = peer.block.except.find((e) => inCidr(ip, e));
    if (ex) return { ok: false, misses: [`${who.label}'s address ${who.ip} is in the exception ${ex.text}`] };
    return { ok: true, via: 'ipBlock' };
  }
  if (!who.pod) return { ok: false, misses: [`${who.label} is not a pod, and this peer selects pods`] };
  const misses: string[] = [];
  if (peer.namespaces) {
    misses.push(...failedRequirements(peer.namespaces, who.namespaceLabels ?? {}, `namespace ${who.pod.namespace}`));
  } else if (who.pod.namespace !== policyNs) {
    misses.push(`${who.label} is in namespace ${who.pod.namespace}, and this peer selects pods of ${policyNs} only`);
  }
  if (peer.pods) misses.push(...failedRequirements(peer.pods, who.pod.labels, who.label));
  if (misses.length) return { ok: false, misses };
  return { ok: true, via: peer.pods && peer.namespaces ? 'pods-in-namespaces' : peer.namespaces ? 'namespaces' : 'pods' };
}

/** Whether an ipBlock peer's range contains any of a pod's addresses (the CNI caveat applies then). */
export function blockCoversPod(peer: CompiledPeer, pod: PolicyPod): boolean {
  if (!peer.block) return false;
  return pod.ips.some((ip) => {
    const p = parseIp(ip);
    return p !== undefined && inCidr(p, peer.block!.cidr) && !peer.block!.except.some((e) => inCidr(p, e));
  });
}

/** The connection's address family: the destination's address decides, else the first family both pods have. */
export function connectionFamily(from: PolicyEndpoint, to: PolicyEndpoint): 'ipv4' | 'ipv6' {
  const fam = (ip: string) => parseIp(ip)?.kind() ?? 'ipv4';
  if (to.kind === 'address') return fam(to.ip);
  if (from.kind === 'address') return fam(from.ip);
  const fromFams = new Set(from.pod.ips.map(fam));
  const shared = to.pod.ips.map(fam).find((f) => fromFams.has(f));
  return shared ?? (to.pod.ips[0] ? fam(to.pod.ips[0]) : from.pod.ips[0] ? fam(from.pod.ips[0]) : 'ipv4');
}

/** The endpoint's address in a family. */
export function addressIn(e: PolicyEndpoint, family: 'ipv4' | 'ipv6'): string | undefined {
  const ips = e.kind === 'pod' ? e.pod.ips : [e.ip];
  return ips.find((ip) => parseIp(ip)?.kind() === family);
}
