import type Docker from 'dockerode';
import type { Fact, ProbeFact } from '../core/answer.js';
import type { DiagnosisStep, StepId } from '../core/diagnosis.js';
import { UserError } from '../core/errors.js';
import type { EndpointRef } from '../net/endpoint-ref.js';
import type { DeclaredPort } from '../net/explain-sockets.js';
import { explainSockets } from '../net/explain-sockets.js';
import type { HostBinding } from '../net/ports.js';
import { rangeContains } from '../net/subnet.js';
import { skipStep } from '../net/why-diagnosis.js';
import { listeningStep as listeningFor } from '../net/why-listening-step.js';
import { probeStep } from '../net/why-probe-step.js';
import type { DockerClient, SlimContainer, SlimNetwork } from '../net/why-docker.js';
import { dockerRouteStep, sharedNetworks, withFirewall, type FirewallFinding } from '../net/why-docker.js';
import { dockerResolveStep } from '../net/why-docker-resolve.js';
import { evaluateDockerUser, type ForwardedPacket } from '../net/docker-user-rules.js';
import { bindingScope } from '../net/ports.js';
import { readDockerUserChain } from './docker-host-firewall.js';
import { probeSubject } from '../probe/probe-subject.js';
import { DNS_QUERY_TIMEOUT_MS } from '../probe/dns.js';
import type { ProbeService, Vantage, WorkloadVantage } from '../probe/vantage.js';
import { vantageOf } from '../probe/workload-vantage.js';
import type { DockerSource } from './docker.js';
import { exposedPorts, hostBindings, networkModeOf, networkSubnets } from './docker-facts.js';
import { findContainer, requireDocker } from './docker-lookup.js';
import { listeningSockets } from './listening-sockets.js';
import { containerProbeSubject } from './probe-targets.js';

/**
 * The facts `why <from> <container>` needs from the Docker engine and the host: both containers and
 * their networks, what listens in the destination's namespace (/proc through State.Pid), and — unless
 * told not to — the destination's name looked up from inside the client and a live probe (from inside
 * the client with NETPEEK_WORKLOAD_VANTAGE, else from the Docker host; the allow-list applies).
 * The step sentences are src/net/why-docker.ts's; this module only gathers.
 */

export interface ContainerPathQuestion {
  docker?: DockerSource;
  probes?: ProbeService;
  /** The destination container's name or ID prefix. */
  to: string;
  /** Undefined: "can it serve anyone?"; 'here': the Docker host. */
  from: EndpointRef | 'here' | undefined;
  port?: number;
  /** --no-probe: the probe step is skipped and nothing is sent. */
  noProbe: boolean;
}

export interface ContainerPathFindings {
  to: string;
  from?: string;
  steps: DiagnosisStep[];
  facts: Fact[];
  probes: ProbeFact[];
  endpoint: string;
  /** The port the steps were about (asked, or the only one the container declares). */
  port?: number;
  /** The steps read or sent live: the name looked up from inside the client, the /proc socket read, the probe. */
  live: StepId[];
}

