import type { Protocol } from './ports.js';

/**
 * The kernel's socket tables as /proc/<pid>/net/{tcp,tcp6,udp,udp6} print them, read as a model: which
 * sockets of one network namespace accept connections or datagrams, on which address and port, and which
 * inode names each (the inode is what /proc/<pid>/fd/* links point at: "socket:[12345]"). Pure text in,
 * values out; the reader that fetches the text lives in src/sources/.
 */

export type SocketFamily = 'ipv4' | 'ipv6';

/** One socket that waits for peers: a TCP socket in LISTEN, or a UDP socket bound and not connected. */
export interface ListeningSocket {
  protocol: Extract<Protocol, 'tcp' | 'udp'>;
  family: SocketFamily;
  /** Local address as people write it: 0.0.0.0, 127.0.0.1, ::, ::1, 10.1.2.3, ::ffff:127.0.0.1. */
  address: string;
  port: number;
  /** Socket inode; 0 when the kernel no longer ties the socket to a file (being torn down). */
  inode: number;
}

/** The four tables, keyed by the file name under /proc/<pid>/net/. */
export type SocketTableName = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export const SOCKET_TABLES: readonly SocketTableName[] = ['tcp', 'tcp6', 'udp', 'udp6'];

const SOCKSTAT_NAMES: Readonly<Record<string, SocketTableName>> = { TCP: 'tcp', UDP: 'udp', TCP6: 'tcp6', UDP6: 'udp6' };

/**
 * The namespace's own socket counts by table, from /proc/<pid>/net/sockstat and sockstat6: their "inuse"
 * counts are the namespace's (the other figures are the host's). A table whose count is missing or
 * unreadable is absent: unknown, not zero.
 */
export function socketsInUse(sockstat: string, sockstat6: string | undefined): Partial<Record<SocketTableName, number>> {
  const inuse: Partial<Record<SocketTableName, number>> = {};
  for (const line of `${sockstat}\n${sockstat6 ?? ''}`.split('\n')) {
    const m = /^(TCP6?|UDP6?): .*?\binuse (\d+)/.exec(line);
    if (m) inuse[SOCKSTAT_NAMES[m[1]!]!] = Number(m[2]);
  }
  return inuse;
}

/**
 * The tables worth reading: a protocol with no socket in use in the namespace has no listener either.
 * Reading a table is not free — tcp and tcp6 walk the host's whole TCP hash table to pick out one
 * namespace's sockets — so a container listening on :: only needs tcp6. A count that is missing keeps
 * its table: when unsure, read.
 */
export function tablesInUse(inuse: Partial<Record<SocketTableName, number>>): SocketTableName[] {
  return SOCKET_TABLES.filter((t) => inuse[t] !== 0);
}

/** include/net/tcp_states.h: TCP_LISTEN. */
const TCP_LISTEN = 0x0a;
/** TCP_CLOSE: what an unconnected (bound, receiving from anyone) UDP socket shows. */
const UDP_UNCONNECTED = 0x07;

/**
 * The kernel prints each 32-bit word of an address in the host's byte order; every machine netpeek runs
 * on (x86-64, arm64) is little-endian, so each word's bytes come reversed.
 */
function wordBytes(hex8: string): number[] {
  const bytes: number[] = [];
  for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(hex8.slice(i, i + 2), 16));
  return bytes;
}

function ipv4FromHex(hex: string): string {
  return wordBytes(hex).join('.');
}

/** RFC 5952 text (longest zero run collapsed, lower case), with ::ffff:a.b.c.d for v4-mapped addresses. */
function ipv6FromHex(hex: string): string {
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8)));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hexGroups = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hexGroups.join(':');
  const head = hexGroups.slice(0, bestStart).join(':');
  const tail = hexGroups.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

function parseEndpoint(text: string, family: SocketFamily): { address: string; port: number } | undefined {
  const [addrHex = '', portHex = ''] = text.split(':');
  const width = family === 'ipv4' ? 8 : 32;
  if (addrHex.length !== width || !/^[0-9A-Fa-f]+$/.test(addrHex) || !/^[0-9A-Fa-f]{4}$/.test(portHex)) return undefined;
  return { address: family === 'ipv4' ? ipv4FromHex(addrHex) : ipv6FromHex(addrHex), port: parseInt(portHex, 16) };
}

/**
 * The listening sockets of one table. Lines that do not parse are skipped rather than fatal: the table is
 * a kernel interface, and a future column must not cost the user the whole answer.
 */
