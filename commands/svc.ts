import type { Answer, Fact, PortFact } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import type { NetpeekCommand } from '../src/deps.js';
import { LOAD_BALANCER, NAMED_TARGET_PORT, NODE_PORT, SERVICE_VIRTUAL_IP, endpointStateText } from '../src/net/explain-kube.js';
import { describeResolution, resolveTargetPort } from '../src/net/kube-ports.js';
import { checkKubernetesName } from '../src/net/names.js';
import type { KubeCluster } from '../src/sources/kube-cluster.js';
import { clusterFor, findService, listScope, listServices } from '../src/sources/kube-lookup.js';
import type { Deps } from '../src/deps.js';
import type { Query } from '../src/core/query.js';
import { UserError } from '../src/core/errors.js';
import { addChangedRecently } from '../src/sources/kube-recent-changes.js';
import type { KubeEndpointSlice, KubePod, KubeService, KubeServicePort } from '../src/sources/kube-model.js';
import { selects } from '../src/sources/kube-model.js';

/** Everything the answer is built from. */
interface Seen {
  svc: KubeService;
  slices: KubeEndpointSlice[];
  /** Pods behind the endpoints (by targetRef), for resolving named targetPorts per pod. */
  pods: Map<string, KubePod>;
  /** Pods the selector matches, whether or not they are endpoints yet. */
  selected: KubePod[];
  cluster: KubeCluster;
}

const MAX_ENDPOINT_ROWS = 100;

export const svc: NetpeekCommand = {
  name: 'svc',
  aliases: ['service'],
  summary: "A Service's type, ClusterIPs and ports with their targetPorts, and its endpoints: ready, not ready, terminating",
  args: [{ name: '<name>', required: true, unlessFlags: ['selector', 'allNamespaces'], completes: ['service'] }],
  flags: ['namespace', 'allNamespaces', 'selector', 'cluster'],
  examples: ['svc web', 'service kube-dns -n kube-system', 'svc kube-system/kube-dns', 'svc -l app=web -n shop', 'svc -A -o wide', 'svc api --context kind-dev -n shop'],
  subject: { role: 'lookup', kind: 'service' },
  sendsPackets: 'never',
  buttons: ['probe', 'ports', 'explain'],
  description:
    'Type, ClusterIP(s), every port with its targetPort resolved against the selected pods (named ports included), NodePort and LoadBalancer addresses, the selector, ' +
    'and the endpoints from its EndpointSlices with their pods, nodes and conditions.',
  async run(query, deps) {
    if (query.args[0] === undefined || query.flags.selector !== undefined) return listAnswer(query, deps);
    const name = checkKubernetesName(query.args[0] ?? '', 'service');
    if (query.flags.namespace !== undefined) checkKubernetesName(query.flags.namespace, 'namespace');
    const cluster = clusterFor(deps, query.flags.cluster);
    const found = await findService(cluster, name, query.flags.allNamespaces ? undefined : query.flags.namespace, deps);
    const seen = await look(cluster, found);
    const answer = answerFor(seen);
    answer.items = [{ kind: 'service', name: found.name, namespace: found.namespace }];
    // What changed on the path: the Service (its EndpointSlices touch it) and the pods it selects.
    addChangedRecently(answer, cluster, [{ kind: 'Service', namespace: found.namespace, name: found.name }, ...seen.selected.slice(0, MAX_ENDPOINT_ROWS).map((p) => ({ kind: 'Pod' as const, namespace: p.namespace, name: p.name, ...(p.nodeName ? { nodeName: p.nodeName } : {}) }))], Date.now(), deps.namespaces);
    return answer;
  },
};

