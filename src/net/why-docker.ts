import type { DiagnosisStep } from '../core/diagnosis.js';
import type { FirewallVerdict } from './docker-user-rules.js';
import { firewallSentence } from './docker-user-rules.js';
import type { HostBinding } from './ports.js';
import { bindingScope, formatHostSide } from './ports.js';

/**
 * The facts of `why` between Docker containers and its route step, from what the command gathered (no I/O
 * here): whether a route exists — a shared network, the Docker host itself, or a published port for a
 * client on another machine — and what the host firewall does to it. resolve is why-docker-resolve.ts's,
 * listening why-listening-step.ts's.
 */

/** One Docker network a container is attached to. */
export interface SlimNetwork {
  name: string;
  /** bridge, overlay, macvlan, host… */
  driver: string;
  /** The container's address on it. */
  ip?: string;
  /** The default `bridge` network, where container names do not resolve. */
  isDefaultBridge: boolean;
}

/** The destination container as the steps need it. */
export interface SlimContainer {
  name: string;
  networks: readonly SlimNetwork[];
  published: readonly HostBinding[];
}

/** Where the traffic comes from. */
export type DockerClient =
  | { kind: 'container'; name: string; networks: readonly SlimNetwork[] }
  /** The Docker host itself (netpeek's host, `here`). */
  | { kind: 'host' }
  /** An address on another machine: it gets in through published ports only. */
  | { kind: 'outside'; ip: string }
  /** No client named: can the container serve anyone? */
  | { kind: 'anyone' };

/** Networks both containers are attached to, the destination's side of each. */
export function sharedNetworks(from: readonly SlimNetwork[], to: readonly SlimNetwork[]): SlimNetwork[] {
  const names = new Set(from.map((n) => n.name));
  return to.filter((n) => names.has(n.name));
}

/** "app, db-net" or "no network". */
export function describeNetworks(ns: readonly SlimNetwork[]): string {
  return ns.length ? ns.map((n) => n.name).join(', ') : 'no network';
}

/** route: a shared network, the host's own bridge, or (from another machine) a published port on a reachable host address. */
export function dockerRouteStep(client: DockerClient, to: SlimContainer, port: number | undefined): DiagnosisStep {
  const where = (n: SlimNetwork) => `${n.ip ?? to.name} on ${n.name} (${n.driver})`;
  if (client.kind === 'container') {
    const shared = sharedNetworks(client.networks, to.networks);
    if (shared[0]) return { id: 'route', status: 'pass', evidence: `${client.name} and ${to.name} share network ${shared[0].name}: ${client.name} reaches ${where(shared[0])} directly, no publishing needed.` };
    const target = to.networks.find((n) => n.driver !== 'host' && n.driver !== 'null') ?? to.networks[0];
    return {
      id: 'route',
      status: 'fail',
      evidence: `${client.name} is on ${describeNetworks(client.networks)} and ${to.name} on ${describeNetworks(to.networks)}: they share no network, and Docker keeps separate bridge networks from reaching each other.`,
      fix: target ? `Connect ${client.name} to network ${target.name}: docker network connect ${target.name} ${client.name}.` : `Attach ${to.name} to a network ${client.name} is on.`,
    };
  }
  if (client.kind === 'host') {
    const n = to.networks.find((x) => x.ip);
    if (!n) return { id: 'route', status: 'fail', evidence: `${to.name} has no address on any network the Docker host could route to.`, fix: `Attach ${to.name} to a bridge network.` };
    return { id: 'route', status: 'pass', evidence: `The Docker host reaches ${where(n)} directly through the bridge: no publishing needed from the host itself.` };
  }
  const bindings = to.published.filter((b) => port === undefined || b.port === port);
  const open = bindings.filter((b) => bindingScope(b.hostIp) !== 'loopback');
  const who = client.kind === 'outside' ? `${client.ip} (not on this Docker host)` : 'other machines';
  const portText = port !== undefined ? `port ${port}` : 'any port';
  if (open.length) {
    return { id: 'route', status: 'pass', evidence: `${to.name} publishes ${open.map((b) => `${formatHostSide(b)} → ${b.port}/${b.protocol}`).join(', ')}: ${who} reach it through the host's address.` };
  }
  const status = client.kind === 'anyone' ? 'warn' : 'fail';
  if (bindings.length) {
    return {
      id: 'route',
      status,
      evidence: `${to.name} publishes ${portText} on ${bindings.map((b) => formatHostSide(b)).join(', ')} only: the loopback address is reachable from the Docker host itself, so ${who} cannot connect.`,
      fix: `Publish on every address: -p ${bindings[0]!.hostPort ?? bindings[0]!.port}:${bindings[0]!.port} (or -p <host-ip>:${bindings[0]!.hostPort ?? bindings[0]!.port}:${bindings[0]!.port}) instead of -p 127.0.0.1:….`,
    };
  }
  return {
    id: 'route',
    status,
    evidence: `${to.name} publishes no ${portText}: the Docker host and containers on ${describeNetworks(to.networks)} reach it, ${who} cannot.`,
    fix: `Publish it: docker run -p ${port ?? '<host-port>'}:${port ?? '<port>'} …, or ask from the Docker host or a container on ${to.networks[0]?.name ?? 'its network'}.`,
  };
}

/** What the host firewall (DOCKER-USER) decided for the route's packet, or why it was not read. */
export type FirewallFinding =
  | { kind: 'read'; verdict: FirewallVerdict; /** "web-1 (172.18.0.3) → 172.18.0.2:8080/tcp" */ what: string }
  | { kind: 'unread'; reason: string };

/**
 * The route step with the host firewall in it: a route that exists but that a DOCKER-USER rule drops
 * fails (naming the rule, and how to delete it); one a rule may drop is a warning. Not read: said.
 */
export function withFirewall(step: DiagnosisStep, fw: FirewallFinding | undefined): DiagnosisStep {
  if (!fw || step.status !== 'pass') return step;
  if (fw.kind === 'unread') return { ...step, evidence: `${step.evidence} The host firewall (DOCKER-USER) was not read: ${fw.reason}.` };
  if (fw.verdict.kind === 'passes') {
    const r = fw.verdict.rule;
    return r && r.target === 'ACCEPT' ? { ...step, evidence: `${step.evidence} The host firewall accepts it (DOCKER-USER rule ${r.index}).` } : step;
  }
  const sentence = firewallSentence(fw.verdict, fw.what)!;
  const rule = fw.verdict.rule;
  const fix = `Delete or narrow that rule (\`iptables -D DOCKER-USER ${rule.index}\` deletes it; or insert an ACCEPT for this path above it).`;
  const upper = sentence[0]!.toUpperCase() + sentence.slice(1);
  return fw.verdict.kind === 'dropped'
    ? { id: 'route', status: 'fail', evidence: `${step.evidence} But ${sentence}`, fix }
    : { id: 'route', status: 'warn', evidence: `${step.evidence} ${upper}`, fix };
}
