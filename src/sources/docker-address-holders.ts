import type { AddressHolder, AddressRange } from '../net/explain-address.js';
import { normalizeIp, rangeContains } from '../net/subnet.js';
import { networkModeOf, networkSubnets } from './docker-facts.js';
import type { DockerSource } from './docker.js';

/**
 * What the Docker engine says about one address: the running containers that have it on which network
 * (and the containers that joined their namespace with --network container:), the network whose
 * gateway it is (the host's side), and the networks whose subnet holds it. Two reads (the container
 * and network lists); nothing is sent to the address.
 */
export interface DockerAddressHolders {
  holders: AddressHolder[];
  ranges: AddressRange[];
}


const same = (a: string | undefined, ip: string): boolean => {
  if (!a) return false;
  try {
    return normalizeIp(a) === ip;
  } catch {
    return false;
  }
};

export async function dockerAddressHolders(docker: DockerSource, ip: string): Promise<DockerAddressHolders> {
  const [containers, networks] = await Promise.all([docker.listContainers(), docker.listNetworks()]);
  const running = containers.filter((c) => c.State === 'running');
  const nameOf = (c: (typeof containers)[number]) => (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
  const holders: AddressHolder[] = [];
  for (const c of running) {
    for (const [network, ep] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
      if (!same(ep.IPAddress, ip) && !same(ep.GlobalIPv6Address, ip)) continue;
      // Containers started with --network container:<this one> share its namespace, so its address.
      const sharedWith = running.filter((o) => {
        const mode = networkModeOf(o);
        return mode.kind === 'container' && mode.ownerId !== undefined && (c.Id.startsWith(mode.ownerId) || nameOf(c) === mode.ownerId);
      });
      holders.push({ kind: 'container', name: nameOf(c), network, sharedWith: sharedWith.map(nameOf).sort() });
    }
  }
  // A network's gateway is in its IPAM configuration, or (when Docker picked it) on its containers' endpoints.
  const gateways = new Map<string, Set<string>>();
  const addGateway = (network: string, gw: string | undefined) => {
    if (gw) gateways.set(network, (gateways.get(network) ?? new Set()).add(gw));
  };
  for (const c of running) for (const [network, ep] of Object.entries(c.NetworkSettings?.Networks ?? {})) addGateway(network, ep.Gateway);
  const ranges: AddressRange[] = [];
  for (const n of networks) {
    if (n.Driver === 'host' || n.Driver === 'null') continue;
    for (const cfg of n.IPAM?.Config ?? []) addGateway(n.Name, cfg.Gateway);
    if ([...(gateways.get(n.Name) ?? [])].some((gw) => same(gw, ip))) holders.push({ kind: 'gateway', network: n.Name, ...(n.Driver ? { driver: n.Driver } : {}) });
    for (const cidr of networkSubnets(n)) if (rangeContains(cidr, ip)) ranges.push({ kind: 'docker-network', network: n.Name, cidr, ...(n.Driver ? { driver: n.Driver } : {}) });
  }
  return { holders, ranges };
}
