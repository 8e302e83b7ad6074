import type { ProbeFact } from '../core/answer.js';
import type { DiagnosisStep } from '../core/diagnosis.js';
import { explainSockets, type DeclaredPort } from '../net/explain-sockets.js';
import { skipStep } from '../net/why-diagnosis.js';
import { listeningFromConnection, listeningStep } from '../net/why-listening-step.js';
import type { ProbeService } from '../probe/vantage.js';
import type { KubePod } from './kube-model.js';
import { podDeclaredPorts, podListeningSockets } from './kube-pod-sockets.js';

/**
 * The listening step of `why` for a pod: its namespace's sockets, read by the agent on its node (opt-in
 * there, the workload-vantage component), judged on the port the traffic arrives at. Reading sends no
 * packet. Anything that keeps the agent from reading is a skip with its reason, never a pass.
 */

export interface PodListeningQuestion {
  probes?: Pick<ProbeService, 'workloadSockets'>;
  pod: KubePod;
  context: string;
  /** The pod port the traffic arrives at (a Service's resolved targetPort, or --port to a pod). */
  port?: number;
  protocol?: string;
  /**
   * What the probe, run first, saw: a TCP connection it got accepted at one of the pod's own addresses on
   * `port` answers the step without the agent's socket read.
   */
  probed?: readonly ProbeFact[];
}

export async function podListeningStep(q: PodListeningQuestion): Promise<DiagnosisStep> {
  const { pod, port } = q;
  const name = `pod ${pod.namespace}/${pod.name}`;
  if (q.protocol && q.protocol !== 'tcp') return skipStep('listening', `netpeek checks TCP listeners only; ${q.protocol.toUpperCase()}${port !== undefined ? ` port ${port}` : ''} was not checked`);
  const workload = { kind: 'pod' as const, name, others: 'other pods and the node', logs: `kubectl logs -n ${pod.namespace} ${pod.name} --all-containers` };
  // A hostNetwork pod's address is its node's: a connection there proves only that something on the node accepts.
  const accepted = port !== undefined && !pod.hostNetwork ? q.probed?.find((f) => f.kind === 'tcp' && f.ok && f.port === port && pod.podIPs.includes(f.target)) : undefined;
  if (accepted) return listeningFromConnection(workload, { ip: accepted.target, port: port!, from: accepted.from });
  const r = await podListeningSockets(q.probes, pod, q.context);
  if (!r.read) return skipStep('listening', `what listens inside ${name} was not read: ${r.message}`);
  const declared: DeclaredPort[] = [
    ...podDeclaredPorts(pod),
    // The port asked counts as declared: "nothing listens on it" is the finding the question needs.
    ...(port !== undefined ? [{ port, protocol: 'tcp' as const, kind: 'declared' as const }] : []),
  ];
  const ip = pod.podIPs.find((x) => !x.includes(':')) ?? pod.podIPs[0];
  const findings = explainSockets(r.sockets, declared, ip);
  return listeningStep(workload, port, findings, ip);
}
