import type { AgentClient, AgentClientOptions } from './agent-client.js';
import type { AgentDirectory } from './agent-directory.js';
import { notProbed, type AgentUnavailable, type ProbeOptions, type ProbeResult, type ProbeTarget, type Prober } from './types.js';

/**
 * Picks the agent of a node: `forNode('node-a')` is a Prober that probes from node-a. A node without a
 * known agent gets a Prober whose results say so (`unavailable.reason = 'no-agent'`).
 */
export class AgentRouter {
  private readonly clients = new Map<string, AgentClient>();

  constructor(
    private readonly directory: AgentDirectory,
    private readonly secret: string,
    private readonly options: Omit<AgentClientOptions, 'node'> = {},
  ) {}

  /** The Prober of `node`'s agent. */
  async forNode(node: string, context?: string): Promise<Prober> {
    return (await this.clientFor(node, context)) ?? new NoAgent(node);
  }

  /** The client of `node`'s agent, or undefined when no agent is known for it. */
  async clientFor(node: string, context?: string): Promise<AgentClient | undefined> {
    const entry = await this.directory.agentFor(node, context);
    if (!entry) return undefined;
    // The client's module (zod schemas of the agent's answers, signing) loads with the first agent asked;
    // imported before the lookup below, so that two concurrent first calls still share one client.
    const { AgentClient } = await import('./agent-client.js');
    const key = `${node}\n${entry.url}`;
    let client = this.clients.get(key);
    if (!client) {
      client = new AgentClient(entry.url, this.secret, { ...this.options, node });
      this.clients.set(key, client);
    }
    return client;
  }

  /** Probes `targets` from `node`. */
  async probeFrom(node: string, targets: ProbeTarget[], opts: ProbeOptions, context?: string): Promise<ProbeResult[]> {
    return (await this.forNode(node, context)).probe(targets, opts);
  }
}

class NoAgent implements Prober {
  constructor(private readonly node: string) {}

  async probe(targets: ProbeTarget[]): Promise<ProbeResult[]> {
    const info: AgentUnavailable = { agent: '', node: this.node, reason: 'no-agent', message: `no netpeek agent is known for node ${this.node}; add it to NETPEEK_AGENTS or deploy the agent DaemonSet` };
    return targets.map((t) => ({ ...notProbed(t, 'error', info.message), unavailable: info, via: this.node }));
  }
}
