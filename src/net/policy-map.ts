import type { AllowedRange, AnswerGraph } from '../core/policy-verdict.js';
import { describeAllowed } from './explain-policy.js';
import type { PolicyEngine } from './policy-engine.js';
import type { PolicyPod } from './policy-peers.js';

/**
 * The allowed connections between the workloads of one namespace, as a graph: one node per workload
 * (its pods share labels and ports, so one pod stands for it), one edge per ordered pair the policies
 * let connect, labelled with the ports. Pure: the caller hands the engine and the pods.
 */

export interface Workload {
  /** "db" for the StatefulSet db, "web" for the Deployment web (ReplicaSet web-7d9c5b), else the pod's name. */
  name: string;
  /** The pod that stands for the workload. */
  pod: PolicyPod;
  pods: number;
}

export interface MapEdge {
  from: string;
  to: string;
  allowed: 'all' | AllowedRange[];
}

export interface PolicyMap {
  namespace: string;
  workloads: Workload[];
  edges: MapEdge[];
  /** Workloads isolated for ingress (drawn with a bold border). */
  isolated: string[];
  /** Workloads left out because the namespace has more than the picture can show. */
  omitted: number;
  /** Workloads the engine does not evaluate (hostNetwork pods) or cannot (unreadable policies), with why. */
  skipped: { name: string; reason: string }[];
}

/** More than this many workloads make an unreadable picture (and n² evaluations): the rest are counted. */
export const MAX_MAP_WORKLOADS = 60;

export function buildPolicyMap(engine: PolicyEngine, namespace: string, workloads: readonly Workload[]): PolicyMap {
  const sorted = [...workloads].sort((a, b) => a.name.localeCompare(b.name));
  const skipped: PolicyMap['skipped'] = [];
  const shown: Workload[] = [];
  for (const w of sorted) {
    // A pod the engine refuses about (hostNetwork, an unreadable selecting policy) is refused with any peer.
    const self = engine.evaluate({ kind: 'pod', pod: w.pod }, { kind: 'pod', pod: w.pod }).verdict;
    if (self.evaluated) shown.push(w);
    else skipped.push({ name: w.name, reason: self.reason ?? 'not evaluated' });
  }
  const kept = shown.slice(0, MAX_MAP_WORKLOADS);
  const edges: MapEdge[] = [];
  for (const a of kept) {
    for (const b of kept) {
      if (a === b) continue;
      const v = engine.evaluate({ kind: 'pod', pod: a.pod }, { kind: 'pod', pod: b.pod }).verdict;
      if (v.evaluated && v.allowed && v.allowed !== 'none') edges.push({ from: a.name, to: b.name, allowed: v.allowed });
    }
  }
  const isolated = kept.filter((w) => engine.selecting(w.pod, 'ingress').length > 0).map((w) => w.name);
  return { namespace, workloads: kept, edges, isolated, omitted: shown.length - kept.length, skipped };
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function edgeLabel(e: MapEdge): string {
  return e.allowed === 'all' ? 'any port' : describeAllowed(e.allowed);
}

/** The map as Graphviz DOT and as the Answer's graph (nodes and edges listed for JSON readers and tests). */
export function policyMapGraph(map: PolicyMap): AnswerGraph {
  const lines = [
    `digraph ${quote(`policy map ${map.namespace}`)} {`,
    '  rankdir=LR;',
    `  label=${quote(`Allowed connections in namespace ${map.namespace} (NetworkPolicies)`)}; labelloc=t; fontname="DejaVu Sans";`,
    '  node [shape=box, style=rounded, fontname="DejaVu Sans"];',
    '  edge [fontname="DejaVu Sans", fontsize=10];',
  ];
  for (const w of map.workloads) {
    const bold = map.isolated.includes(w.name) ? ', penwidth=2' : '';
    lines.push(`  ${quote(w.name)} [label=${quote(`${w.name}${w.pods > 1 ? ` (${w.pods} pods)` : ''}`)}${bold}];`);
  }
  for (const e of map.edges) lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(edgeLabel(e))}];`);
  lines.push('}');
  return {
    dot: lines.join('\n'),
    name: `policy-map-${map.namespace}`,
    nodes: map.workloads.map((w) => ({ id: w.name, label: w.name, kind: 'workload' as const })),
    edges: map.edges.map((e) => ({ from: e.from, to: e.to, label: edgeLabel(e) })),
  };
}