export function parseSocketTable(table: SocketTableName, text: string): ListeningSocket[] {
  const protocol = table.startsWith('tcp') ? 'tcp' : 'udp';
  const family: SocketFamily = table.endsWith('6') ? 'ipv6' : 'ipv4';
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (cols.length < 10 || !/^\d+:$/.test(cols[0]!)) continue;
    const local = parseEndpoint(cols[1]!, family);
    const remote = parseEndpoint(cols[2]!, family);
    const state = parseInt(cols[3]!, 16);
    const inode = Number(cols[9]);
    if (!local || !remote || !Number.isInteger(inode)) continue;
    const waits = protocol === 'tcp' ? state === TCP_LISTEN : state === UDP_UNCONNECTED && remote.port === 0;
    if (!waits) continue;
    sockets.push({ protocol, family, address: local.address, port: local.port, inode });
  }
  return sockets;
}

/** Every table of one namespace; a missing table (IPv6 disabled) is simply absent from the input. */
export function parseSocketTables(tables: Partial<Record<SocketTableName, string>>): ListeningSocket[] {
  return SOCKET_TABLES.flatMap((name) => (tables[name] === undefined ? [] : parseSocketTable(name, tables[name]!)));
}

/**
 * When a table read chunk by chunk already holds every socket parseSocketTable keeps. Each read of
 * /proc/<pid>/net/tcp or tcp6 that gets past the listeners walks the host's whole TCP established hash
 * (262,144 buckets on a 24 GiB machine, every namespace's sockets in it), and the last read, the one that
 * only says "end of file", starts that walk over from the beginning; so the reader stops here instead:
 * - TCP: the kernel prints its listening hash before its established one, so a complete row in another
 *   state than LISTEN means every listener is already printed;
 * - any table: once the table printed as many sockets (TCP: listeners) as the namespace's sockstat counts
 *   in use, there is none left to wait for. The count takes in listeners and connected sockets alike, and
 *   the rows it leaves out (TIME_WAIT, SYN_RECV) come after the listeners.
 * A socket opened after sockstat was read can be missed, as by a snapshot taken that moment earlier.
 */
export class TableScan {
  private pending = '';
  private rows = 0;
  private complete = false;

  constructor(
    private readonly table: SocketTableName,
    /** The table's sockstat "inuse" count; undefined when unknown (only the TCP state rule and the end of file then stop). */
    private readonly inuse?: number,
  ) {}

  /** Takes the next chunk of the table's text; true once no later chunk can hold a socket it is read for. */
  add(chunk: string): boolean {
    if (this.complete) return true;
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    const tcp = this.table.startsWith('tcp');
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || !/^\d+:$/.test(cols[0]!) || !/^[0-9A-Fa-f]{2}$/.test(cols[3]!)) continue;
      if (tcp && parseInt(cols[3]!, 16) !== TCP_LISTEN) return (this.complete = true);
      this.rows++;
    }
    if (this.inuse !== undefined && this.rows >= this.inuse) this.complete = true;
    return this.complete;
  }
}

/** "socket:[12345]" (a /proc/<pid>/fd/N link target) → 12345; anything else (files, pipes, anon inodes) → undefined. */
export function socketInodeFromLink(target: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(target);
  return m ? Number(m[1]) : undefined;
}

/** A process that holds open file descriptors, as the reader saw it. */
export interface ProcessSockets {
  pid: number;
  /** /proc/<pid>/comm: the kernel's short name for the program (15 characters at most). */
  command: string;
  /** The container this process runs in, when the reader knows (Docker name or pod container name). */
  container?: string;
  /** Socket inodes of its fd links. */
  inodes: readonly number[];
}

/** A listening socket with the process (and container) that holds it, when one was found. */
export interface OwnedSocket extends ListeningSocket {
  process?: { pid: number; command: string };
  container?: string;
}

/**
 * Ties each socket to the process holding its inode. Several processes can share one socket (a forking
 * server's workers, nginx's master and workers); the lowest PID is named, since that is the parent that
 * bound it. A socket nobody we could read holds stays unowned rather than guessed.
 */
export function attachOwners(sockets: readonly ListeningSocket[], processes: readonly ProcessSockets[]): OwnedSocket[] {
  const byInode = new Map<number, ProcessSockets>();
  for (const p of processes) {
    for (const inode of p.inodes) {
      const known = byInode.get(inode);
      if (!known || p.pid < known.pid) byInode.set(inode, p);
    }
  }
  return sockets.map((s) => {
    const owner = s.inode === 0 ? undefined : byInode.get(s.inode);
    if (!owner) return { ...s };
    return { ...s, process: { pid: owner.pid, command: owner.command }, ...(owner.container ? { container: owner.container } : {}) };
  });
}

/**
 * One entry per protocol, address and port: a dual-stack listener and SO_REUSEPORT workers show up several
 * times in the tables, but the user asked what listens, not how many times.
 */
export function dedupeSockets<T extends OwnedSocket>(sockets: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const s of sockets) {
    const key = `${s.protocol}|${s.address}|${s.port}`;
    const known = seen.get(key);
    if (!known || (!known.process && s.process)) seen.set(key, s);
  }
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol) || a.address.localeCompare(b.address));
}
