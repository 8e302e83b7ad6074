import { execFileSync } from 'node:child_process';

/**
 * CI sets NETPEEK_E2E_REQUIRED=1: a suite that would skip for lack of Docker, root or network namespaces
 * fails instead, so a green run always means the end-to-end tests ran.
 */
export const E2E_REQUIRED = process.env.NETPEEK_E2E_REQUIRED === '1';

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

let dockerCache: boolean | undefined;
/** A Docker engine answers `docker info`. */
export function dockerAvailable(): boolean {
  return (dockerCache ??= works('docker', ['info']));
}

let netnsCache: boolean | undefined;
/** We are root and `ip netns` works (network namespace tests). */
export function netnsAvailable(): boolean {
  return (netnsCache ??= process.getuid?.() === 0 && works('ip', ['netns', 'list']));
}

/** For `describe.skipIf(...)`: true means skip; throws when CI requires the backend. */
export function missing(available: boolean, what: string): boolean {
  if (available) return false;
  if (E2E_REQUIRED) throw new Error(`${what} is required for this suite (NETPEEK_E2E_REQUIRED=1) but is not available here`);
  return true;
}
