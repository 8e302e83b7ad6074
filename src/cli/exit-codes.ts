import type { Answer } from '../core/answer.js';
import { isNetpeekError } from '../core/errors.js';

/** Exit codes of the one-shot CLI; scripts rely on them, so they are documented in README and `help why`. */
export const EXIT = {
  ok: 0,
  /** The question was wrong (bad input, not found, ambiguous, forbidden). */
  userError: 1,
  /** A backend (Docker, Kubernetes, agent) could not be reached. */
  backendUnavailable: 2,
  /** A bug in netpeek; the details are in the log. */
  internal: 3,
  /**
   * The question was answered, and the answer is a diagnosis with a failed step (`why` found where the
   * path breaks). Its own code, so a script can tell "broken path" from "bad question" (1) or "no backend" (2).
   */
  diagnosisFailed: 4,
} as const;

export function exitCodeFor(err: unknown): number {
  if (!isNetpeekError(err)) return EXIT.internal;
  return err.code === 'backend_unavailable' ? EXIT.backendUnavailable : EXIT.userError;
}

/** An answered question: 0, unless its diagnosis names a failed step (warnings and skips stay 0). */
export function exitCodeForAnswer(answer: Answer): number {
  return answer.diagnosis && answer.diagnosis.firstFailure !== null ? EXIT.diagnosisFailed : EXIT.ok;
}
