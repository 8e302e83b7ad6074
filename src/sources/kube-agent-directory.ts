import { matchesLabels, parseLabelSelector, type LabelSelector } from '../net/label-selector.js';
import type { KubeSource } from './kubernetes.js';
import type { AgentDirectory } from '../probe/agent-directory.js';

export interface KubeAgentDirectoryOptions {
  /** Namespace of the agent DaemonSet. */
  namespace: string;
  /** Label selector of the agent pods, e.g. app.kubernetes.io/name=netpeek-agent. */
  selector: string;
  /** Port the agents listen on (on the node's address: they use hostNetwork). */
  port: number;
}

/**
 * Finds the agent of a node from the agent DaemonSet's pods in the watch cache: the ready pod on that
 * node matching the selector. Agents use hostNetwork, so the pod IP is the node's address.
 */
export class KubeAgentDirectory implements AgentDirectory {
  private readonly selector: LabelSelector;

  constructor(
    private readonly kube: KubeSource,
    private readonly o: KubeAgentDirectoryOptions,
  ) {
    this.selector = parseLabelSelector(o.selector);
  }

  async agentFor(node: string, context?: string): Promise<{ url: string } | undefined> {
    if (!this.kube.configured()) return undefined;
    const pods = await this.kube.cluster(context).pods({ namespace: this.o.namespace, nodeName: node });
    const agent = pods.find((p) => p.ready && !p.terminating && matchesLabels(this.selector, p.labels) && (p.podIPs[0] ?? p.hostIPs[0]));
    const ip = agent ? (agent.podIPs[0] ?? agent.hostIPs[0]) : undefined;
    if (!ip) return undefined;
    return { url: `http://${ip.includes(':') ? `[${ip}]` : ip}:${this.o.port}` };
  }
}
