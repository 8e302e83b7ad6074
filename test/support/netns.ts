import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';

/**
 * A network lab made of real kernel objects, for probes that must stay on this machine:
 *
 *   root namespace: veth np<id>r with <subnet>.1/24 (the "gateway"; tests in this process probe from here)
 *     └─ hub namespace np-<id>-hub: bridge br0
 *          └─ veth ── namespace np-<id>-<i> (eth0 = <subnet>.<10+i>/24, lo up)
 *
 * The bridge lives in its own namespace because the host's bridge netfilter hands bridged frames to the
 * root namespace's iptables, where Docker's FORWARD policy is DROP; a fresh namespace has no rules.
 * Namespaces get no default route, so nothing inside them can reach past the lab.
 * Addresses <subnet>.200 and up are never assigned: probing them is the "unreachable" case, and the
 * packets never leave the lab. The subnet is a random 10.200-254.x.0/24 that overlaps no route or address
 * on the host. `destroy()` kills what the lab started and removes namespaces and veths.
 */

/** execFile as a promise, written out (not util.promisify) so a test that spies on execFile still works. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

export interface LabNode {
  /** Namespace name, also the "node name" tests use. */
  ns: string;
  ip: string;
  /** Its veth end on the hub's bridge. */
  hostVeth: string;
}

