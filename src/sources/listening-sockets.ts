// fs.promises, read where it is used: the bundle then loads node:fs/promises (~1 ms) with the first read, not at start.
import { promises as fsp, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { OwnedSocket, ProcessSockets, SocketTableName } from '../net/proc-sockets.js';
import { attachOwners, dedupeSockets, parseSocketTables, socketInodeFromLink, socketsInUse, TableScan, tablesInUse } from '../net/proc-sockets.js';
import { readLinkOrEmpty } from '../probe/small-proc-reads.js';

/**
 * What actually listens inside a workload's network namespace, read from /proc on the machine that runs
 * it (the Docker host, or the agent on a pod's node). No exec into the workload and no `ss` binary: the
 * namespace's socket tables are /proc/<pid>/net/* (only those whose protocol has sockets in use there,
 * as its sockstat counts them), and /proc/<n>/fd/* of every process in the same
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
  /** Milliseconds now, for the age of the last walk (ORPHANS_TTL_MS); tests pass a later clock. Default Date.now. */
  clock?: () => number;
}

/**
 * What the last full walk of /proc found for one namespace: which processes share it, and which of its
 * listening inodes none of them holds (Docker's embedded DNS sockets, made in the namespace by dockerd,
 * which lives in the host's). A hint for the next read, never an answer by itself: see listeningSockets.
 */
interface NamespaceWalk {
  pids: number[];
  orphans: ReadonlySet<number>;
  atMs: number;
}

/**
 * How long a walk's orphans are believed to have no holder here. Its processes are tried first for as long
 * as they hold every other listening socket, however old the walk: each is checked and read again, a
 * socket opened since by a new process has no holder among them and sends the read back to /proc, and a
 * process new since the walk has a higher PID than the holder it would share a socket with (the answer
 * names the lowest). Only an orphan can gain a holder unseen (an fd passed to another process), so only
 * a walk with orphans expires. A timed walk of every read was a periodic stall on a busy node: all of
 * /proc, every 10 s of questions.
 */
const ORPHANS_TTL_MS = 10_000;
const WALKS_MAX = 1024;
/** `${procRoot}\0${netns}` → the last full walk of that namespace. */
const walks = new Map<string, NamespaceWalk>();

function rememberWalk(key: string, walk: NamespaceWalk): void {
  walks.delete(key);
  walks.set(key, walk);
  if (walks.size > WALKS_MAX) walks.delete(walks.keys().next().value as string);
}

/**
 * The wanted socket inodes among `pid`'s open files, its command and container when it holds any; undefined
 * when it is gone or unreadable. Read synchronously: a handful of fd links and two short files, each
 * microseconds of kernel work, against a thread-pool round trip apiece (SMALL_PROC_READS in
 * src/probe/small-proc-reads.ts).
 */
function readHolder(proc: string, pid: number, wanted: ReadonlySet<number>, containers: SocketSubject['containers']): { member: ProcessSockets; bytes: number } | undefined {
  const dir = join(proc, String(pid));
  try {
    const links = readdirSync(join(dir, 'fd')).map((fd) => readLinkOrEmpty(join(dir, 'fd', fd)));
    const inodes = links.map(socketInodeFromLink).filter((i): i is number => i !== undefined && wanted.has(i));
    if (inodes.length === 0) return { member: { pid, command: '', inodes }, bytes: 0 };
    const comm = readFileSync(join(dir, 'comm'), 'utf8');
    const cgroup = readFileSync(join(dir, 'cgroup'), 'utf8');
    const container = containers?.find((c) => cgroup.includes(c.id))?.name;
    return { member: { pid, command: comm.trim(), inodes, ...(container ? { container } : {}) }, bytes: comm.trim().length + cgroup.length };
  } catch {
    // The process exited while we looked, or its fd directory is not ours to read: skip it.
    return undefined;
  }
}

/** The kernel fills at most a page per read of a seq_file; a larger buffer only costs memory. */
const TABLE_READ_BYTES = 16 * 1024;

/**
 * A socket table read until `scan` says it holds every socket wanted (see TableScan), never to the end
 * of file for its own sake: on tcp and tcp6 each read past that point walks the host's whole TCP hash.
 */
async function readTable(path: string, scan: TableScan): Promise<string> {
  const file = await fsp.open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(TABLE_READ_BYTES);
    let text = '';
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return text;
      const chunk = buf.toString('latin1', 0, bytesRead);
      text += chunk;
      if (scan.add(chunk)) return text;
    }
  } finally {
    await file.close();
  }
}

