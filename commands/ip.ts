import type { Answer, Fact } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import { isNetpeekError, UserError } from '../src/core/errors.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { parseAddress } from '../src/net/address-policy.js';
import { ADDRESS_LOOKUP_SENDS_NOTHING, addressSummary, holderPhrase, mentionsAddress, rangePhrase, type AddressHolder, type AddressRange } from '../src/net/explain-address.js';
import { dockerAddressHolders } from '../src/sources/docker-address-holders.js';
import { kubeAddressHolders } from '../src/sources/kube-address-holders.js';
import type { KubeCluster } from '../src/sources/kube-cluster.js';
import { clusterFor } from '../src/sources/kube-lookup.js';
import { addChangedRecently, RECENT_WINDOW_MS, type ChangeSubject } from '../src/sources/kube-recent-changes.js';

/**
 * `ip <address>`: what holds an address — a pod, a Service (ClusterIP, external or load-balancer IP), a
 * node, a Docker container on which network, a Docker network's gateway — or, when nothing does, which
 * known range it falls in (a node's pod CIDR, the service CIDR, a Docker network's subnet). Read from
 * the caches and the engine's lists; nothing is sent to the address. The alert diagnoses (shortcut,
 * Alertmanager) ask it about the bare addresses they find.
 */
export const ip: NetpeekCommand = {
  name: 'ip',
  aliases: ['addr', 'address'],
  summary: 'What holds an IP address (pod, Service, node, Docker container) or which range it is in, without sending it anything',
  args: [{ name: '<address>', required: true }],
  flags: ['cluster'],
  examples: ['ip 10.244.1.10', 'ip 172.17.0.2', 'ip 10.96.0.10 --context kind-dev'],
  subject: { role: 'lookup', kind: 'ip' },
  sendsPackets: 'never',
  description:
    "Looks the address up in the Kubernetes caches (pod IPs, Services' ClusterIPs, external and load-balancer IPs, node addresses) and in Docker's container and network lists. When nothing holds it, says which range it is inside: a node's pod CIDR, the service CIDR the ClusterIPs suggest, a Docker network's subnet. It sends no packets: `ping <address>` does.",
  async run(query, deps) {
    const raw = query.args[0] ?? '';
    const parsed = parseAddress(raw);
    if (!parsed.ok) throw new UserError(`"${raw}" is not an IP address: ${parsed.reason}.`, ['Accepted: one IPv4 or IPv6 address, without a port or a /prefix.', 'Example: ip 10.244.1.10']);
    const address = parsed.ip;
    const [kube, docker] = await Promise.all([settle(kubeSide(deps, query.flags.cluster, address)), settle(dockerSide(deps, address))]);
    if (!kube.ok && !docker.ok) throw kube.error;
    const holders = [...(kube.ok ? kube.value.holders : []), ...(docker.ok ? docker.value.holders : [])];
    const ranges = [...(kube.ok ? kube.value.ranges : []), ...(docker.ok ? docker.value.ranges : [])];
    const answer = answerFor(address, holders, ranges, kube.ok ? kube.value : undefined);
    for (const side of [kube, docker]) if (!side.ok && !(side as { skipped?: boolean }).skipped) answer.warnings.push(`Not checked: ${messageOf(side.error)}`);
    if (kube.ok && kube.value.hiddenPods > 0) answer.warnings.push(`A pod in a namespace this conversation may not see also holds ${address}.`);
    if (kube.ok) addChangedRecently(answer, kube.value.cluster, kube.value.changeSubjects, Date.now(), deps.namespaces);
    return answer;
  },
};

type Side = { holders: AddressHolder[]; ranges: AddressRange[] };
type KubeSide = Side & { cluster: KubeCluster; hiddenPods: number; changeSubjects: ChangeSubject[] };
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown; skipped?: boolean };

const NOT_CONFIGURED = Symbol('not configured');

