import { isDnsLabel, isDnsSubdomain } from './names.js';
import { isIpAddress, normalizeIp } from './subnet.js';

/**
 * What an alert is about, read from the places alerting tools put it: Prometheus/Alertmanager label sets
 * (kube-state-metrics, cAdvisor, the Prometheus operator's target labels), goldpinger's and kubenurse's
 * metric labels. Pure: label sets in, subjects out; nothing is looked up here.
 */

export type AlertSubject =
  | { kind: 'pod'; name: string; namespace?: string; container?: string }
  | { kind: 'service'; name: string; namespace?: string }
  | { kind: 'node'; name: string }
  | { kind: 'ip'; name: string }
  | { kind: 'namespace'; name: string };

/**
 * Label names per kind, most specific first. `exported_*` comes first: Prometheus renames a metric's own
 * label to exported_* when the scrape target has the same label, so there the target's label names the
 * exporter (kube-state-metrics), and exported_* the object the alert is about.
 */
const LABELS = {
  namespace: ['exported_namespace', 'namespace', 'kubernetes_namespace', 'k8s_namespace_name'],
  pod: ['exported_pod', 'pod', 'pod_name', 'kubernetes_pod_name', 'k8s_pod_name'],
  container: ['exported_container', 'container', 'container_name', 'k8s_container_name'],
  service: ['exported_service', 'service', 'service_name', 'kubernetes_service_name', 'k8s_service_name'],
  node: ['exported_node', 'node', 'kubernetes_node', 'nodename', 'k8s_node_name'],
  ip: ['pod_ip', 'host_ip', 'ip', 'target_ip'],
} as const;

type Labels = Readonly<Record<string, string | undefined>>;

function first(labels: Labels, names: readonly string[], valid: (v: string) => boolean): string | undefined {
  for (const n of names) {
    const v = labels[n]?.trim();
    if (v && valid(v)) return v;
  }
  return undefined;
}

/** An IP from "10.1.2.3", "10.1.2.3:8080" or "[fd00::1]:8080" (Prometheus's `instance`). */
export function ipOfInstance(value: string): string | undefined {
  const v = value.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d+)?$/.exec(v);
  const candidate = bracketed ? bracketed[1]! : /^(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(v)?.[1] ?? v;
  return isIpAddress(candidate) ? normalizeIp(candidate) : undefined;
}

const isName = (v: string): boolean => v.length <= 253 && isDnsSubdomain(v);
const isLabelName = (v: string): boolean => v.length <= 63 && isDnsLabel(v);

/**
 * The subjects of one label set. A pod wins over a Service label on the same alert: alongside `pod`,
 * `service` is nearly always the scrape target's Service (kube-state-metrics), not what broke.
 */
export function subjectsFromLabels(labels: Labels): AlertSubject[] {
  const out: AlertSubject[] = [];
  const namespace = first(labels, LABELS.namespace, isLabelName);
  const ns = namespace ? { namespace } : {};
  const pod = first(labels, LABELS.pod, isName);
  const container = first(labels, LABELS.container, isLabelName);
  if (pod) out.push({ kind: 'pod', name: pod, ...ns, ...(container && container !== 'POD' ? { container } : {}) });
  const service = pod ? undefined : first(labels, LABELS.service, isLabelName);
  if (service) out.push({ kind: 'service', name: service, ...ns });
  // kubenurse: `type="path_<node>"` is the check of the neighbour on that node.
  const kubenursePath = /^path_(.+)$/.exec(labels.type ?? '')?.[1];
  const node = first(labels, LABELS.node, isName) ?? (kubenursePath && isName(kubenursePath) ? kubenursePath : undefined);
  if (node) out.push({ kind: 'node', name: node });
  // goldpinger: goldpinger_instance is the pinging pod's host name (its node in the documented DaemonSet).
  const pinger = first(labels, ['goldpinger_instance'], isName);
  if (pinger && pinger !== node) out.push({ kind: 'node', name: pinger });
  for (const name of LABELS.ip) {
    const ip = labels[name] ? ipOfInstance(labels[name] as string) : undefined;
    if (ip) out.push({ kind: 'ip', name: ip });
  }
  // Prometheus's `instance` is host:port; only an address says something (a name is usually the exporter).
  const instanceIp = labels.instance ? ipOfInstance(labels.instance) : undefined;
  if (instanceIp && !pod) out.push({ kind: 'ip', name: instanceIp });
  if (namespace && !pod && !service) out.push({ kind: 'namespace', name: namespace });
  return dedupeSubjects(out);
}

export function subjectKey(s: AlertSubject): string {
  return `${s.kind}:${'namespace' in s && s.namespace ? `${s.namespace}/` : ''}${s.name}`;
}

/** Each subject once, in first-seen order. */
export function dedupeSubjects(list: readonly AlertSubject[]): AlertSubject[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const k = subjectKey(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** How a subject reads in a message: "pod shop/webserver-2", "node worker-1". */
export function describeSubject(s: AlertSubject): string {
  const word = s.kind === 'service' ? 'Service' : s.kind === 'ip' ? 'IP' : s.kind;
  const where = 'namespace' in s && s.namespace ? `${s.namespace}/` : '';
  return `${word} ${where}${s.name}`;
}
