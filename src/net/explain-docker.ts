import type { HostBinding, PortSpec } from './ports.js';
import { bindingScope, formatHostSide, formatPortSpec } from './ports.js';

/**
 * The sentences netpeek uses to say *why* a Docker container can or cannot be reached. Functions take the
 * live values (addresses, ports, names) so an answer explains the user's own container, not an example.
 * Kept apart from the commands so the wording is reviewed in one place and unit tested without Docker.
 */

/** The default bridge's usual values on a fresh Linux install, for sentences that need an illustration. */
export const DEFAULT_BRIDGE = { subnet: '172.17.0.0/16', gateway: '172.17.0.1', firstContainer: '172.17.0.2', broadcast: '172.17.255.255' } as const;

/** How the container is attached, as Docker's HostConfig.NetworkMode says it. */
export type DockerNetworkMode = 'own' | 'host' | 'container' | 'none';

// ---- general statements (the `explain` topics are built from these) ----

export const BRIDGE_IS_PRIVATE =
  `Docker's default network driver is "bridge": every container on it gets a private address inside the bridge's subnet (on a fresh install ${DEFAULT_BRIDGE.subnet}, the first container usually ${DEFAULT_BRIDGE.firstContainer}), and the host's docker0 interface is its gateway (${DEFAULT_BRIDGE.gateway}).`;

export const BRIDGE_REACHABLE_FROM_HOST =
  'Anything attached to that private network — on Linux the Docker host itself — connects straight to the container\'s address on any port a process in it listens on. Nothing has to be published for that.';

export const EXPOSE_IS_DOCUMENTATION =
  'EXPOSE in a Dockerfile (or --expose on `docker run`) only records which port the program listens on. It opens nothing and changes no reachability; tools read it, the network does not.';

export const PUBLISH_MAPS_HOST_PORT =
  'Publishing (-p hostIP:hostPort:containerPort) makes the host forward connections on hostIP:hostPort to the container\'s private address and port. That forwarding is the only thing that lets machines other than the Docker host reach the container.';

export const LOOPBACK_PUBLISH =
  'A port published on 127.0.0.1 is forwarded only for programs on the Docker host itself; other machines still cannot connect.';

export const SHARED_NAMESPACE =
  'With --network container:<other>, a container joins the other container\'s network namespace instead of getting its own: both have the same IP address and the same interfaces, so their programs must listen on different ports. A Kubernetes pod works the same way: its containers share one namespace and one pod IP.';

export const HOST_NETWORK =
  'With --network host the container gets no address of its own: it uses the host\'s interfaces directly, so a program listening on port 80 inside it listens on port 80 of every host address, and -p has nothing to map.';

export const NONE_NETWORK =
  'With --network none the container has only a loopback interface (127.0.0.1): nothing outside can connect to it and it can reach nothing.';

export const DOCKER_DESKTOP_VM =
  'Docker Desktop (macOS, Windows) runs the engine inside a small Linux VM. The bridge networks live inside that VM, so the Mac or Windows host itself cannot reach a container\'s 172.17.x.x address; only published ports are forwarded out of the VM.';

export const DOCKER_DESKTOP_SHELL =
  'To reach a container\'s private address, get a shell inside the VM first and run ping or curl from there.';

/** Ways into Docker Desktop's VM, for hints. */
export const DOCKER_DESKTOP_SHELL_COMMANDS = [
  'macOS: `nc -U ~/Library/Containers/com.docker.docker/Data/debug-shell.sock` opens Docker Desktop\'s debug shell in the VM.',
  'Any platform: `docker run -it --rm --privileged --pid=host justincormack/nsenter1` gives a shell in the VM\'s namespaces.',
  'Then, inside the VM: `ping <container IP>` or `wget -qO- <container IP>:<port>`.',
] as const;

export const VETH_PAIR =
  'Underneath it is ordinary Linux: each container is a process in its own network namespace, and a veth pair — a virtual cable with one end named eth0 inside the container — plugs it into the bridge (docker0 for the default network, br-<id> for user-defined ones). The host routes the subnet to that bridge, which is why it reaches every container on it.';

/** The fields of the engine's /info that tell Docker Desktop apart from a Linux host's dockerd. */
export interface EngineIdentity {
  /** "Docker Desktop" on Docker Desktop; the distribution ("Debian GNU/Linux 12 (bookworm)") elsewhere. */
  operatingSystem?: string;
  /** Host name of the engine; "docker-desktop" on Docker Desktop. */
  name?: string;
  /** Docker Desktop's VM runs a LinuxKit kernel ("…-linuxkit"). */
  kernelVersion?: string;
}

/** True when the engine runs inside Docker Desktop's VM, where the user's machine is not the Docker host. */
export function isDockerDesktop(engine: EngineIdentity): boolean {
  return (
    /docker desktop/i.test(engine.operatingSystem ?? '') ||
    engine.name === 'docker-desktop' ||
    /linuxkit/i.test(engine.kernelVersion ?? '')
  );
}

// ---- sentences about one container, with its live values ----

