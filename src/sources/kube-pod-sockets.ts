import type { DeclaredPort } from '../net/explain-sockets.js';
import type { OwnedSocket } from '../net/proc-sockets.js';
import type { ProbeService } from '../probe/vantage.js';
import type { WorkloadRef, WorkloadSocketsAnswer } from '../probe/workload-wire.js';
import type { KubePod } from './kube-model.js';

/**
 * What actually listens inside a pod, read by the netpeek agent on the pod's node: the one entry point
 * for commands (`pod`) and diagnoses (`why`'s `listening` step). The agent finds the pod's process from
 * the container IDs in its status (the process whose /proc/<pid>/cgroup names one), checks it, and reads
 * that network namespace's socket tables; it does so only when deployed with the workload-vantage
 * component (NETPEEK_AGENT_WORKLOAD_VANTAGE). Reading sends no packet.
 */

export type PodSockets =
  | {
      read: true;
      node: string;
      /** Every listening socket of the pod's namespace, with its process and container (the pod's name for it). */
      sockets: OwnedSocket[];
      /** The process whose namespace was read, and its container. */
      pid: number;
      container: string;
      /** Bytes of /proc text the agent read. */
      procBytes: number;
      /** Running containers of the pod the agent found no process of. */
      missing: string[];
    }
  | {
      read: false;
      /** Why not, in a sentence that names the node's agent when one was asked. */
      message: string;
      /**
       * not-applicable: nothing to read (not running, hostNetwork, no container IDs yet); no-agent: netpeek
       * has no agent for the node; off: the agent is not opted in; the others: the agent refused or failed.
       */
      reason: 'not-applicable' | Extract<WorkloadSocketsAnswer, { ok: false }>['reason'];
    };

/** The pod as the agent's request names it: namespace/name and each running container's ID and name. */
export function podWorkloadRef(p: KubePod): WorkloadRef | undefined {
  const containers = p.containers.filter((c) => c.state === 'running' && c.containerId).map((c) => ({ id: c.containerId!, name: c.name }));
  return containers.length ? { workload: `${p.namespace}/${p.name}`, containers } : undefined;
}

/**
 * The listening sockets of `pod`, asked of its node's agent (in cluster `context`). Never rejects for the
 * agent: every reason there is no reading comes back as `read: false` with the sentence to show.
 */
export async function podListeningSockets(probes: Pick<ProbeService, 'workloadSockets'> | undefined, pod: KubePod, context: string): Promise<PodSockets> {
  if (!pod.nodeName) return { read: false, reason: 'not-applicable', message: `${pod.name} is not on a node yet: nothing listens.` };
  if (pod.hostNetwork) return { read: false, reason: 'not-applicable', message: `${pod.name} uses ${pod.nodeName}'s network (hostNetwork): its sockets are the node's, not a namespace of its own.` };
  const ref = podWorkloadRef(pod);
  if (!ref) return { read: false, reason: 'not-applicable', message: `${pod.name} has no running container with a container ID yet: nothing to read.` };
  if (!probes?.workloadSockets) return { read: false, reason: 'no-agent', message: 'this netpeek cannot ask agents' };
  const a = await probes.workloadSockets({ kind: 'node', node: pod.nodeName, context }, ref);
  if (!a.ok) return { read: false, reason: a.reason, message: a.message };
  const r = a.reading;
  return { read: true, node: a.node, sockets: r.sockets, pid: r.pid, container: r.container, procBytes: r.procBytes, missing: r.missing };
}

/** What the pod's running app containers and sidecars declare (containerPort), each with its container. */
export function podDeclaredPorts(p: KubePod): DeclaredPort[] {
  return p.containers
    .filter((c) => c.kind !== 'init' && c.state !== 'terminated')
    .flatMap((c) =>
      c.ports
        .filter((x) => x.protocol === 'tcp' || x.protocol === 'udp')
        // A hostPort publishes the port on the node, like docker -p: a loopback-only server there is the same outage.
        .map((x) => ({ port: x.port, protocol: x.protocol, kind: x.hostPort ? ('published' as const) : ('declared' as const), container: c.name })),
    );
}
