import type { Answer, Table } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import { UserError } from '../src/core/errors.js';
import type { Query } from '../src/core/query.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { parseEndpointRef } from '../src/net/endpoint-ref.js';
import * as say from '../src/net/explain-policy.js';
import type { CompiledPolicy } from '../src/net/policy-engine.js';
import { buildPolicyMap, edgeLabel, policyMapGraph, type Workload } from '../src/net/policy-map.js';
import type { PolicyPod } from '../src/net/policy-peers.js';
import type { PolicyDirection } from '../src/net/policy-spec.js';
import type { KubeCluster } from '../src/sources/kube-cluster.js';
import { clusterFor, findPod, listScope, requireNamespace } from '../src/sources/kube-lookup.js';
import { matchesLabels } from '../src/net/label-selector.js';
import { compileSelector, selectorText } from '../src/net/policy-peers.js';
import { effectivePolicyTypes, type NetworkPolicySpec } from '../src/net/policy-spec.js';
import type { KubePod } from '../src/sources/kube-model.js';
import { placeAddressForPolicy, policyPod } from '../src/sources/kube-policy-endpoints.js';

/** Rows of a "pods that may connect" table before "… and N more" (the counts are exact). */
const MAX_PEER_ROWS = 100;

const scopeOf = (deps: Deps) => ({ ...(deps.namespaces ? { namespaces: deps.namespaces } : {}) });
const visible = (deps: Deps, p: KubePod) => !deps.namespaces || deps.namespaces.includes(p.namespace);

/** Deployment web's pods → "web" (ReplicaSet web-7d9c5b minus its pod-template-hash); StatefulSets, DaemonSets, Jobs by name. */
function workloadName(p: KubePod): string {
  if (!p.owner) return p.name;
  const hash = p.labels['pod-template-hash'];
  if (p.owner.kind === 'ReplicaSet' && hash && p.owner.name.endsWith(`-${hash}`)) return p.owner.name.slice(0, -hash.length - 1);
  return p.owner.name;
}

function ruleRows(pod: PolicyPod, d: PolicyDirection, policies: readonly CompiledPolicy[]): { rows: string[][]; sentences: string[] } {
  const rows: string[][] = [];
  const sentences: string[] = [];
  for (const p of policies) {
    if (p.spec.unreadable.length) {
      rows.push([d, p.ref, '—', `not evaluated: ${p.spec.unreadable.join('; ')}`]);
      continue;
    }
    const rules = p.rules[d];
    if (!rules.length) rows.push([d, p.ref, '—', 'admits nothing (isolates only)']);
    for (const r of rules) {
      // Ingress ports are the pod's own: named ports resolve against it. Egress names resolve at each destination.
      const resolve = d === 'ingress' ? (x: { port?: number | string; protocol: string }) => ({ pod: pod.name, numbers: pod.namedPorts.filter((n) => n.name === x.port && n.protocol === x.protocol).map((n) => n.port) }) : undefined;
      const text = say.describeRule(r.spec, p.spec.namespace, d, resolve);
      rows.push([d, p.ref, `rule ${r.index + 1}`, text]);
      sentences.push(`${text} (${p.ref} rule ${r.index + 1})`);
    }
  }
  return { rows, sentences };
}

function peerTable(title: string, peers: { name: string; allowed: string }[]): Table {
  const rows = peers.slice(0, MAX_PEER_ROWS).map((p) => [p.name, p.allowed]);
  if (peers.length > MAX_PEER_ROWS) rows.push([`… and ${peers.length - MAX_PEER_ROWS} more`, '']);
  return { title, columns: ['pod', 'ports'], rows };
}

