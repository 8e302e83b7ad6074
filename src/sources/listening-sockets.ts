import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { OwnedSocket, ProcessSockets, SocketTableName } from '../net/proc-sockets.js';
import { SOCKET_TABLES, attachOwners, dedupeSockets, parseSocketTables, socketInodeFromLink } from '../net/proc-sockets.js';

/**
 * What actually listens inside a workload's network namespace, read from /proc on the machine that runs
 * it (the Docker host, or the agent on a pod's node). No exec into the workload and no `ss` binary: the
 * namespace's socket tables are /proc/<pid>/net/*, and /proc/<n>/fd/* of every process in the same
 * namespace names who holds each socket. Needs root (or CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH) for other
 * users' fd directories; what cannot be read leaves a socket unowned, never fails the answer.
 */

/** A container whose processes may hold sockets of the namespace: its full ID and the name to show. */
export interface NamespaceContainer {
  id: string;
  name: string;
}

/** Whose sockets to read: one process inside the namespace, and the containers sharing it. */
export interface SocketSubject {
  pid: number;
  containers?: readonly NamespaceContainer[];
}

export interface SocketReading {
  sockets: OwnedSocket[];
  /** Bytes of /proc text read (tables, comm, cgroup): what the benchmark reports. */
  procBytes: number;
  /** Processes found in the namespace. */
  processes: number;
}

export interface SocketReaderOptions {
  /** Where procfs is mounted; tests and the agent in a container with the host's /proc at /host/proc pass it. */
  procRoot?: string;
}

/**
 * The listening sockets of `subject.pid`'s network namespace, each with its process and container.
 * Fails (ENOENT, EACCES) only when the namespace's own tables cannot be read: the caller says so.
 */
export async function listeningSockets(subject: SocketSubject, options: SocketReaderOptions = {}): Promise<SocketReading> {
  const proc = options.procRoot ?? '/proc';
  let procBytes = 0;
  const tables: Partial<Record<SocketTableName, string>> = {};
  const netns = await readlink(join(proc, String(subject.pid), 'ns', 'net'));
  await Promise.all(SOCKET_TABLES.map(async (name) => {
    try {
      const text = await readFile(join(proc, String(subject.pid), 'net', name), 'utf8');
      procBytes += text.length;
      tables[name] = text;
    } catch (err) {
      // tcp6/udp6 are absent when IPv6 is disabled; tcp missing means the process went away.
      if (name === 'tcp' || name === 'udp') throw err;
    }
  }));
  const sockets = parseSocketTables(tables);
  const wanted = new Set(sockets.map((s) => s.inode).filter((i) => i !== 0));
  const members: ProcessSockets[] = [];
  // Nothing to own: no need to walk every process's fd directory. Which processes share the namespace is
  // asked of all of them at once: one readlink after another was most of an answer's time on a busy node.
  const pids = wanted.size ? (await readdir(proc)).filter((e) => /^\d+$/.test(e)) : [];
  const links = await Promise.all(pids.map((entry) => readlink(join(proc, entry, 'ns', 'net')).catch(() => '')));
  for (const [i, entry] of pids.entries()) {
    if (links[i] !== netns) continue;
    const dir = join(proc, entry);
    try {
      const inodes: number[] = [];
      for (const fd of await readdir(join(dir, 'fd'))) {
        const inode = socketInodeFromLink(await readlink(join(dir, 'fd', fd)).catch(() => ''));
        if (inode !== undefined && wanted.has(inode)) inodes.push(inode);
      }
      if (inodes.length === 0) {
        members.push({ pid: Number(entry), command: '', inodes });
        continue;
      }
      const comm = (await readFile(join(dir, 'comm'), 'utf8')).trim();
      const cgroup = await readFile(join(dir, 'cgroup'), 'utf8');
      procBytes += comm.length + cgroup.length;
      const container = subject.containers?.find((c) => cgroup.includes(c.id))?.name;
      members.push({ pid: Number(entry), command: comm, inodes, ...(container ? { container } : {}) });
    } catch {
      // The process exited while we looked, or its fd directory is not ours to read: skip it.
    }
  }
  return { sockets: dedupeSockets(attachOwners(sockets, members)), procBytes, processes: members.length };
}
