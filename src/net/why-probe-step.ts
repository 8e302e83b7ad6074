import type { ProbeFact } from '../core/answer.js';
import type { DiagnosisStep } from '../core/diagnosis.js';
import { skipStep } from './why-diagnosis.js';

/**
 * The probe step of `why`, the one live step: what a probe saw, where it ran from, and — when it could
 * not start where the client is — that it ran elsewhere. A probe that could not run is a skip, never a pass.
 */

/** What a live probe for the probe step saw. */
export interface ProbeStepInput {
  /** The probe facts (ICMP, and TCP to the port when one was asked). */
  facts: readonly ProbeFact[];
  /** Where the probe ran from, in words ("the Docker host"). */
  from: string;
  /** Said when the probe could not start where the client is (e.g. "not from inside web-1"). */
  vantageNote?: string;
  port?: number;
  /** What the address is, when the answer is about something else ("pod shop/cart-1" behind a Service). */
  target?: string;
  /** The agent could not run the batch: nothing was learnt. */
  degraded: boolean;
}

const ms = (f: ProbeFact) => (f.ms !== undefined ? ` in ${f.ms < 10 ? f.ms.toFixed(2) : Math.round(f.ms)} ms` : '');

/**
 * What an ICMP echo sent beside a TCP connect that got no answer adds: whether the address is there at all.
 * Without an echo (none sent, or its result unknown) both causes stay open.
 */
function silentTcp(facts: readonly ProbeFact[], tcp: ProbeFact): string {
  const echo = tcp.kind === 'tcp' ? facts.find((f) => f.kind === 'icmp' && f.target === tcp.target && f.error !== 'denied' && f.error !== 'error') : undefined;
  if (echo?.ok) return `, though ${tcp.target} answers an ICMP echo: something drops TCP to port ${tcp.port} on the way (a firewall, a NetworkPolicy)`;
  if (echo) return `, and ${tcp.target} answers no ICMP echo either: the address is not there, or something drops everything sent to it`;
  return ': something drops the packets (a firewall), or the address is not there';
}

/** probe: a TCP connect to the asked port (else an ICMP echo), from where it could run, saying where that was. */
export function probeStep(p: ProbeStepInput): DiagnosisStep {
  const note = p.vantageNote ? ` (${p.vantageNote})` : '';
  if (p.degraded) return skipStep('probe', `the probe could not run from ${p.from}${p.facts[0]?.detail ? `: ${p.facts[0].detail}` : ''}`);
  const fact = p.port !== undefined ? p.facts.find((f) => f.kind === 'tcp' && f.port === p.port) : p.facts.find((f) => f.kind === 'icmp');
  if (!fact) return skipStep('probe', 'nothing was probed');
  const what = `${fact.kind === 'tcp' ? `TCP ${fact.target}:${fact.port}` : `ICMP echo to ${fact.target}`}${p.target ? ` (${p.target})` : ''}`;
  if (fact.ok) return { id: 'probe', status: 'pass', evidence: `${what} from ${p.from}${note}: ${fact.kind === 'tcp' ? 'connected' : 'answered'}${ms(fact)}.` };
  if (fact.error === 'denied') return skipStep('probe', `the probe allow-list does not cover ${fact.target}, so nothing was sent`);
  const why =
    fact.error === 'refused'
      ? 'refused: the address is there but nothing accepts on that port'
      : fact.error === 'timeout'
        ? `no answer before the timeout${silentTcp(p.facts, fact)}`
        : fact.error === 'unreachable'
          ? 'unreachable: no route or no host at that address'
          : `failed (${fact.error ?? 'error'}${fact.detail ? `: ${fact.detail}` : ''})`;
  return { id: 'probe', status: 'fail', evidence: `${what} from ${p.from}${note}: ${why}.` };
}
