// fs.promises, read where it is used: the bundle then loads node:fs/promises (~1 ms) with the first read, not at start.
import { promises as fsp, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { bareContainerId, cgroupNamesContainer, containerIdsInCgroup } from '../net/container-cgroup.js';
import { readLinkOrEmpty } from './small-proc-reads.js';

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
    // Read synchronously, as the other small /proc files on a question's way (SMALL_PROC_READS in small-proc-reads.ts).
    cgroup = readFileSync(join(proc, String(pid), 'cgroup'), 'utf8');
    netns = readlinkSync(join(proc, String(pid), 'ns', 'net'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT' || code === 'ESRCH') refuse(`Process ${pid} of ${workload} is gone (it exited while netpeek looked).`);
    refuse(`The network namespace of ${workload} cannot be opened (${code}); netpeek needs root (CAP_SYS_PTRACE) on that host.`);
  }
  if (!cgroupNamesContainer(cgroup, id)) refuse(`Process ${pid} does not belong to container ${id.slice(0, 12)} (its cgroup does not name it): netpeek will not enter its namespace.`);
  const ours = readLinkOrEmpty(join(proc, 'self', 'ns', 'net'));
  const hosts = readLinkOrEmpty(join(proc, '1', 'ns', 'net'));
  if (netns === ours || netns === hosts) refuse(`${workload} shares the host's network namespace: a probe from it would be a probe from the host.`);
  return { pid, containerId: id, workload, netns } as WorkloadProcess;
}

/** Reads the namespace link of a checked process again: undefined when it is gone or was replaced. */
export async function currentNetns(p: WorkloadProcess, o: ProcOptions = {}): Promise<string | undefined> {
  return readLinkOrEmpty(join(o.procRoot ?? '/proc', String(p.pid), 'ns', 'net')) || undefined;
}

/** A container the caller names by its ID (as a pod's status gives it) and the name to show for it. */
export interface NamedContainer {
  /** `containerd://<64 hex>`, `docker://…`, `cri-o://…` or the bare 64-hex ID. */
  id: string;
  name: string;
}

/**
 * The lowest PID on this machine whose /proc/<pid>/cgroup names each of `ids` (bare 64-hex IDs): how the
 * node's agent goes from a pod's container IDs to a process, without ever taking a PID from the caller.
 * procfs lists PIDs in ascending order, so the first match is the lowest (the container's init, or the
 * oldest of its processes); the walk stops once every ID is found.
 */
export async function findContainerPids(ids: readonly string[], o: ProcOptions = {}): Promise<Map<string, number>> {
  const proc = o.procRoot ?? '/proc';
  const wanted = new Set(ids);
  const found = new Map<string, number>();
  if (wanted.size === 0) return found;
  // A PID found earlier is used again only while its cgroup still names the container (checked here, and
  // checkContainerProcess checks the one entered): the walk below is what a question on a busy node waits for.
  for (const id of wanted) {
    const pid = lastFound.get(`${proc}\0${id}`);
    if (pid === undefined) continue;
    let text = '';
    try {
      text = readFileSync(join(proc, String(pid), 'cgroup'), 'utf8');
    } catch {
      // gone: the walk below finds the container's process again
    }
    if (containerIdsInCgroup(text).includes(id)) found.set(id, pid);
  }
  if (found.size === wanted.size) return found;
  const entries = (await fsp.readdir(proc)).filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  for (const pid of entries) {
    if (pid <= 1) continue;
    let text: string;
    try {
      text = await fsp.readFile(join(proc, String(pid), 'cgroup'), 'utf8');
    } catch {
      continue; // exited while we looked
    }
    for (const id of containerIdsInCgroup(text)) {
      if (wanted.has(id) && !found.has(id)) found.set(id, pid);
    }
    if (found.size === wanted.size) break;
  }
  for (const [id, pid] of found) remember(`${proc}\0${id}`, pid);
  return found;
}

/** Container ID → the PID last found for it (per /proc root), at most LAST_FOUND_MAX, oldest dropped first. */
const lastFound = new Map<string, number>();
const LAST_FOUND_MAX = 4096;

function remember(key: string, pid: number): void {
  lastFound.delete(key);
  lastFound.set(key, pid);
  if (lastFound.size > LAST_FOUND_MAX) lastFound.delete(lastFound.keys().next().value as string);
}

/** What `findWorkloadProcess` found: the checked process, and which of the named containers run here. */
export interface FoundWorkload {
  process: WorkloadProcess;
  /** Bare ID → name of every named container with a process on this machine. */
  running: NamedContainer[];
  /** Names of the containers no process here belongs to (not started yet, or on another node). */
  missing: string[];
}

/**
 * A workload named by its containers (a pod's containerStatuses) → one checked process of it: the first
 * container, in the caller's order, that has a process here, checked by checkContainerProcess (its cgroup
 * names the container, its namespace is not the host's). Refuses (UserError, code `not_found`) when none
 * of the containers runs on this machine.
 */
export async function findWorkloadProcess(workload: string, containers: readonly NamedContainer[], o: ProcOptions = {}): Promise<FoundWorkload> {
  const named = containers.map((c) => ({ ...c, bare: bareContainerId(c.id) }));
  const bad = named.find((c) => !c.bare);
  if (bad) refuse(`"${bad.id.slice(0, 80)}" (container ${bad.name}) is not a full container ID (runtime://<64 hex digits>), so netpeek cannot tell which process belongs to it.`);
  const pids = await findContainerPids(named.map((c) => c.bare!), o);
  const running = named.filter((c) => pids.has(c.bare!));
  const first = running[0];
  if (!first) {
    throw new UserError(
      `No process on this node belongs to ${named.length === 1 ? `container ${named[0]!.name}` : `any container of ${workload} (${named.map((c) => c.name).join(', ')})`} (no /proc/<pid>/cgroup names ${named.length === 1 ? 'its ID' : 'their IDs'}): is it running here?`,
      ['netpeek enters only the network namespace of a running container it looked up itself; nothing was sent.'],
      'not_found',
    );
  }
  const process = await checkContainerProcess(pids.get(first.bare!)!, first.bare!, workload, o);
  return { process, running: running.map((c) => ({ id: c.bare!, name: c.name })), missing: named.filter((c) => !pids.has(c.bare!)).map((c) => c.name) };
}
