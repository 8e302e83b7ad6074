import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { bareContainerId, cgroupNamesContainer } from '../net/container-cgroup.js';

/**
 * The only kind of process whose network namespace netpeek enters: one it found itself from a container
 * ID and checked here. The brand keeps an arbitrary PID (from a caller, a request body, a typo) from ever
 * reaching NamespaceProber: only `checkContainerProcess` makes one.
 */
export interface WorkloadProcess {
  readonly pid: number;
  /** Full container ID the process's cgroup names. */
  readonly containerId: string;
  /** What the user calls the workload (container name, namespace/pod). */
  readonly workload: string;
  /** The namespace link (`net:[4026532…]`) at check time: NamespaceProber refuses when it changed. */
  readonly netns: string;
  readonly __checked: unique symbol;
}

export interface ProcOptions {
  /** Where the host's procfs is mounted (/proc, or /host/proc in the agent's container). */
  procRoot?: string;
}

/** Refusals are user-facing: what was wrong, and that nothing was entered or sent. */
function refuse(message: string): never {
  throw new UserError(message, ['netpeek enters only the network namespace of a running container it looked up itself; nothing was sent.'], 'forbidden');
}

/**
 * Checks that `pid` is a process of container `containerId` (its cgroup names that ID) and lives in a
 * network namespace other than this process's and the host's (pid 1's): entering the host's own namespace
 * would be a host probe mislabelled as the workload's.
 */
export async function checkContainerProcess(pid: number, containerId: string, workload: string, o: ProcOptions = {}): Promise<WorkloadProcess> {
  const proc = o.procRoot ?? '/proc';
  const id = bareContainerId(containerId);
  if (!id) refuse(`"${containerId.slice(0, 80)}" is not a full container ID (64 hex digits), so netpeek cannot tell which process belongs to it.`);
  if (!Number.isInteger(pid) || pid <= 1) refuse(`${workload} has no process of its own (pid ${String(pid)}): is it running?`);
  let cgroup: string;
  let netns: string;
  try {
    [cgroup, netns] = await Promise.all([readFile(join(proc, String(pid), 'cgroup'), 'utf8'), readlink(join(proc, String(pid), 'ns', 'net'))]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT' || code === 'ESRCH') refuse(`Process ${pid} of ${workload} is gone (it exited while netpeek looked).`);
    refuse(`The network namespace of ${workload} cannot be opened (${code}); netpeek needs root (CAP_SYS_PTRACE) on that host.`);
  }
  if (!cgroupNamesContainer(cgroup, id)) refuse(`Process ${pid} does not belong to container ${id.slice(0, 12)} (its cgroup does not name it): netpeek will not enter its namespace.`);
  const [ours, hosts] = await Promise.all([readlink(join(proc, 'self', 'ns', 'net')).catch(() => ''), readlink(join(proc, '1', 'ns', 'net')).catch(() => '')]);
  if (netns === ours || netns === hosts) refuse(`${workload} shares the host's network namespace: a probe from it would be a probe from the host.`);
  return { pid, containerId: id, workload, netns } as WorkloadProcess;
}

/** Reads the namespace link of a checked process again: undefined when it is gone or was replaced. */
export async function currentNetns(p: WorkloadProcess, o: ProcOptions = {}): Promise<string | undefined> {
  return readlink(join(o.procRoot ?? '/proc', String(p.pid), 'ns', 'net')).catch(() => undefined);
}
