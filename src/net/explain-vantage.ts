/**
 * When the same probe was sent from two places — the workload's host and inside the workload's own
 * network namespace — and they disagree, why. Pure: probe facts and placements in, one sentence out.
 */
import type { ProbeFact } from '../core/answer.js';
import type { PathKind, Placement } from './explain-path.js';

/** One target both vantages probed with different outcomes. */
export interface VantageDisagreement {
  kind: ProbeFact['kind'];
  target: string;
  port?: number;
  /** The host got an answer (and the workload did not); false is the reverse. */
  hostOk: boolean;
  /** What the failing side saw: timeout, refused, unreachable… */
  failure: string;
}

const sameProbe = (a: ProbeFact, b: ProbeFact) => a.kind === b.kind && a.target === b.target && a.port === b.port;

/**
 * The disagreement that matters most: the asked port first, then any TCP port, then ping. Probes that
 * were not sent on one side (denied, agent unavailable) are not a disagreement.
 */
export function firstDisagreement(host: readonly ProbeFact[], inside: readonly ProbeFact[], port?: number): VantageDisagreement | undefined {
  const notSent = (f: ProbeFact) => f.error === 'denied' || f.error === 'agent unavailable' || f.error === 'error';
  const pairs = host
    .map((h) => ({ h, i: inside.find((f) => sameProbe(f, h)) }))
    .filter((p): p is { h: ProbeFact; i: ProbeFact } => p.i !== undefined && p.h.ok !== p.i.ok && !notSent(p.h) && !notSent(p.i));
  const rank = (p: { h: ProbeFact }) => (p.h.kind === 'tcp' && p.h.port === port ? 0 : p.h.kind === 'tcp' ? 1 : 2);
  const best = [...pairs].sort((x, y) => rank(x) - rank(y))[0];
  if (!best) return undefined;
  const failed = best.h.ok ? best.i : best.h;
  return { kind: best.h.kind, target: best.h.target, ...(best.h.port !== undefined ? { port: best.h.port } : {}), hostOk: best.h.ok, failure: failed.error ?? 'no answer' };
}

function what(d: VantageDisagreement): string {
  return d.kind === 'icmp' ? `${d.target} answers ping` : `${d.target} answers on port ${d.port}`;
}

/** What the NetworkPolicies said about A → B, when they were evaluated: it changes what a pod-only failure means. */
export type PolicyStance = 'allow' | 'deny';

function podOnlyReason(a: Placement, b: Placement, policies: PolicyStance | undefined): string {
  if (policies === 'deny') return `the NetworkPolicies deny this connection (the rules are below), and they filter ${a.name}'s traffic, not the node's own — a probe from the node cannot see them`;
  if (policies === 'allow')
    return `no NetworkPolicy drops it (they allow this connection), so something under them treats ${a.name}'s packets differently from the node's: the pod network's routes or a firewall between ${a.name}'s network and ${b.ip} (the network plugin, the node's iptables) — the node's own traffic takes another way`;
  return `the node's own traffic is not pod traffic: a NetworkPolicy selecting ${b.name} (or ${a.name}'s egress) most likely drops ${a.name} — \`reach ${a.name} ${b.name} --no-probe\` names it`;
}

function hostOnlyReason(a: Placement, b: Placement, path: PathKind, policies: PolicyStance | undefined): string {
  switch (path) {
    case 'different-bridges': {
      const net = b.networks[0];
      return `${a.name} and ${b.name} are on different bridge networks and Docker isolates them — connect ${a.name} to that network${net ? ` (\`docker network connect ${net} ${a.name}\`)` : ''} or publish the port`;
    }
    case 'same-bridge':
      return `they share a network, so the difference is inside ${a.name}'s namespace (its own firewall rules or routes) or in what ${b.name} accepts from ${a.ip} — the host's address is let in, ${a.name}'s is not`;
    case 'docker-to-cluster':
      return `the Docker host routes to the pod network, a container behind Docker's bridge does not — go through a Service (NodePort or LoadBalancer)`;
    case 'same-node':
    case 'across-nodes':
      return podOnlyReason(a, b, policies);
    case 'host-network':
      return `one end uses its node's network, so the node and the pod see different rules on the way — check the node's firewall and the pod's egress policy`;
    case 'same-namespace':
      return `they share one namespace, so only ${b.name}'s bind address or a local firewall rule can tell them apart — check that ${b.name} listens on ${b.ip}, not only on 127.0.0.1`;
  }
}

/**
 * "From the Docker host 172.20.0.3 answers on port 80; from inside web-1 it does not (timeout): web-1 and
 * db are on different bridge networks and Docker isolates them — connect web-1 to that network or
 * publish the port." Between pods, `policies` (when they were evaluated) says whether a NetworkPolicy
 * explains it or something under the policies does.
 */
export function vantagesDisagreeSentence(d: VantageDisagreement, host: string, a: Placement, b: Placement, path: PathKind, policies?: PolicyStance): string {
  if (d.hostOk) return `From ${host} ${what(d)}; from inside ${a.name} it does not (${d.failure}): ${hostOnlyReason(a, b, path, policies)}.`;
  return `From inside ${a.name} ${what(d)}; from ${host} it does not (${d.failure}): ${b.name} (or the way to it) lets ${a.name}'s address in but not the host's — a probe from the host would have called it down.`;
}
