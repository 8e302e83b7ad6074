import type { DirectionVerdict, PolicyVerdict, PortVerdict } from '../core/policy-verdict.js';
import type { LabelSelector } from './label-selector.js';
import { matchesLabels } from './label-selector.js';
import * as say from './explain-policy.js';
import type { CompiledPeer, PeerView, PolicyEndpoint, PolicyNamespace, PolicyPod } from './policy-peers.js';
import { addressIn, blockCoversPod, compilePeer, compileSelector, connectionFamily, matchPeer } from './policy-peers.js';
import type { AllowedRange } from '../core/policy-verdict.js';
import type { NamedPort } from './policy-ports.js';
import { PortSet, resolveRulePorts } from './policy-ports.js';
import type { NetworkPolicySpec, PolicyDirection, PolicyProtocol, RuleSpec } from './policy-spec.js';
import { effectivePolicyTypes, policyRef } from './policy-spec.js';

/**
 * The Kubernetes NetworkPolicy engine (networking.k8s.io/v1), pure: no I/O, no clients.
 *
 *   const engine = new PolicyEngine({ policies, namespaces });
 *   const { verdict } = engine.evaluate({ kind: 'pod', pod: a }, { kind: 'pod', pod: b }, { protocol: 'TCP', port: 8080 });
 *
 * The rules it implements (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * - a pod is isolated for a direction when a policy of its namespace selects it (podSelector) and has
 *   that direction in its policyTypes — explicit, or implied: Ingress always, Egress when egress rules exist;
 * - what an isolated pod may do in that direction is the union of the selecting policies' rules;
 *   a pod that no policy isolates may do anything in that direction;
 * - a connection A → B needs A's egress AND B's ingress to allow it; an address outside every pod
 *   has no policies of its own, so only the pod side's apply;
 * - a rule with no `from`/`to` admits every peer, with no `ports` every port; peers are podSelector
 *   (the policy's namespace), namespaceSelector, both (pods of those namespaces), or ipBlock minus except;
 * - ports by number, by range (endPort) and by name, a name being resolved against the destination's
 *   container ports with the same protocol (an address has no names: such an entry admits nothing there).
 *
 * It refuses to guess: a hostNetwork pod, a node's address, an address of the pod network that belongs
 * to no pod, or a selecting policy with fields it cannot read give `evaluated: false` with the reason.
 * The index (policies by namespace, selectors compiled) is built once; an engine is immutable, so
 * callers rebuild it when policies or namespaces change.
 */

/** A rule that admits the peer. */
export interface RuleAdmission {
  policy: string;
  direction: PolicyDirection;
  /** 1-based, as people count rules in YAML. */
  rule: number;
  /** What the rule admits, in words ("pods app=web in namespaces team=web, TCP 8080"). */
  description: string;
  /** The ports it admits for this peer and destination. */
  ports: 'all' | 'none' | AllowedRange[];
  /** Matched through an ipBlock covering a pod's own address (CNIs differ there). */
  ipBlockOnPod: boolean;
}

/** A rule of an isolating policy that does not admit the peer (or not on the asked port), and why. */
export interface RuleMiss {
  policy: string;
  direction: PolicyDirection;
  rule: number;
  description: string;
  /** Each a checkable fact: "web-1 has app=webapp (wanted app=web)". */
  reasons: string[];
}

/** One side of the connection in full: the source of the verdict's `egress` / `ingress`, plus the rules. */
export interface SideEvaluation extends DirectionVerdict {
  direction: PolicyDirection;
  /** "shop/db-0": the pod whose policies these are. */
  subject: string;
  allowed: PortSet;
  admissions: RuleAdmission[];
  misses: RuleMiss[];
}

export interface PolicyEvaluation {
  verdict: PolicyVerdict;
  /** Present when the source is a pod (its egress policies). */
  egress?: SideEvaluation;
  /** Present when the destination is a pod (its ingress policies). */
  ingress?: SideEvaluation;
  /** Caveats for this connection (ipBlock on pod traffic) and what was not evaluated. */
  notes: string[];
}

