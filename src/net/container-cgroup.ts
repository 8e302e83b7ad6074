/**
 * How a process is tied to a container: by the container ID in its cgroup path. This is how netpeek
 * decides that a PID really belongs to the container the caller named before it enters that PID's
 * network namespace (the PID itself never comes from the caller). Pure text in, answers out; reading
 * /proc/<pid>/cgroup is the caller's job.
 */

/** A full container ID as runtimes write it: 64 lower-case hex digits. */
const FULL_ID = /^[0-9a-f]{64}$/;

/**
 * A container ID from what Docker or a pod's status gives (`4f44…`, `docker://4f44…`,
 * `containerd://4f44…`, `cri-o://4f44…`): the bare 64-hex ID, or undefined when it is not one.
 * Short prefixes are refused: a prefix could match another container's cgroup.
 */
export function bareContainerId(raw: string): string | undefined {
  const id = raw.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').toLowerCase();
  return FULL_ID.test(id) ? id : undefined;
}

/**
 * Does this /proc/<pid>/cgroup text place the process in the container `id`? Any hierarchy counts
 * (cgroup v1 lists one line per controller, v2 one `0::` line). A path segment must be the ID itself
 * (cgroupfs driver: `/docker/<id>`, Kubernetes `/kubepods/…/<id>`) or a systemd scope naming it
 * (`docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`); a substring elsewhere is not enough.
 */
export function cgroupNamesContainer(cgroupText: string, id: string): boolean {
  const bare = bareContainerId(id);
  if (!bare) return false;
  for (const line of cgroupText.split('\n')) {
    const path = line.split(':').slice(2).join(':');
    for (const segment of path.split('/')) {
      if (segment === bare) return true;
      const scope = /^(?:[a-z][a-z0-9-]*-)?([0-9a-f]{64})\.scope$/.exec(segment);
      if (scope?.[1] === bare) return true;
    }
  }
  return false;
}

/** The container IDs a cgroup text names (for a process the agent looks at): each at most once. */
export function containerIdsInCgroup(cgroupText: string): string[] {
  const found = new Set<string>();
  for (const line of cgroupText.split('\n')) {
    for (const segment of line.split(':').slice(2).join(':').split('/')) {
      const m = /^(?:[a-z][a-z0-9-]*-)?([0-9a-f]{64})(?:\.scope)?$/.exec(segment);
      if (m?.[1]) found.add(m[1]);
    }
  }
  return [...found];
}
