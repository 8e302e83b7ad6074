import type { ProbeFact } from '../core/answer.js';
import type { DiagnosisStep } from '../core/diagnosis.js';
import { skipStep } from '../net/why-diagnosis.js';
import { probeStep } from '../net/why-probe-step.js';
import { probeSubject } from '../probe/probe-subject.js';
import type { ProbeService, ProbeSubject, Vantage } from '../probe/vantage.js';
import type { DockerSource } from './docker.js';
import { networkModeOf } from './docker-facts.js';
import { findContainer, requireDocker } from './docker-lookup.js';
import { probeVantage } from './why-docker-path.js';

/**
 * "Probe again": the probe step alone, against what the earlier answer probed — the same address and
 * port, from the same place (the Docker host, a node's agent, or inside the client container), through
 * the same allow-lists. The other steps are the caller's to keep. Where the earlier probe ran is read
 * back from its facts (`from`), so nothing but the earlier answer is needed.
 */
export interface ProbeAgainQuestion {
  docker?: DockerSource;
  probes?: ProbeService;
  /** What the answer is about: a container, a pod, a node, or a Service (whose endpoint pod was probed). */
  kind: 'container' | 'service' | 'pod' | 'node';
  to: string;
  /** The Kubernetes context of a Service answer (a node vantage is per cluster). */
  context?: string;
  previous: readonly ProbeFact[];
  previousStep?: DiagnosisStep;
}

async function vantageFrom(q: ProbeAgainQuestion, from: string): Promise<Vantage> {
  const node = /^node (.+)$/.exec(from)?.[1];
  if (node) return { kind: 'node', node, ...(q.context ? { context: q.context } : {}) };
  const inside = /^inside (.+)$/.exec(from)?.[1];
  if (!inside) return { kind: 'docker-host' };
  const docker = requireDocker(q);
  const [c, networks] = await Promise.all([findContainer(docker, inside), docker.listNetworks()]);
  const mode = networkModeOf(c);
  const owner = mode.kind === 'container' && mode.ownerId ? await docker.inspectContainer(mode.ownerId) : undefined;
  return probeVantage({ kind: 'container', name: inside, networks: [] }, { c, holder: owner ?? c, ...(owner ? { owner } : {}), networks: [] }, networks, q.probes).vantage;
}

export async function probeAgain(q: ProbeAgainQuestion): Promise<{ step: DiagnosisStep; probes: ProbeFact[] }> {
  const first = q.previous[0];
  if (!first) return { step: skipStep('probe', 'the earlier answer probed nothing'), probes: [] };
  const port = q.previous.find((f) => f.kind === 'tcp')?.port;
  const vantage = await vantageFrom(q, first.from);
  const subject: ProbeSubject = {
    kind: q.kind === 'container' ? 'container' : q.kind === 'node' ? 'ip' : 'pod',
    name: q.to,
    ip: first.target,
    vantage: vantage.kind === 'workload' ? vantage.host : vantage,
    ports: port !== undefined ? [{ port, protocol: 'tcp' }] : [],
    networks: [],
    hostNetwork: false,
  };
  const run = await probeSubject(subject, q, { ...(port !== undefined ? { port } : {}), from: vantage });
  const evidence = q.previousStep?.evidence ?? '';
  const vantageNote = /^[^(]* \((not from [^)]*)\):/.exec(evidence)?.[1] ?? / from [^(]*\((not from [^)]*)\):/.exec(evidence)?.[1];
  const target = /^(?:TCP|ICMP echo to) \S+ \(((?:pod|container|node) [^)]*)\) from /.exec(evidence)?.[1];
  return {
    step: probeStep({ facts: run.facts, from: run.from, degraded: run.degraded, ...(port !== undefined ? { port } : {}), ...(vantageNote ? { vantageNote } : {}), ...(target ? { target } : {}) }),
    probes: run.facts,
  };
}
