/**
 * The two agents the workload-vantage tests need, both the built `netpeek agent` on this host's loopback:
 * "node-a" deployed with workload vantage (NETPEEK_AGENT_WORKLOAD_VANTAGE on) and "node-b" with the default
 * (off: it answers workload requests with 403). Both allow exactly the CIDRs the test gives.
 */
import { startLoopbackAgent, type AgentProcess } from '../integration/agent/agent-process.js';
import { NETPEEK_BIN } from './cli.js';

export interface WorkloadAgents {
  on: AgentProcess;
  off: AgentProcess;
  /** NETPEEK_AGENTS for the bot: node-a and node-b. */
  agents: string;
  stop(): void;
}

export async function startWorkloadAgents(secret: string, allowCidrs: readonly string[]): Promise<WorkloadAgents> {
  const env = { NETPEEK_AGENT_SECRET: secret, NETPEEK_AGENT_ALLOW_CIDRS: allowCidrs.join(',') };
  const [on, off] = await Promise.all([
    startLoopbackAgent(NETPEEK_BIN, { ...env, NETPEEK_NODE_NAME: 'node-a', NETPEEK_AGENT_WORKLOAD_VANTAGE: 'true' }, ['agent']),
    startLoopbackAgent(NETPEEK_BIN, { ...env, NETPEEK_NODE_NAME: 'node-b' }, ['agent']),
  ]);
  return { on, off, agents: `node-a=${on.url},node-b=${off.url}`, stop: () => [on, off].forEach((a) => a.child.kill('SIGTERM')) };
}