const nameOf = (c: Docker.ContainerInspectInfo) => c.Name.replace(/^\//, '');

/** The container's network attachments (for `container:<x>`, x's, whose namespace it uses). */
function slimNetworks(holder: Docker.ContainerInspectInfo, networks: readonly Docker.NetworkInspectInfo[]): SlimNetwork[] {
  return Object.entries(holder.NetworkSettings.Networks ?? {})
    .map(([name, ep]) => ({
      name,
      driver: networks.find((n) => n.Name === name)?.Driver ?? 'bridge',
      ...(ep.IPAddress ? { ip: ep.IPAddress } : {}),
      isDefaultBridge: name === 'bridge',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface Placed {
  c: Docker.ContainerInspectInfo;
  /** Whose namespace it is: itself, or the container it joined. */
  holder: Docker.ContainerInspectInfo;
  owner?: Docker.ContainerInspectInfo;
  networks: SlimNetwork[];
}

async function place(docker: DockerSource, ref: string, all: Docker.ContainerInfo[], networks: readonly Docker.NetworkInspectInfo[]): Promise<Placed> {
  const c = await findContainer(docker, ref, all);
  const mode = networkModeOf(c);
  const owner = mode.kind === 'container' && mode.ownerId ? await docker.inspectContainer(mode.ownerId) : undefined;
  const holder = owner ?? c;
  return { c, holder, ...(owner ? { owner } : {}), networks: mode.kind === 'host' || mode.kind === 'none' ? [] : slimNetworks(holder, networks) };
}

/** The client: a container, the Docker host, a container by its address, or an address on another machine. */
async function client(docker: DockerSource, from: ContainerPathQuestion['from'], all: Docker.ContainerInfo[], networks: readonly Docker.NetworkInspectInfo[]): Promise<{ client: DockerClient; name?: string; placed?: Placed }> {
  if (from === undefined) return { client: { kind: 'anyone' } };
  if (from === 'here') return { client: { kind: 'host' }, name: 'here' };
  if (from.kind === 'ip') {
    const owner = all.find((c) => Object.values(c.NetworkSettings?.Networks ?? {}).some((n) => n.IPAddress === from.ip));
    if (owner) {
      const p = await place(docker, owner.Id, all, networks);
      return { client: { kind: 'container', name: nameOf(p.c), networks: p.networks }, name: `${nameOf(p.c)} (${from.ip})`, placed: p };
    }
    const inside = networks.find((n) => networkSubnets(n).some((s) => rangeContains(s, from.ip)));
    if (inside) return { client: { kind: 'host' }, name: `${from.ip} (inside Docker network ${inside.Name}, no container holds it)` };
    return { client: { kind: 'outside', ip: from.ip }, name: from.ip };
  }
  if (from.kind === 'pod') throw new UserError(`pod/${from.namespace ? `${from.namespace}/` : ''}${from.name} is a Kubernetes pod; why between a pod and a Docker container is not diagnosed.`, ['Example: why web-1 db --port 5432']);
  const p = await place(docker, from.name, all, networks);
  return { client: { kind: 'container', name: nameOf(p.c), networks: p.networks }, name: nameOf(p.c), placed: p };
}

/**
 * Where the probe starts: inside the client container's own namespace when this netpeek may enter it
 * (NETPEEK_WORKLOAD_VANTAGE), else the Docker host — with the note that says so.
 */
export function probeVantage(client: DockerClient, placed: Placed | undefined, networks: readonly Docker.NetworkInspectInfo[], probes: ProbeService | undefined): { vantage: Vantage; note?: string } {
  if (client.kind === 'outside') return { vantage: { kind: 'docker-host' }, note: `not from ${client.ip}: the Docker host's view does not test the path from another machine` };
  if (client.kind !== 'container') return { vantage: { kind: 'docker-host' } };
  const inside = placed ? insideClient(placed, networks, probes) : undefined;
  if (inside?.ok) return { vantage: inside.vantage };
  return { vantage: { kind: 'docker-host' }, note: `not from inside ${client.name}: netpeek probes from the Docker host, so the route step decides for ${client.name}` };
}

/** The client's own namespace as a vantage when this netpeek may enter it, else why not (a phrase). */
function insideClient(placed: Placed, networks: readonly Docker.NetworkInspectInfo[], probes: ProbeService | undefined): { ok: true; vantage: WorkloadVantage } | { ok: false; reason: string } {
  try {
    const choice = vantageOf(containerProbeSubject(placed.c, placed.owner, networks), probes);
    if (choice.inside && choice.vantage.kind === 'workload') return { ok: true, vantage: choice.vantage };
    const can = probes?.insideWorkload?.({ kind: 'docker-host' });
    return { ok: false, reason: can && !can.ok ? can.reason : can ? `netpeek cannot enter the namespace of ${nameOf(placed.c)}` : 'NETPEEK_WORKLOAD_VANTAGE is off' };
  } catch (err) {
    // A client with no address of its own (host or none network) cannot be a vantage.
    if (err instanceof UserError) return { ok: false, reason: err.message.replace(/\.$/, '') };
    throw err;
  }
}

/**
 * resolve: the destination's name asked from inside the client (its resolv.conf, Docker's DNS), when
 * this netpeek may enter it. A DNS query sends packets, so --no-probe asks nothing; without a lookup
 * the step says what Docker's rules imply, and never passes on them alone.
 */
async function resolveFor(q: ContainerPathQuestion, from: DockerClient, placed: Placed | undefined, slim: SlimContainer, networks: readonly Docker.NetworkInspectInfo[]): Promise<{ step: DiagnosisStep | undefined; live: boolean }> {
  if (from.kind !== 'container' || !placed) return { step: dockerResolveStep(from, slim), live: false };
  const notLookedUp = (reason: string, live = false) => ({ step: dockerResolveStep(from, slim, { kind: 'not-looked-up', reason }), live });
  if (q.noProbe) return notLookedUp('--no-probe: no DNS query was sent');
  const inside = insideClient(placed, networks, q.probes);
  if (!inside.ok) return notLookedUp(inside.reason);
  if (!q.probes?.dnsFrom) return notLookedUp('this netpeek has no DNS prober');
  try {
    const lookup = await q.probes.dnsFrom(inside.vantage, { name: slim.name, type: 'A', timeoutMs: DNS_QUERY_TIMEOUT_MS });
    return { step: dockerResolveStep(from, slim, { kind: 'looked-up', lookup: { from: lookup.from, tried: lookup.results, nameservers: lookup.conf.nameservers, denied: lookup.deniedNameservers } }), live: true };
  } catch (err) {
    // The prober refused the client's process at lookup time: said, not thrown (a rerun asks again).
    if (!(err instanceof UserError)) throw err;
    return notLookedUp(err.message, true);
  }
}

/** The published bindings of the namespace (a joined container's are its owner's). */
function published(p: Placed): HostBinding[] {
  return [...hostBindings(p.c), ...(p.owner ? hostBindings(p.owner) : [])];
}

/** listening, and whether it was read live (from /proc now) rather than known from the engine's state. */
async function listeningStep(p: Placed, port: number | undefined, sharedIp: string | undefined, endpoint: string): Promise<{ step: DiagnosisStep; live: boolean }> {
  const step = await readListening(p, port, sharedIp, endpoint);
  return { step, live: endpoint.startsWith('unix://') && networkModeOf(p.c).kind !== 'host' };
}

async function readListening(p: Placed, port: number | undefined, sharedIp: string | undefined, endpoint: string): Promise<DiagnosisStep> {
  const name = nameOf(p.c);
  const mode = networkModeOf(p.c);
  if (mode.kind === 'host') return skipStep('listening', `${name} uses the host's network: its sockets are the host's`);
  if (!endpoint.startsWith('unix://')) return skipStep('listening', `the Docker engine at ${endpoint} is on another machine, whose /proc netpeek cannot read`);
  const pid = p.holder.State.Running ? p.holder.State.Pid : 0;
  if (!pid) return { id: 'listening', status: 'fail', evidence: `${name} is ${p.holder.State.Status}: nothing runs in its namespace, so nothing listens.`, fix: `docker start ${nameOf(p.holder)}` };
  try {
    const members = [p.c, ...(p.owner ? [p.owner] : [])];
    const reading = await listeningSockets({ pid, containers: members.map((c) => ({ id: c.Id, name: nameOf(c) })) });
    const declared: DeclaredPort[] = [
      ...members.flatMap((c) => [...hostBindings(c).map((b) => ({ port: b.port, protocol: b.protocol, kind: 'published' as const })), ...exposedPorts(c.Config.ExposedPorts).map((x) => ({ ...x, kind: 'exposed' as const }))]),
      // The asked port counts as declared: "nothing listens on it" is the finding the question needs.
      ...(port !== undefined ? [{ port, protocol: 'tcp' as const, kind: 'declared' as const }] : []),
    ];
    return listeningFor({ kind: 'container', name, others: 'other containers and the host', logs: `docker logs ${name}` }, port, explainSockets(reading.sockets, declared), sharedIp);
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : 'unreadable';
    return skipStep('listening', `/proc/${pid}/net of ${name} could not be read (${code}); netpeek reads it when it runs as root on the Docker host`);
  }
}

/** The Linux bridge of a bridge network: docker0 for the default one, br-<id> for the others (unless named). */
function bridgeOf(networks: readonly Docker.NetworkInspectInfo[], name: string): string | undefined {
  const n = networks.find((x) => x.Name === name);
  if (!n || n.Driver !== 'bridge') return undefined;
  return n.Options?.['com.docker.network.bridge.name'] ?? (n.Name === 'bridge' ? 'docker0' : `br-${n.Id.slice(0, 12)}`);
}

/**
 * The packet the route carries through this host's FORWARD chain, where DOCKER-USER sits: between two
 * containers of one bridge (only when bridged traffic passes iptables), or from another machine to a
 * published port (after Docker's DNAT: the container's address and port). The Docker host's own
 * connections go through OUTPUT, which DOCKER-USER does not see.
 */
function forwardedPacket(from: DockerClient, to: Placed, slim: SlimContainer, port: number | undefined, networks: readonly Docker.NetworkInspectInfo[], bridged: boolean): { packet: ForwardedPacket; what: string } | undefined {
  if (from.kind === 'container') {
    const shared = sharedNetworks(from.networks, to.networks)[0];
    const src = from.networks.find((n) => n.name === shared?.name)?.ip;
    if (!shared?.ip || !bridged) return undefined;
    const iface = bridgeOf(networks, shared.name);
    return {
      packet: { ...(src ? { src } : {}), dst: shared.ip, proto: 'tcp', ...(port !== undefined ? { dport: port } : {}), ...(iface ? { inIface: iface, outIface: iface } : {}) },
      what: `${from.name}${src ? ` (${src})` : ''} → ${shared.ip}${port !== undefined ? `:${port}` : ''}/tcp`,
    };
  }
  if (from.kind === 'outside' || from.kind === 'anyone') {
    const binding = slim.published.find((b) => (port === undefined || b.port === port) && bindingScope(b.hostIp) !== 'loopback');
    const net = to.networks.find((n) => n.ip);
    if (!binding || !net?.ip) return undefined;
    const iface = bridgeOf(networks, net.name);
    const src = from.kind === 'outside' ? from.ip : undefined;
    return {
      packet: { ...(src ? { src } : {}), dst: net.ip, proto: 'tcp', dport: binding.port, ...(iface ? { outIface: iface } : {}) },
      what: `${src ?? 'a client on another machine'} → published port ${binding.hostPort ?? binding.port} → ${net.ip}:${binding.port}/tcp`,
    };
  }
  return undefined;
}

async function firewallFor(endpoint: string, from: DockerClient, to: Placed, slim: SlimContainer, port: number | undefined, networks: readonly Docker.NetworkInspectInfo[]): Promise<FirewallFinding | undefined> {
  // The firewall netpeek can read is its own host's: only when the engine is on this host too.
  if (!endpoint.startsWith('unix://') || from.kind === 'host') return undefined;
  const chain = await readDockerUserChain();
  if (!chain.ok) return forwardedPacket(from, to, slim, port, networks, true) ? { kind: 'unread', reason: chain.reason } : undefined;
  const path = forwardedPacket(from, to, slim, port, networks, chain.bridgedThroughIptables);
  return path ? { kind: 'read', verdict: evaluateDockerUser(chain.rules, path.packet), what: path.what } : undefined;
}

/** The only TCP port a container declares (EXPOSE or published), when there is exactly one. */
function soleDeclaredPort(p: Placed): number | undefined {
  const ports = new Set([...exposedPorts(p.c.Config.ExposedPorts), ...published(p)].filter((x) => x.protocol === 'tcp').map((x) => x.port));
  return ports.size === 1 ? [...ports][0] : undefined;
}

export async function containerPath(q: ContainerPathQuestion): Promise<ContainerPathFindings> {
  const docker = requireDocker(q);
  const [all, networks] = await Promise.all([docker.listContainers(), docker.listNetworks()]);
  const to = await place(docker, q.to, all, networks);
  const { client: from, name: fromName, placed: fromPlaced } = await client(docker, q.from, all, networks);
  const toName = nameOf(to.c);
  const port = q.port ?? soleDeclaredPort(to);
  const slim: SlimContainer = { name: toName, networks: to.networks, published: published(to) };
  const shared = from.kind === 'container' ? sharedNetworks(from.networks, to.networks) : [];
  const steps: DiagnosisStep[] = [];
  const live: StepId[] = [];
  const resolve = await resolveFor(q, from, fromPlaced, slim, networks);
  if (resolve.step) steps.push(resolve.step);
  if (resolve.live) live.push('resolve');
  const listening = await listeningStep(to, port, shared[0]?.ip, docker.endpoint);
  steps.push(listening.step);
  if (listening.live) live.push('listening');
  steps.push(skipStep('policy', 'Docker has no NetworkPolicies; the host firewall (iptables DOCKER-USER) is read in the route step'));
  steps.push(to.c.State.Running ? withFirewall(dockerRouteStep(from, slim, port), await firewallFor(docker.endpoint, from, to, slim, port, networks)) : skipStep('route', `${toName} is not running`));
  const probes: ProbeFact[] = [];
  if (q.noProbe) steps.push(skipStep('probe', '--no-probe: nothing was sent'));
  else if (!to.c.State.Running) steps.push(skipStep('probe', `${toName} is not running, so it has no address to probe`));
  else {
    live.push('probe');
    try {
      const { vantage, note: vantageNote } = probeVantage(from, fromPlaced, networks, q.probes);
      const run = await probeSubject(containerProbeSubject(to.c, to.owner, networks), q, { ...(port !== undefined ? { port } : {}), from: vantage, icmp: 'when-tcp-silent' });
      probes.push(...run.facts);
      steps.push(probeStep({ facts: run.facts, from: run.from, degraded: run.degraded, ...(port !== undefined ? { port } : {}), ...(vantageNote ? { vantageNote } : {}) }));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      steps.push(skipStep('probe', err.message.replace(/\.$/, '')));
    }
  }
  const facts: Fact[] = [
    { label: 'To', value: `${toName}${to.networks.length ? ` (${to.networks.map((n) => `${n.ip ?? '?'} on ${n.name}`).join(', ')})` : ''}` },
    ...(fromName ? [{ label: 'From', value: from.kind === 'container' ? `${fromName} (${from.networks.map((n) => `${n.ip ?? '?'} on ${n.name}`).join(', ') || 'no network'})` : fromName === 'here' ? 'here (the Docker host)' : fromName }] : []),
    ...(port !== undefined && q.port === undefined ? [{ label: 'Port', value: `${port} (the only TCP port ${toName} declares)` }] : []),
    { label: 'Docker engine', value: docker.endpoint },
  ];
  return { to: toName, ...(fromName ? { from: fromName } : {}), steps, facts, probes, endpoint: docker.endpoint, ...(port !== undefined ? { port } : {}), live };
}
