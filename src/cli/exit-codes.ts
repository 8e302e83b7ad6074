import { isNetpeekError } from '../core/errors.js';

/** Exit codes of the one-shot CLI; scripts rely on them, so they are documented in README. */
export const EXIT = {
  ok: 0,
  /** The question was wrong (bad input, not found, ambiguous, forbidden). */
  userError: 1,
  /** A backend (Docker, Kubernetes, agent) could not be reached. */
  backendUnavailable: 2,
  /** A bug in netpeek; the details are in the log. */
  internal: 3,
} as const;

export function exitCodeFor(err: unknown): number {
  if (!isNetpeekError(err)) return EXIT.internal;
  return err.code === 'backend_unavailable' ? EXIT.backendUnavailable : EXIT.userError;
}
