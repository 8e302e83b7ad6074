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

// ---- messages: the "Diagnose with netpeek" shortcut ----

/** The parts of a Slack message a shortcut payload carries (text, legacy attachments, Block Kit blocks). */
export interface MessageLike {
  text?: string;
  attachments?: readonly unknown[];
  blocks?: readonly unknown[];
}

/** What the extractor looks for, said to the person when it finds nothing. */
export const LOOKED_FOR = [
  'label sets such as `namespace="shop", pod="web-1"` or `pod: web-1` (Alertmanager, goldpinger, kubenurse; also in attachment fields)',
  '`pod/<name>`, `pod <namespace>/<name>`, `svc/<name>`, `service <name>`, `node <name>` with `-n <namespace>` or "in namespace <ns>"',
  'Service DNS names like `web.shop.svc.cluster.local`',
  'IP addresses like `10.244.1.10`',
];

/** Label names read from text, in any of `name="v"`, `name=v`, `name: v`, `name = v`. */
const TEXT_LABELS = new Set<string>([...Object.values(LABELS).flat(), 'instance', 'type', 'goldpinger_instance']);
const STOP_WORDS = new Set(['is', 'was', 'are', 'has', 'had', 'the', 'a', 'an', 'in', 'on', 'of', 'to', 'for', 'and', 'or', 'not', 'no', 'it', 'its', 'this', 'that', 'with', 'from', 'be', 'been', 'being', 'can', 'cannot', 'could', 'may', 'will', 'down', 'up', 'ready', 'restarts', 'restarted', 'name', 'names', 'network', 'ip', 'cidr']);