async function podAnswer(query: Query, deps: Deps, cluster: KubeCluster): Promise<Answer> {
  const ref = parseEndpointRef(query.args[0] ?? '');
  let pod: KubePod;
  if (ref.kind === 'ip') {
    const placed = await placeAddressForPolicy(cluster, ref.ip, scopeOf(deps));
    if (placed.endpoint.kind !== 'pod') throw new UserError(`${ref.ip} is not a pod's address, so no NetworkPolicy selects it.`, ['Example: policy db-0 -n shop']);
    const found = await cluster.pod(placed.endpoint.pod.namespace, placed.endpoint.pod.name);
    if (!found) throw new UserError(`The pod at ${ref.ip} is gone.`, ['Example: policy db-0 -n shop'], 'not_found');
    pod = found;
  } else if (ref.kind === 'container') {
    throw new UserError(`container/${ref.name} is a Docker container; NetworkPolicies select pods.`, ['Example: policy db-0 -n shop']);
  } else {
    // -A: the pod in whichever namespace has it, as `pod <name> -A`.
    const flagNs = query.flags.allNamespaces ? undefined : query.flags.namespace;
    const ns = ref.kind === 'pod' ? (ref.namespace ?? flagNs) : flagNs;
    pod = (await findPod(cluster, ref.name, ns, scopeOf(deps))).pod;
  }
  const engine = await cluster.policyEngine();
  const me = policyPod(pod);
  const name = `${pod.namespace}/${pod.name}`;
  const answer = newAnswer('policy', `policy ${name}`, { subject: { kind: 'pod', name: pod.name, namespace: pod.namespace, source: cluster.context } });
  answer.facts.push({ label: 'Labels', value: Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)' });
  answer.facts.push({ label: 'Address', value: pod.podIPs.join(', ') || '(none yet)' });
  const kinds = await cluster.otherPolicyKinds();
  if (pod.hostNetwork) {
    answer.summary = `Not evaluated: ${say.hostNetworkReason(name)}`;
    answer.hints.push(say.NOT_EVALUATED_SCOPE);
    return answer;
  }
  const mine = engine.podPolicies(me);
  const sides = (['ingress', 'egress'] as const).map((d) => ({ d, ...mine[d], ...ruleRows(me, d, mine[d].policies) }));
  const unreadable = mine.unreadable[0];
  answer.summary = unreadable
    ? `Not evaluated: ${say.unreadablePolicyReason(unreadable.policy, unreadable.problems)}`
    : sides.map((s) => say.podDirectionSummary(pod.name, s.d, s.policies.map((p) => p.ref), s.sentences)).join(' ');
  for (const s of sides) answer.facts.push({ label: s.d === 'ingress' ? 'Ingress policies' : 'Egress policies', value: s.policies.length ? s.policies.map((p) => p.ref).join(', ') : 'none (not isolated)' });
  const rows = sides.flatMap((s) => s.rows);
  if (rows.length) answer.tables.push({ title: 'Rules', columns: ['direction', 'policy', 'rule', 'admits'], rows });
  if (sides.some((s) => s.d === 'egress' && s.policies.some((p) => p.rules.egress.some((r) => r.spec.ports.some((x) => typeof x.port === 'string'))))) answer.explanations.push(say.EGRESS_NAMED_PORT_NOTE);
  if (mine.unreadable.length) {
    for (const u of mine.unreadable) answer.warnings.push(`Not evaluated: ${say.unreadablePolicyReason(u.policy, u.problems)}`);
  } else {
    // Who, concretely: every pod this conversation may see, evaluated against both sides' policies.
    const others = (await cluster.pods()).filter((p) => visible(deps, p) && !p.hostNetwork && p.podIPs.length && !(p.namespace === pod.namespace && p.name === pod.name));
    const into: { name: string; allowed: string }[] = [];
    const outOf: { name: string; allowed: string }[] = [];
    for (const o of others) {
      const peer = { kind: 'pod' as const, pod: policyPod(o) };
      const i = engine.evaluate(peer, { kind: 'pod', pod: me }).verdict;
      const e = engine.evaluate({ kind: 'pod', pod: me }, peer).verdict;
      const label = `${o.namespace}/${o.name}`;
      if (i.evaluated && i.allowed !== 'none' && i.allowed) into.push({ name: label, allowed: say.describeAllowed(i.allowed) });
      if (e.evaluated && e.allowed !== 'none' && e.allowed) outOf.push({ name: label, allowed: say.describeAllowed(e.allowed) });
    }
    const sort = (l: typeof into) => l.sort((a, b) => a.name.localeCompare(b.name));
    answer.facts.push({ label: 'Pods that may connect to it', value: `${into.length} of ${others.length}` });
    answer.facts.push({ label: 'Pods it may connect to', value: `${outOf.length} of ${others.length}` });
    if (mine.ingress.isolated) answer.tables.push(peerTable(`Pods that may connect to ${pod.name}`, sort(into)));
    if (mine.egress.isolated) answer.tables.push(peerTable(`Pods ${pod.name} may connect to`, sort(outOf)));
  }
  if (kinds.length) answer.warnings.push(say.otherPolicyKindsSentence(kinds));
  answer.hints.push(say.NOT_EVALUATED_SCOPE, `\`reach <pod> ${name} --port N --no-probe\` says what decides one connection.`);
  return answer;
}

/** `policy -A`, `policy -l team=shop -n shop`: one row per NetworkPolicy, as `kubectl get networkpolicies` (-o wide: more columns). */
async function listAnswer(query: Query, deps: Deps, cluster: KubeCluster): Promise<Answer> {
  const scope = await listScope(cluster, query.flags, deps);
  const [all, pods] = await Promise.all([cluster.networkPolicies(scope.namespace), query.flags.output === 'wide' ? cluster.pods(scope.namespace !== undefined ? { namespace: scope.namespace } : {}) : []]);
  const policies = all
    .filter((p) => (!deps.namespaces || deps.namespaces.includes(p.namespace)) && (!scope.selector || matchesLabels(scope.selector, p.labels ?? {})))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const wide = query.flags.output === 'wide';
  const many = scope.namespace === undefined;
  const what = scope.selectorText !== undefined ? `NetworkPolicies matching ${scope.selectorText}` : 'NetworkPolicies';
  const selected = (p: NetworkPolicySpec) => {
    const sel = compileSelector(p.podSelector);
    return pods.filter((x) => x.namespace === p.namespace && matchesLabels(sel, x.labels)).length;
  };
  return newAnswer('policy', `${what} ${scope.where}`, {
    subject: { kind: 'networkpolicy', name: scope.selectorText ?? '*', ...(scope.namespace ? { namespace: scope.namespace } : {}), source: cluster.context },
    summary: policies.length ? `${policies.length} ${policies.length === 1 ? 'NetworkPolicy' : 'NetworkPolicies'} ${scope.selectorText !== undefined ? `match ${scope.selectorText}` : 'found'} ${scope.where}.` : `No NetworkPolicies ${scope.selectorText !== undefined ? `match ${scope.selectorText} ` : ''}${scope.where}.`,
    facts: [{ label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` }],
    tables: [
      {
        title: 'NetworkPolicies',
        columns: [...(many ? ['namespace'] : []), 'name', 'pod selector', 'policy types', ...(wide ? ['ingress rules', 'egress rules', 'pods selected'] : [])],
        rows: policies.map((p) => [
          ...(many ? [p.namespace] : []),
          p.name,
          selectorText(compileSelector(p.podSelector)) || '<none>',
          effectivePolicyTypes(p).map((d) => (d === 'ingress' ? 'Ingress' : 'Egress')).join(','),
          ...(wide ? [String(p.ingress.length), String(p.egress.length), String(selected(p))] : []),
        ]),
      },
    ],
    items: policies.map((p) => ({ kind: 'networkpolicy' as const, name: p.name, namespace: p.namespace })),
    hints: policies[0] ? [`\`policy map -n ${policies[0].namespace}\` draws what they allow between workloads.`] : [],
  });
}

async function mapAnswer(query: Query, deps: Deps, cluster: KubeCluster): Promise<Answer> {
  if (query.flags.allNamespaces) throw new UserError('policy map draws one namespace; -A has no picture.', ['Example: policy map -n shop', 'Every namespace\'s policies as a list: policy -A']);
  const namespace = await requireNamespace(cluster, query.flags.namespace ?? cluster.defaultNamespace, scopeOf(deps));
  const [engine, pods, kinds] = await Promise.all([cluster.policyEngine(), cluster.pods({ namespace }), cluster.otherPolicyKinds()]);
  const byWorkload = new Map<string, KubePod[]>();
  for (const p of pods.filter((x) => x.podIPs.length || x.hostNetwork)) {
    const key = workloadName(p);
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), p]);
  }
  const workloads: Workload[] = [...byWorkload].map(([name, list]) => ({ name, pod: policyPod(list[0]!), pods: list.length }));
  const map = buildPolicyMap(engine, namespace, workloads);
  const graph = policyMapGraph(map);
  const answer = newAnswer('policy', `policy map ${namespace}`, {
    subject: { kind: 'network', name: namespace, namespace, source: cluster.context },
    summary:
      `${map.workloads.length} workload${map.workloads.length === 1 ? '' : 's'} in namespace ${namespace}; NetworkPolicies allow ${map.edges.length} of the ${map.workloads.length * (map.workloads.length - 1)} connections between them` +
      (map.isolated.length ? ` (${map.isolated.length} isolated for ingress: ${map.isolated.join(', ')}).` : ' (none is isolated for ingress).'),
    graph,
  });
  answer.tables.push({ title: 'Allowed connections', columns: ['from', 'to', 'ports'], rows: map.edges.map((e) => [e.from, e.to, edgeLabel(e)]) });
  answer.tables.push({
    title: 'Workloads',
    columns: ['workload', 'pods', 'ingress policies', 'egress policies'],
    rows: map.workloads.map((w) => [w.name, String(w.pods), engine.selecting(w.pod, 'ingress').map((p) => p.ref).join(', ') || '—', engine.selecting(w.pod, 'egress').map((p) => p.ref).join(', ') || '—']),
  });
  for (const s of map.skipped) answer.warnings.push(`${s.name} is not drawn: ${s.reason}`);
  if (map.omitted) answer.warnings.push(`${map.omitted} more workloads are not drawn: a picture of more than ${map.workloads.length} is unreadable. Ask about one with \`policy <pod> -n ${namespace}\`.`);
  if (kinds.length) answer.warnings.push(say.otherPolicyKindsSentence(kinds));
  answer.explanations.push('One pod stands for each workload (its pods share labels and ports). A bold box is isolated for ingress; an arrow is a connection the policies of both ends allow, labelled with its ports.');
  answer.hints.push(`Connections from other namespaces and from addresses are not drawn; \`policy <pod> -n ${namespace}\` lists them.`, say.NOT_EVALUATED_SCOPE);
  return answer;
}

