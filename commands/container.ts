import type Docker from 'dockerode';
import type { AddressFact, Answer, Fact, PortFact, Sharing } from '../src/core/answer.js';
import { newAnswer, withParts } from '../src/core/answer.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { UserError } from '../src/core/errors.js';
import {
  DOCKER_DESKTOP_SHELL,
  DOCKER_DESKTOP_SHELL_COMMANDS,
  DOCKER_DESKTOP_VM,
  EXPOSE_IS_DOCUMENTATION,
  HOST_NETWORK,
  LOOPBACK_PUBLISH,
  NONE_NETWORK,
  PUBLISH_MAPS_HOST_PORT,
  dockerDesktopWarning,
  exposedPortNote,
  hostNetworkPortNote,
  internalNetworkSentence,
  isDockerDesktop,
  isolatedPortNote,
  joinedBySentence,
  joinedNamespaceSentence,
  networkModeText,
  notRunningSentence,
  portConflictWarning,
  privateAddressSentence,
  publishedPortNote,
  reachableFromHostSentence,
  reachableFromOutsideSentence,
} from '../src/net/explain-docker.js';
import { checkDockerName, isDnsSubdomain } from '../src/net/names.js';
import type { HostBinding, PortSpec } from '../src/net/ports.js';
import { bindingScope, findPortConflicts, formatHostSide, samePort } from '../src/net/ports.js';
import type { DockerSource } from '../src/sources/docker.js';
import type { ContainerNetworkMode } from '../src/sources/docker-facts.js';
import { containerAddresses, exposedPorts, hostBindings, networkModeOf } from '../src/sources/docker-facts.js';
import { findContainer, requireDocker } from '../src/sources/docker-lookup.js';
import { containerProbeSubject } from '../src/sources/probe-targets.js';
import type { KubePod } from '../src/sources/kube-model.js';
import { probeSubject } from '../src/probe/probe-subject.js';
import type { DeclaredPort } from '../src/net/explain-sockets.js';
import { explainSockets, socketAnswerParts } from '../src/net/explain-sockets.js';
import { listeningSockets } from '../src/sources/listening-sockets.js';

/** Everything the answer is built from, gathered once. */
interface Seen {
  name: string;
  target: Docker.ContainerInspectInfo;
  mode: ContainerNetworkMode;
  /** For --network container:<x>: x, whose namespace (and addresses) the target uses. */
  owner?: Docker.ContainerInspectInfo;
  /** Other containers in the same network namespace, with what they declare. */
  neighbours: Docker.ContainerInspectInfo[];
  networks: Docker.NetworkInspectInfo[];
  imageExposed: PortSpec[];
  desktop: boolean;
  endpoint: string;
}

export const container: NetpeekCommand = {
  name: 'container',
  aliases: ['ctr'],
  summary: "A Docker container's addresses and ports, who shares its network, and who can reach it",
  args: [{ name: '<name|id-prefix>', required: true, completes: ['container'] }],
  flags: ['probe'],
  examples: ['container webserver-1', 'ctr 3f2a9c', 'container webserver-1 --probe'],
  subject: { role: 'lookup', kind: 'container' },
  sendsPackets: 'with --probe',
  probeKinds: ['icmp', 'tcp'],
  buttons: ['probe', 'ports', 'explain'],
  usageHint: 'container webserver-1',
  description:
    'Per network: IP/prefix, subnet, gateway, broadcast and MAC. Ports: exposed (documentation only) versus published (host ip:port → container ip:port). ' +
    'Also whether the container shares a network namespace (--network container:, host, none) and who can reach it: the Docker host directly, other machines only through published ports.',
  async run(query, deps) {
    const docker = requireDocker(deps);
    const ref = checkDockerName(query.args[0] ?? '', 'container');
    const seen = await look(docker, ref).catch((err: unknown) => rethrowWithPodHint(err, ref, deps));
    const answer = await withSockets(answerFor(seen), seen);
    if (!query.flags.probe) return answer;
    // The container just inspected is what gets probed: nothing is looked up twice.
    return withParts(answer, (await probeSubject(containerProbeSubject(seen.target, seen.owner, seen.networks), deps)).parts);
  },
};

/**
 * "No such container" when a pod has that name is the commonest mix-up (a plain question in Slack reads
 * as `container` by default): point at the pod instead of leaving the user at a dead end.
 */
