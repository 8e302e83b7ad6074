import type { AnswerParts } from '../core/answer.js';
import { BackendError } from '../core/errors.js';
import { noPortsSentence, portsCappedSentence, portsProbedSentence } from '../net/explain-probe.js';
import type { ProbeSubject } from './vantage.js';
import { summariseProbes, type ProbeSummary } from './probe-facts.js';
import type { ProbeTarget } from './types.js';
import { vantageName, type ProbeService, type Vantage } from './vantage.js';

export interface ProbePlan {
  /** Only this TCP port (--port); otherwise every declared port. */
  port?: number;
  /** ICMP echo requests. */
  count?: number;
  /** Per-probe timeout, ms. */
  timeoutMs?: number;
  /** Probe from here instead of the subject's own host (reach a → b probes from a's host). */
  from?: Vantage;
  /**
   * `always` (the default): an ICMP echo beside the TCP connects. `when-tcp-silent`: the connects first,
   * and the echo only when one of them got no answer at all (a timeout or unreachable), where it tells
   * a dropped port from an address that is not there; a connection made or refused already proves the
   * address answers. For `why`, whose verdict is the connect's: the echo was a second process (fping)
   * on the answer's path for nothing.
   */
  icmp?: 'always' | 'when-tcp-silent';
}

export const DEFAULT_PROBE_TIMEOUT_MS = 1000;
/** Keeps a pod with dozens of declared ports from turning one question into a port scan. */
export const MAX_PORTS_PER_QUESTION = 16;

/** What probing a subject found: the results as facts, and the Answer parts that show them. */
export interface ProbeRun extends ProbeSummary {
  /** Where the probes ran, in words ("the Docker host", "node worker-1"). */
  from: string;
  /** Which ports were tried, and why only those. */
  notes: string[];
  /** The probe facts, their explanations and the notes, and any degraded warning, for the command to add to its answer. */
  parts: AnswerParts;
}

/**
 * ICMP plus TCP to --port or to each declared port, from the subject's host (or `plan.from`). The
 * subject is the one the command already found: nothing is looked up again here.
 */
export async function probeSubject(subject: ProbeSubject, deps: { probes?: ProbeService }, plan: ProbePlan = {}): Promise<ProbeRun> {
  const { probes } = deps;
  if (!probes) throw new BackendError('probe', 'Probing is not configured in this netpeek.', ['See `status`.']);
  const vantage = plan.from ?? subject.vantage;
  const from = vantageName(vantage);
  const ports = plan.port !== undefined ? [plan.port] : subject.ports.map((p) => p.port).slice(0, MAX_PORTS_PER_QUESTION);
  const icmp: ProbeTarget = { kind: 'icmp', ip: subject.ip };
  const tcp = ports.map((port): ProbeTarget => ({ kind: 'tcp', ip: subject.ip, port }));
  const timeoutMs = plan.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const count = plan.count ?? 1;
  const send = (targets: ProbeTarget[]) => probes.probeFrom(vantage, targets, { timeoutMs, count, deadlineMs: timeoutMs * (count + 2) + 2000 });
  let results;
  if (plan.icmp === 'when-tcp-silent' && tcp.length > 0) {
    const connects = await send(tcp);
    const silent = connects.some((r) => !r.ok && !r.unavailable && (r.error === 'timeout' || r.error === 'unreachable'));
    results = silent ? [...(await send([icmp])), ...connects] : connects;
  } else {
    results = await send([icmp, ...tcp]);
  }
  const summary = summariseProbes(results, from);
  const notes: string[] = [];
  if (plan.port === undefined) notes.push(ports.length ? portsProbedSentence(ports.map((port) => ({ port, protocol: 'tcp' }))) : noPortsSentence(subject.name));
  if (subject.ports.length > MAX_PORTS_PER_QUESTION && plan.port === undefined) notes.push(portsCappedSentence(MAX_PORTS_PER_QUESTION, subject.ports.length));
  return { ...summary, from, notes, parts: { probes: summary.facts, explanations: [...summary.explanations, ...notes], warnings: summary.warnings } };
}
