import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, stat, symlink, writeFile } from 'node:fs/promises';
import { arch, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Real image builds for the deployment tests, without any registry: `FROM node:20-bookworm-slim` cannot
 * be pulled here, so the tests build a stand-in for it once per machine and pass it as NODE_BASE:
 *
 *   debootstrap --variant=minbase bookworm (Debian's own packages, from Debian's mirror, like the
 *   official image's Debian layer; debootstrap itself is in system-packages.txt) + fping and iputils-ping installed by debootstrap in the chroot
 *   + this machine's Node.js binary, headers and npm copied to /usr/local (where the official node
 *   images keep them), and the CA certificates this Node.js is told to trust (NODE_EXTRA_CA_CERTS)
 *   → `tar | docker import` → netpeek-test/node-base:<hash of the recipe>.
 *
 * Measured on the 2-core CI machine: debootstrap 32–87 s (depends on the mirror), copy + import ≈ 5 s;
 * later runs find the tag and skip all of it. The first `docker build` on it takes ≈ 2.5 min (apt for the
 * build tools ≈ 20 s, npm ci + compiling better-sqlite3 ≈ 90 s); later builds reuse the layers (≈ 1–15 s,
 * depending on what changed). Every program is run with execFile/spawn and argument arrays.
 */

const run = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DOCKERFILE = join(REPO_ROOT, 'deploy', 'docker', 'Dockerfile');

/** Bump when the recipe below changes, so that machines build the new base instead of reusing the old tag. */
const RECIPE_VERSION = 2;
const SUITE = 'bookworm';
const EXTRA_PACKAGES = ['fping', 'iputils-ping'];
const MIRROR = process.env.NETPEEK_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
const PATH_IN_IMAGE = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/**
 * Where this machine's Node.js finds extra trusted CAs (NODE_EXTRA_CA_CERTS), e.g. a TLS-inspecting
 * egress proxy's CA in front of the npm registry. The stand-in base trusts the same certificates, so
 * that `npm ci` inside `docker build` reaches the registry exactly as npm on this machine does. Only
 * public CA certificates are copied; the Dockerfile itself stays free of any such setting.
 */
const EXTRA_CA_SOURCE = process.env.NODE_EXTRA_CA_CERTS && existsSync(process.env.NODE_EXTRA_CA_CERTS) ? process.env.NODE_EXTRA_CA_CERTS : undefined;
const EXTRA_CA_IN_IMAGE = '/usr/local/share/netpeek-test/extra-ca-certificates.crt';

/** The tag kept between runs for the netpeek image itself: its layers are the `docker build` cache. */
export const NETPEEK_TEST_IMAGE = 'netpeek-test/netpeek:cache';
/** Stages of the Dockerfile tagged too, so their images stay the cache and only stale ones are pruned. */
const STAGES = ['deps', 'build', 'prod-deps'];
/** Label of the base image, inherited by every image built on it: pruning touches only those. */
const BASE_LABEL = 'org.netpeek.test-base';

export interface Timed {
  tag: string;
  /** False when an existing image was reused. */
  built: boolean;
  ms: number;
}

function log(message: string): void {
  process.stdout.write(`[image-build] ${message}\n`);
}

async function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

export async function imageId(tag: string): Promise<string | undefined> {
  try {
    return await docker(['image', 'inspect', '--format', '{{.Id}}', tag]);
  } catch {
    return undefined;
  }
}

/** Node's install prefix (…/bin/node → …): headers in include/node, npm in lib/node_modules/npm. */
function nodePrefix(): string {
  return dirname(dirname(process.execPath));
}

function npmVersion(): string {
  const pkg = join(nodePrefix(), 'lib', 'node_modules', 'npm', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** The base image's tag: a hash of everything that goes into it. */
export function nodeBaseTag(): string {
  const extraCa = EXTRA_CA_SOURCE ? createHash('sha256').update(readFileSync(EXTRA_CA_SOURCE)).digest('hex') : null;
  const recipe = { RECIPE_VERSION, SUITE, EXTRA_PACKAGES, node: process.version, npm: npmVersion(), arch: arch(), extraCa };
  return `netpeek-test/node-base:${createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 12)}`;
}

/**
 * One builder per machine at a time: a lock directory (mkdir is atomic) holding the owner's pid. A lock
 * whose owner is gone (a run that was killed) is taken over at once; one older than 45 minutes as well.
 */
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), `${name}.lock`);
  const owner = join(lock, 'pid');
  const deadline = Date.now() + 45 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSyncOr(owner));
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      const ownerGone = pid > 0 && !processAlive(pid);
      // A lock without a pid file yet is being taken right now; give its owner a few seconds.
      if (ownerGone || age > 45 * 60_000 || (!pid && age > 10_000)) await run('rm', ['-rf', lock]).catch(() => undefined);
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (held by pid ${pid})`);
      else await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    await run('rm', ['-rf', lock]).catch(() => undefined);
  }
}

function readFileSyncOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `tar -C rootfs -c . | docker import …`, keeping numeric owners and file capabilities. */
function importRootfs(rootfs: string, tag: string, changes: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=security.capability', '-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const imp = spawn('docker', ['import', ...changes.flatMap((c) => ['--change', c]), '--message', 'netpeek test base: Debian minbase + host Node.js', '-', tag], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let errors = '';
    tar.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    imp.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    tar.stdout.pipe(imp.stdin);
    let tarCode: number | null = null;
    tar.on('close', (code) => (tarCode = code));
    tar.on('error', reject);
    imp.on('error', reject);
    imp.on('close', (code) => (code === 0 && tarCode === 0 ? resolve() : reject(new Error(`tar (${String(tarCode)}) | docker import (${String(code)}) failed: ${errors.slice(-2000)}`))));
  });
}

async function buildNodeBase(tag: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'netpeek-node-base-'));
  const rootfs = join(dir, 'rootfs');
  try {
    let t = Date.now();
    await run('debootstrap', ['--variant=minbase', `--include=${EXTRA_PACKAGES.join(',')}`, SUITE, rootfs, MIRROR], { timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024 });
    log(`debootstrap ${SUITE} (minbase + ${EXTRA_PACKAGES.join(', ')}): ${((Date.now() - t) / 1000).toFixed(1)} s`);

    t = Date.now();
    const prefix = nodePrefix();
    const local = join(rootfs, 'usr', 'local');
    await mkdir(join(local, 'bin'), { recursive: true });
    await mkdir(join(local, 'include'), { recursive: true });
    await mkdir(join(local, 'lib', 'node_modules'), { recursive: true });
    await run('cp', ['-L', process.execPath, join(local, 'bin', 'node')]);
    await run('cp', ['-a', join(prefix, 'include', 'node'), join(local, 'include', 'node')]);
    await run('cp', ['-a', join(prefix, 'lib', 'node_modules', 'npm'), join(local, 'lib', 'node_modules', 'npm')]);
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin', 'npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin', 'npx'));
    // Same shape as the official images' apt sources; nothing cached from debootstrap stays in the image.
    await run('rm', ['-rf', join(rootfs, 'var', 'cache', 'apt', 'archives'), join(rootfs, 'var', 'lib', 'apt', 'lists')]);
    await mkdir(join(rootfs, 'var', 'cache', 'apt', 'archives', 'partial'), { recursive: true });
    await mkdir(join(rootfs, 'var', 'lib', 'apt', 'lists', 'partial'), { recursive: true });
    await writeFile(join(rootfs, 'etc', 'apt', 'sources.list'), `deb ${MIRROR} ${SUITE} main\n`);
    const changes = [`ENV PATH=${PATH_IN_IMAGE}`, `ENV NODE_VERSION=${process.version.slice(1)}`, `LABEL ${BASE_LABEL}=${tag}`, 'CMD ["node"]'];
    if (EXTRA_CA_SOURCE) {
      await mkdir(join(rootfs, dirname(EXTRA_CA_IN_IMAGE)), { recursive: true });
      await run('cp', ['-L', EXTRA_CA_SOURCE, join(rootfs, EXTRA_CA_IN_IMAGE)]);
      changes.push(`ENV NODE_EXTRA_CA_CERTS=${EXTRA_CA_IN_IMAGE}`);
    }
    // The copied Node.js must run with the rootfs's own libraries (glibc, libstdc++).
    const env = { PATH: PATH_IN_IMAGE, HOME: '/root' };
    const { stdout: nodeSays } = await run('chroot', [rootfs, '/usr/local/bin/node', '-e', 'process.stdout.write(process.version)'], { env });
    const { stdout: npmSays } = await run('chroot', [rootfs, '/usr/local/bin/npm', '--version'], { env });
    log(`node ${nodeSays} and npm ${npmSays.trim()} copied into the rootfs: ${((Date.now() - t) / 1000).toFixed(1)} s`);

    t = Date.now();
    await importRootfs(rootfs, tag, changes);
    log(`docker import ${tag}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  } finally {
    await run('rm', ['-rf', '--one-file-system', dir]).catch(() => undefined);
  }
}

