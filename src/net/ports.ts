import { UserError } from '../core/errors.js';
import { PORT_RANGE } from '../core/query.js';

/**
 * A port model that is neither Docker's nor Kubernetes': a port and protocol, where a port is bound on a
 * host, and which ports collide inside one network namespace. Docker's "80/tcp" keys and Kubernetes'
 * containerPort/protocol pairs both map onto it.
 */

export type Protocol = 'tcp' | 'udp' | 'sctp';

export const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

/** One port of one protocol, e.g. 80/tcp. */
export interface PortSpec {
  /** 1–65535. */
  port: number;
  protocol: Protocol;
}

/** A container port made reachable through a port of the host. */
export interface HostBinding extends PortSpec {
  /** Host address the port is bound on; "" and 0.0.0.0 mean every IPv4 address, :: every address. */
  hostIp: string;
  /** Host port; absent while the engine has not picked one yet (a random port, container not started). */
  hostPort?: number;
}

/** Who can connect to a host binding, judged from its host address alone. */
export type BindingScope = 'all' | 'loopback' | 'one-address';

const EXAMPLE = 'Example: 80/tcp, 53/udp, or 8080 (tcp is assumed)';

function isProtocol(p: string): p is Protocol {
  return (PROTOCOLS as readonly string[]).includes(p);
}

/** A port number from text, or undefined when it is not a whole number in 1–65535. */
export function parsePortNumber(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= PORT_RANGE.min && n <= PORT_RANGE.max ? n : undefined;
}

/** "80/tcp" (Docker's spelling), "53/udp", or "8080" (tcp, as Docker assumes) → PortSpec. */
export function parsePortSpec(text: string): PortSpec {
  const [portText = '', protoText = 'tcp', ...rest] = text.trim().toLowerCase().split('/');
  const port = parsePortNumber(portText);
  if (port === undefined || rest.length > 0 || !isProtocol(protoText)) {
    throw new UserError(`"${text}" is not a port. A port is a number from ${PORT_RANGE.min} to ${PORT_RANGE.max}, optionally followed by /tcp, /udp or /sctp.`, [EXAMPLE]);
  }
  return { port, protocol: protoText };
}

export function formatPortSpec(p: PortSpec): string {
  return `${p.port}/${p.protocol}`;
}

/** Host side of a binding as people write it: 127.0.0.1:8080, [::1]:8080, or *:8080 for every address. */
export function formatHostSide(b: HostBinding): string {
  const port = b.hostPort === undefined ? '(port not assigned yet)' : String(b.hostPort);
  if (bindingScope(b.hostIp) === 'all') return `*:${port}`;
  return b.hostIp.includes(':') ? `[${b.hostIp}]:${port}` : `${b.hostIp}:${port}`;
}

/**
 * Whether a binding accepts connections from other machines. Only the host address matters here:
 * a firewall may still drop packets, which only a probe can tell.
 */
export function bindingScope(hostIp: string): BindingScope {
  const ip = hostIp.trim().toLowerCase();
  if (ip === '' || ip === '0.0.0.0' || ip === '::' || ip === '[::]') return 'all';
  if (ip.startsWith('127.') || ip === '::1' || ip === '[::1]') return 'loopback';
  return 'one-address';
}

export function samePort(a: PortSpec, b: PortSpec): boolean {
  return a.port === b.port && a.protocol === b.protocol;
}

/** Sorted by port, then protocol, with duplicates removed. */
export function uniquePorts<T extends PortSpec>(ports: readonly T[]): T[] {
  const seen = new Set<string>();
  return [...ports]
    .sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol))
    .filter((p) => {
      const key = formatPortSpec(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Ports of one member of a shared network namespace (a container of a pod, or a Docker container). */
export interface NamespaceMember {
  /** Container name, as shown to the user. */
  name: string;
  ports: readonly PortSpec[];
}

/** A port that more than one member of the same network namespace wants to bind. */
export interface PortConflict extends PortSpec {
  /** The members that declare it, in the order given. */
  members: string[];
}

/**
 * Processes sharing a network namespace share one set of ports, so two of them cannot both listen on
 * 80/tcp. Returns every port declared by more than one member.
 */
export function findPortConflicts(members: readonly NamespaceMember[]): PortConflict[] {
  const byPort = new Map<string, PortConflict>();
  for (const m of members) {
    for (const p of uniquePorts(m.ports)) {
      const key = formatPortSpec(p);
      const entry = byPort.get(key) ?? { port: p.port, protocol: p.protocol, members: [] };
      entry.members.push(m.name);
      byPort.set(key, entry);
    }
  }
  return uniquePorts([...byPort.values()].filter((c) => c.members.length > 1));
}
