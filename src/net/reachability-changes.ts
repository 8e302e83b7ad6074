import type { NetworkPolicySpec, RuleSpec, SelectorSpec } from './policy-spec.js';

/**
 * What changed, for reachability, between two versions of a watched object: the "what changed?" that
 * follows "what is broken?". Only differences that can move a packet's fate count (a pod's IP, node,
 * readiness; a Service's selector, ports, type; an EndpointSlice's endpoints; a policy's spec; a node's
 * Ready and cordon state). A restart counter or an annotation is not a change here, so a relist that
 * finds the same state reports nothing.
 *
 * The inputs are the slim records the watch caches keep, described structurally here so that this
 * module stays pure knowledge (the sources' types fit them).
 */

export type ChangedKind = 'Pod' | 'Service' | 'EndpointSlice' | 'NetworkPolicy' | 'Node';

export interface PodShape {
  namespace: string;
  name: string;
  uid?: string;
  nodeName?: string;
  phase: string;
  podIPs: string[];
  ready: boolean;
  terminating: boolean;
  labels: Record<string, string>;
}

export interface ServiceShape {
  namespace: string;
  name: string;
  type: string;
  selector?: Record<string, string>;
  ports: { name?: string; port: number; protocol: string; targetPort?: number | string; nodePort?: number }[];
}

export interface EndpointSliceShape {
  namespace: string;
  name: string;
  serviceName?: string;
  endpoints: { addresses: string[]; ready: boolean; pod?: { namespace: string; name: string } }[];
}

export interface NodeShape {
  name: string;
  ready: boolean;
  unschedulable: boolean;
}

/** One change, as the history keeps it and `changes` shows it. */
export interface ObjectChange {
  kind: ChangedKind;
  namespace?: string;
  name: string;
  /** created, deleted, or what was edited. */
  action: 'created' | 'deleted' | 'changed';
  /** One line: "IP 10.244.1.10 → 10.244.1.12; ready → not ready". */
  diff: string;
  /** Other objects this change touches: the pods of an EndpointSlice, the Service it belongs to, a pod's node. */
  touches: ChangeRef[];
}

export interface ChangeRef {
  kind: ChangedKind;
  namespace?: string;
  name: string;
}

const arrow = (a: string, b: string) => `${a} → ${b}`;
const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
const labels = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length
    ? Object.entries(m)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : 'none';

// ---- pods ----

function podState(p: PodShape): string {
  if (p.terminating) return 'terminating';
  return p.ready ? 'ready' : 'not ready';
}

function podTouches(p: PodShape): ChangeRef[] {
  return p.nodeName ? [{ kind: 'Node', name: p.nodeName }] : [];
}

export function podChange(prev: PodShape | undefined, next: PodShape | undefined): ObjectChange | undefined {
  const p = next ?? prev;
  if (!p) return undefined;
  const base = { kind: 'Pod' as const, namespace: p.namespace, name: p.name };
  if (!prev && next) {
    const where = next.nodeName ? `on ${next.nodeName}` : 'not scheduled yet';
    const ip = next.podIPs.length ? `, IP ${next.podIPs.join(', ')}` : '';
    return { ...base, action: 'created', diff: `created ${where}${ip}, ${podState(next)}`, touches: podTouches(next) };
  }
  if (prev && !next) {
    const was = [prev.podIPs.length ? prev.podIPs.join(', ') : '', prev.nodeName ? `on ${prev.nodeName}` : ''].filter(Boolean).join(' ');
    return { ...base, action: 'deleted', diff: `deleted${was ? ` (was ${was})` : ''}`, touches: podTouches(prev) };
  }
  const a = prev!;
  const b = next!;
  const parts: string[] = [];
  // Same name, new uid: the pod was deleted and created again (a StatefulSet pod, or deletes the watch missed).
  if (a.uid && b.uid && a.uid !== b.uid) parts.push('recreated');
  if ((a.nodeName ?? '') !== (b.nodeName ?? '')) {
    parts.push(a.nodeName && b.nodeName ? `rescheduled ${arrow(a.nodeName, b.nodeName)}` : `node ${arrow(a.nodeName ?? 'none', b.nodeName ?? 'none')}`);
  }
  if (a.podIPs.join(',') !== b.podIPs.join(',')) parts.push(`IP ${arrow(list(a.podIPs), list(b.podIPs))}`);
  if (a.phase !== b.phase) parts.push(`phase ${arrow(a.phase, b.phase)}`);
  if (podState(a) !== podState(b)) parts.push(arrow(podState(a), podState(b)));
  if (labels(a.labels) !== labels(b.labels)) parts.push(`labels ${arrow(labels(a.labels), labels(b.labels))}`);
  if (!parts.length) return undefined;
  const touches = [...podTouches(a), ...podTouches(b)].filter((t, i, all) => all.findIndex((x) => x.name === t.name) === i);
  return { ...base, action: 'changed', diff: parts.join('; '), touches };
}

