import { UserError } from '../core/errors.js';
import { checkContainerProcess, type ProcOptions, type WorkloadProcess } from '../probe/workload-process.js';
import { networkModeOf } from './docker-facts.js';
import type { DockerSource } from './docker.js';

/**
 * A Docker container → the checked process whose network namespace netpeek may enter: the engine gives
 * State.Pid, and checkContainerProcess confirms that PID's cgroup names the container and that its
 * namespace is not the host's. Only for a local engine: a tcp:// engine's PIDs are another machine's.
 */
export async function dockerContainerProcess(docker: DockerSource, containerId: string, workload: string, o: ProcOptions = {}): Promise<WorkloadProcess> {
  if (!docker.endpoint.startsWith('unix://')) {
    throw new UserError(`The Docker engine at ${docker.endpoint} is on another machine: netpeek can only enter namespaces of containers on its own host.`, ['Run netpeek (or its agent) on that Docker host.'], 'forbidden');
  }
  const c = await docker.inspectContainer(containerId);
  if (!c) throw new UserError(`There is no container ${containerId.slice(0, 64)} on this Docker host, so there is no namespace to probe from.`, ['`docker ps` lists the running ones.'], 'not_found');
  if (networkModeOf(c).kind === 'host') {
    throw new UserError(`${workload} uses the host's network (--network host): probing from inside it is probing from the host.`, ['Ask without --from.'], 'forbidden');
  }
  if (!c.State.Running || !c.State.Pid) {
    throw new UserError(`${workload} is ${c.State.Status}: a stopped container has no network namespace to probe from.`, [`Start it with \`docker start ${workload}\`.`]);
  }
  return checkContainerProcess(c.State.Pid, c.Id, workload, o);
}
