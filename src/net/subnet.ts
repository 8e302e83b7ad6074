import ipaddr from 'ipaddr.js';
import { UserError } from '../core/errors.js';

/**
 * Subnet arithmetic for the addresses netpeek shows: the network an address sits in, its broadcast
 * address and whether two subnets overlap. Pure: no I/O, and every input is checked, because addresses
 * reach here both from engines (trusted) and from users (not).
 */

export type AddressFamily = 'ipv4' | 'ipv6';

/** An address seen together with its prefix length, and what follows from the pair. */
export interface SubnetFacts {
  family: AddressFamily;
  /** The address itself, in canonical form (IPv6 compressed as in RFC 5952). */
  ip: string;
  prefixLength: number;
  /** First address of the subnet, e.g. 172.17.0.0. */
  network: string;
  /** Network and prefix, e.g. 172.17.0.0/16. */
  subnet: string;
  /**
   * IPv4 only, and only for prefixes up to /30: a /31 is a point-to-point link without one (RFC 3021),
   * a /32 is a single address. IPv6 has no broadcast at all.
   */
  broadcast?: string;
  /** IPv4 only: the prefix as a dotted mask, e.g. 255.255.0.0. */
  netmask?: string;
}

/** A subnet in CIDR form, parsed and normalised to its network address. */
export interface Cidr {
  family: AddressFamily;
  /** The network address, e.g. 172.17.0.0. */
  network: string;
  prefixLength: number;
  /** Normalised CIDR text: 172.17.0.0/16 for an input of 172.17.5.9/16. */
  subnet: string;
}

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

const IP_EXAMPLES = ['IPv4 like 172.17.0.2', 'IPv6 like fd00:1::2'];
const CIDR_EXAMPLES = ['Example: 172.17.0.0/16', 'Example: fd00:1::/64'];

function maxPrefix(family: AddressFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

function canonical(addr: Parsed): string {
  return addr.kind() === 'ipv4' ? addr.toString() : (addr as ipaddr.IPv6).toRFC5952String();
}

/**
 * Parses an address strictly: IPv4 must be four decimal parts (ipaddr.js would also take "010.1" or
 * "1", spellings that mean something else to other tools), IPv6 any valid form without a zone.
 */
function parseStrict(text: string): Parsed | undefined {
  const t = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) return ipaddr.IPv4.parse(t);
  if (ipaddr.IPv6.isValid(t) && !t.includes('%')) return ipaddr.IPv6.parse(t);
  return undefined;
}

/** True for a well-formed IPv4 (four decimal parts) or IPv6 address. */
export function isIpAddress(text: string): boolean {
  return parseStrict(text) !== undefined;
}

/** Canonical spelling of an address; throws a UserError naming the accepted forms. */
export function normalizeIp(text: string): string {
  return canonical(parseOrThrow(text));
}

export function ipFamily(text: string): AddressFamily {
  return parseOrThrow(text).kind();
}

function parseOrThrow(text: string): Parsed {
  const addr = parseStrict(text);
  if (!addr) throw new UserError(`"${text}" is not an IP address. netpeek reads ${IP_EXAMPLES.join(' or ')}.`, []);
  return addr;
}

function checkPrefix(prefixLength: number, family: AddressFamily, shown: string): void {
  const max = maxPrefix(family);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max) {
    throw new UserError(`"${shown}" has prefix length ${prefixLength}; an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} prefix is a whole number from 0 to ${max}.`, CIDR_EXAMPLES);
  }
}

/** Network address of ip/prefix as a parsed address. */
function networkOf(addr: Parsed, prefixLength: number): Parsed {
  const cidr = `${addr.toString()}/${prefixLength}`;
  return addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
}

/**
 * Everything `ip addr` would print for one address: 172.17.0.2 with prefix 16 →
 * network 172.17.0.0, subnet 172.17.0.0/16, broadcast 172.17.255.255, netmask 255.255.0.0.
 */
export function subnetOf(ip: string, prefixLength: number): SubnetFacts {
  const addr = parseOrThrow(ip);
  const family = addr.kind();
  checkPrefix(prefixLength, family, `${ip}/${prefixLength}`);
  const network = canonical(networkOf(addr, prefixLength));
  const facts: SubnetFacts = { family, ip: canonical(addr), prefixLength, network, subnet: `${network}/${prefixLength}` };
  if (family === 'ipv4') {
    facts.netmask = ipaddr.IPv4.subnetMaskFromPrefixLength(prefixLength).toString();
    if (prefixLength <= 30) facts.broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(`${facts.ip}/${prefixLength}`).toString();
  }
  return facts;
}

/** "172.17.0.2/16" → the same facts as subnetOf. */
export function subnetOfCidr(cidr: string): SubnetFacts {
  const { addr, prefixLength } = splitCidr(cidr);
  return subnetOf(canonical(addr), prefixLength);
}

function splitCidr(cidr: string): { addr: Parsed; prefixLength: number } {
  const match = /^\s*([^/\s]+)\/(\d{1,3})\s*$/.exec(cidr);
  const addr = match ? parseStrict(match[1]!) : undefined;
  if (!match || !addr) {
    throw new UserError(`"${cidr}" is not a subnet in CIDR form (address/prefix length).`, CIDR_EXAMPLES);
  }
  const prefixLength = Number(match[2]);
  checkPrefix(prefixLength, addr.kind(), cidr);
  return { addr, prefixLength };
}

/** Parses a CIDR and normalises it to its network address (host bits cleared). */
export function parseCidr(cidr: string): Cidr {
  const { addr, prefixLength } = splitCidr(cidr);
  const network = canonical(networkOf(addr, prefixLength));
  return { family: addr.kind(), network, prefixLength, subnet: `${network}/${prefixLength}` };
}

/** Does the subnet contain the address? Addresses of the other family are never contained. */
export function cidrContains(cidr: string, ip: string): boolean {
  const { addr: net, prefixLength } = splitCidr(cidr);
  const addr = parseOrThrow(ip);
  if (addr.kind() !== net.kind()) return false;
  return (addr as ipaddr.IPv4).match(net as ipaddr.IPv4, prefixLength);
}

/** Do two subnets share any address? (One always contains the other's network address if so.) */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (x.family !== y.family) return false;
  return x.prefixLength <= y.prefixLength ? cidrContains(x.subnet, y.network) : cidrContains(y.subnet, x.network);
}

/**
 * The address right after the network address (172.17.0.1 for 172.17.0.0/16): where Docker puts a bridge
 * network's gateway when none is configured. Undefined for /31, /32, /127 and /128, which have no such slot.
 */
export function firstAddress(cidr: string): string | undefined {
  const c = parseCidr(cidr);
  if (c.prefixLength >= maxPrefix(c.family) - 1) return undefined;
  const bytes = ipaddr.parse(c.network).toByteArray();
  bytes[bytes.length - 1]! += 1; // the network address ends in a 0 bit, so this never carries
  return canonical(ipaddr.fromByteArray(bytes));
}

/**
 * cidrContains for ranges read from a backend: a malformed or empty range (an engine or a node object may
 * report one), or a malformed address, contains nothing instead of throwing.
 */
export function rangeContains(cidr: string, ip: string): boolean {
  try {
    return cidrContains(cidr, ip);
  } catch {
    return false;
  }
}

/** The first subnet in the list that contains the address, e.g. to pick a network's IPAM entry. */
export function subnetContaining(ip: string, subnets: readonly string[]): string | undefined {
  return subnets.find((s) => rangeContains(s, ip));
}
