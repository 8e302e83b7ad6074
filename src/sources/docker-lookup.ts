import type Docker from 'dockerode';
import { BackendError, UserError } from '../core/errors.js';
import { closest, rankSimilar } from '../core/similar-names.js';
import type { DockerObjectKind } from '../net/names.js';
import { checkDockerName, isIdPrefix } from '../net/names.js';
import type { DockerSource } from './docker.js';

/**
 * Finding a container or network the way `docker inspect` does — full ID, then exact name, then ID prefix —
 * but answering "not found" with the closest names and "several match" with the candidates, which the
 * engine's own errors do not.
 */

/** The Docker source, or a BackendError saying none is configured. */
export function requireDocker(deps: { docker?: DockerSource }): DockerSource {
  if (!deps.docker) {
    throw new BackendError('docker', 'This netpeek has no Docker engine to ask.', [
      'Set DOCKER_HOST (e.g. unix:///var/run/docker.sock) or give netpeek access to the default socket, then restart it.',
    ]);
  }
  return deps.docker;
}

/** A container's name as people type it: Docker reports names with a leading "/" and lists link aliases as "/a/b". */
export function containerName(c: Pick<Docker.ContainerInfo, 'Names' | 'Id'>): string {
  const own = c.Names.find((n) => n.split('/').length === 2) ?? c.Names[0];
  return own ? own.replace(/^\//, '') : c.Id.slice(0, 12);
}

/** One candidate of a lookup: its full ID and the names it answers to. */
interface Candidate<T> {
  id: string;
  names: string[];
  item: T;
}

const EXAMPLES: Record<DockerObjectKind, string> = { container: 'container webserver-1', network: 'network bridge' };
const LIST_COMMAND: Record<DockerObjectKind, string> = { container: 'docker ps -a', network: 'docker network ls' };

/**
 * Picks one candidate for a reference, in Docker's order: full ID, exact name, unique ID prefix.
 * Throws not_found (with suggestions) or ambiguous (with the candidates).
 */
function pick<T>(ref: string, candidates: readonly Candidate<T>[], kind: DockerObjectKind, endpoint: string): T {
  const exact = candidates.find((c) => c.id === ref) ?? candidates.find((c) => c.names.includes(ref));
  if (exact) return exact.item;
  const byPrefix = isIdPrefix(ref) ? candidates.filter((c) => c.id.startsWith(ref)) : [];
  if (byPrefix.length === 1) return byPrefix[0]!.item;
  if (byPrefix.length > 1) {
    throw new UserError(
      `"${ref}" is the start of ${byPrefix.length} ${kind} IDs; give more of the ID, or the name.`,
      [...byPrefix.slice(0, 10).map((c) => `${c.id.slice(0, 12)}  ${c.names[0] ?? ''}`.trim()), `Example: ${kind} ${byPrefix[0]!.id.slice(0, 12)}`],
      'ambiguous',
    );
  }
  const names = candidates.flatMap((c) => c.names);
  const near = closest(ref, names);
  const similar = rankSimilar(ref, names).filter((n) => n !== near);
  const details = [
    ...(similar.length ? [`Similar names: ${similar.join(', ')}`] : []),
    `\`${LIST_COMMAND[kind]}\` on the Docker host lists them. Example: ${EXAMPLES[kind]}`,
  ];
  throw new UserError(
    `There is no ${kind} "${ref}" on the Docker engine at ${endpoint}.${near ? ` Did you mean "${near}"?` : ''}`,
    details,
    'not_found',
  );
}

/**
 * The container a reference names, inspected. `all` is the container list when the caller has it already
 * (it needs it for namespace sharing anyway); otherwise it is fetched. `asked` is the engine's inspect of
 * the reference as typed, when the caller asked for it beside the list: used when it is the container the
 * list picks (the list decides, so the answer is the same), saving a round trip.
 */
export async function findContainer(docker: DockerSource, input: string, all?: Docker.ContainerInfo[], asked?: Docker.ContainerInspectInfo): Promise<Docker.ContainerInspectInfo> {
  const ref = checkDockerName(input, 'container');
  const list = all ?? (await docker.listContainers());
  const candidates = list.map((c) => ({ id: c.Id, names: [containerName(c)], item: c }));
  const chosen = pick(ref, candidates, 'container', docker.endpoint);
  const inspected = asked?.Id === chosen.Id ? asked : await docker.inspectContainer(chosen.Id);
  if (!inspected) {
    throw new UserError(`Container "${ref}" was removed while netpeek was looking at it.`, [`Example: ${EXAMPLES.container}`], 'not_found');
  }
  return inspected;
}

/** The network a reference names, inspected (with its attached containers). */
export async function findNetwork(docker: DockerSource, input: string, all?: Docker.NetworkInspectInfo[]): Promise<Docker.NetworkInspectInfo> {
  const ref = checkDockerName(input, 'network');
  const list = all ?? (await docker.listNetworks());
  const candidates = list.map((n) => ({ id: n.Id, names: [n.Name], item: n }));
  const chosen = pick(ref, candidates, 'network', docker.endpoint);
  const inspected = await docker.inspectNetwork(chosen.Id);
  if (!inspected) {
    throw new UserError(`Network "${ref}" was removed while netpeek was looking at it.`, [`Example: ${EXAMPLES.network}`], 'not_found');
  }
  return inspected;
}
