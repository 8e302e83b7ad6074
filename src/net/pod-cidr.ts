import ipaddr from 'ipaddr.js';
import type { AddressFamily } from './subnet.js';
import { cidrContains, cidrsOverlap, isIpAddress, parseCidr } from './subnet.js';

/**
 * Where pod and service addresses sit: is a pod IP inside its node's pod CIDR, which range covers a set
 * of ClusterIPs (the service CIDR is not readable through the API, only inferable), and does the pod
 * network collide with a Docker bridge on the same machine. Pure: addresses in, facts out.
 */

/** One pod IP, placed against its node's pod CIDRs. */
export interface PodIpPlacement {
  ip: string;
  family: AddressFamily;
  /** The node pod CIDR of the same family, when the node has one. */
  nodeCidr?: string;
  /** True when nodeCidr contains the IP; false when it does not; undefined when the node has no CIDR of that family. */
  inside?: boolean;
}

function familyOf(ip: string): AddressFamily {
  return ip.includes(':') ? 'ipv6' : 'ipv4';
}

/**
 * Places each pod IP (dual-stack pods have one per family) against the node's podCIDRs. A CIDR that
 * does not parse is ignored rather than fatal: the answer still shows the IP.
 */
export function placePodIps(podIPs: readonly string[], nodeCIDRs: readonly string[]): PodIpPlacement[] {
  return podIPs.filter(isIpAddress).map((ip) => {
    const family = familyOf(ip);
    const sameFamily = nodeCIDRs.filter((c) => safeFamily(c) === family);
    const containing = sameFamily.find((c) => cidrContains(c, ip));
    const nodeCidr = containing ?? sameFamily[0];
    return { ip, family, ...(nodeCidr ? { nodeCidr, inside: containing !== undefined } : {}) };
  });
}

function safeFamily(cidr: string): AddressFamily | undefined {
  try {
    return parseCidr(cidr).family;
  } catch {
    return undefined;
  }
}

function toBigInt(ip: string): { family: AddressFamily; value: bigint } {
  const addr = ipaddr.parse(ip);
  let value = 0n;
  for (const byte of addr.toByteArray()) value = (value << 8n) | BigInt(byte);
  return { family: addr.kind(), value };
}

function fromBigInt(value: bigint, family: AddressFamily): string {
  const length = family === 'ipv4' ? 4 : 16;
  const bytes: number[] = [];
  for (let i = 0; i < length; i++) bytes.unshift(Number((value >> BigInt(8 * i)) & 0xffn));
  const addr = ipaddr.fromByteArray(bytes);
  return addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

/**
 * The smallest CIDR that contains every given address and subnet, per family: ["10.244.0.0/24",
 * "10.244.1.0/24"] → 10.244.0.0/23. Undefined for an empty list or mixed families.
 */
export function coveringCidr(items: readonly string[]): string | undefined {
  const points: { family: AddressFamily; value: bigint }[] = [];
  for (const item of items) {
    if (item.includes('/')) {
      const c = parseCidr(item);
      const bits = c.family === 'ipv4' ? 32 : 128;
      const first = toBigInt(c.network);
      const hostBits = BigInt(bits - c.prefixLength);
      points.push(first, { family: c.family, value: first.value | ((1n << hostBits) - 1n) });
    } else if (isIpAddress(item)) points.push(toBigInt(item));
  }
  const first = points[0];
  if (!first || points.some((p) => p.family !== first.family)) return undefined;
  const bits = first.family === 'ipv4' ? 32 : 128;
  let prefix = bits;
  for (const p of points) {
    const diff = p.value ^ first.value;
    const len = diff === 0n ? bits : bits - diff.toString(2).length;
    prefix = Math.min(prefix, len);
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return `${fromBigInt(first.value & mask, first.family)}/${prefix}`;
}

/** Service ranges that common installers use by default, for naming a likely service CIDR. */
export const KNOWN_SERVICE_CIDRS: readonly { cidr: string; who: string }[] = [
  { cidr: '10.96.0.0/12', who: 'kubeadm, kind, minikube and Docker Desktop' },
  { cidr: '10.43.0.0/16', who: 'k3s and RKE2' },
  { cidr: '10.152.183.0/24', who: 'MicroK8s' },
  { cidr: '10.100.0.0/16', who: 'EKS' },
  { cidr: '172.20.0.0/16', who: 'EKS' },
  { cidr: '10.0.0.0/16', who: 'AKS' },
];

/** What the ClusterIPs say about the service CIDR. */
export interface ServiceCidrGuess {
  /** The range shown: a known default that holds every ClusterIP, or the smallest range covering them. */
  cidr: string;
  /** `default`: all ClusterIPs fall in a common installer default; `covering`: the real range contains at least this one. */
  basis: 'default' | 'covering';
  /** Which installers use that default (basis `default`). */
  who?: string;
  /** How many ClusterIPs of this family it was inferred from. */
  from: number;
  family: AddressFamily;
}

/**
 * Infers the service CIDR per family from ClusterIPs ("None" and other non-addresses are skipped). The
 * API server's --service-cluster-ip-range is not visible to clients, so this is always an inference.
 */
export function inferServiceCidrs(clusterIPs: readonly string[]): ServiceCidrGuess[] {
  const ips = [...new Set(clusterIPs.filter(isIpAddress))];
  const guesses: ServiceCidrGuess[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const mine = ips.filter((ip) => familyOf(ip) === family);
    if (mine.length === 0) continue;
    const known = KNOWN_SERVICE_CIDRS.find((k) => safeFamily(k.cidr) === family && mine.every((ip) => cidrContains(k.cidr, ip)));
    if (known) guesses.push({ cidr: known.cidr, basis: 'default', who: known.who, from: mine.length, family });
    else guesses.push({ cidr: coveringCidr(mine)!, basis: 'covering', from: mine.length, family });
  }
  return guesses;
}

/** A pod CIDR that shares addresses with a Docker network on the same machine. */
export interface CidrOverlap {
  podCidr: string;
  dockerSubnet: string;
  dockerNetwork: string;
}

/** Which pod CIDRs overlap which Docker subnets (malformed entries are skipped). */
export function podDockerOverlaps(podCidrs: readonly string[], docker: readonly { network: string; subnet: string }[]): CidrOverlap[] {
  const out: CidrOverlap[] = [];
  for (const podCidr of podCidrs) {
    for (const d of docker) {
      try {
        if (cidrsOverlap(podCidr, d.subnet)) out.push({ podCidr, dockerSubnet: d.subnet, dockerNetwork: d.network });
      } catch {
        // an unparsable subnet overlaps nothing
      }
    }
  }
  return out;
}
