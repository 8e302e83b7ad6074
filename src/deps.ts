import type { BackendCheck } from './core/backend-check.js';
import type { Deps } from './core/command.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { ChainedAgentDirectory, StaticAgentDirectory } from './probe/agent-directory.js';
import { KubeAgentDirectory } from './probe/kube-agent-directory.js';
import { ProbeRouter } from './probe/vantage.js';
import { DockerEngine, type DockerSource } from './sources/docker.js';
import { networkSubnets } from './sources/docker-facts.js';
import { kubeProbeResolvers } from './sources/kube-probe-targets.js';
import { createKubeSource, kubeBackendState, type KubeSource } from './sources/kubernetes.js';

/**
 * Builds the sources every adapter hands to commands. Construction never touches the network:
 * a backend that is down shows up when asked (and in the banner / `status`), not as a crash at start.
 */
export function buildDeps(config: Config, log: Logger): Deps {
  const docker = new DockerEngine(config.docker);
  // Reads the kubeconfig on first use; each context's watches start with its first question.
  const kube = createKubeSource(config.kube, log.child({ component: 'kubernetes' }));
  return { config, log, docker, kube, probes: buildProbes(config, log, docker, kube), probeResolvers: kubeProbeResolvers(kube) };
}

function buildProbes(config: Config, log: Logger, docker: DockerSource, kube: KubeSource): ProbeRouter {
  return new ProbeRouter({
    dockerAgentUrl: config.docker.agentUrl,
    // NETPEEK_AGENTS overrides what the agent DaemonSet's pods say.
    directory: new ChainedAgentDirectory([new StaticAgentDirectory(config.agents.byNode), new KubeAgentDirectory(kube, config.agents.discovery)]),
    secret: config.agents.secret,
    agentTimeoutMs: config.agents.timeoutMs,
    // In-process probes only reach the subnets of Docker's own bridge-like networks.
    localAllowedCidrs: async () => (await docker.listNetworks()).filter((n) => n.Driver !== 'host' && n.Driver !== 'null').flatMap(networkSubnets),
    logger: log.child({ component: 'probe' }),
  });
}

/** What the console banner reports on (`status` goes further: versions, caches, agents). */
export function backendChecks(deps: Deps): BackendCheck[] {
  const checks: BackendCheck[] = [];
  if (deps.docker) {
    const docker = deps.docker;
    checks.push({ name: 'Docker', check: () => docker.probe() });
  }
  if (deps.kube) {
    const kube = deps.kube;
    checks.push({ name: 'Kubernetes', check: async () => kubeBackendState(kube) });
  }
  return checks;
}