// ---- services ----

function portsText(s: ServiceShape): string {
  if (!s.ports.length) return 'none';
  return s.ports
    .map((p) => `${p.port}/${p.protocol.toUpperCase()}${p.targetPort !== undefined && String(p.targetPort) !== String(p.port) ? `→${p.targetPort}` : ''}${p.nodePort ? ` (node ${p.nodePort})` : ''}`)
    .join(', ');
}

export function serviceChange(prev: ServiceShape | undefined, next: ServiceShape | undefined): ObjectChange | undefined {
  const s = next ?? prev;
  if (!s) return undefined;
  const base = { kind: 'Service' as const, namespace: s.namespace, name: s.name, touches: [] };
  if (!prev && next) return { ...base, action: 'created', diff: `created: ${next.type}, selector ${labels(next.selector)}, ports ${portsText(next)}` };
  if (prev && !next) return { ...base, action: 'deleted', diff: `deleted (was ${prev.type}, selector ${labels(prev.selector)}, ports ${portsText(prev)})` };
  const a = prev!;
  const b = next!;
  const parts: string[] = [];
  if (labels(a.selector) !== labels(b.selector)) parts.push(`selector ${arrow(labels(a.selector), labels(b.selector))}`);
  if (portsText(a) !== portsText(b)) parts.push(`ports ${arrow(portsText(a), portsText(b))}`);
  if (a.type !== b.type) parts.push(`type ${arrow(a.type, b.type)}`);
  if (!parts.length) return undefined;
  return { ...base, action: 'changed', diff: parts.join('; ') };
}

// ---- endpoint slices ----

type Endpoint = EndpointSliceShape['endpoints'][number];
const endpointKey = (e: Endpoint) => e.addresses.join(',');
const endpointText = (e: Endpoint) => `${e.addresses.join(',')}${e.pod ? ` (${e.pod.name})` : ''}`;

function sliceTouches(s: EndpointSliceShape, also: readonly Endpoint[] = []): ChangeRef[] {
  const out: ChangeRef[] = s.serviceName ? [{ kind: 'Service', namespace: s.namespace, name: s.serviceName }] : [];
  const seen = new Set<string>();
  for (const e of [...s.endpoints, ...also]) {
    if (!e.pod || seen.has(`${e.pod.namespace}/${e.pod.name}`)) continue;
    seen.add(`${e.pod.namespace}/${e.pod.name}`);
    out.push({ kind: 'Pod', namespace: e.pod.namespace, name: e.pod.name });
  }
  return out;
}

export function endpointSliceChange(prev: EndpointSliceShape | undefined, next: EndpointSliceShape | undefined): ObjectChange | undefined {
  const s = next ?? prev;
  if (!s) return undefined;
  const base = { kind: 'EndpointSlice' as const, namespace: s.namespace, name: s.name };
  const count = (x: EndpointSliceShape) => `${x.endpoints.length} endpoint${x.endpoints.length === 1 ? '' : 's'} (${x.endpoints.filter((e) => e.ready).length} ready)`;
  if (!prev && next) return { ...base, action: 'created', diff: `created with ${count(next)}`, touches: sliceTouches(next) };
  if (prev && !next) return { ...base, action: 'deleted', diff: `deleted (had ${count(prev)})`, touches: sliceTouches(prev) };
  const a = new Map(prev!.endpoints.map((e) => [endpointKey(e), e]));
  const b = new Map(next!.endpoints.map((e) => [endpointKey(e), e]));
  const added = [...b.values()].filter((e) => !a.has(endpointKey(e)));
  const removed = [...a.values()].filter((e) => !b.has(endpointKey(e)));
  const notReady = [...b.values()].filter((e) => a.get(endpointKey(e))?.ready === true && !e.ready);
  const readyAgain = [...b.values()].filter((e) => a.get(endpointKey(e))?.ready === false && e.ready);
  const parts = [
    ...(added.length ? [`added ${added.map(endpointText).join(', ')}`] : []),
    ...(removed.length ? [`removed ${removed.map(endpointText).join(', ')}`] : []),
    ...(notReady.length ? [`not ready ${notReady.map(endpointText).join(', ')}`] : []),
    ...(readyAgain.length ? [`ready again ${readyAgain.map(endpointText).join(', ')}`] : []),
  ];
  if (!parts.length) return undefined;
  return { ...base, action: 'changed', diff: parts.join('; '), touches: sliceTouches(next!, removed) };
}

