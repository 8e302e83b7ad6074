import type { DnsLookup, DnsQuestion } from '../probe/dns.js';
import type { ProbeService } from '../probe/vantage.js';
import type { WorkloadDnsAnswer } from '../probe/workload-wire.js';
import type { KubePod } from './kube-model.js';
import { podWorkloadRef } from './kube-pod-sockets.js';

/**
 * A name resolved the way a pod resolves it, by the netpeek agent on the pod's node: the pod's own
 * resolv.conf (read through /proc/<pid>/root), its search list and ndots, every candidate name in the
 * resolver's order, queries sent from inside its network namespace. The one entry point for a pod's DNS
 * (`dns --from pod/…` goes through the same ProbeService.workloadDns; `why`'s live resolve step can call
 * this with the pod it already found). Opt-in on the agent (NETPEEK_AGENT_WORKLOAD_VANTAGE).
 */

export type PodDns =
  | { looked: true; node: string; lookup: DnsLookup }
  | {
      looked: false;
      /** not-applicable: not on a node, hostNetwork, no container IDs yet; the others as for the pod's sockets. */
      reason: 'not-applicable' | Extract<WorkloadDnsAnswer, { ok: false }>['reason'];
      /** Why not, in a sentence naming the node's agent when one was asked. */
      message: string;
    };

/** `question` resolved inside `pod` (cluster `context`). Never rejects for the agent: every reason there is no lookup is `looked: false`. */
export async function podDnsLookup(probes: Pick<ProbeService, 'workloadDns'> | undefined, pod: KubePod, context: string, question: DnsQuestion): Promise<PodDns> {
  if (!pod.nodeName) return { looked: false, reason: 'not-applicable', message: `${pod.name} is not on a node yet: it resolves nothing.` };
  if (pod.hostNetwork) return { looked: false, reason: 'not-applicable', message: `${pod.name} uses ${pod.nodeName}'s network (hostNetwork): the agent does not enter the node's own namespace.` };
  const ref = podWorkloadRef(pod);
  if (!ref) return { looked: false, reason: 'not-applicable', message: `${pod.name} has no running container with a container ID yet: nothing to resolve from.` };
  if (!probes?.workloadDns) return { looked: false, reason: 'no-agent', message: 'this netpeek cannot ask agents' };
  const a = await probes.workloadDns({ kind: 'node', node: pod.nodeName, context }, ref, question);
  return a.ok ? { looked: true, node: a.node, lookup: a.lookup } : { looked: false, reason: a.reason, message: a.message };
}