export interface EvaluateOptions {
  /** Policy kinds present in the cluster that the engine does not evaluate (AdminNetworkPolicy, CNI CRDs). */
  otherPolicyKinds?: readonly string[];
}

interface CompiledRule {
  index: number;
  spec: RuleSpec;
  peers: CompiledPeer[];
}

/** A policy with its selectors compiled, as the index keeps it. */
export interface CompiledPolicy {
  ref: string;
  spec: NetworkPolicySpec;
  types: ReadonlySet<PolicyDirection>;
  selector: LabelSelector;
  rules: Record<PolicyDirection, CompiledRule[]>;
}

/** What `policy <pod>` shows: the policies selecting a pod in each direction. */
export interface PodPolicies {
  ingress: { isolated: boolean; policies: CompiledPolicy[] };
  egress: { isolated: boolean; policies: CompiledPolicy[] };
  /** Selecting policies the engine cannot read fully, with what it could not read. */
  unreadable: { policy: string; problems: string[] }[];
}

const podRef = (p: PolicyPod) => `${p.namespace}/${p.name}`;

function compile(spec: NetworkPolicySpec): CompiledPolicy {
  const rules = (list: RuleSpec[]) => list.map((r, index) => ({ index, spec: r, peers: r.peers.map(compilePeer) }));
  return {
    ref: policyRef(spec),
    spec,
    types: new Set(effectivePolicyTypes(spec)),
    selector: compileSelector(spec.podSelector),
    rules: { ingress: rules(spec.ingress), egress: rules(spec.egress) },
  };
}

export class PolicyEngine {
  private readonly byNamespace = new Map<string, CompiledPolicy[]>();
  private readonly nsLabels = new Map<string, Readonly<Record<string, string>>>();
  /** Every policy, compiled, in namespace/name order. */
  readonly policies: readonly CompiledPolicy[];

  constructor(input: { policies: readonly NetworkPolicySpec[]; namespaces: readonly PolicyNamespace[] }) {
    const sorted = [...input.policies].sort((a, b) => policyRef(a).localeCompare(policyRef(b)));
    this.policies = sorted.map(compile);
    for (const p of this.policies) {
      const list = this.byNamespace.get(p.spec.namespace) ?? [];
      list.push(p);
      this.byNamespace.set(p.spec.namespace, list);
    }
    for (const n of input.namespaces) this.nsLabels.set(n.name, n.labels);
  }

  /** A namespace's labels; one the engine was not given has only the label the API server always sets. */
  namespaceLabels(name: string): Readonly<Record<string, string>> {
    return this.nsLabels.get(name) ?? { 'kubernetes.io/metadata.name': name };
  }

