import { newAnswer, type Answer } from '../src/core/answer.js';
import { UserError } from '../src/core/errors.js';
import type { NetpeekCommand } from '../src/deps.js';
import type { ChangedKind, ChangeRef } from '../src/net/reachability-changes.js';
import { checkKubernetesName, type KubernetesObjectKind } from '../src/net/names.js';
import type { ChangeFilter, RecordedChange } from '../src/sources/kube-change-history.js';
import type { KubeCluster } from '../src/sources/kube-cluster.js';
import { clusterFor, requireNamespace } from '../src/sources/kube-lookup.js';
import { ago, changeEntry } from '../src/sources/kube-recent-changes.js';
import { parseSince } from './audit.js';

const SHOWN = 50;

/** `TYPE/NAME` spellings kubectl users type, by the kind the history records. */
const TYPES: Record<string, ChangedKind> = {
  pod: 'Pod', pods: 'Pod', po: 'Pod',
  svc: 'Service', service: 'Service', services: 'Service',
  node: 'Node', nodes: 'Node', no: 'Node',
  netpol: 'NetworkPolicy', networkpolicy: 'NetworkPolicy', networkpolicies: 'NetworkPolicy',
};

/** How each kind is named in answers, and which name rule checks a target of that kind. */
const KIND_WORDS: Record<ChangedKind, { word: string; nameRule: KubernetesObjectKind }> = {
  Pod: { word: 'pod', nameRule: 'pod' },
  Service: { word: 'Service', nameRule: 'service' },
  Node: { word: 'node', nameRule: 'node' },
  NetworkPolicy: { word: 'NetworkPolicy', nameRule: 'namespace' },
  EndpointSlice: { word: 'EndpointSlice', nameRule: 'pod' },
};

const TARGET_HELP = ['Targets: pod/<name>, svc/<name>, node/<name>, netpol/<name>; or none for every change.', 'Example: changes svc/cart -n shop --since 1h'];

export const changes: NetpeekCommand = {
  name: 'changes',
  aliases: ['changed'],
  summary: 'What changed recently that matters for reachability: pods, Services, EndpointSlices, NetworkPolicies, nodes',
  args: [{ name: '[pod/<name>|svc/<name>|node/<name>|netpol/<name>]', required: false, completes: ['pod', 'service', 'node'], typedOnly: true }],
  flags: ['namespace', 'allNamespaces', 'since', 'cluster'],
  examples: ['changes', 'changes -n shop --since 1h', 'changes -A --since 30m', 'changes svc/cart -n shop', 'changes pod/web-1 --since 30m'],
  subject: { role: 'about', kind: 'changes' },
  sendsPackets: 'never',
  description:
    'The changes the Kubernetes watches saw since netpeek started watching, newest first: pods created, deleted, rescheduled, ' +
    'with a new IP or readiness; Service selectors, ports and types edited; EndpointSlice endpoints added, removed or not ready; ' +
    'NetworkPolicies created, edited or deleted; nodes Ready/NotReady and cordoned. Each with its time, a one-line diff and the ' +
    'field manager that wrote it. The history is in memory (NETPEEK_CHANGE_HISTORY_MAX / _MAX_AGE_MIN): ask the bot or the ' +
    'console, which have been watching; a one-shot terminal command has only just started.',
  async run(query, deps) {
    const cluster = clusterFor(deps, query.flags.cluster);
    const target = query.args[0];
    // -A: every namespace this conversation may see, over -n (and over a Slack channel's default namespace).
    if (query.flags.allNamespaces && target !== undefined && !/^(node|nodes|no)\//i.test(target)) {
      throw new UserError(`-A is for every change; "${target}" is in one namespace, so name it with -n instead.`, [`Example: changes ${target} -n shop`, 'Every namespace: changes -A']);
    }
    const ns = query.flags.allNamespaces ? undefined : query.flags.namespace;
    if (ns !== undefined) await requireNamespace(cluster, ns, deps);
    const filter: ChangeFilter = {};
    if (query.flags.since !== undefined) filter.since = Date.parse(parseSince(query.flags.since, Date.now()));
    if (deps.namespaces) filter.namespaces = deps.namespaces;
    let subjectText = ns ? `namespace ${ns}` : 'the cluster';
    if (target !== undefined) {
      filter.subject = await subjectOf(target, ns, cluster);
      subjectText = describe(filter.subject);
    } else if (ns !== undefined) filter.namespace = ns;
    // The history starts with the first sync: wait for it so the "since" below is true.
    await cluster.waitForSync(5_000);
    const found = cluster.changes(filter).reverse();
    return changesAnswer(found, subjectText, query.flags.since, cluster);
  },
};

