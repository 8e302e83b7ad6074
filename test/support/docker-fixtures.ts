import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, copyFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cidrsOverlap } from '../../src/net/subnet.js';
import { DockerEngine } from '../../src/sources/docker.js';
import { listeningSockets } from '../../src/sources/listening-sockets.js';

/**
 * Real Docker objects for integration tests, made without any registry: a busybox image imported from the
 * machine's busybox-static binary, and uniquely named containers and networks that `cleanup()` removes.
 * Every command is execFile with an argument array.
 */

const run = promisify(execFile);

/** Tag of the test image: busybox with sh, ip, ping, httpd, nc… and `sleep` as its command. */
export const BUSYBOX_IMAGE = 'netpeek-test/busybox-net:1';
/** The same with `EXPOSE 8080` in its configuration, like a Dockerfile's EXPOSE. */
export const BUSYBOX_EXPOSE_IMAGE = 'netpeek-test/busybox-net:expose-8080';

const BUSYBOX_BINARY = '/bin/busybox';
const APPLETS = ['sh', 'ip', 'ping', 'httpd', 'nc', 'sleep', 'cat', 'ls', 'wget', 'ifconfig', 'hostname', 'netstat', 'true'];
const KEEP_RUNNING = 'CMD ["sleep", "86400"]';

/** Runs the docker CLI; returns trimmed stdout. */
export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

async function imageExists(tag: string): Promise<boolean> {
  try {
    await docker('image', 'inspect', '--format', '{{.Id}}', tag);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the test images once per machine: a root filesystem holding only busybox and its applet links,
 * packed with tar and given to `docker import`. Reuses the tags when present.
 */
export async function ensureBusyboxImages(): Promise<void> {
  const wanted: [string, string[]][] = [
    [BUSYBOX_IMAGE, [KEEP_RUNNING]],
    [BUSYBOX_EXPOSE_IMAGE, [KEEP_RUNNING, 'EXPOSE 8080']],
  ];
  const missingTags = [];
  for (const entry of wanted) if (!(await imageExists(entry[0]))) missingTags.push(entry);
  if (missingTags.length === 0) return;
  const dir = await mkdtemp(join(tmpdir(), 'netpeek-rootfs-'));
  try {
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await mkdir(join(rootfs, 'tmp'), { recursive: true });
    await copyFile(BUSYBOX_BINARY, join(rootfs, 'bin', 'busybox'));
    for (const applet of APPLETS) await symlink('busybox', join(rootfs, 'bin', applet));
    const tarball = join(dir, 'rootfs.tar');
    await run('tar', ['-C', rootfs, '-cf', tarball, '.']);
    for (const [tag, changes] of missingTags) {
      const changeArgs = ['ENV PATH=/bin', ...changes].flatMap((c) => ['--change', c]);
      await docker('import', ...changeArgs, tarball, tag);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** netpeek-test-<random>-<what>: unique per run, and easy to find and remove by hand. */
export function uniqueName(what: string): string {
  return `netpeek-test-${randomBytes(4).toString('hex')}-${what}`;
}

/** A TCP port nothing on 127.0.0.1 listens on right now (the kernel picks it). */
export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Every subnet this machine already uses: Docker networks' IPAM entries and the routing table. The
 * networks come from one API list call, not `ls` then `inspect`, because other suites create and remove
 * networks at the same time and an inspect of a just-removed one fails.
 */
async function subnetsInUse(): Promise<string[]> {
  const networks = await new DockerEngine({ timeoutMs: 10_000 }).listNetworks();
  const fromDocker = networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''));
  const routes = (await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((dest) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(dest))
    .map((dest) => (dest.includes('/') ? dest : `${dest}/32`));
  return [...fromDocker, ...routes].filter((s) => s.includes('.'));
}

/** A random 10.2xx.y.0/24 that overlaps no Docker network and no route of this machine. */
export async function freeSubnet(): Promise<string> {
  const used = await subnetsInUse();
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/24`;
    if (!used.some((u) => cidrsOverlap(u, candidate))) return candidate;
  }
  throw new Error('no free 10.2xx.y.0/24 subnet found for a test network');
}

/** Containers and networks one test file made; `cleanup()` in afterAll removes all of them. */
export class DockerFixtures {
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];

  /** `docker run -d --name <unique> <runArgs…> <image> [cmd…]`; returns the container's name. */
  async runContainer(what: string, runArgs: string[] = [], image = BUSYBOX_IMAGE, cmd: string[] = []): Promise<string> {
    const name = uniqueName(what);
    this.containers.push(name);
    await docker('run', '-d', '--name', name, ...runArgs, image, ...cmd);
    return name;
  }

  /** `docker create` — a container that never ran. */
  async createContainer(what: string, runArgs: string[] = [], image = BUSYBOX_IMAGE): Promise<string> {
    const name = uniqueName(what);
    this.containers.push(name);
    await docker('create', '--name', name, ...runArgs, image);
    return name;
  }

  /**
   * A bridge network with a free subnet of its own. Another suite may take the same subnet between the
   * pick and the create (Docker then answers "Pool overlaps"), so it picks again a few times.
   */
  async createNetwork(what: string, extraArgs: string[] = []): Promise<{ name: string; subnet: string }> {
    const name = uniqueName(what);
    for (let attempt = 1; ; attempt++) {
      const subnet = await freeSubnet();
      try {
        await docker('network', 'create', '--driver', 'bridge', '--subnet', subnet, ...extraArgs, name);
        this.networks.push(name);
        return { name, subnet };
      } catch (err) {
        if (attempt >= 5 || !/overlap/i.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
      }
    }
  }

  /** Removes everything this instance created; containers first, since networks in use cannot go. */
  async cleanup(): Promise<void> {
    if (this.containers.length) await docker('rm', '-f', '-v', ...this.containers).catch(() => undefined);
    for (const n of this.networks) await docker('network', 'rm', n).catch(() => undefined);
    this.containers.length = 0;
    this.networks.length = 0;
  }
}

/** `docker inspect` of one object, parsed. */
export async function inspect<T = Record<string, unknown>>(nameOrId: string, type: 'container' | 'network' = 'container'): Promise<T> {
  const out = await docker(type === 'container' ? 'container' : 'network', 'inspect', nameOrId);
  const [first] = JSON.parse(out) as T[];
  if (!first) throw new Error(`docker inspect ${nameOrId} returned nothing`);
  return first;
}

/** `docker exec <c> ip -4 -o addr show <dev>` → the inet line's address/prefix and broadcast. */
export async function addressInside(container: string, dev = 'eth0'): Promise<{ cidr: string; broadcast?: string }> {
  const out = await docker('exec', container, 'ip', '-4', 'addr', 'show', dev);
  const m = /inet (\S+)(?: brd (\S+))?/.exec(out);
  if (!m) throw new Error(`no inet line in: ${out}`);
  return { cidr: m[1]!, broadcast: m[2] };
}

/** Waits until a server inside the container has bound `port` (the container starts before its socket), read from its namespace. */
export async function untilListening(container: string, port: number): Promise<void> {
  const pid = Number(await docker('inspect', '--format', '{{.State.Pid}}', container));
  for (let i = 0; i < 100; i++) {
    if ((await listeningSockets({ pid })).sockets.some((s) => s.port === port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${container} never listened on ${port}`);
}
