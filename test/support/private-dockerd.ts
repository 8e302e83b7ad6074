import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeSubnet } from './docker-fixtures.js';

const run = promisify(execFile);

/**
 * A second Docker engine of our own, for fault tests that stop and start "the" engine: its own socket,
 * data root, exec root (so its own managed containerd) and its own bridge, and no iptables rules, IP
 * forwarding or masquerading of its own, so stopping it touches nothing the machine's dockerd (and the
 * other suites on it) depend on.
 *
 * Never `--bridge none`: a dockerd started with it deletes the host's docker0 interface (moby's
 * removeDefaultBridgeInterface), which breaks the machine's own engine for everyone.
 */
export class PrivateDockerd {
  readonly host: string;
  private child: ChildProcess | undefined;
  private logTail = '';

  private constructor(
    readonly dir: string,
    /** The bridge interface this engine uses instead of docker0; made here, removed by destroy(). */
    readonly bridge: string,
  ) {
    this.host = `unix://${join(dir, 'docker.sock')}`;
  }

  static async create(): Promise<PrivateDockerd> {
    // The exec root holds containerd's socket path, which must stay under 108 bytes: keep it short.
    const dir = await mkdtemp(join(tmpdir(), 'npd-'));
    const bridge = `npd${dir.slice(-6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    const subnet = await freeSubnet();
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', subnet.replace(/\.0\/24$/, '.1/24'), 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
    return new PrivateDockerd(dir, bridge);
  }

  /** Starts dockerd and waits until `docker info` answers on its socket. */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(
      'dockerd',
      [
        '--host', this.host,
        '--data-root', join(this.dir, 'data'),
        '--exec-root', join(this.dir, 'x'),
        '--pidfile', join(this.dir, 'dockerd.pid'),
        '--bridge', this.bridge,
        '--iptables=false',
        '--ip6tables=false',
        '--ip-forward=false',
        '--ip-masq=false',
        '--storage-driver', 'vfs',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (d: Buffer) => (this.logTail = (this.logTail + d.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`private dockerd exited with ${child.exitCode}:\n${this.logTail}`);
      if (await this.answers()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`private dockerd did not answer within ${timeoutMs} ms:\n${this.logTail}`);
  }

  /** SIGTERM and wait for the process (and with it the socket) to be gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  async answers(): Promise<boolean> {
    try {
      await this.docker(['info', '--format', '{{.ID}}'], 5000);
      return true;
    } catch {
      return false;
    }
  }

  docker(args: string[], timeoutMs = 60_000): Promise<string> {
    return run('docker', ['-H', this.host, ...args], { timeout: timeoutMs }).then((r) => r.stdout.trim());
  }

  /** An image holding only busybox, imported (no registry), tagged `tag`. */
  async importBusybox(tag: string): Promise<void> {
    const rootfs = join(this.dir, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await copyFile('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    const tar = join(this.dir, 'rootfs.tar');
    await run('tar', ['-C', rootfs, '-cf', tar, '.']);
    await run('docker', ['-H', this.host, 'import', '--change', 'CMD ["/bin/busybox","sleep","3600"]', tar, tag], { timeout: 60_000 });
  }

  /** Stops the engine and removes everything it kept. */
  async destroy(): Promise<void> {
    await this.stop();
    // vfs layers are plain directories; a mount left by a killed engine would make rm fail, so unmount first.
    const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
    for (const line of mounts.split('\n').reverse()) {
      const target = line.split(' ')[1];
      if (target?.startsWith(this.dir)) await run('umount', ['-l', target]).catch(() => undefined);
    }
    await rm(this.dir, { recursive: true, force: true });
    await run('ip', ['link', 'del', this.bridge]).catch(() => undefined);
  }
}
