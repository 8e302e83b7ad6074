import type Docker from 'dockerode';
import type { AddressFact } from '../core/answer.js';
import type { HostBinding, PortSpec } from '../net/ports.js';
import { bindingScope, parsePortNumber, parsePortSpec, samePort, uniquePorts } from '../net/ports.js';
import type { DockerNetworkMode } from '../net/explain-docker.js';
import { subnetContaining, subnetOf } from '../net/subnet.js';

/**
 * Docker's objects → netpeek's neutral facts. This is the boundary: commands hand engine objects in and
 * get addresses, ports and modes out, so no dockerode type reaches an Answer.
 */

/** How a container is attached, read from HostConfig.NetworkMode. */
export interface ContainerNetworkMode {
  kind: DockerNetworkMode;
  /** For `container:<id>`: the ID of the container whose namespace it joined. */
  ownerId?: string;
  /** As the engine spells it (HostConfig.NetworkMode; "default" means the default bridge). */
  raw: string;
}

/** From an inspect or a container list entry (both carry HostConfig.NetworkMode). */
export function networkModeOf(c: { HostConfig: { NetworkMode?: string } }): ContainerNetworkMode {
  const raw = c.HostConfig.NetworkMode ?? 'default';
  if (raw === 'host') return { kind: 'host', raw };
  if (raw === 'none') return { kind: 'none', raw };
  if (raw.startsWith('container:')) return { kind: 'container', ownerId: raw.slice('container:'.length), raw };
  return { kind: 'own', raw };
}

/** One network attachment of a container as the engine reports it (inspect's NetworkSettings.Networks entry). */
export type Endpoint = Docker.ContainerInspectInfo['NetworkSettings']['Networks'][string];

/** The subnets of a network's IPAM configuration, e.g. ["172.17.0.0/16"]. */
export function networkSubnets(n: Pick<Docker.NetworkInspectInfo, 'IPAM'> | undefined): string[] {
  return (n?.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').filter((s) => s !== '');
}

/** The IPAM gateway configured for the subnet holding the address, if the network declares one. */
function ipamGateway(n: Docker.NetworkInspectInfo | undefined, subnet: string | undefined): string | undefined {
  return n?.IPAM?.Config?.find((c) => c.Subnet === subnet)?.Gateway || undefined;
}

/**
 * The addresses of one attachment: IPv4 and, when assigned, IPv6. The subnet comes from the network's
 * IPAM entry containing the address and, failing that (a driver that reports none), from address/prefix.
 */
export function endpointAddresses(networkName: string, ep: Endpoint, network?: Docker.NetworkInspectInfo): AddressFact[] {
  const facts: AddressFact[] = [];
  const subnets = networkSubnets(network);
  const driver = network?.Driver;
  if (ep.IPAddress) {
    const derived = subnetOf(ep.IPAddress, ep.IPPrefixLen);
    const subnet = subnetContaining(ep.IPAddress, subnets) ?? derived.subnet;
    facts.push(
      withoutUndefined({
        network: networkName,
        driver,
        family: 'ipv4',
        ip: derived.ip,
        prefixLength: ep.IPPrefixLen,
        subnet,
        gateway: ep.Gateway || ipamGateway(network, subnet),
        broadcast: derived.broadcast,
        mac: ep.MacAddress || undefined,
      }),
    );
  }
  if (ep.GlobalIPv6Address) {
    const derived = subnetOf(ep.GlobalIPv6Address, ep.GlobalIPv6PrefixLen);
    const subnet = subnetContaining(ep.GlobalIPv6Address, subnets) ?? derived.subnet;
    facts.push(
      withoutUndefined({
        network: networkName,
        driver,
        family: 'ipv6',
        ip: derived.ip,
        prefixLength: ep.GlobalIPv6PrefixLen,
        subnet,
        gateway: ep.IPv6Gateway || ipamGateway(network, subnet),
        mac: ep.MacAddress || undefined,
      }),
    );
  }
  return facts;
}

/** Every address of a container, network by network, with driver and subnet from the network list. */
export function containerAddresses(c: Pick<Docker.ContainerInspectInfo, 'NetworkSettings'>, networks: readonly Docker.NetworkInspectInfo[]): AddressFact[] {
  return Object.entries(c.NetworkSettings.Networks ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([name, ep]) => endpointAddresses(name, ep, networks.find((n) => n.Id === ep.NetworkID || n.Name === name)));
}

/**
 * An attached container as a network's inspect lists it ("10.1.2.3/24") → address facts, so the network
 * table and the container answer compute subnets and broadcasts the same way.
 */
export function attachedAddresses(network: Docker.NetworkInspectInfo, attached: Docker.NetworkContainer): AddressFact[] {
  const ep: Partial<Endpoint> = { MacAddress: attached.MacAddress };
  const [ip4, len4] = (attached.IPv4Address ?? '').split('/');
  const [ip6, len6] = (attached.IPv6Address ?? '').split('/');
  if (ip4 && len4) Object.assign(ep, { IPAddress: ip4, IPPrefixLen: Number(len4) });
  if (ip6 && len6) Object.assign(ep, { GlobalIPv6Address: ip6, GlobalIPv6PrefixLen: Number(len6) });
  return endpointAddresses(network.Name, ep as Endpoint, network);
}

/** Ports from an ExposedPorts map ({"80/tcp": {}}); keys Docker would never write are skipped. */
export function exposedPorts(map: Record<string, unknown> | null | undefined): PortSpec[] {
  const ports: PortSpec[] = [];
  for (const key of Object.keys(map ?? {})) {
    try {
      ports.push(parsePortSpec(key));
    } catch {
      // Port ranges are expanded by Docker before they are stored; anything else is not a port.
    }
  }
  return uniquePorts(ports);
}

type BindingMap = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null | undefined;

/**
 * Published ports. A running container's NetworkSettings.Ports holds the host ports actually bound
 * (random ones resolved); a stopped one has only what was asked for in HostConfig.PortBindings.
 * Docker binds 0.0.0.0 and :: separately for one -p; those are one fact for a reader, so they are merged.
 */
export function hostBindings(c: Pick<Docker.ContainerInspectInfo, 'State' | 'NetworkSettings' | 'HostConfig'>): HostBinding[] {
  const map: BindingMap = c.State.Running ? c.NetworkSettings.Ports : (c.HostConfig.PortBindings as BindingMap);
  const bindings: HostBinding[] = [];
  for (const [key, list] of Object.entries(map ?? {})) {
    let spec: PortSpec;
    try {
      spec = parsePortSpec(key);
    } catch {
      continue;
    }
    for (const b of list ?? []) {
      const binding: HostBinding = { ...spec, hostIp: b.HostIp ?? '' };
      const hostPort = parsePortNumber(b.HostPort ?? '');
      if (hostPort !== undefined) binding.hostPort = hostPort;
      const everywhere = (x: HostBinding): boolean => bindingScope(x.hostIp) === 'all';
      const twin = everywhere(binding) && bindings.some((o) => everywhere(o) && samePort(o, binding) && o.hostPort === binding.hostPort);
      if (!twin) bindings.push(binding);
    }
  }
  return bindings.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol) || (a.hostPort ?? 0) - (b.hostPort ?? 0));
}

/** Drops keys whose value is undefined, so Answers stay minimal JSON and compare cleanly in tests. */
function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