/** `svc -l app=web`, `svc -A`: one row per Service, as `kubectl get svc` (-o wide adds the selector). */
async function listAnswer(query: Query, deps: Deps): Promise<Answer> {
  if (query.args[0] !== undefined) {
    throw new UserError(`-l lists Services, so it takes no Service name ("${query.args[0]}").`, ['Example: svc -l app=web -n shop', `Or one Service: svc ${query.args[0]}`]);
  }
  const cluster = clusterFor(deps, query.flags.cluster);
  const scope = await listScope(cluster, query.flags, deps);
  const services = await listServices(cluster, scope, deps);
  const wide = query.flags.output === 'wide';
  const many = scope.namespace === undefined;
  const matching = scope.selectorText !== undefined ? ` matching ${scope.selectorText}` : '';
  const answer = newAnswer('svc', `services${matching} ${scope.where}`, {
    subject: { kind: 'service', name: scope.selectorText ?? '*', ...(scope.namespace ? { namespace: scope.namespace } : {}), source: `context ${cluster.context}` },
    summary: services.length ? `${services.length} ${services.length === 1 ? 'Service' : 'Services'}${matching} ${scope.where}.` : `No Services${matching} ${scope.where}.`,
    facts: [{ label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` }],
    tables: [
      {
        title: 'Services',
        columns: [...(many ? ['namespace'] : []), 'name', 'type', 'cluster IP', 'external IP', 'ports', ...(wide ? ['selector', 'labels'] : [])],
        rows: services.map((s) => [
          ...(many ? [s.namespace] : []),
          s.name,
          s.type,
          s.clusterIPs.join(',') || (s.headless ? 'None' : '<none>'),
          [...s.externalIPs, ...s.loadBalancer, ...(s.externalName ? [s.externalName] : [])].join(',') || '<none>',
          s.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol.toUpperCase()}`).join(',') || '<none>',
          ...(wide ? [Object.entries(s.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>', Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'] : []),
        ]),
      },
    ],
    items: services.map((s) => ({ kind: 'service' as const, name: s.name, namespace: s.namespace })),
  });
  if (!services.length && !many) answer.hints.push('`svc -A` lists every namespace.');
  if (services[0]) answer.hints.push(`\`svc ${services[0].name} -n ${services[0].namespace}\` shows its ports, targetPorts and endpoints.`);
  return answer;
}

async function look(cluster: KubeCluster, svc: KubeService): Promise<Seen> {
  const [slices, inNamespace] = await Promise.all([cluster.endpointSlices(svc.namespace, svc.name), svc.selector ? cluster.pods({ namespace: svc.namespace }) : Promise.resolve([])]);
  const selected = inNamespace.filter((p) => selects(svc, p));
  const pods = new Map(inNamespace.map((p) => [p.name, p]));
  return { svc, slices, pods, selected, cluster };
}

function answerFor(s: Seen): Answer {
  const { svc } = s;
  const answer = newAnswer('svc', `service ${svc.name}`, {
    subject: { kind: 'service', name: svc.name, namespace: svc.namespace, source: `context ${s.cluster.context}` },
    facts: facts(s),
    ports: ports(s),
  });
  answer.tables.push({
    title: 'Ports',
    columns: ['name', 'port', 'targetPort', 'resolves to', 'nodePort'],
    rows: svc.ports.map((p) => [p.name ?? '—', `${p.port}/${p.protocol}`, String(p.targetPort ?? p.port), resolutionText(p, s), p.nodePort ? String(p.nodePort) : '—']),
  });
  const rows = endpointRows(s);
  answer.tables.push({ title: 'Endpoints', columns: ['pod', 'address', 'node', 'state', 'ports'], rows: rows.slice(0, MAX_ENDPOINT_ROWS) });
  verdict(answer, s, rows);
  return answer;
}

function facts(s: Seen): Fact[] {
  const { svc } = s;
  const out: Fact[] = [
    { label: 'Namespace', value: svc.namespace },
    { label: 'Type', value: svc.type },
  ];
  if (svc.type === 'ExternalName') out.push({ label: 'External name', value: svc.externalName ?? '—' });
  else out.push({ label: svc.clusterIPs.length > 1 ? 'ClusterIPs' : 'ClusterIP', value: svc.clusterIPs.join(', ') || (svc.headless ? 'None (headless: DNS returns the pod IPs)' : 'none') });
  if (svc.ipFamilies.length) out.push({ label: 'IP families', value: svc.ipFamilies.join(', ') });
  out.push({ label: 'Selector', value: svc.selector ? Object.entries(svc.selector).map(([k, v]) => `${k}=${v}`).join(', ') : 'none (endpoints are managed by hand)' });
  if (svc.externalIPs.length) out.push({ label: 'External IPs', value: svc.externalIPs.join(', ') });
  if (svc.type === 'LoadBalancer') out.push({ label: 'Load balancer', value: svc.loadBalancer.join(', ') || 'pending (no address assigned yet)' });
  if (svc.externalTrafficPolicy) out.push({ label: 'External traffic policy', value: svc.externalTrafficPolicy });
  out.push({ label: 'DNS name', value: `${svc.name}.${svc.namespace}.svc (plus the cluster domain, usually .cluster.local)` });
  out.push({ label: 'Kubernetes context', value: `${s.cluster.context} (${s.cluster.server})` });
  return out;
}