/**
 * The listening sockets of `subject.pid`'s network namespace, each with its process and container.
 * Fails (ENOENT, EACCES) only when the namespace's own tables cannot be read: the caller says so.
 *
 * Who holds each socket is found by walking the fd links of the namespace's processes. On a busy node,
 * finding those processes (a readlink of /proc/<n>/ns/net for every process) was most of a read, so the
 * processes the last full walk found (still in the namespace: each is checked again) are walked first;
 * only when a listening inode is then neither held by one of them nor known to be held by none (as the
 * last walk found it) is /proc walked again, in PID order, stopping once every inode has its holder.
 */
export async function listeningSockets(subject: SocketSubject, options: SocketReaderOptions = {}): Promise<SocketReading> {
  const proc = options.procRoot ?? '/proc';
  let procBytes = 0;
  const tables: Partial<Record<SocketTableName, string>> = {};
  const net = join(proc, String(subject.pid), 'net');
  // Small files, read synchronously (SMALL_PROC_READS). A process that went away fails here, as its tcp table would.
  const netns = readlinkSync(join(proc, String(subject.pid), 'ns', 'net'));
  const sockstat = readFileSync(join(net, 'sockstat'), 'utf8');
  let sockstat6: string | undefined;
  try {
    sockstat6 = readFileSync(join(net, 'sockstat6'), 'utf8');
  } catch {
    // Absent when the kernel has no IPv6: so are tcp6 and udp6.
  }
  const inuse = socketsInUse(sockstat, sockstat6);
  await Promise.all(tablesInUse(inuse).map(async (name) => {
    try {
      const text = await readTable(join(net, name), new TableScan(name, inuse[name]));
      procBytes += text.length;
      tables[name] = text;
    } catch (err) {
      // tcp6/udp6 are absent when IPv6 is disabled; tcp missing means the process went away.
      if (name === 'tcp' || name === 'udp') throw err;
    }
  }));
  const sockets = parseSocketTables(tables);
  const wanted = new Set(sockets.map((s) => s.inode).filter((i) => i !== 0));
  const done = (members: readonly ProcessSockets[], processes: number): SocketReading => ({ sockets: dedupeSockets(attachOwners(sockets, members)), procBytes, processes });
  // Nothing to own: no need to look for the namespace's processes at all.
  if (wanted.size === 0) return done([], 0);
  const key = `${proc}\0${netns}`;
  const known = walks.get(key);
  const now = options.clock ?? Date.now;
  if (known) {
    const orphansKnown = now() - known.atMs < ORPHANS_TTL_MS;
    const candidates = [...new Set([subject.pid, ...known.pids])].sort((a, b) => a - b);
    const links = candidates.map((pid) => (pid === subject.pid ? netns : readLinkOrEmpty(join(proc, String(pid), 'ns', 'net'))));
    const read = candidates.filter((_, i) => links[i] === netns).map((pid) => readHolder(proc, pid, wanted, subject.containers));
    const members = read.flatMap((r) => (r ? [r.member] : []));
    const held = new Set(members.flatMap((m) => m.inodes));
    if ([...wanted].every((i) => held.has(i) || (orphansKnown && known.orphans.has(i)))) {
      procBytes += read.reduce((n, r) => n + (r?.bytes ?? 0), 0);
      return done(members, members.length);
    }
  }
  // Which processes share the namespace is asked of all of them at once: one readlink after another was most of an answer's time on a busy node.
  const pids = (await fsp.readdir(proc)).filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  const links = await Promise.all(pids.map((pid) => fsp.readlink(join(proc, String(pid), 'ns', 'net')).catch(() => '')));
  const inNamespace = pids.filter((_, i) => links[i] === netns);
  const members: ProcessSockets[] = [];
  const held = new Set<number>();
  for (const pid of inNamespace) {
    // In PID order, so the first holder of a socket is its lowest PID (attachOwners keeps that one).
    if (held.size === wanted.size) break;
    const r = readHolder(proc, pid, wanted, subject.containers);
    if (!r) continue;
    procBytes += r.bytes;
    members.push(r.member);
    for (const i of r.member.inodes) held.add(i);
  }
  rememberWalk(key, { pids: inNamespace, orphans: new Set([...wanted].filter((i) => !held.has(i))), atMs: now() });
  return done(members, inNamespace.length);
}
