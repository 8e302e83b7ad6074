import { z } from 'zod';
import type { OwnedSocket } from '../net/proc-sockets.js';
import type { DnsLookup } from './dns.js';

/**
 * The wire shapes of the agent's workload endpoints (POST /v1/workload/sockets, POST /v1/workload/dns and
 * the `from` field of POST /v1/probe), shared by the agent (src/agent/) and its client
 * (src/probe/agent-client.ts) the way request-signature.ts is: both sides parse with the same schemas.
 *
 * A workload is named by its containers' IDs (a pod's status.containerStatuses[].containerID), never by
 * a PID: the agent finds the process whose cgroup names one of them and checks it before it reads or
 * enters anything (src/probe/workload-process.ts).
 */

const containerRef = z
  .object({
    /** containerd://<64 hex>, docker://…, cri-o://…, or the bare ID. */
    id: z.string().min(1).max(200),
    /** The container's name in the pod, shown on each socket. */
    name: z.string().min(1).max(253),
  })
  .strict();

export const WORKLOAD_REF_SCHEMA = z
  .object({
    /** What the user calls it: namespace/pod. */
    workload: z.string().min(1).max(300),
    containers: z.array(containerRef).min(1, 'must name at least one container').max(64),
  })
  .strict();

export type WorkloadRef = z.infer<typeof WORKLOAD_REF_SCHEMA>;

/** Why the agent would not look inside a workload; `code` is what clients branch on. */
export type WorkloadRefusalCode =
  /** NETPEEK_AGENT_WORKLOAD_VANTAGE is off (the default, CAP_NET_RAW-only deployment). */
  | 'workload-vantage-off'
  /** No process on the node belongs to any of the named containers. */
  | 'no-process'
  /** The process is not the container's, shares the host's namespace, or cannot be opened. */
  | 'refused';

const socketSchema = z.object({
  protocol: z.enum(['tcp', 'udp']),
  family: z.enum(['ipv4', 'ipv6']),
  address: z.string(),
  port: z.number().int(),
  inode: z.number().int(),
  process: z.object({ pid: z.number().int(), command: z.string() }).optional(),
  container: z.string().optional(),
});

/** 200 of POST /v1/workload/sockets. */
export const WORKLOAD_SOCKETS_ANSWER = z.object({
  node: z.string(),
  workload: z.string(),
  /** The process whose namespace was read (found by cgroup, checked). */
  pid: z.number().int(),
  /** The container that process belongs to. */
  container: z.string(),
  sockets: z.array(socketSchema),
  /** Bytes of /proc text read. */
  procBytes: z.number().int(),
  /** Processes found in the namespace. */
  processes: z.number().int(),
  /** Named containers with no process on the node. */
  missing: z.array(z.string()),
});

export type WorkloadSocketsReading = z.infer<typeof WORKLOAD_SOCKETS_ANSWER> & { sockets: OwnedSocket[] };

/** Why a node's agent gave no answer about a workload: its refusal, or why it could not be asked (a sentence to show). */
export interface WorkloadNotAnswered {
  ok: false;
  node: string;
  /** off / no-process / refused come from the agent; unavailable: it could not be asked; no-agent: none is known. */
  reason: WorkloadRefusalCode | 'unavailable' | 'no-agent';
  message: string;
}

/** What asking for a workload's sockets gave: the reading, or why there is none. */
export type WorkloadSocketsAnswer = { ok: true; node: string; reading: WorkloadSocketsReading } | WorkloadNotAnswered;

/** What asking a node's agent to resolve a name inside a workload gave (POST /v1/workload/dns): the lookup, or why there is none. */
export type WorkloadDnsAnswer = { ok: true; node: string; lookup: DnsLookup } | WorkloadNotAnswered;

/** What asking a node's agent to resolve a name in the node's own network namespace gave (POST /v1/dns): the lookup, or why there is none. */
export type NodeDnsAnswer = { ok: true; node: string; lookup: DnsLookup } | (WorkloadNotAnswered & { reason: 'unavailable' | 'no-agent' });
