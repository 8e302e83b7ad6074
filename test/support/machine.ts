import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { KUBECTL, kubectlAvailable } from './kube-apiserver/kubectl.js';

/**
 * What this machine has for the end-to-end suites, and what to do about what it lacks: one line per
 * missing piece (what, why, how to get it). Free of vitest, so that the global setup can print
 * `machineReport()` before the run; the suites use it through backends.ts.
 */

const PACKAGE_LIST = new URL('./system-packages.txt', import.meta.url);

/** One line of system-packages.txt. */
export interface SystemPackage {
  /** The Debian package name, as `apt-get install` takes it. */
  name: string;
  /** A program looked up on PATH, or an absolute path, that exists once the package is installed. */
  provides: string;
  /** Which suites need it and for what. */
  why: string;
}

/** Parses system-packages.txt (`package | provides | why`, `#` comments), the list `npm run test:all` installs. */
export function parsePackageList(text: string): SystemPackage[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line, i) => {
      const [name, provides, why] = line.split('|').map((f) => f.trim());
      if (!name || !provides || !why) throw new Error(`system-packages.txt, entry ${i + 1}: expected "package | program or /path | why", got "${line}"`);
      return { name, provides, why };
    });
}

export const SYSTEM_PACKAGES: readonly SystemPackage[] = parsePackageList(readFileSync(PACKAGE_LIST, 'utf8'));

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Same test as the shell's `command -v`: an absolute path that is executable, or a program on PATH. */
export function provided(program: string, path = process.env.PATH ?? ''): boolean {
  if (isAbsolute(program)) return executable(program);
  // Debian puts dockerd and ip in /usr/sbin, which a non-root PATH may lack.
  const dirs = [...path.split(delimiter), '/usr/sbin', '/sbin'].filter(Boolean);
  return dirs.some((dir) => executable(join(dir, program)));
}

/** The program runs and exits 0 within 10 s. */
export function succeeds(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** A piece of the machine a suite can need: a system package, or one of these. */
export type Need = 'root' | 'docker-engine' | 'kubectl' | (string & {});

/** What is missing, why it matters and the command that fixes it: one line of the run's preamble. */
export interface MissingPiece {
  need: Need;
  line: string;
}

const checks = new Map<Need, boolean>();
function check(need: Need, test: () => boolean): boolean {
  let ok = checks.get(need);
  if (ok === undefined) checks.set(need, (ok = test()));
  return ok;
}

function describeMissing(need: Need, packages: readonly SystemPackage[], path: string): MissingPiece | undefined {
  if (need === 'root') {
    if (check(need, () => process.getuid?.() === 0)) return undefined;
    return { need, line: 'not root — the network-namespace labs create namespaces, veth pairs and bridges (ip netns add) — run as root: sudo npm run test:all' };
  }
  if (need === 'docker-engine') {
    if (check(need, () => succeeds('docker', ['info']))) return undefined;
    return {
      need,
      line: '`docker info` fails (no Docker engine reachable) — the Docker suites run real containers — as root: npm run test:all starts dockerd, or start it yourself: dockerd &',
    };
  }
  if (need === 'kubectl') {
    if (check(need, kubectlAvailable)) return undefined;
    return { need, line: `kubectl (${KUBECTL}) is not there — fidelity tests run the real kubectl against the test API server — install kubectl, or point NETPEEK_KUBECTL at it` };
  }
  const pkg = packages.find((p) => p.name === need);
  if (!pkg) throw new Error(`unknown need "${need}": add it to test/support/system-packages.txt`);
  if (provided(pkg.provides, path)) return undefined;
  return { need, line: `${pkg.name} (${pkg.provides}) is not installed — ${pkg.why} — install it: apt-get install -y ${pkg.name} (as root; npm run test:all does it)` };
}

/** The missing pieces among `needs`, in order. */
export function missingPieces(needs: readonly Need[], packages = SYSTEM_PACKAGES, path = process.env.PATH ?? ''): MissingPiece[] {
  return needs.map((n) => describeMissing(n, packages, path)).filter((m): m is MissingPiece => m !== undefined);
}

/** What the Docker suites need: the engine, and busybox for the test image. */
export const DOCKER: readonly Need[] = ['docker.io', 'docker-engine', 'busybox-static'];
/** What probing from the host needs. */
export const ICMP: readonly Need[] = ['fping', 'iputils-ping'];
/** What the network-namespace labs need (test/support/netns.ts): root, ip, busybox listeners, and the probers. */
export const NETNS: readonly Need[] = ['root', 'iproute2', 'busybox-static', ...ICMP];

/** What the shell-completion tests need besides bash: the other two shells netpeek prints scripts for. */
export const SHELL_COMPLETION: readonly Need[] = ['zsh', 'fish'];

/** Every piece some suite needs: the run's preamble lists the missing ones. */
export function machineReport(packages = SYSTEM_PACKAGES, path = process.env.PATH ?? ''): string[] {
  const all: Need[] = ['root', 'docker-engine', 'kubectl', ...packages.map((p) => p.name)];
  return missingPieces(all, packages, path).map((m) => `missing: ${m.line}`);
}