async function settle<T>(p: Promise<T | typeof NOT_CONFIGURED>): Promise<Settled<T>> {
  try {
    const value = await p;
    if (value === NOT_CONFIGURED) return { ok: false, skipped: true, error: new UserError('netpeek has neither a Docker engine nor a Kubernetes cluster to look the address up in.', ['`status` shows what netpeek found.']) };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

function messageOf(err: unknown): string {
  return isNetpeekError(err) ? err.message : 'the lookup failed';
}

async function kubeSide(deps: Deps, context: string | undefined, address: string): Promise<KubeSide | typeof NOT_CONFIGURED> {
  // --context names a cluster: then it must be there; without it, a host with Docker alone is fine.
  if (context === undefined && !deps.kube?.configured()) return NOT_CONFIGURED;
  const cluster = clusterFor(deps, context);
  const held = await kubeAddressHolders(cluster, address, deps.namespaces ? { namespaces: deps.namespaces } : {});
  const holders: AddressHolder[] = [
    ...held.pods.map((p): AddressHolder => ({ kind: 'pod', namespace: p.namespace, name: p.name, ...(p.nodeName ? { node: p.nodeName } : {}), hostNetwork: p.hostNetwork, phase: p.phase })),
    ...held.services.map((s): AddressHolder => ({ kind: 'service', namespace: s.service.namespace, name: s.service.name, type: s.service.type, as: s.as })),
    ...held.nodes.map((n): AddressHolder => ({ kind: 'node', name: n.node.name, addressType: n.type })),
  ];
  const ranges: AddressRange[] = [
    ...(held.podCidr ? [{ kind: 'pod-cidr' as const, ...held.podCidr }] : []),
    ...(held.serviceCidr ? [{ kind: 'service-cidr' as const, guess: held.serviceCidr }] : []),
  ];
  // What changed on the holders, and on whatever held the address before (a pod deleted or given a new IP).
  const before = cluster.changes({ since: Date.now() - RECENT_WINDOW_MS, ...(deps.namespaces ? { namespaces: deps.namespaces } : {}) }).filter((c) => mentionsAddress(c.diff, address));
  const changeSubjects: ChangeSubject[] = [
    ...held.pods.map((p): ChangeSubject => ({ kind: 'Pod', namespace: p.namespace, name: p.name, ...(p.nodeName ? { nodeName: p.nodeName } : {}) })),
    ...held.services.map((s): ChangeSubject => ({ kind: 'Service', namespace: s.service.namespace, name: s.service.name })),
    ...held.nodes.map((n): ChangeSubject => ({ kind: 'Node', name: n.node.name })),
    ...before.map((c): ChangeSubject => ({ kind: c.kind, name: c.name, ...(c.namespace !== undefined ? { namespace: c.namespace } : {}) }) as ChangeSubject),
  ];
  return { holders, ranges, cluster, hiddenPods: held.hiddenPods, changeSubjects };
}

async function dockerSide(deps: Deps, address: string): Promise<Side | typeof NOT_CONFIGURED> {
  if (!deps.docker) return NOT_CONFIGURED;
  return dockerAddressHolders(deps.docker, address);
}

/** The command that shows more about a holder. */
function nextStep(h: AddressHolder): string {
  switch (h.kind) {
    case 'pod':
      return `\`pod ${h.name} -n ${h.namespace}\` shows the pod's ports and node.`;
    case 'service':
      return `\`why svc/${h.name} -n ${h.namespace}\` checks the Service from selector to endpoints.`;
    case 'node':
      return `\`node ${h.name}\` shows its addresses, pod CIDR and pods.`;
    case 'container':
      return `\`container ${h.name}\` shows its addresses and ports.`;
    case 'gateway':
      return `\`network ${h.network}\` shows the network and its containers.`;
  }
}

function answerFor(address: string, holders: AddressHolder[], ranges: AddressRange[], kube: KubeSide | undefined): Answer {
  const facts: Fact[] = [
    { label: 'Address', value: address },
    { label: 'Held by', value: holders.length ? holders.map(holderPhrase).join('; ') : 'nothing netpeek sees' },
    { label: 'Inside', value: ranges.length ? ranges.map(rangePhrase).join('; ') : 'no range netpeek knows' },
    ...(kube ? [{ label: 'Kubernetes context', value: `${kube.cluster.context} (${kube.cluster.server})` }] : []),
  ];
  // About the address itself: "@netpeek ping it" in the thread then pings the address.
  const answer = newAnswer('ip', `ip ${address}`, {
    subject: { kind: 'ip', name: address, ...(kube ? { source: `context ${kube.cluster.context}` } : {}) },
    summary: addressSummary(address, holders, ranges),
    facts,
  });
  if (holders.length) {
    answer.tables.push({
      title: 'Holders',
      columns: ['kind', 'name', 'where'],
      rows: holders.map((h) => [h.kind, holderName(h), holderWhere(h)]),
    });
  }
  answer.explanations.push(ADDRESS_LOOKUP_SENDS_NOTHING);
  for (const h of holders.slice(0, 3)) answer.hints.push(nextStep(h));
  if (!holders.length) answer.hints.push('`pod -A -o wide` lists the pod IPs, `svc -A` the ClusterIPs, `network <name>` the containers of a Docker network.');
  return answer;
}

function holderName(h: AddressHolder): string {
  if (h.kind === 'gateway') return h.network;
  if (h.kind === 'pod' || h.kind === 'service') return `${h.namespace}/${h.name}`;
  return h.name;
}

function holderWhere(h: AddressHolder): string {
  switch (h.kind) {
    case 'pod':
      return h.hostNetwork ? `node ${h.node ?? '?'} (hostNetwork)` : `node ${h.node ?? '—'}, ${h.phase}`;
    case 'service':
      return `${h.as} of a ${h.type} Service`;
    case 'node':
      return h.addressType;
    case 'container':
      return `Docker network ${h.network}${h.sharedWith.length ? `, shared with ${h.sharedWith.join(', ')}` : ''}`;
    case 'gateway':
      return `gateway (the Docker host's side)${h.driver ? `, ${h.driver}` : ''}`;
  }
}