async function subjectOf(target: string, ns: string | undefined, cluster: KubeCluster): Promise<ChangeRef & { nodeName?: string }> {
  const slash = target.indexOf('/');
  if (slash <= 0) throw new UserError(`"${target}" is not a TYPE/NAME target.`, TARGET_HELP);
  const kind = TYPES[target.slice(0, slash).toLowerCase()];
  if (!kind) throw new UserError(`changes does not know the type "${target.slice(0, slash)}".`, TARGET_HELP);
  const name = checkKubernetesName(target.slice(slash + 1), KIND_WORDS[kind].nameRule);
  if (kind === 'Node') return { kind, name };
  const namespace = ns ?? 'default';
  if (kind === 'Pod') {
    // A pod that is gone still has its history; while it exists, its node's changes touch it too.
    const pod = await cluster.pod(namespace, name);
    return { kind, namespace, name, ...(pod?.nodeName ? { nodeName: pod.nodeName } : {}) };
  }
  return { kind, namespace, name };
}

function describe(s: ChangeRef): string {
  return `${KIND_WORDS[s.kind].word} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
}

function changesAnswer(found: RecordedChange[], subjectText: string, since: string | undefined, cluster: KubeCluster): Answer {
  const now = Date.now();
  const h = cluster.changeHistory();
  const window = since ? ` in the last ${since}` : '';
  const watching = h.since !== undefined ? `netpeek has been watching since ${new Date(h.since).toISOString()} (${ago(now - h.since)})` : 'netpeek is not watching this cluster yet';
  const answer = newAnswer('changes', `changes touching ${subjectText}`, {
    subject: { kind: 'changes', name: subjectText, source: `context ${cluster.context}` },
    summary: found.length
      ? `${found.length} reachability-relevant change${found.length === 1 ? '' : 's'} touching ${subjectText}${window}; the newest ${ago(now - found[0]!.at)}: ${found[0]!.kind} ${found[0]!.name} ${found[0]!.diff}.`
      : `No reachability-relevant change touching ${subjectText}${window} since ${watching.replace('netpeek has been watching since ', '')}.`,
    changes: found.slice(0, SHOWN).map(changeEntry),
  });
  answer.facts.push(
    { label: 'History', value: `${watching}; keeps up to ${h.limits.maxEntries} changes for ${Math.round(h.limits.maxAgeMs / 60_000)} min (${h.size} held)` },
    { label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` },
  );
  if (found.length) {
    answer.tables.push({
      title: 'Changes, newest first',
      columns: ['when', 'object', 'change', 'by'],
      rows: found.slice(0, SHOWN).map((c) => [
        `${new Date(c.at).toISOString().slice(11, 19)}Z (${ago(now - c.at)})`,
        `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`,
        c.diff + (c.viaRelist ? ' (found by a relist)' : ''),
        c.manager ?? '—',
      ]),
    });
  }
  if (found.length > SHOWN) answer.hints.push(`${found.length - SHOWN} older changes not shown: narrow it with a target, -n or --since.`);
  if (found.some((c) => c.viaRelist)) {
    answer.explanations.push('A change "found by a relist" happened while the watch was down and its events were compacted away (410 Expired): netpeek compared the relisted state with what it had, so its time is when netpeek noticed, not when it happened.');
  }
  return answer;
}