// ---- network policies ----

function selectorText(s: SelectorSpec): string {
  const parts = [
    ...Object.entries(s.matchLabels ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(',')})` : ''}`),
  ];
  return parts.length ? parts.join(',') : 'all pods';
}

function rulesText(rules: readonly RuleSpec[]): string {
  return String(rules.length);
}

function policySummary(p: NetworkPolicySpec): string {
  const types = p.policyTypes.length ? p.policyTypes.join('+') : 'ingress';
  return `selects ${selectorText(p.podSelector)}, ${types}, ${rulesText(p.ingress)} ingress / ${rulesText(p.egress)} egress rules`;
}

export function networkPolicyChange(prev: NetworkPolicySpec | undefined, next: NetworkPolicySpec | undefined): ObjectChange | undefined {
  const p = next ?? prev;
  if (!p) return undefined;
  const base = { kind: 'NetworkPolicy' as const, namespace: p.namespace, name: p.name, touches: [] };
  if (!prev && next) return { ...base, action: 'created', diff: `created: ${policySummary(next)}` };
  if (prev && !next) return { ...base, action: 'deleted', diff: `deleted (${policySummary(prev)})` };
  const a = prev!;
  const b = next!;
  const parts: string[] = [];
  if (selectorText(a.podSelector) !== selectorText(b.podSelector)) parts.push(`podSelector ${arrow(selectorText(a.podSelector), selectorText(b.podSelector))}`);
  if (a.policyTypes.join('+') !== b.policyTypes.join('+')) parts.push(`policyTypes ${arrow(a.policyTypes.join('+') || 'none', b.policyTypes.join('+') || 'none')}`);
  if (a.ingress.length !== b.ingress.length) parts.push(`ingress rules ${arrow(String(a.ingress.length), String(b.ingress.length))}`);
  else if (JSON.stringify(a.ingress) !== JSON.stringify(b.ingress)) parts.push('ingress rules edited');
  if (a.egress.length !== b.egress.length) parts.push(`egress rules ${arrow(String(a.egress.length), String(b.egress.length))}`);
  else if (JSON.stringify(a.egress) !== JSON.stringify(b.egress)) parts.push('egress rules edited');
  if (!parts.length) return undefined;
  return { ...base, action: 'changed', diff: parts.join('; ') };
}

// ---- nodes ----

export function nodeChange(prev: NodeShape | undefined, next: NodeShape | undefined): ObjectChange | undefined {
  const n = next ?? prev;
  if (!n) return undefined;
  const base = { kind: 'Node' as const, name: n.name, touches: [] };
  const state = (x: NodeShape) => `${x.ready ? 'Ready' : 'NotReady'}${x.unschedulable ? ', cordoned' : ''}`;
  if (!prev && next) return { ...base, action: 'created', diff: `joined: ${state(next)}` };
  if (prev && !next) return { ...base, action: 'deleted', diff: `removed (was ${state(prev)})` };
  const parts: string[] = [];
  if (prev!.ready !== next!.ready) parts.push(arrow(prev!.ready ? 'Ready' : 'NotReady', next!.ready ? 'Ready' : 'NotReady'));
  if (prev!.unschedulable !== next!.unschedulable) parts.push(next!.unschedulable ? 'cordoned' : 'uncordoned');
  if (!parts.length) return undefined;
  return { ...base, action: 'changed', diff: parts.join('; ') };
}

// ---- which changes touch a subject ----

const sameRef = (a: ChangeRef, b: ChangeRef) => a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

/**
 * Whether a change concerns a subject: the object itself, an object the change names (an endpoint's pod,
 * a slice's Service, a pod's node), or a NetworkPolicy in the subject's namespace (it may select it;
 * listing one too many beats hiding the one that broke the path).
 */
export function changeTouches(c: ObjectChange, subject: ChangeRef & { nodeName?: string }): boolean {
  const self: ChangeRef = { kind: c.kind, name: c.name, ...(c.namespace !== undefined ? { namespace: c.namespace } : {}) };
  if (sameRef(self, subject)) return true;
  if (c.touches.some((t) => sameRef(t, subject))) return true;
  if (c.kind === 'NetworkPolicy' && subject.kind !== 'Node' && c.namespace === subject.namespace) return true;
  if (c.kind === 'Node' && subject.nodeName === c.name) return true;
  return false;
}
