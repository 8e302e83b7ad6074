import type { AllowedRange } from '../core/policy-verdict.js';
import type { PolicyPortSpec, PolicyProtocol } from './policy-spec.js';
import { POLICY_PROTOCOLS } from './policy-spec.js';

/**
 * Sets of ports per protocol, as NetworkPolicy rules admit them: a rule's ports (numbers, ranges with
 * endPort, names resolved against the destination pod), the union of several rules, the intersection of
 * the sending side's egress and the receiving side's ingress. Ranges are kept merged and sorted.
 */

/** A container port with a name, which a rule's named port refers to. */
export interface NamedPort {
  name: string;
  port: number;
  protocol: PolicyProtocol;
}

export type { AllowedRange };

type Range = readonly [number, number];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

function normalize(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** An immutable set of (protocol, port) pairs. */
export class PortSet {
  private constructor(private readonly byProtocol: ReadonlyMap<PolicyProtocol, readonly Range[]>) {}

  static none(): PortSet {
    return new PortSet(new Map());
  }

  /** Every port of every protocol. */
  static all(): PortSet {
    return new PortSet(new Map(POLICY_PROTOCOLS.map((p) => [p, [[MIN_PORT, MAX_PORT]] as Range[]])));
  }

  static of(entries: readonly { protocol: PolicyProtocol; port: number; endPort?: number }[]): PortSet {
    const m = new Map<PolicyProtocol, Range[]>();
    for (const e of entries) {
      const list = m.get(e.protocol) ?? [];
      list.push([e.port, e.endPort ?? e.port]);
      m.set(e.protocol, list);
    }
    return new PortSet(new Map([...m].map(([p, r]) => [p, normalize(r)])));
  }

  isEmpty(): boolean {
    return [...this.byProtocol.values()].every((r) => r.length === 0);
  }

  isAll(): boolean {
    return POLICY_PROTOCOLS.every((p) => {
      const r = this.byProtocol.get(p);
      return r?.length === 1 && r[0]![0] === MIN_PORT && r[0]![1] === MAX_PORT;
    });
  }

  has(protocol: PolicyProtocol, port: number): boolean {
    return (this.byProtocol.get(protocol) ?? []).some(([lo, hi]) => port >= lo && port <= hi);
  }

  union(other: PortSet): PortSet {
    const m = new Map<PolicyProtocol, Range[]>();
    for (const p of POLICY_PROTOCOLS) {
      const r = [...(this.byProtocol.get(p) ?? []), ...(other.byProtocol.get(p) ?? [])];
      if (r.length) m.set(p, normalize(r));
    }
    return new PortSet(m);
  }

  intersect(other: PortSet): PortSet {
    const m = new Map<PolicyProtocol, Range[]>();
    for (const p of POLICY_PROTOCOLS) {
      const out: Range[] = [];
      for (const [a, b] of this.byProtocol.get(p) ?? []) {
        for (const [c, d] of other.byProtocol.get(p) ?? []) {
          const lo = Math.max(a, c);
          const hi = Math.min(b, d);
          if (lo <= hi) out.push([lo, hi]);
        }
      }
      if (out.length) m.set(p, normalize(out));
    }
    return new PortSet(m);
  }

  /** Ranges sorted by protocol (TCP, UDP, SCTP), then port. */
  ranges(): AllowedRange[] {
    return POLICY_PROTOCOLS.flatMap((protocol) => (this.byProtocol.get(protocol) ?? []).map(([port, endPort]) => ({ protocol, port, endPort })));
  }

  /** The verdict's `allowed` value: "all", "none", or the merged ranges. */
  toAllowed(): 'all' | 'none' | AllowedRange[] {
    if (this.isAll()) return 'all';
    if (this.isEmpty()) return 'none';
    return this.ranges();
  }
}

/** How one entry of a rule's `ports` applies to a destination. */
export interface ResolvedPort {
  spec: PolicyPortSpec;
  /** What it admits there: for a named port, the destination's ports of that name and protocol (maybe none). */
  ports: PortSet;
  /** For a named port: the numbers it resolved to on the destination pod, or [] when it has no such port. */
  resolvedTo?: number[];
}

/**
 * A rule's ports at a destination. No ports = every port of every protocol. A named port matches the
 * destination pod's container ports with that name and protocol; an address destination has no names,
 * so such an entry admits nothing there.
 */
export function resolveRulePorts(ports: readonly PolicyPortSpec[], destination: readonly NamedPort[] | undefined): { set: PortSet; resolved: ResolvedPort[] } {
  if (ports.length === 0) return { set: PortSet.all(), resolved: [] };
  let set = PortSet.none();
  const resolved: ResolvedPort[] = ports.map((spec) => {
    if (spec.port === undefined) {
      const all = PortSet.of([{ protocol: spec.protocol, port: MIN_PORT, endPort: MAX_PORT }]);
      return { spec, ports: all };
    }
    if (typeof spec.port === 'number') return { spec, ports: PortSet.of([{ protocol: spec.protocol, port: spec.port, endPort: spec.endPort ?? spec.port }]) };
    const numbers = (destination ?? []).filter((p) => p.name === spec.port && p.protocol === spec.protocol).map((p) => p.port);
    return { spec, ports: PortSet.of(numbers.map((port) => ({ protocol: spec.protocol, port }))), resolvedTo: numbers };
  });
  for (const r of resolved) set = set.union(r.ports);
  return { set, resolved };
}
