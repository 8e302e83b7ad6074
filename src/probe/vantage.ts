import type { PortSpec } from '../net/ports.js';
import type { SubjectKind } from '../core/kinds.js';
import type { ProbeOptions, ProbeResult, ProbeTarget } from './types.js';

/**
 * Where a probe has to start for its answer to mean what the seed notes say: the target's own host.
 * `context` is the Kubernetes context the node belongs to (agent discovery is per cluster).
 */
export type Vantage = { kind: 'docker-host' } | { kind: 'node'; node: string; context?: string };

export function vantageName(v: Vantage): string {
  return v.kind === 'docker-host' ? 'the Docker host' : `node ${v.node}`;
}

export interface ProbeService {
  /**
   * Probes `targets` from `vantage`. Never rejects for an unavailable agent: results then carry
   * `unavailable` so answers degrade instead of failing.
   */
  probeFrom(vantage: Vantage, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]>;
}

/** Something to probe, placed: its address, where to probe it from, and the ports it declares. */
export interface ProbeSubject {
  kind: Extract<SubjectKind, 'container' | 'pod' | 'ip'>;
  /** What the user would call it: container name, namespace/pod, or the address. */
  name: string;
  ip: string;
  vantage: Vantage;
  /** TCP ports the workload declares (EXPOSE, published, containerPort). */
  ports: PortSpec[];
  /** Docker network(s) or "pod network of node X". */
  networks: string[];
  subnet?: string;
  node?: string;
  namespace?: string;
  /** Uses the host's (node's) network namespace. */
  hostNetwork: boolean;
}
