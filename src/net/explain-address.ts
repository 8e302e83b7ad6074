import type { ServiceCidrGuess } from './pod-cidr.js';

/**
 * What an address is, in words: who holds it (a pod, a Service, a node, a Docker container or a Docker
 * network's gateway) or, when nothing does, which known range it falls in. Pure: the holders and ranges
 * are read by the sources; `ip <address>` and `why <ip>` say them with these sentences.
 */

/** Something that holds an address, as `ip` lists it. */
export type AddressHolder =
  | { kind: 'pod'; namespace: string; name: string; node?: string; hostNetwork: boolean; phase: string }
  | { kind: 'service'; namespace: string; name: string; type: string; as: 'ClusterIP' | 'external IP' | 'load balancer' }
  | { kind: 'node'; name: string; addressType: string }
  | { kind: 'container'; name: string; network: string; sharedWith: readonly string[] }
  | { kind: 'gateway'; network: string; driver?: string };

/** A range an address falls in. */
export type AddressRange =
  | { kind: 'pod-cidr'; node: string; cidr: string }
  | { kind: 'service-cidr'; guess: ServiceCidrGuess }
  | { kind: 'docker-network'; network: string; cidr: string; driver?: string };

/** The holder in one phrase: "pod shop/web-1 on node node-1", "container web-1 on Docker network lab". */
export function holderPhrase(h: AddressHolder): string {
  switch (h.kind) {
    case 'pod':
      return h.hostNetwork
        ? `pod ${h.namespace}/${h.name} (hostNetwork: it uses its node ${h.node ?? '?'}'s address)`
        : `pod ${h.namespace}/${h.name}${h.node ? ` on node ${h.node}` : ''}${h.phase !== 'Running' ? ` (${h.phase})` : ''}`;
    case 'service':
      return `Service ${h.namespace}/${h.name} (${h.type}, its ${h.as})`;
    case 'node':
      return `node ${h.name} (its ${h.addressType})`;
    case 'container':
      return `Docker container ${h.name} on network ${h.network}${h.sharedWith.length ? ` (shared with ${h.sharedWith.join(', ')}, started with --network container:${h.name})` : ''}`;
    case 'gateway':
      return `the Docker host: the gateway of Docker network ${h.network}${h.driver === 'bridge' ? ' (its bridge interface on the host)' : ''}`;
  }
}

/** The range in one phrase: "node node-1's pod CIDR 10.244.1.0/24". */
export function rangePhrase(r: AddressRange): string {
  switch (r.kind) {
    case 'pod-cidr':
      return `node ${r.node}'s pod CIDR ${r.cidr}`;
    case 'service-cidr':
      return `the service CIDR ${r.guess.cidr} (${r.guess.basis === 'default' ? `the default of ${r.guess.who}, holding the ClusterIPs in use` : 'the smallest range holding the ClusterIPs in use: an inference'})`;
    case 'docker-network':
      return `Docker network ${r.network}'s subnet ${r.cidr}${r.driver ? ` (${r.driver})` : ''}`;
  }
}

/** Why nothing holding an address inside this range matters, after "nothing holds it". */
export function unheldInRange(r: AddressRange): string {
  switch (r.kind) {
    case 'pod-cidr':
      return 'a pod address that no running pod holds now (pod IPs change when a pod is recreated)';
    case 'service-cidr':
      return 'a ClusterIP no Service holds now (deleted or recreated?)';
    case 'docker-network':
      return 'an address Docker has not given to any running container (a container gets a new one when it is recreated)';
  }
}

/** The one-sentence verdict of `ip <address>`. */
export function addressSummary(ip: string, holders: readonly AddressHolder[], ranges: readonly AddressRange[]): string {
  if (holders.length === 1) return `${ip} is held by ${holderPhrase(holders[0]!)}.`;
  if (holders.length > 1) return `${ip} is held by ${holders.length} things: ${holders.map(holderPhrase).join('; ')}.`;
  const range = ranges[0];
  if (range) return `Nothing netpeek sees holds ${ip}; it is inside ${rangePhrase(range)}: ${unheldInRange(range)}.`;
  return `Nothing netpeek sees holds ${ip}, and it is in none of the ranges netpeek knows (pod CIDRs, the service CIDR, Docker networks' subnets).`;
}

/**
 * The clusters' half of "nothing holds it": the range it is in, or what it is outside of. Shared with
 * `why <ip>`'s resolve step.
 */
export function kubeUnheldSentence(o: { podCidr?: { node: string; cidr: string }; serviceCidr?: ServiceCidrGuess; podCidrs: readonly string[] }): string {
  if (o.podCidr) return `it is inside ${rangePhrase({ kind: 'pod-cidr', ...o.podCidr })}: ${unheldInRange({ kind: 'pod-cidr', ...o.podCidr })}`;
  if (o.serviceCidr) return `it is inside ${rangePhrase({ kind: 'service-cidr', guess: o.serviceCidr })}: ${unheldInRange({ kind: 'service-cidr', guess: o.serviceCidr })}`;
  return `it is outside every node's pod CIDR${o.podCidrs.length ? ` (${o.podCidrs.slice(0, 3).join(', ')})` : ''} and outside the service CIDR the ClusterIPs suggest: not an address of this cluster's pods or Services`;
}

/** Whether a change's one-line diff names the address ("IP 10.244.1.10 → 10.244.1.12", "deleted (was 10.244.1.10 on node-1)"). */
export function mentionsAddress(diff: string, ip: string): boolean {
  const escaped = ip.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![0-9A-Za-z.:])${escaped}(?![0-9A-Za-z:]|\\.[0-9])`).test(diff);
}

/** Said under an `ip` answer: looking an address up sends nothing to it. */
export const ADDRESS_LOOKUP_SENDS_NOTHING =
  'This answer comes from what Docker and the Kubernetes API report; nothing was sent to the address. `ping <address>` probes it, from the host or node whose network holds it.';