export interface Lab {
  id: string;
  /** Namespace holding the bridge. */
  hub: string;
  /** Root-namespace end of the veth into the hub; carries the gateway address. */
  rootVeth: string;
  /** e.g. 10.213.7.0/24 */
  subnet: string;
  /** Address of the root namespace in the lab, e.g. 10.213.7.1 */
  gateway: string;
  nodes: LabNode[];
  /** An address in the subnet that nothing owns (n = 0..49). */
  unassigned(n?: number): string;
  /** Runs a program inside a namespace and returns its stdout. */
  exec(ns: string, cmd: string, args: string[]): Promise<string>;
  /** Starts a long-running program inside a namespace; it is killed by destroy(). */
  spawn(ns: string, cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** busybox nc that accepts (and immediately closes) TCP connections on `port` inside `ns`. */
  tcpListener(ns: string, port: number): Promise<ChildProcess>;
  /** busybox httpd serving `files` (path → content) on `port` inside `ns`. */
  httpServer(ns: string, port: number, files?: Record<string, string>): Promise<ChildProcess>;
  /** Waits until something listens on TCP `port` inside `ns`. */
  waitForListener(ns: string, port: number, timeoutMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryIp(args: string[]): void {
  try {
    ip(args);
  } catch {
    // already gone
  }
}

/** CIDRs the host already uses: routes (any table) and interface addresses. */
function usedCidrs(): Array<[ipaddr.IPv4, number]> {
  const out: Array<[ipaddr.IPv4, number]> = [];
  const routes = JSON.parse(ip(['-4', '-j', 'route', 'show', 'table', 'all'])) as Array<{ dst?: string }>;
  const addrs = JSON.parse(ip(['-4', '-j', 'addr', 'show'])) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  for (const r of routes) {
    const dst = r.dst === 'default' || !r.dst ? '0.0.0.0/0' : r.dst.includes('/') ? r.dst : `${r.dst}/32`;
    if (dst === '0.0.0.0/0') continue; // the default route overlaps everything; it is not a local subnet
    if (ipaddr.IPv4.isValidCIDR(dst)) out.push(ipaddr.IPv4.parseCIDR(dst));
  }
  for (const a of addrs) for (const i of a.addr_info ?? []) out.push([ipaddr.IPv4.parse(i.local), i.prefixlen]);
  return out;
}

/** A random 10.200-254.x.0/24 that overlaps nothing the host routes or owns. */
export function pickFreeSubnet(): string {
  const used = usedCidrs();
  for (let attempt = 0; attempt < 200; attempt++) {
    const b = randomBytes(2);
    const net = ipaddr.IPv4.parse(`10.${200 + ((b[0] ?? 0) % 55)}.${b[1] ?? 0}.0`);
    // Two CIDRs overlap when their first min(prefix) bits agree.
    const clash = used.some(([u, len]) => net.match(u, Math.min(len, 24)));
    if (!clash) return `${net.toString()}/24`;
  }
  throw new Error('no free 10.200-254.x.0/24 subnet found for the test lab');
}

const liveLabs = new Set<Lab>();
process.once('exit', () => {
  for (const lab of liveLabs) destroySync(lab, []);
});

function destroySync(lab: Pick<Lab, 'hub' | 'rootVeth' | 'nodes'>, procs: ChildProcess[]): void {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const ns of [...lab.nodes.map((n) => n.ns), lab.hub]) {
    killNamespacePids(ns);
    tryIp(['netns', 'delete', ns]);
  }
  tryIp(['link', 'delete', lab.rootVeth]);
}

function killNamespacePids(ns: string): void {
  try {
    const pids = ip(['netns', 'pids', ns]).split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // namespace already gone
  }
}

export async function createLab(opts: { nodes?: number } = {}): Promise<Lab> {
  const id = randomBytes(3).toString('hex');
  const subnet = pickFreeSubnet();
  const prefix = subnet.split('.').slice(0, 3).join('.');
  const hub = `np-${id}-hub`;
  const rootVeth = `np${id}r`;
  const nodes: LabNode[] = Array.from({ length: opts.nodes ?? 2 }, (_, i) => ({ ns: `np-${id}-${i}`, ip: `${prefix}.${10 + i}`, hostVeth: `np${id}h${i}` }));
  const procs: ChildProcess[] = [];
  const tmp = mkdtempSync(join(tmpdir(), `np-${id}-`));

  const lab: Lab = {
    id,
    hub,
    rootVeth,
    subnet,
    gateway: `${prefix}.1`,
    nodes,
    unassigned: (n = 0) => `${prefix}.${200 + n}`,
    exec: (ns, cmd, args) => run('ip', ['netns', 'exec', ns, cmd, ...args]),
    spawn: (ns, cmd, args, spawnOpts = {}) => {
      const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOpts });
      procs.push(child);
      return child;
    },
    waitForListener: async (ns, port, timeoutMs = 5000) => {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const out = await lab.exec(ns, 'ss', ['-Hltn', `sport = :${port}`]);
        if (out.trim() !== '') return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`nothing listens on ${ns}:${port} after ${timeoutMs} ms`);
    },
    tcpListener: async (ns, port) => {
      const child = lab.spawn(ns, 'busybox', ['nc', '-ll', '-p', String(port), '-e', '/bin/true']);
      await lab.waitForListener(ns, port);
      return child;
    },
    httpServer: async (ns, port, files = { 'index.html': '<h1>netpeek lab</h1>\n' }) => {
      const root = mkdtempSync(join(tmp, 'www-'));
      for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
      const child = lab.spawn(ns, 'busybox', ['httpd', '-f', '-p', String(port), '-h', root]);
      await lab.waitForListener(ns, port);
      return child;
    },
    destroy: async () => {
      liveLabs.delete(lab);
      const exits = procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => new Promise((r) => p.once('exit', r)));
      destroySync(lab, procs);
      await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 3000))]);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  liveLabs.add(lab);

  try {
    ip(['netns', 'add', hub]);
    ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', hub, 'link', 'set', 'br0', 'up']);
    const plug = (ifname: string, peer: string, peerNs: string, peerName: string) => {
      ip(['link', 'add', ifname, 'type', 'veth', 'peer', 'name', peer]);
      ip(['link', 'set', peer, 'netns', peerNs]);
      ip(['-n', peerNs, 'link', 'set', peer, 'name', peerName]);
    };
    plug(rootVeth, `${rootVeth}p`, hub, 'root');
    ip(['-n', hub, 'link', 'set', 'root', 'master', 'br0', 'up']);
    ip(['addr', 'add', `${lab.gateway}/24`, 'dev', rootVeth]);
    ip(['link', 'set', rootVeth, 'up']);
    for (const [i, n] of nodes.entries()) {
      ip(['netns', 'add', n.ns]);
      plug(n.hostVeth, `np${id}n${i}`, n.ns, 'eth0');
      ip(['link', 'set', n.hostVeth, 'netns', hub]);
      ip(['-n', hub, 'link', 'set', n.hostVeth, 'master', 'br0', 'up']);
      ip(['-n', n.ns, 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0']);
      ip(['-n', n.ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', n.ns, 'link', 'set', 'lo', 'up']);
    }
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return lab;
}

/** Namespaces and links a lab (or, without id, any netpeek lab) left behind. Empty after destroy(). */
export function leftovers(id?: string): { namespaces: string[]; links: string[] } {
  const mark = id ? `np-${id}` : 'np-';
  const linkMark = id ? `np${id}` : 'np';
  const namespaces = ip(['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(mark));
  const links = (JSON.parse(ip(['-j', 'link', 'show'])) as Array<{ ifname: string }>)
    .map((l) => l.ifname)
    .filter((n) => n.startsWith(mark) || (n.startsWith(linkMark) && /^np[0-9a-f]{6}([hn]\d+|rp?)$/.test(n)));
  return { namespaces, links };
}