/** Each port's targetPort resolved against the selected pods; distinct outcomes with the pods behind each. */
function resolutionText(port: KubeServicePort, s: Seen): string {
  if (!s.selected.length) {
    const fromSlices = s.slices.flatMap((sl) => sl.ports).find((p) => (p.name ?? '') === (port.name ?? '') && p.protocol === port.protocol);
    return fromSlices?.port !== undefined ? `${fromSlices.port} (from the EndpointSlices)` : 'no pods selected';
  }
  const outcomes = new Map<string, string[]>();
  for (const pod of s.selected) {
    const text = describeResolution(resolveTargetPort(port, pod.containers));
    outcomes.set(text, [...(outcomes.get(text) ?? []), pod.name]);
  }
  if (outcomes.size === 1) return [...outcomes.keys()][0]!;
  return [...outcomes.entries()].map(([text, pods]) => `${text}: ${pods.slice(0, 3).join(', ')}${pods.length > 3 ? '…' : ''}`).join('; ');
}

function ports(s: Seen): PortFact[] {
  const { svc } = s;
  const vip = svc.clusterIPs[0];
  return svc.ports.map((p) => ({
    port: p.port,
    protocol: p.protocol,
    source: 'service' as const,
    ...(p.name ? { name: p.name } : {}),
    targetPort: p.targetPort ?? p.port,
    ...(p.nodePort ? { hostIp: '', hostPort: p.nodePort } : {}),
    note: `${vip ? `${vip}:${p.port}` : `port ${p.port}`} → targetPort ${p.targetPort ?? p.port} on a ready endpoint (${resolutionText(p, s)})${p.nodePort ? `; also every node's address on port ${p.nodePort}` : ''}.`,
  }));
}

function endpointRows(s: Seen): string[][] {
  const rows: string[][] = [];
  for (const slice of s.slices) {
    const portText = slice.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port ?? '?'}/${p.protocol}`).join(', ') || '—';
    for (const e of slice.endpoints) {
      const pod = e.pod?.name ?? '—';
      const node = e.nodeName ?? (e.pod ? s.pods.get(e.pod.name)?.nodeName : undefined) ?? '—';
      rows.push([pod, e.addresses.join(', '), node, endpointStateText(e), portText]);
    }
  }
  return rows.sort((a, b) => a[0]!.localeCompare(b[0]!) || a[1]!.localeCompare(b[1]!));
}

function verdict(answer: Answer, s: Seen, rows: string[][]): void {
  const { svc } = s;
  const count = (state: string) => rows.filter((r) => r[3]!.startsWith(state)).length;
  const ready = count('ready');
  const notReady = count('not ready');
  const terminating = count('terminating');
  const states = [`${ready} ready`, ...(notReady ? [`${notReady} not ready`] : []), ...(terminating ? [`${terminating} terminating`] : [])].join(', ');
  const front = svc.type === 'ExternalName' ? `an alias for ${svc.externalName}` : svc.clusterIPs.length ? `a ${svc.type} Service at ${svc.clusterIPs.join(' and ')}` : `a headless ${svc.type} Service`;
  answer.summary = svc.type === 'ExternalName' ? `${svc.name} is ${front}: DNS answers with that name, no endpoints are involved.` : `${svc.name} is ${front} with ${rows.length} endpoint${rows.length === 1 ? '' : 's'} (${states}).`;
  if (svc.type !== 'ExternalName') answer.explanations.push(SERVICE_VIRTUAL_IP);
  if (svc.ports.some((p) => typeof p.targetPort === 'string' && !/^\d+$/.test(p.targetPort))) answer.explanations.push(NAMED_TARGET_PORT);
  if (svc.type === 'NodePort' || svc.type === 'LoadBalancer') answer.explanations.push(NODE_PORT);
  if (svc.type === 'LoadBalancer') answer.explanations.push(LOAD_BALANCER);
  if (svc.selector && !s.selected.length) answer.warnings.push(`The selector matches no pod in namespace ${svc.namespace}: the Service has nothing to send traffic to.`);
  if (svc.type !== 'ExternalName' && rows.length && !ready) answer.warnings.push(`No endpoint is ready: connections to ${svc.name} fail (or hang) until one is.`);
  if (rows.length > MAX_ENDPOINT_ROWS) answer.warnings.push(`Showing ${MAX_ENDPOINT_ROWS} of ${rows.length} endpoints.`);
  const listed = new Set(s.slices.flatMap((sl) => sl.endpoints.flatMap((e) => (e.pod ? [e.pod.name] : []))));
  const missing = s.selected.filter((p) => !listed.has(p.name) && p.podIPs.length && !p.terminating).map((p) => p.name);
  if (missing.length) answer.warnings.push(`Selected but not in the EndpointSlices yet: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}.`);
  const first = rows.find((r) => r[0] !== '—');
  if (first) answer.hints.push(`\`pod ${first[0]} -n ${svc.namespace}\` shows one endpoint pod's ports and containers.`);
  answer.hints.push(`\`kubectl get endpointslices -n ${svc.namespace} -l kubernetes.io/service-name=${svc.name}\` lists the same endpoints.`);
}
