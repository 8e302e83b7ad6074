import { UserError } from '../core/errors.js';
import { insideWorkloadSentence, workloadFallbackSentence } from '../net/explain-probe.js';
import { vantageName, type ProbeService, type ProbeSubject, type Vantage } from './vantage.js';

/** Where `--from <workload>` probes will start, and the sentence that says so. */
export interface VantageChoice {
  vantage: Vantage;
  /** The probe runs inside the workload's namespace (not on its host). */
  inside: boolean;
  /** Where, in words: "inside web-1" or "the Docker host". */
  from: string;
  /** Inside: what that means; fallback: that the host probed instead, and why. */
  note: string;
}

/**
 * `--from A` → A's own namespace when this netpeek may enter it (opt-in, a container on this Docker
 * host), else A's host, said plainly. The vantage names the container, never a PID: the prober finds and
 * checks the process itself when it probes.
 */
export function vantageOf(from: ProbeSubject, probes: Pick<ProbeService, 'insideWorkload'> | undefined): VantageChoice {
  if (from.kind === 'ip') {
    throw new UserError(`--from takes a container or a pod, not an address (${from.ip}): netpeek probes from inside workloads it can look up.`, ['Example: ping db-1 --from web-1']);
  }
  const can = probes?.insideWorkload?.(from.vantage) ?? { ok: false as const, reason: 'NETPEEK_WORKLOAD_VANTAGE is off' };
  if (can.ok && from.kind === 'container' && from.id) {
    const vantage: Vantage = { kind: 'workload', workload: from.name, containerId: from.id, host: from.vantage };
    return { vantage, inside: true, from: vantageName(vantage), note: insideWorkloadSentence(from.name) };
  }
  const host = vantageName(from.vantage);
  const reason = can.ok ? `netpeek cannot enter the namespace of ${from.kind} ${from.name} yet` : can.reason;
  return { vantage: from.vantage, inside: false, from: host, note: workloadFallbackSentence(from.name, host, reason) };
}
