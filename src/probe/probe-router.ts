import type { Logger } from '../log.js';
import { AllowList } from '../net/address-policy.js';
import { AgentClient } from './agent-client.js';
import type { AgentDirectory } from './agent-directory.js';
import { AgentRouter } from './agent-router.js';
import { LocalProber } from './local-prober.js';
import type { ProbeOptions, ProbeResult, ProbeTarget } from './types.js';
import type { ProbeService, Vantage } from './vantage.js';

export interface ProbeRoutingOptions {
  /** Agent on the Docker host; without it the bot probes in-process (it runs on that host). */
  dockerAgentUrl?: string;
  /** Agents of Kubernetes nodes. */
  directory?: AgentDirectory;
  /** Shared secret of the agents. */
  secret?: string;
  agentTimeoutMs?: number;
  /** CIDRs an in-process probe may reach: the Docker networks' subnets, looked up at probe time. */
  localAllowedCidrs: () => Promise<string[]>;
  logger?: Logger;
}

/**
 * Sends each probe from the right place: the Docker host (in-process, or its agent) or the agent on a
 * Kubernetes node. In-process probes are limited to the Docker networks' own subnets, so a typo can
 * never make the bot ping something that is not a container.
 */
export class ProbeRouter implements ProbeService {
  private readonly router?: AgentRouter;
  private readonly dockerAgent?: AgentClient;

  constructor(private readonly o: ProbeRoutingOptions) {
    if (o.directory && o.secret) this.router = new AgentRouter(o.directory, o.secret, { timeoutMs: o.agentTimeoutMs });
    if (o.dockerAgentUrl && o.secret) this.dockerAgent = new AgentClient(o.dockerAgentUrl, o.secret, { timeoutMs: o.agentTimeoutMs, node: 'docker-host' });
  }

  async probeFrom(vantage: Vantage, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    if (vantage.kind === 'node') {
      if (!this.router) {
        const why = this.o.secret ? `no agent directory is configured` : 'NETPEEK_AGENT_SECRET is not set, so no agent can be called';
        return targets.map((t) => unavailableResult(t, vantage.node, why));
      }
      return this.router.probeFrom(vantage.node, targets, opts, vantage.context);
    }
    if (this.dockerAgent) return this.dockerAgent.probe(targets, opts);
    const allowList = new AllowList(await this.o.localAllowedCidrs());
    return new LocalProber({ allowList, logger: this.o.logger }).probe(targets, opts);
  }
}

function unavailableResult(t: ProbeTarget, node: string, why: string): ProbeResult {
  const message = `no netpeek agent can probe from node ${node}: ${why}`;
  return { kind: t.kind, ip: t.ip, ...(t.port !== undefined && t.kind !== 'icmp' ? { port: t.port } : {}), ok: false, error: 'error', detail: message, via: node, unavailable: { agent: '', node, reason: 'no-agent', message } };
}
