/**
 * Server-side printing: the `meta.k8s.io/v1 Table` the real API server returns when kubectl asks for
 * `as=Table`, with the same columns, priorities and cell text as pkg/printers/internalversion.
 */
import type { KubeObject, ResourceDef } from './resources.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Column = { name: string; type: string; format: string; description: string; priority: number };
type Printer = { columns: Column[]; row: (o: Json) => unknown[] };

const col = (name: string, type = 'string', priority = 0, format = ''): Column => ({ name, type, format, description: '', priority });
const NAME = { ...col('Name', 'string', 0, 'name'), description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names' };
const AGE = { ...col('Age'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' };

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

const age = (ts: unknown) => (typeof ts === 'string' && ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>');
const orNone = (s: unknown) => (typeof s === 'string' && s !== '' ? s : '<none>');
const restartable = (c: Json | undefined) => c?.restartPolicy === 'Always';

function printPod(pod: Json): unknown[] {
  const spec = pod.spec ?? {}, st = pod.status ?? {};
  const initSpecs = new Map<string, Json>((spec.initContainers ?? []).map((c: Json) => [c.name, c]));
  const total = (spec.containers ?? []).length + [...initSpecs.values()].filter(restartable).length;
  let ready = 0, restarts = 0, sidecarRestarts = 0;
  let lastRestart = 0, lastSidecarRestart = 0;
  let reason: string = st.reason || st.phase || '';
  for (const c of st.conditions ?? []) if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  const finished = (c: Json) => Date.parse(c.lastState?.terminated?.finishedAt ?? '') || 0;
  let initializing = false;
  const inits: Json[] = st.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finished(c));
    const side = restartable(initSpecs.get(c.name));
    if (side) { sidecarRestarts += c.restartCount ?? 0; lastSidecarRestart = Math.max(lastSidecarRestart, finished(c)); }
    const term = c.state?.terminated, wait = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (side && c.started === true) { if (c.ready) ready++; continue; }
    if (term) reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    else if (wait?.reason && wait.reason !== 'PodInitializing') reason = `Init:${wait.reason}`;
    else reason = `Init:${i}/${initSpecs.size}`;
    initializing = true;
    break;
  }
  const initialized = (st.conditions ?? []).some((c: Json) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const cs: Json[] = st.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finished(c));
      const term = c.state?.terminated, wait = c.state?.waiting;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) { hasRunning = true; ready++; }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = (st.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && st.phase !== 'Succeeded' && st.phase !== 'Failed') reason = 'Terminating';
  const restartsStr = restarts !== 0 && lastRestart ? `${restarts} (${humanDuration(Date.now() - lastRestart)} ago)` : String(restarts);
  let gates = '<none>';
  if ((spec.readinessGates ?? []).length) {
    const ok = spec.readinessGates.filter((g: Json) => (st.conditions ?? []).find((c: Json) => c.type === g.conditionType)?.status === 'True').length;
    gates = `${ok}/${spec.readinessGates.length}`;
  }
  return [
    pod.metadata.name, `${ready}/${total}`, reason, restartsStr, age(pod.metadata.creationTimestamp),
    orNone(st.podIPs?.[0]?.ip), orNone(spec.nodeName), orNone(st.nominatedNodeName), gates,
  ];
}

const formatLabels = (m: Record<string, string> | undefined) =>
  m && Object.keys(m).length ? Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(',') : '<none>';

function printService(svc: Json): unknown[] {
  const spec = svc.spec ?? {};
  const ext: string[] = spec.externalIPs ?? [];
  let external: string;
  switch (spec.type) {
    case 'ClusterIP': case 'NodePort': external = ext.length ? ext.join(',') : '<none>'; break;
    case 'LoadBalancer': {
      const lb = (svc.status?.loadBalancer?.ingress ?? []).map((i: Json) => i.ip || i.hostname).filter(Boolean);
      external = [...lb, ...ext].join(',') || '<pending>';
      break;
    }
    case 'ExternalName': external = spec.externalName ?? ''; break;
    default: external = '<unknown>';
  }
  const ports = (spec.ports ?? []).map((p: Json) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
  return [svc.metadata.name, spec.type, spec.clusterIPs?.[0] ?? '<none>', external, ports || '<none>', age(svc.metadata.creationTimestamp), formatLabels(spec.selector)];
}

function printNode(node: Json): unknown[] {
  const ready = (node.status?.conditions ?? []).find((c: Json) => c.type === 'Ready');
  const status = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  const labels: Record<string, string> = node.metadata.labels ?? {};
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 24) roles.add(k.slice(24));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  const addr = (t: string) => (node.status?.addresses ?? []).find((a: Json) => a.type === t)?.address ?? '<none>';
  const info = node.status?.nodeInfo ?? {};
  const unk = (s: unknown) => (typeof s === 'string' && s ? s : '<unknown>');
  return [
    node.metadata.name, status.join(','), [...roles].sort().join(',') || '<none>', age(node.metadata.creationTimestamp), info.kubeletVersion ?? '',
    addr('InternalIP'), addr('ExternalIP'), unk(info.osImage), unk(info.kernelVersion), unk(info.containerRuntimeVersion),
  ];
}

function firstThree(items: string[]): string {
  if (items.length > 3) return `${items.slice(0, 3).join(',')} + ${items.length - 3} more...`;
  return items.join(',') || '<unset>';
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [NAME, col('Ready'), col('Status'), col('Restarts'), AGE, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    row: printPod,
  },
  Service: {
    columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 'string', 1)],
    row: printService,
  },
  Node: {
    columns: [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 'string', 1), col('External-IP', 'string', 1), col('OS-Image', 'string', 1), col('Kernel-Version', 'string', 1), col('Container-Runtime', 'string', 1)],
    row: printNode,
  },
  Namespace: { columns: [NAME, col('Status'), AGE], row: (o) => [o.metadata.name, o.status?.phase ?? '', age(o.metadata.creationTimestamp)] },
  ConfigMap: {
    columns: [NAME, col('Data', 'integer'), AGE],
    row: (o) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o.metadata.creationTimestamp)],
  },
  EndpointSlice: {
    columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE],
    row: (o) => [
      o.metadata.name, o.addressType ?? '',
      firstThree((o.ports ?? []).map((p: Json) => (p.port != null ? String(p.port) : p.name != null ? p.name : '*'))),
      firstThree((o.endpoints ?? []).flatMap((e: Json) => e.addresses ?? [])),
      age(o.metadata.creationTimestamp),
    ],
  },
  NetworkPolicy: {
    columns: [NAME, { ...col('Pod-Selector'), description: 'podSelector selects the pods to which this NetworkPolicy object applies. The array of rules is applied to any pods selected by this field. An empty selector matches all pods in this namespace.' }, AGE],
    row: (o) => [o.metadata.name, formatGoLabelSelector(o.spec?.podSelector), age(o.metadata.creationTimestamp)],
  },
  Lease: { columns: [NAME, col('Holder'), AGE], row: (o) => [o.metadata.name, o.spec?.holderIdentity ?? '', age(o.metadata.creationTimestamp)] },
};