async function rethrowWithPodHint(err: unknown, ref: string, deps: Deps): Promise<never> {
  if (!(err instanceof UserError) || err.code !== 'not_found' || !deps.kube?.configured() || !isDnsSubdomain(ref)) throw err;
  let pods: KubePod[];
  try {
    pods = await deps.kube.cluster().podsNamed(ref);
  } catch {
    throw err; // the cluster cannot say; the Docker answer stands alone
  }
  const visible = pods.filter((p) => deps.namespaces === undefined || deps.namespaces.includes(p.namespace));
  if (visible.length === 0) throw err;
  throw new UserError(err.message, [`There is a pod with that name: ${visible.slice(0, 3).map((p) => `\`pod ${p.name} -n ${p.namespace}\``).join(', ')}.`, ...err.details], 'not_found');
}

/**
 * The engine calls, in as few rounds as the data dependencies allow. The first asks at once everything
 * that waits for no other answer: the list (which decides what the name means), the networks, and the
 * container by the name as typed with its image after it, which findContainer uses when the list picks
 * that same container. Whether the engine is Docker Desktop comes from /info (its slowest call, ~7 ms
 * where the others take ~1), asked once the networks say which engine this is and only when this engine
 * was never asked before (DockerSource.identify): alongside the second round, never ahead of it.
 */
async function look(docker: DockerSource, ref: string): Promise<Seen> {
  // A guess: the engine's own reading of the name may fail (an ambiguous ID prefix is its HTTP 400) where the list's decides.
  const asked = docker.inspectContainer(ref).catch(() => undefined);
  const askedImage = asked.then((c) => (c ? docker.inspectImage(c.Image).catch(() => undefined) : undefined));
  const listedNetworks = docker.listNetworks();
  const identity = listedNetworks.then((n) => docker.identify(n));
  identity.catch(() => undefined); // awaited below; a failure of the first round is the one reported
  const [all, networks, guess, guessImage] = await Promise.all([docker.listContainers(), listedNetworks, asked, askedImage]);
  const target = await findContainer(docker, ref, all, guess);
  const mode = networkModeOf(target);
  const [image, owner, engine] = await Promise.all([
    target === guess && guessImage ? guessImage : docker.inspectImage(target.Image),
    mode.ownerId ? docker.inspectContainer(mode.ownerId) : Promise.resolve(undefined),
    identity,
  ]);
  const rootId = owner?.Id ?? mode.ownerId ?? target.Id;
  const sameNamespace = (c: Docker.ContainerInfo): boolean =>
    c.Id !== target.Id &&
    (mode.kind === 'host' ? c.HostConfig?.NetworkMode === 'host' && c.State === 'running' : c.Id === rootId || c.HostConfig?.NetworkMode === `container:${rootId}`);
  const others = all.filter(sameNamespace).slice(0, 20);
  const neighbours = (await Promise.all(others.map((c) => docker.inspectContainer(c.Id)))).filter((c): c is Docker.ContainerInspectInfo => c !== undefined);
  return {
    name: nameOf(target),
    target,
    mode,
    owner,
    neighbours,
    networks,
    imageExposed: exposedPorts(image?.Config?.ExposedPorts),
    desktop: isDockerDesktop(engine),
    endpoint: docker.endpoint,
  };
}

function nameOf(c: Docker.ContainerInspectInfo): string {
  return c.Name.replace(/^\//, '');
}

function answerFor(s: Seen): Answer {
  const answer = newAnswer('container', `container ${s.name}`, {
    subject: { kind: 'container', name: s.name, id: s.target.Id, source: s.endpoint },
    facts: facts(s),
  });
  const running = s.target.State.Running;
  // A joined container's addresses are its owner's: they live in one namespace.
  const holder = s.mode.kind === 'container' ? s.owner : s.target;
  const addresses = running && holder && (s.mode.kind === 'own' || s.mode.kind === 'container') ? containerAddresses(holder, s.networks) : [];
  answer.addresses = addresses;
  const ipv4 = addresses.find((a) => a.family === 'ipv4');
  const published = publishedPorts(s);
  answer.ports = portFacts(s, published, ipv4?.ip);
  answer.sharing = sharing(s);
  verdict(answer, s, addresses, published);
  for (const conflict of findPortConflicts([s.target, ...s.neighbours].map((c) => ({ name: nameOf(c), ports: exposedPorts(c.Config.ExposedPorts) })))) {
    answer.warnings.push(portConflictWarning(conflict, conflict.members));
  }
  if (s.desktop) {
    answer.warnings.push(dockerDesktopWarning(ipv4?.ip));
    answer.explanations.push(DOCKER_DESKTOP_VM, DOCKER_DESKTOP_SHELL);
    answer.hints.push(...DOCKER_DESKTOP_SHELL_COMMANDS);
  }
  return answer;
}

function facts(s: Seen): Fact[] {
  const mode = s.mode.kind === 'container' ? `container:${s.owner ? nameOf(s.owner) : s.mode.ownerId?.slice(0, 12)}` : networkModeText(s.mode.raw);
  const networks = Object.keys(s.target.NetworkSettings.Networks ?? {});
  return [
    { label: 'State', value: s.target.State.Status },
    { label: 'Image', value: s.target.Config.Image },
    { label: 'Network mode', value: mode },
    ...(s.mode.kind === 'own' && networks.length ? [{ label: 'Networks', value: networks.sort().join(', ') }] : []),
    { label: 'ID', value: s.target.Id.slice(0, 12) },
    { label: 'Docker engine', value: s.endpoint },
  ];
}

/** The container's own bindings, or for a joined container those of the namespace it joined. */
function publishedPorts(s: Seen): { binding: HostBinding; container: string }[] {
  const own = hostBindings(s.target).map((binding) => ({ binding, container: s.name }));
  if (s.mode.kind !== 'container' || !s.owner) return own;
  const ownerName = nameOf(s.owner);
  return [...own, ...hostBindings(s.owner).map((binding) => ({ binding, container: ownerName }))];
}

function portFacts(s: Seen, published: { binding: HostBinding; container: string }[], ip: string | undefined): PortFact[] {
  const facts: PortFact[] = [];
  for (const { binding, container } of published) {
    facts.push({
      port: binding.port,
      protocol: binding.protocol,
      source: 'publish',
      ...(container !== s.name ? { container } : {}),
      hostIp: binding.hostIp,
      ...(binding.hostPort !== undefined ? { hostPort: binding.hostPort } : {}),
      note: publishedPortNote(binding, ip),
    });
  }
  // Docker adds every published port to ExposedPorts too; those are described by their binding above.
  const exposedOnly = exposedPorts(s.target.Config.ExposedPorts).filter((p) => !published.some((b) => samePort(b.binding, p)));
  for (const p of exposedOnly) {
    const origin = s.imageExposed.some((i) => samePort(i, p)) ? 'image' : 'run';
    if (s.mode.kind === 'host') facts.push({ ...p, source: 'host-network', note: hostNetworkPortNote(p) });
    else if (s.mode.kind === 'none') facts.push({ ...p, source: 'expose', note: isolatedPortNote(p) });
    else facts.push({ ...p, source: 'expose', note: exposedPortNote(p, origin, s.target.State.Running ? ip : undefined) });
  }
  return facts;
}

function sharing(s: Seen): Sharing {
  const others = s.neighbours.map(nameOf).sort();
  switch (s.mode.kind) {
    case 'host':
      return { mode: 'host', with: ['the Docker host', ...others], note: HOST_NETWORK };
    case 'none':
      return { mode: 'none', with: others, note: others.length ? `${NONE_NETWORK} ${joinedBySentence(s.name, others)}` : NONE_NETWORK };
    case 'container': {
      const owner = s.owner ? nameOf(s.owner) : (s.mode.ownerId ?? '').slice(0, 12);
      return { mode: 'container', with: [owner, ...others.filter((o) => o !== owner)], note: joinedNamespaceSentence(s.name, owner) };
    }
    default:
      return {
        mode: 'own',
        with: others,
        note: others.length ? joinedBySentence(s.name, others) : 'It has a network namespace of its own; no other container has joined it.',
      };
  }
}

/**
 * What listens in the container's namespace, read from the Docker host's /proc through State.Pid. Only
 * for a local engine (a tcp:// engine's /proc is another machine's) and a namespace of its own or joined
 * (--network host would list the host's sockets). Unreadable /proc is said, never fatal.
 */
async function withSockets(answer: Answer, s: Seen): Promise<Answer> {
  const holder = s.mode.kind === 'container' ? s.owner : s.target;
  const pid = holder?.State.Running ? holder.State.Pid : 0;
  if (!pid || s.mode.kind === 'host' || !s.endpoint.startsWith('unix://')) return answer;
  const members = [s.target, ...(s.owner ? [s.owner] : []), ...s.neighbours];
  try {
    const reading = await listeningSockets({ pid, containers: members.map((c) => ({ id: c.Id, name: nameOf(c) })) });
    const declared: DeclaredPort[] = members.flatMap((c) => {
      const name = nameOf(c);
      const published = hostBindings(c);
      return [
        ...published.map((b) => ({ port: b.port, protocol: b.protocol, kind: 'published' as const, container: name })),
        ...exposedPorts(c.Config.ExposedPorts).map((p) => ({ ...p, kind: 'exposed' as const, container: name })),
      ];
    });
    const ip = answer.addresses.find((a) => a.family === 'ipv4')?.ip;
    // In a namespace of its own every socket is the container's: naming it on each row would be noise.
    const own = <T extends { container?: string }>(xs: T[]) => (members.length > 1 ? xs : xs.map(({ container: _c, ...rest }) => rest));
    const parts = socketAnswerParts(explainSockets(own(reading.sockets), own(declared), ip));
    return { ...answer, listening: parts.listening, tables: [...answer.tables, parts.table], warnings: [...answer.warnings, ...parts.warnings] };
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : 'unreadable';
    return { ...answer, hints: [...answer.hints, `What listens inside ${s.name} was not read (/proc/${pid}/net: ${reason}); netpeek reads it when it runs as root on the Docker host.`] };
  }
}

/** The summary and the explanations: who can reach the container, and why. */
function verdict(answer: Answer, s: Seen, addresses: AddressFact[], published: { binding: HostBinding }[]): void {
  const bindings = published.map((p) => p.binding);
  if (!s.target.State.Running) {
    answer.summary = notRunningSentence(s.name, s.target.State.Status);
    answer.hints.push(`\`docker start ${s.name}\` starts it; ask again to see its address.`);
    return;
  }
  if (s.mode.kind === 'host') {
    answer.summary = `${s.name} uses the host's network: it has no address of its own, and the ports it listens on are the host's ports.`;
    answer.explanations.push(HOST_NETWORK);
    return;
  }
  if (s.mode.kind === 'none') {
    answer.summary = `${s.name} has no network (--network none): loopback only, nothing outside it can connect.`;
    answer.explanations.push(NONE_NETWORK);
    return;
  }
  if (s.mode.kind === 'container') {
    if (!s.owner) answer.warnings.push(`The container whose namespace ${s.name} joined (${s.mode.ownerId?.slice(0, 12)}) no longer exists, so ${s.name} has no usable network.`);
    else answer.explanations.push(joinedNamespaceSentence(s.name, nameOf(s.owner)));
  }
  const ipv4 = addresses.find((a) => a.family === 'ipv4');
  const first = ipv4 ?? addresses[0];
  if (!first) {
    answer.summary = `${s.name} is running but has no IP address on its networks.`;
    return;
  }
  const via = s.mode.kind === 'container' && s.owner ? ` (${nameOf(s.owner)}'s namespace)` : '';
  const from = s.desktop ? "inside Docker Desktop's VM" : 'the Docker host';
  answer.summary = `${s.name} is ${first.ip}/${first.prefixLength} on "${first.network}"${via}: reachable from ${from} without publishing; ${outsideVerdict(bindings, first.ip)}.`;
  for (const a of addresses) answer.explanations.push(privateAddressSentence(a.ip, a.subnet, a.network, a.gateway));
  const declared = exposedPorts(s.target.Config.ExposedPorts);
  answer.explanations.push(reachableFromHostSentence(first.ip, declared), reachableFromOutsideSentence(first.ip, bindings));
  if (answer.ports.some((p) => p.source === 'expose')) answer.explanations.push(EXPOSE_IS_DOCUMENTATION);
  if (bindings.length) answer.explanations.push(PUBLISH_MAPS_HOST_PORT);
  if (bindings.some((b) => bindingScope(b.hostIp) === 'loopback')) answer.explanations.push(LOOPBACK_PUBLISH);
  for (const n of s.networks.filter((n) => n.Internal && addresses.some((a) => a.network === n.Name))) {
    answer.explanations.push(internalNetworkSentence(n.Name));
  }
  if (answer.ports.some((p) => p.source === 'expose')) answer.hints.push('`explain expose` and `explain publish` say what each kind of port means.');
  answer.hints.push(`\`network ${first.network}\` lists the other containers on that network.`);
}

/** Half a sentence: how machines other than the Docker host get in, if at all. */
function outsideVerdict(bindings: HostBinding[], ip: string): string {
  const open = bindings.filter((b) => bindingScope(b.hostIp) !== 'loopback');
  if (open.length) return `other machines only through ${open.map((b) => `${formatHostSide(b)} → ${ip}:${b.port}/${b.protocol}`).join(', ')}`;
  if (bindings.length) return 'other machines not at all (published on loopback only)';
  return 'other machines not at all (nothing published)';
}

