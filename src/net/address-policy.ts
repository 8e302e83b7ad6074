import ipaddr from 'ipaddr.js';

/**
 * Which addresses and ports an agent may probe. Pure: no I/O.
 *
 * Every target is normalised the way the kernel and `inet_aton` would read it before anything is decided,
 * so `0xa9fea9fe`, `2852039166`, `0251.0376.0251.0376`, `169.254.43518` and `::ffff:a9fe:a9fe` are all
 * the metadata address 169.254.169.254. A leading 0 means octal (as in ping, curl and browsers): `010.0.0.1`
 * is 8.0.0.1. Hostnames are refused: the agent never resolves names.
 *
 * Default deny: an address is allowed only when an allow CIDR covers it. Special ranges (loopback,
 * link-local/metadata, unspecified, multicast, broadcast, reserved, IPv6 forms that embed IPv4) are denied
 * even then, unless an allow CIDR lies inside the special range, i.e. names it explicitly
 * (`127.0.0.1/32` unlocks that loopback address; `0.0.0.0/0` unlocks nothing special).
 */

export type IpFamily = 'ipv4' | 'ipv6';

export type ParsedAddress = { ok: true; ip: string; family: IpFamily; input: string } | { ok: false; input: string; reason: string };

/** Parses any accepted spelling into the canonical address; IPv4-mapped and IPv4-compatible IPv6 become IPv4. */
export function parseAddress(raw: string): ParsedAddress {
  const input = String(raw);
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s === '') return { ok: false, input, reason: 'an empty target is not an IP address' };
  if (s.includes('%')) return { ok: false, input, reason: `target ${show(input)} has an IPv6 zone (%…); give the address without it` };
  if (s.includes('/')) return { ok: false, input, reason: `target ${show(input)} is a CIDR range; give one address` };
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValid(s)) addr = ipaddr.IPv4.parse(s);
  else if (ipaddr.IPv6.isValid(s)) addr = ipaddr.IPv6.parse(withHexTail(s));
  else return { ok: false, input, reason: notAnAddress(s, input) };
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return { ok: true, ip: addr.toString(), family: addr.kind(), input };
}

/**
 * `::10.0.0.1` with its IPv4 tail written as two hex groups (`::a00:1`). ipaddr.js reads a bare `::a.b.c.d`
 * as IPv4-mapped (`::ffff:a.b.c.d`), which would give the IPv4-compatible address ::a00:1 a different
 * verdict from its hex spelling; the rewrite makes both the same address.
 */
function withHexTail(s: string): string {
  const m = /^(.*:)([^:]*\.[^:]*)$/.exec(s);
  if (!m || !ipaddr.IPv4.isValid(m[2]!)) return s;
  const [a, b, c, d] = ipaddr.IPv4.parse(m[2]!).octets as [number, number, number, number];
  return `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function notAnAddress(s: string, input: string): string {
  if (/^[0-9.]+$/.test(s) && /(^|\.)0[0-7]*[89]/.test(s))
    return `target ${show(input)} is not a valid IP address (a leading 0 means octal, and 8 and 9 are not octal digits)`;
  if (s.includes(':')) return `target ${show(input)} is not a valid IPv6 address`;
  if (/[g-wyz_-]/i.test(s) || /^[a-z]/i.test(s)) return `target ${show(input)} is a hostname; the agent only probes IP addresses`;
  return `target ${show(input)} is not a valid IPv4 or IPv6 address`;
}

function show(input: string): string {
  const clipped = input.length > 64 ? `${input.slice(0, 61)}...` : input;
  return clipped.replace(/[^\x20-\x7e]/g, '?');
}

/** A named range that is denied unless an allow CIDR inside it names it explicitly. */
interface SpecialRange {
  cidr: string;
  what: string;
}

const SPECIAL_V4: SpecialRange[] = [
  { cidr: '169.254.169.254/32', what: 'link-local/metadata' },
  { cidr: '100.100.100.200/32', what: 'cloud metadata' },
  { cidr: '169.254.0.0/16', what: 'link-local/metadata' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '0.0.0.0/8', what: 'unspecified ("this network")' },
  { cidr: '224.0.0.0/4', what: 'multicast' },
  { cidr: '255.255.255.255/32', what: 'broadcast' },
  { cidr: '240.0.0.0/4', what: 'reserved' },
];

const SPECIAL_V6: SpecialRange[] = [
  { cidr: 'fd00:ec2::254/128', what: 'cloud metadata' },
  { cidr: '::/128', what: 'unspecified' },
  { cidr: '::1/128', what: 'loopback' },
  { cidr: 'fe80::/10', what: 'link-local' },
  { cidr: 'ff00::/8', what: 'multicast' },
  { cidr: '::/96', what: 'IPv4-compatible (embeds an IPv4 address)' },
  { cidr: '::ffff:0:0:0/96', what: 'IPv4-translated (embeds an IPv4 address)' },
  { cidr: '64:ff9b::/96', what: 'NAT64 (embeds an IPv4 address)' },
  { cidr: '64:ff9b:1::/48', what: 'NAT64 (embeds an IPv4 address)' },
  { cidr: '2002::/16', what: '6to4 (embeds an IPv4 address)' },
  { cidr: '2001::/32', what: 'Teredo (embeds an IPv4 address)' },
];

/** An inclusive port range. */
export interface PortRange {
  from: number;
  to: number;
}

/** A CIDR in canonical form plus its parsed network. */
export interface Cidr {
  text: string;
  family: IpFamily;
  prefix: number;
  net: ipaddr.IPv4 | ipaddr.IPv6;
}

/** Parses `10.0.0.0/24`, `10.0.0.7` (= /32), `fd00::/64`, `::ffff:10.0.0.0/120` (= 10.0.0.0/24). Host bits are cleared. */
export function parseCidr(raw: string): Cidr {
  const s = raw.trim();
  const [addrPart = '', prefixPart, extra] = s.split('/');
  if (extra !== undefined || addrPart === '') throw new Error(`${JSON.stringify(raw)} is not a CIDR like 10.0.0.0/24`);
  const parsed = parseAddress(addrPart);
  if (!parsed.ok) throw new Error(`${JSON.stringify(raw)} is not a CIDR like 10.0.0.0/24: ${parsed.reason}`);
  const max = parsed.family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (prefixPart !== undefined) {
    if (!/^\d{1,3}$/.test(prefixPart)) throw new Error(`${JSON.stringify(raw)} has a bad prefix length ${JSON.stringify(prefixPart)}`);
    prefix = Number(prefixPart);
    // An IPv4-mapped CIDR is the IPv4 CIDR 96 bits shorter.
    if (parsed.family === 'ipv4' && ipaddr.IPv6.isValid(addrPart.replace(/^\[|\]$/g, ''))) prefix -= 96;
    if (prefix < 0 || prefix > max) throw new Error(`${JSON.stringify(raw)} has a prefix length outside 0-${max}`);
  }
  const net = parsed.family === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${parsed.ip}/${prefix}`) : ipaddr.IPv6.networkAddressFromCIDR(`${parsed.ip}/${prefix}`);
  return { text: `${net.toString()}/${prefix}`, family: parsed.family, prefix, net };
}

