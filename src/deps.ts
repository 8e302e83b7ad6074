import type { BackendCheck } from './core/backend-check.js';
import type { Deps } from './core/command.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { DockerEngine } from './sources/docker.js';
import { kubeconfigCheck } from './sources/kubeconfig.js';

/**
 * Builds the sources every adapter hands to commands. Construction never touches the network:
 * a backend that is down shows up when asked (and in the banner / `status`), not as a crash at start.
 */
export function buildDeps(config: Config, log: Logger): Deps {
  return { config, log, docker: new DockerEngine(config.docker) };
}

/** What the console banner and `status` report on. */
export function backendChecks(deps: Deps): BackendCheck[] {
  const checks: BackendCheck[] = [];
  if (deps.docker) {
    const docker = deps.docker;
    checks.push({ name: 'Docker', check: () => docker.probe() });
  }
  checks.push(kubeconfigCheck(deps.config.kube.kubeconfig, deps.config.kube.context));
  return checks;
}