type GoSelector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/**
 * metav1.FormatLabelSelector: requirements sorted by key, `k=v` for matchLabels, `k in (a,b)` /
 * `k notin (a,b)` with sorted values, `k` / `!k`; an empty selector prints `<none>`.
 */
export function formatGoLabelSelector(sel: GoSelector | undefined): string {
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort();
    const set = (op: string) => `${e.key} ${op} (${values.join(',')})`;
    const text = e.operator === 'In' ? set('in') : e.operator === 'NotIn' ? set('notin') : e.operator === 'Exists' ? e.key : e.operator === 'DoesNotExist' ? `!${e.key}` : '<error>';
    if (text === '<error>') return '<error>';
    reqs.push({ key: e.key, text });
  }
  // sort.Stable by key: matchLabels come first for equal keys, as LabelSelectorAsSelector adds them first.
  const sorted = reqs.map((r, i) => ({ ...r, i })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  return sorted.map((r) => r.text).join(',') || '<none>';
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(o: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** A Table for a list (or one object); `columns: false` leaves the definitions out (later watch events). */
export function toTable(
  r: ResourceDef,
  items: KubeObject[],
  listMeta: Record<string, unknown>,
  include: IncludeObject,
  columns = true,
): Record<string, unknown> {
  const p = PRINTERS[r.kind]!;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns ? p.columns : null,
    rows: items.map((o) => {
      const row: Record<string, unknown> = { cells: p.row(o as Json) };
      const phase = (o as Json).status?.phase;
      if (r.kind === 'Pod' && (phase === 'Succeeded' || phase === 'Failed')) {
        row.conditions = [{ type: 'Completed', status: 'True', reason: phase, message: phase === 'Succeeded' ? 'The pod has completed successfully.' : 'The pod failed.' }];
      }
      const obj = rowObject(o, include);
      if (obj !== undefined) row.object = obj;
      return row;
    }),
  };
}