/** The stand-in for node:20-bookworm-slim: built once per machine, then found by its tag. */
export async function ensureNodeBaseImage(): Promise<Timed> {
  const tag = nodeBaseTag();
  const started = Date.now();
  if (await imageId(tag)) return { tag, built: false, ms: Date.now() - started };
  return withLock('netpeek-node-base', async () => {
    if (await imageId(tag)) return { tag, built: false, ms: Date.now() - started };
    log(`building ${tag} (once per machine)`);
    await buildNodeBase(tag);
    const ms = Date.now() - started;
    log(`${tag} ready in ${(ms / 1000).toFixed(1)} s`);
    return { tag, built: true, ms };
  });
}

export interface NetpeekImage extends Timed {
  /** The end of `docker build`'s output, for failure messages and timing notes. */
  logTail: string;
}

/**
 * `docker build` of the real deploy/docker/Dockerfile with NODE_BASE = the local base. The result keeps
 * the fixed tag NETPEEK_TEST_IMAGE, so the next run reuses its layers (npm ci and the better-sqlite3
 * compile happen only when package-lock.json changes); images it replaces are pruned.
 *
 * The build's RUN steps reach Debian's mirror (apt) and the npm registry over the default bridge network,
 * as a developer's `docker build` does.
 */
export async function buildNetpeekImage(baseTag: string, tag = NETPEEK_TEST_IMAGE): Promise<NetpeekImage> {
  const started = Date.now();
  return withLock('netpeek-image-build', async () => {
    const previous = await imageId(tag);
    const args = ['build', '--force-rm', '-f', DOCKERFILE, '--build-arg', `NODE_BASE=${baseTag}`, '--build-arg', 'REVISION=test', '-t', tag, REPO_ROOT];
    let output = '';
    // Legacy builder: "Step 7/29 : RUN …"; BuildKit: "#9 [build 4/9] RUN …". Each step's time, for the notes.
    const steps: Array<{ title: string; at: number }> = [];
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (d: Buffer) => {
        const text = d.toString();
        for (const m of text.matchAll(/^(?:Step \d+\/\d+ : |#\d+ \[[^\]]+\] )(.{0,80})/gm)) steps.push({ title: m[1]!, at: Date.now() });
        output = (output + text).slice(-200_000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const timer = setTimeout(() => child.kill('SIGTERM'), 30 * 60_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c ?? 1);
      });
    });
    const builtAt = Date.now();
    const logTail = output.split('\n').slice(-60).join('\n');
    if (code !== 0) throw new Error(`docker build failed (exit ${code}):\n${logTail}`);
    const now = await imageId(tag);
    // Keep the layer cache bounded. The legacy builder leaves each intermediate stage's result as an
    // untagged image; tag the current ones (a fully cached rebuild of each target, ~1 s), then remove the
    // untagged images built on our base: stages of earlier builds, and the image this build replaced.
    for (const stage of STAGES) await docker(['build', '-q', '--target', stage, '-f', DOCKERFILE, '--build-arg', `NODE_BASE=${baseTag}`, '-t', `${tag}-${stage}`, REPO_ROOT], 600_000);
    await docker(['image', 'prune', '-f', '--filter', `label=${BASE_LABEL}=${baseTag}`]).catch(() => undefined);
    // Bases of older recipes (another Node.js or npm version), with what was built on them, are not needed.
    const oldBases = (await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', 'netpeek-test/node-base'])).split('\n').filter((t) => t && t !== baseTag);
    for (const old of oldBases) {
      await docker(['image', 'prune', '-f', '--filter', `label=${BASE_LABEL}=${old}`]).catch(() => undefined);
      await docker(['image', 'rm', old]).catch(() => undefined);
    }
    const ms = Date.now() - started;
    const cachedSteps = (output.match(/Using cache|CACHED/g) ?? []).length;
    log(`docker build ${tag} from ${baseTag}: ${(ms / 1000).toFixed(1)} s (${cachedSteps} cached steps)`);
    const slow = steps
      .map((s, i) => ({ title: s.title, ms: (steps[i + 1]?.at ?? builtAt) - s.at }))
      .filter((s) => s.ms > 5000)
      .map((s) => `  ${(s.ms / 1000).toFixed(1).padStart(6)} s  ${s.title}`);
    if (slow.length) log(`slowest steps:\n${slow.join('\n')}`);
    return { tag, built: previous !== now, ms, logTail };
  });
}

/** For a manual run: `npx tsx test/support/image-build.ts`. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && existsSync(DOCKERFILE)) {
  const base = await ensureNodeBaseImage();
  log(JSON.stringify(base));
  log(JSON.stringify(await buildNetpeekImage(base.tag)));
}
