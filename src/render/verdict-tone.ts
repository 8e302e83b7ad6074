import type { Answer } from '../core/answer.js';

/**
 * How an answer's verdict reads at a glance, for the terminal's colours: `good` (reachable, allowed,
 * every check passed), `bad` (unreachable, denied, a check failed), `mixed` (some probes failed, or
 * warnings), or undefined when the answer has no verdict to colour (help, a listing).
 */
export type Tone = 'good' | 'bad' | 'mixed';

export function verdictTone(answer: Answer): Tone | undefined {
  if (answer.diagnosis) return answer.diagnosis.firstFailure === null ? 'good' : 'bad';
  if (answer.policy?.port) return answer.policy.port.verdict === 'allowed' ? 'good' : 'bad';
  if (answer.probes.length) {
    const ok = answer.probes.filter((p) => p.ok).length;
    if (ok === answer.probes.length) return answer.warnings.length ? 'mixed' : 'good';
    return ok === 0 ? 'bad' : 'mixed';
  }
  if (answer.policy?.evaluated && answer.policy.allowed !== undefined) return answer.policy.allowed === 'none' ? 'bad' : answer.warnings.length ? 'mixed' : 'good';
  if (answer.warnings.length) return 'mixed';
  return undefined;
}