/** Parses `1-65535`, `80,443,8000-9000`. */
export function parsePortRanges(spec: string): PortRange[] {
  const parts = spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new Error('no ports given; use e.g. 1-65535 or 80,443,8000-9000');
  return parts.map((p) => {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(p);
    if (!m) throw new Error(`${JSON.stringify(p)} is not a port or a range like 8000-9000`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 65535 || from > to) throw new Error(`${JSON.stringify(p)} is not within 1-65535 with low <= high`);
    return { from, to };
  });
}

export function formatPortRanges(ranges: PortRange[]): string {
  return ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(',');
}

/** Anything with an address and maybe a port: a ProbeTarget fits. */
export interface CheckTarget {
  ip: string;
  port?: number;
  kind?: string;
}

export type CheckResult =
  | { allowed: true; ip: string; family: IpFamily }
  | { allowed: false; reason: string; rule: string; ip?: string };

function contains(cidr: Cidr, addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (addr.kind() !== cidr.family) return false;
  return addr.match(cidr.net as never, cidr.prefix);
}

function within(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.prefix >= outer.prefix && contains(outer, inner.net);
}

let special: Array<SpecialRange & { range: Cidr }> | undefined;
/**
 * The special ranges parsed, on the first check: parsing them at import cost every process ~5 ms (ipaddr.js
 * compiles its patterns on first use), and only one that checks a target needs them (issue 19).
 */
function specialRanges(): Array<SpecialRange & { range: Cidr }> {
  return (special ??= [...SPECIAL_V4, ...SPECIAL_V6].map((s) => ({ ...s, range: parseCidr(s.cidr) })));
}

/** The allow-list from configuration: CIDRs and port ranges. Empty CIDR list = deny everything. */
export class AllowList {
  readonly cidrs: Cidr[];
  readonly ports: PortRange[];

  constructor(cidrs: Array<string | Cidr>, ports: PortRange[] | string = [{ from: 1, to: 65535 }]) {
    this.cidrs = cidrs.map((c) => (typeof c === 'string' ? parseCidr(c) : c));
    this.ports = typeof ports === 'string' ? parsePortRanges(ports) : ports;
  }

  /** Decides one target. The address is normalised first; the answer carries the canonical form. */
  check(target: CheckTarget): CheckResult {
    const parsed = parseAddress(target.ip);
    if (!parsed.ok) return { allowed: false, reason: parsed.reason, rule: 'not an IP address' };
    const addr = ipaddr.parse(parsed.ip);
    const name = parsed.ip === target.ip.trim() ? parsed.ip : `${show(target.ip)} (= ${parsed.ip})`;
    const covering = this.cidrs.filter((c) => contains(c, addr));
    const special = specialRanges().find((s) => contains(s.range, addr));
    if (special && !covering.some((c) => within(c, special.range)))
      return { allowed: false, ip: parsed.ip, reason: `target ${name} is ${special.what} and not in the allow-list`, rule: `deny ${special.what} ${special.range.text}` };
    if (covering.length === 0)
      return {
        allowed: false,
        ip: parsed.ip,
        reason: `target ${name} is not in the allow-list (${this.describeCidrs()})`,
        rule: 'default deny',
      };
    const portProblem = this.checkPort(target, name);
    if (portProblem) return { ...portProblem, ip: parsed.ip };
    return { allowed: true, ip: parsed.ip, family: parsed.family };
  }

  private checkPort(target: CheckTarget, name: string): { allowed: false; reason: string; rule: string } | undefined {
    if (target.port === undefined) return undefined;
    const p = target.port;
    if (!Number.isInteger(p) || p < 1 || p > 65535) return { allowed: false, reason: `port ${String(p)} of target ${name} is not a port number 1-65535`, rule: 'port range' };
    if (this.ports.some((r) => p >= r.from && p <= r.to)) return undefined;
    return { allowed: false, reason: `port ${p} of target ${name} is not in the allowed ports ${formatPortRanges(this.ports)}`, rule: `allow ports ${formatPortRanges(this.ports)}` };
  }

  describeCidrs(): string {
    return this.cidrs.length === 0 ? 'empty: everything is denied' : this.cidrs.map((c) => c.text).join(', ');
  }
}
