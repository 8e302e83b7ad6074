import { UserError } from '../core/errors.js';
import { insideWorkloadSentence, noAgentVantageSentence, workloadFallbackSentence } from '../net/explain-probe.js';
import { AgentWorkloadRefusedError } from './agent-client.js';
import { probeSubject, type ProbePlan, type ProbeRun } from './probe-subject.js';
import type { WorkloadRefusalCode } from './workload-wire.js';
import { vantageName, type HostVantage, type ProbeService, type ProbeSubject, type Vantage, type WorkloadVantage } from './vantage.js';

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
 * host, or a pod whose node's agent is asked), else A's host, said plainly. The vantage names the
 * container(s), never a PID: the prober (or the node's agent) finds and checks the process itself when
 * it probes.
 */
export function vantageOf(from: ProbeSubject, probes: Pick<ProbeService, 'insideWorkload'> | undefined): VantageChoice {
  if (from.kind === 'ip') {
    throw new UserError(`--from takes a container or a pod, not an address (${from.ip}): netpeek probes from inside workloads it can look up.`, ['Example: ping db-1 --from web-1']);
  }
  const can = probes?.insideWorkload?.(from.vantage) ?? { ok: false as const, reason: 'NETPEEK_WORKLOAD_VANTAGE is off' };
  const inside = insideVantage(from);
  if (can.ok && inside) return { vantage: inside, inside: true, from: vantageName(inside), note: insideWorkloadSentence(from.name) };
  const host = vantageName(from.vantage);
  const reason = can.ok ? (from.hostNetwork ? `${from.name} uses its node's network (hostNetwork), so the node's own view is its view` : `netpeek cannot enter the namespace of ${from.kind} ${from.name} yet (no running container with an ID)`) : can.reason;
  return { vantage: from.vantage, inside: false, from: host, note: workloadFallbackSentence(from.name, host, reason) };
}

function insideVantage(from: ProbeSubject): WorkloadVantage | undefined {
  if (from.kind === 'container' && from.id) return { kind: 'workload', workload: from.name, containerId: from.id, host: from.vantage };
  const first = from.containers?.[0];
  if (from.kind === 'pod' && first && !from.hostNetwork) return { kind: 'workload', workload: from.name, containerId: first.id, containers: from.containers, host: from.vantage };
  return undefined;
}

/** What probing from inside gave: the run, or why the node's agent would not enter the workload and where the probe ran instead. */
export type InsideRun = { run: ProbeRun; choice: VantageChoice } | { refused: string; refusal: WorkloadRefusalCode; fallback: VantageChoice };

/**
 * Probes `target` from the chosen vantage. When a node's agent refuses to enter the pod (not opted in,
 * no process of those containers on the node, a process that failed its checks), nothing was sent from
 * inside; the answer is then `refused` with the choice of the pod's node instead, its sentence saying
 * so — the caller probes from there (or already did). Other errors propagate.
 */
export async function probeFromChoice(target: ProbeSubject, deps: { probes?: ProbeService }, plan: Omit<ProbePlan, 'from'>, choice: VantageChoice): Promise<InsideRun> {
  try {
    return { run: await probeSubject(target, deps, { ...plan, from: choice.vantage }), choice };
  } catch (err) {
    if (!(err instanceof AgentWorkloadRefusedError) || choice.vantage.kind !== 'workload') throw err;
    return { refused: err.message, refusal: err.refusal, fallback: hostFallback(choice.vantage, err) };
  }
}

function hostFallback(v: WorkloadVantage, err: AgentWorkloadRefusedError): VantageChoice {
  const host: HostVantage = v.host;
  const from = vantageName(host);
  const note =
    err.refusal === 'workload-vantage-off' && host.kind === 'node' ? noAgentVantageSentence(v.workload, host.node) : workloadFallbackSentence(v.workload, from, err.message.replace(/\.$/, ''));
  return { vantage: host, inside: false, from, note };
}