export const policy: NetpeekCommand = {
  name: 'policy',
  aliases: ['netpol'],
  summary: 'Which NetworkPolicies select a pod and whom they let in and out; `policy map` draws a namespace\'s allowed connections',
  args: [{ name: '<pod|map>', required: true, unlessFlags: ['selector', 'allNamespaces'], completes: ['pod'], values: ['map'] }],
  flags: ['namespace', 'allNamespaces', 'selector', 'cluster'],
  examples: ['policy db-0 -n shop', 'policy shop/db-0', 'policy map -n shop', 'policy -A -o wide', 'policy -l team=shop -n shop'],
  subject: { role: 'about', kind: 'pod' },
  sendsPackets: 'never',
  description:
    '`policy <pod>`: the policies selecting the pod for ingress and for egress, each rule in words, and which pods may connect to it and which it may ' +
    'connect to. `policy map`: the allowed connections between the workloads of a namespace (-n, else the context\'s default) as a picture: a PNG in ' +
    'Slack, Graphviz DOT in the terminal and in --json. With -A or -l (on the policies\' own labels) and no pod it lists the NetworkPolicies as ' +
    'kubectl get networkpolicies does; -o wide adds their rule counts and how many pods each selects. Reads only the Kubernetes API.',
  async run(query, deps) {
    const cluster = clusterFor(deps, query.flags.cluster);
    if (query.args[0] === undefined) return listAnswer(query, deps, cluster);
    return query.args[0] === 'map' ? mapAnswer(query, deps, cluster) : podAnswer(query, deps, cluster);
  },
};
