import type Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import { parseEndpointRef, type EndpointRef } from '../net/endpoint-ref.js';
import type { PortSpec } from '../net/ports.js';
import { uniquePorts } from '../net/ports.js';
import { subnetContaining } from '../net/subnet.js';
import type { ProbeSubject } from '../probe/vantage.js';
import { containerAddresses, exposedPorts, hostBindings, networkModeOf, networkSubnets } from './docker-facts.js';
import type { DockerSource } from './docker.js';
import { findContainer, requireDocker } from './docker-lookup.js';

/** Resolves pods; installed by the Kubernetes source so this module does not depend on it. */
export type PodProbeResolver = (name: string, namespace: string | undefined) => Promise<ProbeSubject | undefined>;
/** Places an address inside a node's pod CIDR; installed by the Kubernetes source. */
export type AddressPlacer = (ip: string) => Promise<ProbeSubject | undefined>;

/**
 * Pod and pod-CIDR placement for probe targets, per cluster context and within a namespace scope;
 * built from the Kubernetes source (kube-probe-targets.ts) by the composition root.
 */
export type ProbeResolvers = (cluster?: string, scope?: { namespaces?: readonly string[] }) => Pick<ResolveOptions, 'pods' | 'placeAddress'>;

/** The Docker engine, when there is one; containers and Docker subnets are looked up there. */
export interface DockerAccess {
  docker?: DockerSource;
}

export interface ResolveOptions {
  /** -n: the namespace of a pod target that does not name its own. */
  namespace?: string;
  pods?: PodProbeResolver;
  placeAddress?: AddressPlacer;
}

/**
 * A probe target as typed (`webserver-1`, `container/webserver-1`, `pod/webserver-2`, `shop/webserver-2`,
 * `pod/shop/webserver-2`, an IP; read by parseEndpointRef) or already read → a ProbeSubject. A bare
 * name is a pod when -n is given or no container has that name.
 */
export async function resolveProbeSubject(target: string | EndpointRef, deps: DockerAccess, o: ResolveOptions = {}): Promise<ProbeSubject> {
  const ref = typeof target === 'string' ? parseEndpointRef(target) : target;
  switch (ref.kind) {
    case 'ip':
      return placeAddress(ref.ip, deps, o);
    case 'container':
      return containerSubject(ref.name, deps);
    case 'pod':
      // The namespace the target names wins over -n (`ping pod/peer -n shop --from data/db`).
      return podSubject(ref.name, { ...o, ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}) });
    case 'name':
      break;
  }
  const name = ref.name;
  if (o.namespace) return podSubject(name, o);
  if (!o.pods) return containerSubject(name, deps);
  try {
    return await containerSubject(name, deps);
  } catch (err) {
    if (!(err instanceof UserError) || err.code !== 'not_found') throw err;
    const pod = await o.pods(name, o.namespace).catch(() => undefined);
    if (pod) return pod;
    throw err;
  }
}

async function podSubject(name: string, o: ResolveOptions): Promise<ProbeSubject> {
  if (!o.pods) {
    throw new UserError(`"${name}" names a pod, but no Kubernetes cluster is configured.`, ['Set KUBECONFIG or NETPEEK_KUBE_CONTEXT; `status` shows what netpeek found.'], 'not_found');
  }
  const pod = await o.pods(name, o.namespace);
  if (!pod) throw new UserError(`There is no pod "${name}"${o.namespace ? ` in namespace ${o.namespace}` : ''}.`, ['Example: ping pod/webserver-2 -n default'], 'not_found');
  return pod;
}

/** A container by name or ID prefix → its probe subject. */
export async function containerSubject(ref: string, deps: DockerAccess): Promise<ProbeSubject> {
  const docker = requireDocker(deps);
  const c = await findContainer(docker, ref);
  const mode = networkModeOf(c);
  const [owner, networks] = await Promise.all([mode.kind === 'container' && mode.ownerId ? docker.inspectContainer(mode.ownerId) : Promise.resolve(undefined), docker.listNetworks()]);
  return containerProbeSubject(c, owner, networks);
}

/**
 * A container the caller has already inspected → where and what to probe: its IPv4 address (for
 * `--network container:<x>`, that of x, whose namespace it joined), probed from the Docker host, on the
 * TCP ports it exposes or publishes. Says why when there is nothing to probe.
 */
export function containerProbeSubject(c: Docker.ContainerInspectInfo, owner: Docker.ContainerInspectInfo | undefined, networks: readonly Docker.NetworkInspectInfo[]): ProbeSubject {
  const name = c.Name.replace(/^\//, '');
  const mode = networkModeOf(c);
  if (!c.State.Running) {
    throw new UserError(`Container ${name} is ${c.State.Status}: a container that is not running has no address to probe.`, [`Start it with \`docker start ${name}\`, then ask again.`]);
  }
  if (mode.kind === 'host') {
    throw new UserError(`Container ${name} uses the host's network (--network host): it has no address of its own, its ports are the host's ports.`, ['Probe the host instead, or see `container ' + name + '`.']);
  }
  if (mode.kind === 'none') {
    throw new UserError(`Container ${name} has --network none: only a loopback interface, nothing can reach it from outside.`, ['See `explain namespace`.']);
  }
  const holder = mode.kind === 'container' && mode.ownerId ? (owner ?? c) : c;
  const ipv4 = containerAddresses(holder, networks).find((a) => a.family === 'ipv4');
  if (!ipv4) throw new UserError(`Container ${name} has no IPv4 address on any network.`, [`\`container ${name}\` shows its networks.`]);
  const ports = uniquePorts([...exposedPorts(c.Config.ExposedPorts), ...hostBindings(c).map((b) => ({ port: b.port, protocol: b.protocol }))]).filter((p) => p.protocol === 'tcp');
  return {
    kind: 'container',
    name,
    id: c.Id,
    ip: ipv4.ip,
    vantage: { kind: 'docker-host' },
    ports,
    networks: Object.keys(holder.NetworkSettings.Networks ?? {}),
    subnet: ipv4.subnet,
    hostNetwork: false,
  };
}

/** An address (already parsed) → the Docker network or node pod CIDR it is in, probed from there. */
async function placeAddress(ip: string, deps: DockerAccess, o: ResolveOptions): Promise<ProbeSubject> {
  let networks: Docker.NetworkInspectInfo[] = [];
  if (deps.docker) networks = await deps.docker.listNetworks().catch(() => []);
  for (const n of networks) {
    const subnet = subnetContaining(ip, networkSubnets(n));
    if (subnet) return { kind: 'ip', name: ip, ip, vantage: { kind: 'docker-host' }, ports: [], networks: [n.Name], subnet, hostNetwork: false };
  }
  const placed = o.placeAddress ? await o.placeAddress(ip) : undefined;
  if (placed) return placed;
  const known = networks.flatMap((n) => networkSubnets(n).map((s) => `${s} (${n.Name})`));
  throw new UserError(
    `${ip} is not inside any network netpeek knows, so it will not probe it.`,
    [
      `netpeek probes container and pod addresses from their own host. Known subnets: ${known.length ? known.join(', ') : 'none'}${o.placeAddress ? ', plus each node\'s pod CIDR' : ''}.`,
      'Example: ping 172.17.0.2',
    ],
  );
}
