import type { PortSpec } from '../net/ports.js';
import type { SubjectKind } from '../core/kinds.js';
import type { DnsLookup, DnsQuestion } from './dns.js';
import type { ProbeOptions, ProbeResult, ProbeTarget } from './types.js';
import type { NodeDnsAnswer, WorkloadDnsAnswer, WorkloadRef, WorkloadSocketsAnswer } from './workload-wire.js';

/**
 * Where a probe has to start for its answer to mean what the seed notes say: the target's own host.
 * `context` is the Kubernetes context the node belongs to (agent discovery is per cluster).
 */
export type HostVantage = { kind: 'docker-host' } | { kind: 'node'; node: string; context?: string };

/**
 * From inside a workload's own network namespace (opt-in: NETPEEK_WORKLOAD_VANTAGE on a Docker host,
 * NETPEEK_AGENT_WORKLOAD_VANTAGE on a node's agent). It names the container(s) the caller asked about,
 * never a PID: the prober (or the node's agent) finds the PID and checks it belongs to that container
 * right before it enters the namespace. `host` is where that namespace lives.
 */
export interface WorkloadVantage {
  kind: 'workload';
  /** What the user calls it: the container name (or namespace/pod). */
  workload: string;
  /** Docker container ID (full), looked up by the command; for a pod, its first running container's ID. */
  containerId: string;
  /** A pod's running containers (IDs from its status): what its node's agent finds the process by. */
  containers?: WorkloadRef['containers'];
  host: HostVantage;
}

export type Vantage = HostVantage | WorkloadVantage;

export function vantageName(v: Vantage): string {
  if (v.kind === 'workload') return `inside ${v.workload}`;
  return v.kind === 'docker-host' ? 'the Docker host' : `node ${v.node}`;
}

export interface ProbeService {
  /**
   * Probes `targets` from `vantage`. Never rejects for an unavailable agent: results then carry
   * `unavailable` so answers degrade instead of failing.
   */
  probeFrom(vantage: Vantage, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]>;
  /**
   * Whether probes can start inside a workload on `host` (a `workload` vantage), or why not. Absent: never.
   * probeFrom with a workload vantage is only called after this said ok; it rejects with a UserError when
   * it refuses the container's process at probe time.
   */
  insideWorkload?(host: HostVantage): { ok: true } | { ok: false; reason: string };
  /**
   * A DNS question as a resolver answers it: inside a workload (its resolv.conf read through /proc, queries
   * sent from its namespace), or without a vantage from the bot's own host with its own resolver.
   */
  dnsFrom?(vantage: WorkloadVantage | undefined, question: DnsQuestion): Promise<DnsLookup>;
  /**
   * The listening sockets of a workload on `host`, read by that node's agent (opt-in there). Never rejects
   * for the agent: a refusal or an agent that cannot be asked comes back as `ok: false` with its sentence.
   */
  workloadSockets?(host: HostVantage, ref: WorkloadRef): Promise<WorkloadSocketsAnswer>;
  /**
   * A DNS question resolved inside a pod by the agent on its node (its resolv.conf, search list and
   * ndots; queries from its namespace). Never rejects for the agent: a refusal or an agent that cannot
   * be asked comes back as `ok: false` with its sentence.
   */
  workloadDns?(host: HostVantage, ref: WorkloadRef, question: DnsQuestion): Promise<WorkloadDnsAnswer>;
  /**
   * A DNS question resolved by a node's agent in the node's own network namespace (its resolv.conf, its
   * nameservers through the agent's allow-list). Never rejects for the agent, like workloadDns.
   */
  nodeDns?(host: Extract<HostVantage, { kind: 'node' }>, question: DnsQuestion): Promise<NodeDnsAnswer>;
}

/** Something to probe, placed: its address, where to probe it from, and the ports it declares. */
export interface ProbeSubject {
  kind: Extract<SubjectKind, 'container' | 'pod' | 'ip'>;
  /** What the user would call it: container name, namespace/pod, or the address. */
  name: string;
  /** Docker container ID (full), for a container: what a probe from inside it is keyed on. */
  id?: string;
  /** A pod's running containers with their IDs (not for hostNetwork pods): what a probe from inside it is keyed on. */
  containers?: WorkloadRef['containers'];
  ip: string;
  vantage: HostVantage;
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
