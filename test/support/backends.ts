import { describe } from 'vitest';
import { DOCKER, NETNS, missingPieces, succeeds, type Need } from './machine.js';

/**
 * A suite names what it needs (`describeNeeding(DOCKER, title, fn)`, see machine.ts). When something is
 * missing it is skipped with the reason in its title, and the run starts with one line per missing piece
 * (test/support/global-build.ts prints them). CI sets NETPEEK_E2E_REQUIRED=1: then a suite that would skip
 * fails instead, so a green run always means the end-to-end tests ran.
 */
export const E2E_REQUIRED = process.env.NETPEEK_E2E_REQUIRED === '1';

export { DOCKER, ICMP, NETNS, SHELL_COMPLETION, type Need } from './machine.js';

/**
 * `describe` for a suite that needs pieces of the machine. Skipped, with what is missing in its title,
 * when one is absent; with NETPEEK_E2E_REQUIRED=1 that throws instead, failing the file.
 */
export function describeNeeding(needs: readonly Need[], title: string, fn: () => void): void {
  const absent = missingPieces(needs);
  if (absent.length === 0) {
    describe(title, fn);
    return;
  }
  const reason = absent.map((m) => m.need).join(', ');
  if (E2E_REQUIRED) throw new Error(`${title}: needs ${reason} (NETPEEK_E2E_REQUIRED=1):\n${absent.map((m) => `  missing: ${m.line}`).join('\n')}`);
  describe.skip(`${title} [skipped: missing ${reason}]`, fn);
}

/** A Docker engine answers `docker info`. */
export function dockerAvailable(): boolean {
  return missingPieces(DOCKER).length === 0;
}

/** We are root and `ip netns` works (network namespace tests), with the labs' programs installed. */
export function netnsAvailable(): boolean {
  return missingPieces(NETNS).length === 0 && succeeds('ip', ['netns', 'list']);
}

/** For `describe.skipIf(...)`: true means skip; throws when CI requires the backend. Prefer describeNeeding. */
export function missing(available: boolean, what: string): boolean {
  if (available) return false;
  if (E2E_REQUIRED) throw new Error(`${what} is required for this suite (NETPEEK_E2E_REQUIRED=1) but is not available here`);
  return true;
}
