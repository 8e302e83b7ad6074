import type { DiagnosisStep } from '../core/diagnosis.js';
import { skipStep } from './why-diagnosis.js';
import { describeNetworks, sharedNetworks, type DockerClient, type SlimContainer } from './why-docker.js';

/**
 * The resolve step of `why` between Docker containers: does the destination's name resolve from the
 * client, to the destination? Docker's embedded DNS (127.0.0.11 inside a container) answers a container's
 * name only to containers on a user-defined network they share. With a live lookup made from inside the
 * client's own namespace that is what the step reports; without one it says what Docker's rules imply,
 * and a pass it could not check is a skip. Pure: the caller made the lookup.
 */

/** A name looked up from inside the client's namespace: its resolv.conf, its search list, its resolver. */
export interface LiveNameLookup {
  /** Where from, in words ("inside web-1"). */
  from: string;
  /** Each name the resolver tried, in order, and what came back. */
  tried: readonly { name: string; outcome: string; answers: readonly string[]; ms?: number; detail?: string }[];
  /** The resolv.conf's nameservers. */
  nameservers: readonly string[];
  /** Of those, the ones the probe allow-list kept netpeek from querying. */
  denied: readonly string[];
}

/** What the command could learn live: a lookup, or why none was made (a sentence). */
export type LiveResolve = { kind: 'looked-up'; lookup: LiveNameLookup } | { kind: 'not-looked-up'; reason: string };

type ContainerClient = Extract<DockerClient, { kind: 'container' }>;

/** What Docker's rules say, from the networks alone. */
function byDockersRules(client: ContainerClient, to: SlimContainer): DiagnosisStep {
  const shared = sharedNetworks(client.networks, to.networks);
  const named = shared.filter((n) => !n.isDefaultBridge);
  if (named[0]) {
    return { id: 'resolve', status: 'pass', evidence: `${to.name} resolves from ${client.name} through Docker's DNS on network ${named[0].name}${named[0].ip ? ` to ${named[0].ip}` : ''}.` };
  }
  if (shared.length > 0) {
    return {
      id: 'resolve',
      status: 'fail',
      evidence: `${client.name} and ${to.name} share only the default bridge, where Docker's DNS does not resolve container names: the name ${to.name} does not resolve from ${client.name}.`,
      fix: `Put both on a user-defined network (docker network create app; docker network connect app ${client.name}; docker network connect app ${to.name}), or use ${to.name}'s address ${shared[0]!.ip ?? ''}.`.replace(' .', '.'),
    };
  }
  // No shared network: the name fails too, but that follows from the route; the route step says what to change.
  return { id: 'resolve', status: 'warn', evidence: `${to.name} does not resolve from ${client.name}: they share no network, and Docker's DNS answers only for containers on the asker's own networks (see route).` };
}

function outcomeWords(t: LiveNameLookup['tried'][number]): string {
  if (t.outcome === 'nxdomain') return `${t.name} NXDOMAIN`;
  if (t.outcome === 'timeout') return `${t.name} no answer before the timeout`;
  if (t.outcome === 'nodata') return `${t.name} exists but has no A record`;
  return `${t.name} ${t.outcome}${t.detail ? ` (${t.detail})` : ''}`;
}

/** From the live lookup: which name answered, with what, and whether that is the destination. */
function fromLookup(client: ContainerClient, to: SlimContainer, lookup: LiveNameLookup, rules: DiagnosisStep): DiagnosisStep {
  const asked = lookup.tried.filter((t) => t.outcome !== 'denied' && t.outcome !== 'not-tried');
  if (asked.length === 0) {
    // Nothing could be asked: what Docker's rules say stands when it is a failure; a pass stays unchecked.
    if (rules.status !== 'pass') return rules;
    return skipStep('resolve', `${client.name}'s nameserver${lookup.denied.length === 1 ? '' : 's'} ${lookup.denied.join(', ') || '(none in its resolv.conf)'} ${lookup.denied.length === 1 ? 'is' : 'are'} outside the probe allow-list, so no DNS query was sent from inside it`);
  }
  const answered = asked.find((t) => t.outcome === 'answer');
  const took = (t: { ms?: number }) => (t.ms !== undefined ? `, ${t.ms} ms` : '');
  if (answered) {
    const own = to.networks.find((n) => n.ip !== undefined && answered.answers.includes(n.ip));
    if (own) {
      return { id: 'resolve', status: 'pass', evidence: `${to.name} resolves from ${lookup.from} to ${own.ip}, its address on network ${own.name} (live query for ${answered.name} to ${lookup.nameservers.join(', ')}${took(answered)}).` };
    }
    const ips = to.networks.flatMap((n) => (n.ip ? [n.ip] : []));
    return {
      id: 'resolve',
      status: 'fail',
      evidence: `${to.name} resolves from ${lookup.from} to ${answered.answers.join(', ') || 'an empty answer'} (as ${answered.name}), which is not an address of container ${to.name} (${ips.join(', ') || 'it has none'}): the name answers for something else.`,
      fix: `Give the other holder of the name ${to.name} another name or alias, or connect to ${to.name} by an alias only it has.`,
    };
  }
  const tried = asked.map(outcomeWords).join('; ');
  const shared = sharedNetworks(client.networks, to.networks);
  const target = to.networks.find((n) => !n.isDefaultBridge && n.driver !== 'host' && n.driver !== 'null');
  if (shared.length === 0) {
    return {
      id: 'resolve',
      status: 'fail',
      evidence: `${to.name} does not resolve from ${lookup.from} (${tried}): Docker's DNS answers only names of containers on the asker's own networks, and ${client.name} (on ${describeNetworks(client.networks)}) shares none with ${to.name} (on ${describeNetworks(to.networks)}).`,
      fix: target ? `Connect ${client.name} to network ${target.name}: docker network connect ${target.name} ${client.name}.` : `Put ${client.name} and ${to.name} on one user-defined network.`,
    };
  }
  if (rules.status === 'fail') return { ...rules, evidence: `${rules.evidence} Asked from ${lookup.from}: ${tried}.` };
  return {
    id: 'resolve',
    status: 'fail',
    evidence: `${to.name} does not resolve from ${lookup.from} (${tried}) although both are on network ${shared.find((n) => !n.isDefaultBridge)?.name ?? shared[0]!.name}; its resolver is ${lookup.nameservers.join(', ') || 'not configured'}.`,
    fix: `Check ${client.name}'s resolv.conf: Docker's DNS (127.0.0.11) must be its nameserver (a resolv.conf mounted over it bypasses Docker's DNS).`,
  };
}

/** resolve: the destination's name from the client — looked up live from inside it when `live` is a lookup. */
export function dockerResolveStep(client: DockerClient, to: SlimContainer, live?: LiveResolve): DiagnosisStep | undefined {
  if (client.kind === 'anyone') return undefined;
  if (client.kind !== 'container') {
    return skipStep('resolve', `clients outside Docker's networks do not resolve container names (Docker's DNS at 127.0.0.11 serves containers only); they use ${to.name}'s address or a published port`);
  }
  const rules = byDockersRules(client, to);
  if (live?.kind === 'looked-up') return fromLookup(client, to, live.lookup, rules);
  // A failure follows from the networks alone; a pass is only Docker's rule until a query confirms it.
  if (rules.status !== 'pass' || live === undefined) return rules;
  return skipStep('resolve', `${to.name} was not looked up from inside ${client.name} (${live.reason.replace(/\.$/, '')}); by Docker's rules it resolves there: ${rules.evidence.replace(/\.$/, '')}`);
}