/** Where the address is and who can use it. */
export function privateAddressSentence(ip: string, subnet: string, network: string, gateway?: string): string {
  const gw = gateway ? `, gateway ${gateway} on the host` : '';
  return `${ip} is a private address in ${subnet} on network "${network}"${gw}.`;
}

/** The verdict for someone on the Docker host (Linux). */
export function reachableFromHostSentence(ip: string, ports: readonly PortSpec[]): string {
  const example = ports[0] ? ` (e.g. \`curl ${ip}:${ports[0].port}\` if it serves HTTP)` : '';
  return `The Docker host reaches ${ip} directly, on any port a process in the container listens on, without publishing anything${example}.`;
}

/** The verdict for other machines, from the published bindings. */
export function reachableFromOutsideSentence(ip: string, published: readonly HostBinding[]): string {
  const open = published.filter((b) => bindingScope(b.hostIp) !== 'loopback');
  if (published.length === 0) {
    return `Other machines cannot connect: ${ip} is private to this host and no port is published.`;
  }
  if (open.length === 0) {
    return `Other machines cannot connect: every published port is bound to the host's loopback address, so only the Docker host can use them.`;
  }
  const list = open.map((b) => `${formatHostSide(b)} → ${ip}:${b.port}/${b.protocol}`).join(', ');
  return `Other machines can connect only through the published ${open.length === 1 ? 'port' : 'ports'}: ${list}.`;
}

/** The note of a port that is exposed but not published. */
export function exposedPortNote(p: PortSpec, origin: 'image' | 'run', ip?: string): string {
  const how = origin === 'image' ? 'EXPOSE in the image' : '--expose at `docker run`';
  const where = ip ? ` reachable at ${ip}:${p.port} from the Docker host,` : '';
  return `Exposed only (${how}): documents that the program listens on ${formatPortSpec(p)} and opens nothing;${where} not reachable from other machines unless published.`;
}

/** The note of a port declared by a container that has no network (--network none). */
export function isolatedPortNote(p: PortSpec): string {
  return `Declared ${formatPortSpec(p)}, but the container has only loopback: only programs inside it can connect.`;
}

/** The note of one published binding. */
export function publishedPortNote(b: HostBinding, ip?: string): string {
  const target = ip ? `${ip}:${b.port}/${b.protocol}` : `the container's ${b.port}/${b.protocol}`;
  if (b.hostPort === undefined) {
    return `Published to a host port Docker picks when the container starts, then forwarded to ${target}.`;
  }
  const side = formatHostSide(b);
  switch (bindingScope(b.hostIp)) {
    case 'all':
      return `Published: connections to port ${b.hostPort} on any host address are forwarded to ${target}; reachable from other machines that can reach the host.`;
    case 'loopback':
      return `Published on loopback: ${side} is forwarded to ${target}, but only programs on the Docker host can connect.`;
    default:
      return `Published: ${side} is forwarded to ${target}; reachable from machines that can reach the host at ${b.hostIp}.`;
  }
}

/** The note of a port used by a container on the host's network. */
export function hostNetworkPortNote(p: PortSpec): string {
  return `Host network: a program listening on ${formatPortSpec(p)} binds it directly on the host's addresses; no publishing is involved.`;
}

/** What it means to run in another container's namespace. */
export function joinedNamespaceSentence(subject: string, owner: string): string {
  return `${subject} has no network of its own: it runs in ${owner}'s network namespace (--network container:${owner}), so it has ${owner}'s IP address and they share one set of ports — like two containers of one Kubernetes pod.`;
}

/** What it means that others joined this container's namespace. */
export function joinedBySentence(subject: string, joiners: readonly string[]): string {
  const who = joiners.length === 1 ? `${joiners[0]} runs` : `${joiners.join(', ')} run`;
  return `${who} in ${subject}'s network namespace (--network container:${subject}): same IP address, one shared set of ports.`;
}

/** Two members of one namespace declare the same port: only one can bind it. */
export function portConflictWarning(port: PortSpec, members: readonly string[]): string {
  return `${members.join(' and ')} share one network namespace and both declare ${formatPortSpec(port)}: only one of them can listen on it.`;
}

export function notRunningSentence(name: string, status: string): string {
  return `${name} is not running (${status}), so it has no IP address now; Docker assigns one on each network when it starts, not necessarily the same as last time.`;
}

/** A user-defined network marked --internal has no route out, and Docker does not publish ports from it. */
export function internalNetworkSentence(network: string): string {
  return `Network "${network}" is internal: it has no route to the outside and Docker forwards no published ports into it, so only what is attached to it can connect.`;
}

/** On Docker Desktop the user's machine is not the Docker host: say what that means for this address. */
export function dockerDesktopWarning(ip: string | undefined): string {
  const addr = ip ?? "the container's private address";
  return `The engine runs inside Docker Desktop's VM: from this Mac or PC, ${addr} cannot be reached directly, only through published ports. The "Docker host" above is the VM.`;
}

/** HostConfig.NetworkMode in words: "default" is the default bridge. */
export function networkModeText(raw: string): string {
  return raw === 'default' ? 'bridge (default)' : raw;
}