  /** Policies of a namespace (namespace/name order). */
  inNamespace(namespace: string): readonly CompiledPolicy[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** Policies whose podSelector selects the pod, optionally only those isolating a direction. */
  selecting(pod: PolicyPod, direction?: PolicyDirection): CompiledPolicy[] {
    return this.inNamespace(pod.namespace).filter((p) => (!direction || p.types.has(direction)) && matchesLabels(p.selector, pod.labels));
  }

  /** The policies selecting a pod, per direction (for `policy <pod>`). */
  podPolicies(pod: PolicyPod): PodPolicies {
    const all = this.selecting(pod);
    const side = (d: PolicyDirection) => {
      const policies = all.filter((p) => p.types.has(d));
      return { isolated: policies.length > 0, policies };
    };
    return {
      ingress: side('ingress'),
      egress: side('egress'),
      unreadable: all.filter((p) => p.spec.unreadable.length).map((p) => ({ policy: p.ref, problems: p.spec.unreadable })),
    };
  }

  /** Why a connection cannot be evaluated, or undefined when it can. */
  private refusal(from: PolicyEndpoint, to: PolicyEndpoint): string | undefined {
    for (const e of [from, to]) {
      if (e.kind === 'pod' && e.pod.hostNetwork) return say.hostNetworkReason(podRef(e.pod));
      if (e.kind === 'address' && e.place === 'node') return say.nodeAddressReason(e.ip, e.node);
      if (e.kind === 'address' && e.place === 'pod-network') return say.unownedPodNetworkReason(e.ip);
    }
    if (from.kind !== 'pod' && to.kind !== 'pod') return say.NO_POD_REASON;
    for (const e of [from, to]) {
      if (e.kind !== 'pod') continue;
      // A policy whose podSelector could not be read might select the pod: refuse as well.
      const suspects = this.inNamespace(e.pod.namespace).filter((p) => p.spec.unreadable.length && (matchesLabels(p.selector, e.pod.labels) || p.spec.unreadable.some((u) => u.startsWith('spec.podSelector'))));
      if (suspects.length) return say.unreadablePolicyReason(suspects[0]!.ref, suspects[0]!.spec.unreadable);
    }
    return undefined;
  }

  /**
   * Whether policies let `from` connect to `to`, and on which ports; with `port`, the verdict for that
   * port with a sentence naming the deciding policy and rule (or, for a denial, the isolating policies
   * and the nearest miss).
   */
  evaluate(from: PolicyEndpoint, to: PolicyEndpoint, port?: { protocol: PolicyProtocol; port: number }, opts: EvaluateOptions = {}): PolicyEvaluation {
    const scope = [say.NOT_EVALUATED_SCOPE, ...(opts.otherPolicyKinds?.length ? [say.otherPolicyKindsSentence(opts.otherPolicyKinds)] : [])];
    const refused = this.refusal(from, to);
    if (refused) return { verdict: { evaluated: false, reason: refused }, notes: scope };
    const family = connectionFamily(from, to);
    const view = (e: PolicyEndpoint): PeerView => {
      const ip = addressIn(e, family);
      if (e.kind === 'address') return { label: e.ip, ip: e.ip };
      return { pod: e.pod, namespaceLabels: this.namespaceLabels(e.pod.namespace), label: e.pod.name, ...(ip ? { ip } : {}) };
    };
    const destinationPorts = to.kind === 'pod' ? to.pod.namedPorts : undefined;
    const destinationName = to.kind === 'pod' ? to.pod.name : to.ip;
    const egress = from.kind === 'pod' ? this.side('egress', from.pod, view(to), destinationPorts, destinationName, port) : undefined;
    const ingress = to.kind === 'pod' ? this.side('ingress', to.pod, view(from), destinationPorts, destinationName, port) : undefined;
    const allowed = (egress?.allowed ?? PortSet.all()).intersect(ingress?.allowed ?? PortSet.all());
    const open: DirectionVerdict = { isolated: false, policies: [], admittedBy: [] };
    const verdict: PolicyVerdict = {
      evaluated: true,
      allowed: allowed.toAllowed(),
      egress: egress ? direction(egress) : open,
      ingress: ingress ? direction(ingress) : open,
    };
    if (port) verdict.port = this.portVerdict(port, allowed, egress, ingress, view(from).label, view(to).label);
    const onPods = [egress, ingress].some((s) => s?.admissions.some((a) => a.ipBlockOnPod));
    return { verdict, ...(egress ? { egress } : {}), ...(ingress ? { ingress } : {}), notes: [...(onPods ? [say.IP_BLOCK_POD_CAVEAT] : []), ...scope] };
  }

  private side(d: PolicyDirection, subject: PolicyPod, peer: PeerView, destination: readonly NamedPort[] | undefined, destinationName: string, port?: { protocol: PolicyProtocol; port: number }): SideEvaluation {
    const selecting = this.selecting(subject, d);
    const base = { direction: d, subject: podRef(subject), isolated: selecting.length > 0, policies: selecting.map((p) => p.ref) };
    if (!selecting.length) return { ...base, admittedBy: [], allowed: PortSet.all(), admissions: [], misses: [] };
    let allowed = PortSet.none();
    const admissions: RuleAdmission[] = [];
    const misses: RuleMiss[] = [];
    const admittedBy = new Set<string>();
    for (const policy of selecting) {
      for (const rule of policy.rules[d]) {
        const { set, resolved } = resolveRulePorts(rule.spec.ports, destination);
        const resolve = (p: RuleSpec['ports'][number]) => {
          const r = resolved.find((x) => x.spec === p);
          return r?.resolvedTo ? { pod: destinationName, numbers: r.resolvedTo } : { pod: destinationName, numbers: [] };
        };
        const description = say.describeRule(rule.spec, policy.spec.namespace, d, resolve);
        const at = { policy: policy.ref, direction: d, rule: rule.index + 1, description };
        const matches = rule.peers.map((p) => ({ p, m: matchPeer(p, policy.spec.namespace, peer) }));
        const hit = rule.peers.length === 0 ? { p: undefined, m: { ok: true as const, via: 'pods' as const } } : matches.find((x) => x.m.ok);
        if (!hit) {
          // The peer that came closest: fewest failed requirements.
          const best = matches.map((x) => (x.m.ok ? [] : x.m.misses)).sort((a, b) => a.length - b.length)[0] ?? [];
          misses.push({ ...at, reasons: best });
          continue;
        }
        if (set.isEmpty()) {
          misses.push({ ...at, reasons: [`it admits ${peer.label}, but none of its ports exists on ${destinationName}`] });
          continue;
        }
        allowed = allowed.union(set);
        admittedBy.add(policy.ref);
        const ipBlockOnPod = hit.p !== undefined && hit.m.ok && hit.m.via === 'ipBlock' && peer.pod !== undefined && blockCoversPod(hit.p, peer.pod);
        admissions.push({ ...at, ports: set.toAllowed(), ipBlockOnPod });
        if (port && !set.has(port.protocol, port.port)) {
          misses.push({ ...at, reasons: [`it admits ${peer.label} on ${say.describeAllowed(set.toAllowed())} only, not ${port.protocol} ${port.port}`] });
        }
      }
    }
    return { ...base, admittedBy: [...admittedBy], allowed, admissions, misses };
  }

  private portVerdict(q: { protocol: PolicyProtocol; port: number }, allowed: PortSet, egress: SideEvaluation | undefined, ingress: SideEvaluation | undefined, fromName: string, toName: string): PortVerdict {
    const what = `${q.protocol} ${q.port}`;
    const sides = [egress, ingress].filter((s): s is SideEvaluation => s !== undefined);
    if (allowed.has(q.protocol, q.port)) {
      const parts = sides.map((s) => {
        if (!s.isolated) return say.notIsolatedSentence(s.subject.split('/')[1]!, s.direction);
        const a = s.admissions.find((x) => admits(x.ports, q))!;
        return say.admittedSentence(a.policy, s.direction, a.rule, a.description);
      });
      return { protocol: q.protocol, port: q.port, verdict: 'allowed', because: `${parts.join('; ')}.` };
    }
    const denying = sides.filter((s) => !s.allowed.has(q.protocol, q.port));
    const parts = denying.map((s) => {
      const peer = s.direction === 'ingress' ? fromName : toName;
      const sentence = say.isolatedDeniedSentence(s.subject.split('/')[1]!, s.direction, s.policies, peer, what);
      const nearest = say.nearestMiss(s.misses);
      return nearest ? `${sentence} (${say.nearestMissSentence(nearest.policy, s.direction, nearest.rule, nearest.description, nearest.reasons)})` : sentence;
    });
    return { protocol: q.protocol, port: q.port, verdict: 'denied', because: `${parts.join('; ')}.` };
  }
}

function admits(ports: RuleAdmission['ports'], q: { protocol: PolicyProtocol; port: number }): boolean {
  if (ports === 'all') return true;
  if (ports === 'none') return false;
  return ports.some((r) => r.protocol === q.protocol && q.port >= r.port && q.port <= r.endPort);
}

function direction(s: SideEvaluation): DirectionVerdict {
  return { isolated: s.isolated, policies: s.policies, admittedBy: s.admittedBy };
}

export type { DirectionVerdict, PolicyVerdict, PortVerdict };