/** Slack mrkdwn as plain text: entities, <url|label> links, <@U…> mentions, *bold* / ~strike~ / `code` marks. */
export function plainText(s: string): string {
  return s
    .replace(/<([^<>|]*)\|([^<>]*)>/g, '$2')
    .replace(/<([^<>]*)>/g, (_, inner: string) => (/^[@#!]/.test(inner) ? '' : inner))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    // Not `_`: label names (pod_ip, path_worker-2) are full of them, and _italic_ changes no word.
    .replace(/[*`~]/g, ' ');
}

const rec = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Every text of a Block Kit block tree (section/context/header texts and fields, rich_text elements). */
function blockTexts(v: unknown, out: string[], depth = 0): void {
  if (depth > 12) return;
  if (Array.isArray(v)) {
    for (const x of v) blockTexts(x, out, depth + 1);
    return;
  }
  const o = rec(v);
  if (typeof o.text === 'string') out.push(o.text);
  else if (o.text) blockTexts(o.text, out, depth + 1);
  if (o.type === 'link' && typeof o.url === 'string' && typeof o.text !== 'string') out.push(o.url);
  for (const key of ['fields', 'elements']) if (Array.isArray(o[key])) blockTexts(o[key], out, depth + 1);
}

/** The message's texts, each a separate segment (labels in one segment belong together). */
export function messageSegments(m: MessageLike): { texts: string[]; fields: Record<string, string>[] } {
  const texts: string[] = [];
  const fields: Record<string, string>[] = [];
  if (m.text) texts.push(m.text);
  for (const a of m.attachments ?? []) {
    const att = rec(a);
    for (const k of ['pretext', 'title', 'text', 'footer']) if (str(att[k])) texts.push(att[k] as string);
    // Attachment fields are a label set when their titles are label names (Alertmanager's slack_configs templates).
    const set: Record<string, string> = {};
    for (const f of Array.isArray(att.fields) ? att.fields : []) {
      const title = str(rec(f).title)?.trim().toLowerCase();
      const value = str(rec(f).value);
      if (title && value !== undefined) {
        if (TEXT_LABELS.has(title)) set[title] = plainText(value).trim();
        else texts.push(`${title}: ${value}`);
      }
    }
    if (Object.keys(set).length) fields.push(set);
    if (Array.isArray(att.blocks)) blockTexts(att.blocks, texts);
  }
  if (m.blocks) blockTexts(m.blocks, texts);
  // The fallback text repeats what the blocks say; it is read anyway, and duplicates are dropped later.
  return { texts: texts.map(plainText), fields };
}

/** Label sets written out in text: each `{…}` group, each paragraph of `label: value` lines. */
export function labelSetsInText(text: string): Record<string, string>[] {
  const sets: Record<string, string>[] = [];
  const pair = /\b([a-z_][a-z0-9_]*)\s*(?:=~?|:)\s*"?([A-Za-z0-9][A-Za-z0-9_.:[\]-]*)"?/g;
  const read = (chunk: string): void => {
    const set: Record<string, string> = {};
    for (const m of chunk.matchAll(pair)) {
      const [, name = '', value = ''] = m;
      if (TEXT_LABELS.has(name) && !(name in set)) set[name] = value.replace(/[.:]+$/, '');
    }
    if (Object.keys(set).length) sets.push(set);
  };
  const braces = [...text.matchAll(/\{([^{}]*)\}/g)];
  for (const b of braces) read(b[1] ?? '');
  const rest = braces.reduce((t, b) => t.replace(b[0], ' '), text);
  for (const paragraph of rest.split(/\n\s*\n/)) read(paragraph);
  return sets;
}

const NAME = '[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?';
const NS = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';

/** Subjects named in prose: "pod shop/web-1", "pod/web-1 -n shop", "svc/api", "node worker-2", DNS names, IPs. */
export function subjectsInProse(text: string): AlertSubject[] {
  const out: AlertSubject[] = [];
  const lower = text.toLowerCase();
  const nsHint = new RegExp(`(?:-n|--namespace)[ =](${NS})\\b|\\bnamespace[ :=]+"?(${NS})\\b|\\bin (?:the )?(${NS}) namespace\\b|\\bin namespace (${NS})\\b`).exec(lower);
  const defaultNs = nsHint ? (nsHint[1] ?? nsHint[2] ?? nsHint[3] ?? nsHint[4]) : undefined;
  const withNs = (ns: string | undefined) => {
    const n = ns ?? defaultNs;
    return n && !STOP_WORDS.has(n) ? { namespace: n } : {};
  };
  const kinds: [RegExp, 'pod' | 'service' | 'node'][] = [
    [new RegExp(`\\bpod(?:/| +)(?:(${NS})/)?(${NAME})`, 'g'), 'pod'],
    [new RegExp(`\\b(?:svc|service)(?:/| +)(?:(${NS})/)?(${NAME})`, 'g'), 'service'],
    [new RegExp(`\\bnode(?:/| +)()(${NAME})`, 'g'), 'node'],
  ];
  for (const [re, kind] of kinds) {
    for (const m of lower.matchAll(re)) {
      const ns = m[1] || undefined;
      const name = (m[2] ?? '').replace(/\.+$/, '');
      if (!name || STOP_WORDS.has(name) || !isName(name) || /^\d+$/.test(name)) continue;
      if (kind === 'node') out.push({ kind, name });
      else if (kind === 'service' && !isLabelName(name)) continue;
      else out.push({ kind, name, ...withNs(ns) } as AlertSubject);
    }
  }
  for (const m of lower.matchAll(new RegExp(`\\b(${NS})\\.(${NS})\\.svc(?:\\.cluster\\.local)?\\b`, 'g'))) out.push({ kind: 'service', name: m[1]!, namespace: m[2]! });
  for (const m of text.matchAll(/(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?(?![\d.])/g)) {
    const ip = ipOfInstance(m[1]!);
    if (ip) out.push({ kind: 'ip', name: ip });
  }
  if (defaultNs && !out.some((s) => 'namespace' in s && s.namespace === defaultNs)) out.push({ kind: 'namespace', name: defaultNs });
  return out;
}

/**
 * Everything a message names, label sets first (they are exact), then prose. A subject found in prose
 * without a namespace is dropped when a label set named the same object with one.
 */
export function subjectsFromMessage(m: MessageLike): AlertSubject[] {
  const { texts, fields } = messageSegments(m);
  const fromLabels = [...fields, ...texts.flatMap(labelSetsInText)].flatMap((set) => subjectsFromLabels(set));
  const fromProse = texts.flatMap(subjectsInProse);
  const named = new Set(fromLabels.filter((s) => 'namespace' in s && s.namespace).map((s) => `${s.kind}:${s.name}`));
  const vague = (s: AlertSubject) => (s.kind === 'pod' || s.kind === 'service') && !s.namespace && named.has(`${s.kind}:${s.name}`);
  const all = dedupeSubjects([...fromLabels, ...fromProse.filter((s) => !vague(s))]);
  // A namespace is a subject only when nothing else in the message lives in it.
  const covered = new Set(all.flatMap((s) => ('namespace' in s && s.namespace ? [s.namespace] : [])));
  return all.filter((s) => s.kind !== 'namespace' || !covered.has(s.name));
}
