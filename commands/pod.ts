import type { Answer, Fact, PortFact, Sharing, Table } from '../src/core/answer.js';
import { newAnswer, withParts } from '../src/core/answer.js';
import type { NetpeekCommand } from '../src/deps.js';
import {
  HOST_PORT,
  INIT_CONTAINER_PORTS,
  NAMED_TARGET_PORT,
  NATIVE_SIDECAR,
  POD_IP_NO_PUBLISHING,
  POD_ONE_NAMESPACE,
  SERVICE_VIRTUAL_IP,
  containerIpIsPodIpSentence,
  containerKindText,
  containerStateText,
  declaredPortsText,
  endpointStateText,
  hostNetworkSentence,
  noIpYetSentence,
  nodePortConflictWarning,
  ownerText,
  pingFromNodeSentence,
  podCidrSentence,
  podPortConflictWarning,
  podReachableSentence,
  podSharingSentence,
  serviceMappingNote,
} from '../src/net/explain-kube.js';
import type { TargetPortResolution } from '../src/net/kube-ports.js';
import { nodePortClaims, nodePortConflicts, podPortConflicts, resolveTargetPort } from '../src/net/kube-ports.js';
import { checkKubernetesName } from '../src/net/names.js';
import type { PodIpPlacement } from '../src/net/pod-cidr.js';
import { placePodIps } from '../src/net/pod-cidr.js';
import { uniquePorts } from '../src/net/ports.js';
import type { KubeCluster } from '../src/sources/kube-cluster.js';
import { podAddressFacts, runningContainers } from '../src/sources/kube-pod-facts.js';
import type { PodEndpoint } from '../src/sources/kube-lookup.js';
import { addChangedRecently } from '../src/sources/kube-recent-changes.js';
import { clusterFor, findPod, inScope, listPods, listScope, podInSlices, servicesSelecting } from '../src/sources/kube-lookup.js';
import type { Deps } from '../src/deps.js';
import type { Query } from '../src/core/query.js';
import { UserError } from '../src/core/errors.js';
import type { KubeNode, KubePod, KubeService } from '../src/sources/kube-model.js';
import { nodeIp } from '../src/sources/kube-model.js';
import { probeSubject } from '../src/probe/probe-subject.js';
import { podProbeSubject } from '../src/sources/kube-probe-targets.js';
import { explainSockets, portNoteFromSockets, socketAnswerParts } from '../src/net/explain-sockets.js';
import { podDeclaredPorts, podListeningSockets } from '../src/sources/kube-pod-sockets.js';

/** A Service selecting the pod, with each port resolved against the pod and the pod's endpoint entries. */
interface Selected {
  svc: KubeService;
  resolved: { port: KubeService['ports'][number]; r: TargetPortResolution }[];
  endpoints: PodEndpoint[];
}

/** Everything the answer is built from, gathered once. */
interface Seen {
  pod: KubePod;
  matchedBy: 'name' | 'prefix';
  asked: string;
  node?: KubeNode;
  placements: PodIpPlacement[];
  services: Selected[];
  /** Other pods on the node that claim node ports (only looked up when this pod claims any). */
  neighbours: KubePod[];
  cluster: KubeCluster;
}

export const pod: NetpeekCommand = {
  name: 'pod',
  aliases: ['po'],
  summary: "A pod's IPs, node and pod CIDR, its containers' ports, and the Services that send it traffic",
  args: [{ name: '<name|prefix>', required: true, unlessFlags: ['selector', 'allNamespaces'], completes: ['pod'] }],
  flags: ['namespace', 'allNamespaces', 'selector', 'cluster', 'probe'],
  examples: ['pod webserver-2', 'pod webserver -n web', 'pod shop/web-1', 'pod -l app=web -n shop', 'pod -A -o wide', 'pod coredns-7db6d8ff4d-x2x1q -n kube-system --context kind-dev', 'pod webserver-2 --probe'],
  subject: { role: 'lookup', kind: 'pod' },
  sendsPackets: 'with --probe',
  probeKinds: ['icmp', 'tcp'],
  buttons: ['probe', 'ports', 'explain'],
  usageHint: 'pod webserver-2 -n shop',
  description:
    'Pod IPs (both families on dual-stack), phase and readiness, the node with its InternalIP and pod CIDR, and whether the pod IP lies inside it. ' +
    'Every container — init, native sidecar, app — with its declared ports, conflicts between them, hostNetwork and hostPort use, and each Service that selects the pod: port → targetPort → container port, and whether the pod is a ready endpoint. ' +
    'Without -n the name is looked up in every namespace; a Deployment-style prefix lists the matching pods. ' +
    'With -l (a label selector) or -A and no name it lists pods as kubectl get pods does: in -n, else the context\'s namespace, or every namespace with -A; -o wide adds columns.',
  async run(query, deps) {
    if (query.args[0] === undefined || query.flags.selector !== undefined) return listAnswer(query, deps);
    const name = checkKubernetesName(query.args[0] ?? '', 'pod');
    if (query.flags.namespace !== undefined) checkKubernetesName(query.flags.namespace, 'namespace');
    const cluster = clusterFor(deps, query.flags.cluster);
    const namespace = query.flags.allNamespaces ? undefined : query.flags.namespace;
    // With -n the pod's Services wait for nothing: listed beside the pod's GET, one round of requests fewer.
    const listed = namespace !== undefined && inScope(deps, namespace) ? cluster.services(namespace) : undefined;
    listed?.catch(() => undefined); // awaited in look(); a failure with no pod found is not also unhandled
    const found = await findPod(cluster, name, namespace, deps);
    const seen = await look(cluster, found.pod, found.matchedBy, name, listed);
    const answer = await withPodSockets(answerFor(seen, query.flags.output === 'wide'), seen, deps);
    // What changed on the path: the pod (and its node), the Services that send it traffic.
    addChangedRecently(answer, cluster, [{ kind: 'Pod', namespace: seen.pod.namespace, name: seen.pod.name, ...(seen.pod.nodeName ? { nodeName: seen.pod.nodeName } : {}) }, ...seen.services.map((x) => ({ kind: 'Service' as const, namespace: x.svc.namespace, name: x.svc.name }))], Date.now(), deps.namespaces);
    if (!query.flags.probe) return answer;
    // The pod and node just looked up are what gets probed: nothing is looked up twice.
    return withParts(answer, (await probeSubject(podProbeSubject(seen.pod, seen.node, cluster.context), deps)).parts);
  },
};

/**
 * What listens inside the pod, read by the agent on its node (opt-in there: the workload-vantage
 * component). Without any agent to ask the answer is unchanged; an agent that will not or cannot read is
 * said in one hint, never fatal.
 */
async function withPodSockets(answer: Answer, s: Seen, deps: Deps): Promise<Answer> {
  if (!deps.config.agents.secret) return answer;
  const r = await podListeningSockets(deps.probes, s.pod, s.cluster.context);
  if (!r.read) {
    if (r.reason === 'not-applicable' || r.reason === 'no-agent') return answer;
    return { ...answer, hints: [...answer.hints, `What listens inside ${s.pod.name} was not read: ${r.message}`] };
  }
  const findings = explainSockets(r.sockets, podDeclaredPorts(s.pod), s.pod.podIPs[0]);
  const parts = socketAnswerParts(findings);
  // The Ports table must not call a declared port reachable when the sockets say otherwise.
  const ports = answer.ports.map((p) => {
    if (p.source !== 'declared' && p.source !== 'hostPort') return p;
    const via = p.source === 'hostPort' ? `${p.hostIp || s.pod.hostIPs[0] || 'the node'}:${p.hostPort}` : undefined;
    const note = portNoteFromSockets(p, findings, s.pod.podIPs[0], via);
    return note ? { ...p, note } : p;
  });
  const missing = r.missing.length ? ` ${r.missing.join(', ')} ${r.missing.length === 1 ? 'has' : 'have'} no process on ${r.node}.` : '';
  return {
    ...answer,
    listening: parts.listening,
    ports,
    tables: [...answer.tables, parts.table],
    warnings: [...answer.warnings, ...parts.warnings],
    explanations: [...answer.explanations, `The sockets were read by the netpeek agent on ${r.node} from the pod's own network namespace (pid ${r.pid}, container ${r.container}): every container of the pod shares it, so each port names the container whose process holds it.${missing}`],
  };
}

async function look(cluster: KubeCluster, p: KubePod, matchedBy: 'name' | 'prefix', asked: string, listed?: Promise<KubeService[]>): Promise<Seen> {
  const claims = p.hostNetwork || p.containers.some((c) => c.ports.some((x) => x.hostPort));
  const [node, services, neighbours] = await Promise.all([
    p.nodeName ? cluster.node(p.nodeName) : Promise.resolve(undefined),
    servicesSelecting(cluster, p, listed),
    claims && p.nodeName ? cluster.pods({ nodeName: p.nodeName }) : Promise.resolve([]),
  ]);
  const selected = await Promise.all(
    services.map(async (svc) => ({
      svc,
      resolved: svc.ports.map((port) => ({ port, r: resolveTargetPort(port, p.containers) })),
      endpoints: podInSlices(p, await cluster.endpointSlices(svc.namespace, svc.name)),
    })),
  );
  return { pod: p, matchedBy, asked, node, placements: placePodIps(p.podIPs, node?.podCIDRs ?? []), services: selected, neighbours, cluster };
}

/** `pod -l app=web -n shop`, `pod -A`: one row per pod, as `kubectl get pods` (-o wide: more columns). */
async function listAnswer(query: Query, deps: Deps): Promise<Answer> {
  if (query.args[0] !== undefined) {
    throw new UserError(`-l lists pods, so it takes no pod name ("${query.args[0]}").`, ['Example: pod -l app=web -n shop', `Or one pod: pod ${query.args[0]}`]);
  }
  if (query.flags.probe) throw new UserError('--probe probes one pod; a listing sends no packets.', ['Example: pod web-1 -n shop --probe']);
  const cluster = clusterFor(deps, query.flags.cluster);
  const scope = await listScope(cluster, query.flags, deps);
  const pods = await listPods(cluster, scope, deps);
  const wide = query.flags.output === 'wide';
  const many = scope.namespace === undefined;
  const what = scope.selectorText !== undefined ? `pods matching ${scope.selectorText}` : 'pods';
  const ready = pods.filter((p) => p.ready).length;
  const answer = newAnswer('pod', `${what} ${scope.where}`, {
    subject: { kind: 'pod', name: scope.selectorText ?? '*', ...(scope.namespace ? { namespace: scope.namespace } : {}), source: `context ${cluster.context}` },
    summary: pods.length ? `${pods.length} ${pods.length === 1 ? 'pod' : 'pods'} ${scope.selectorText !== undefined ? `match ${scope.selectorText}` : 'found'} ${scope.where}; ${ready} ready.` : `No pods ${scope.selectorText !== undefined ? `match ${scope.selectorText} ` : ''}${scope.where}.`,
    facts: [{ label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` }],
    tables: [
      {
        title: 'Pods',
        columns: [...(many ? ['namespace'] : []), 'name', 'ready', 'status', 'IP', 'node', 'ports', ...(wide ? ['IPs', 'host IP', 'owner', 'labels'] : [])],
        rows: pods.map((p) => {
          const running = runningContainers(p);
          const ports = uniquePorts(running.flatMap((c) => c.ports)).map((x) => `${x.port}/${x.protocol}`);
          return [
            ...(many ? [p.namespace] : []),
            p.name,
            `${running.filter((c) => c.ready).length}/${running.length}`,
            `${p.terminating ? 'Terminating' : (p.reason ?? running.find((c) => c.stateReason)?.stateReason ?? p.phase)}`,
            p.podIPs[0] ?? '<none>',
            p.nodeName ?? '<none>',
            ports.join(',') || '<none>',
            ...(wide ? [p.podIPs.join(',') || '<none>', p.hostIPs.join(',') || '<none>', ownerText(p.owner) ?? '<none>', Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'] : []),
          ];
        }),
      },
    ],
    items: pods.map((p) => ({ kind: 'pod' as const, name: p.name, namespace: p.namespace })),
  });
  if (!pods.length && !many) answer.hints.push('`pod -A` lists every namespace.');
  if (pods[0]) answer.hints.push(`\`pod ${pods[0].name} -n ${pods[0].namespace}\` explains one pod: its Services, ports and node.`);
  return answer;
}

function answerFor(s: Seen, wide = false): Answer {
  const p = s.pod;
  const answer = newAnswer('pod', `pod ${p.name}`, {
    subject: { kind: 'pod', name: p.name, namespace: p.namespace, ...(p.uid ? { id: p.uid } : {}), source: `context ${s.cluster.context}` },
    facts: facts(s),
    addresses: podAddressFacts(p, s.node?.podCIDRs ?? []),
    ports: [...containerPorts(s), ...servicePorts(s)],
    sharing: sharing(s),
    tables: tables(s, wide),
    items: [{ kind: 'pod', name: p.name, namespace: p.namespace }],
  });
  if (s.matchedBy === 'prefix') answer.warnings.push(`There is no pod named "${s.asked}"; ${p.name} is the only pod whose name starts with it, so this answer is about ${p.name}.`);
  verdict(answer, s);
  warnings(answer, s);
  answer.hints.push(`\`kubectl get pod ${p.name} -n ${p.namespace} -o wide\` shows the same IP and node.`);
  if (s.services[0]) answer.hints.push(`\`svc ${s.services[0].svc.name} -n ${p.namespace}\` lists every endpoint of that Service.`);
  if (p.nodeName) answer.hints.push(`\`node ${p.nodeName}\` shows the node's addresses and the other pods on it.`);
  return answer;
}

function facts(s: Seen): Fact[] {
  const p = s.pod;
  const running = runningContainers(p);
  const readyCount = running.filter((c) => c.ready).length;
  const ip = nodeIp(s.node) ?? p.hostIPs[0];
  const out: Fact[] = [
    { label: 'Namespace', value: p.namespace },
    { label: 'Phase', value: `${p.phase}${p.reason ? ` (${p.reason})` : ''}${p.terminating ? ', terminating' : ''}` },
    { label: 'Ready', value: p.ready ? `yes (${readyCount}/${running.length} containers)` : `no (${readyCount}/${running.length} containers ready)` },
    { label: 'Network', value: p.hostNetwork ? "the node's (hostNetwork: true)" : 'pod network (own network namespace)' },
    { label: p.podIPs.length > 1 ? 'Pod IPs' : 'Pod IP', value: p.podIPs.join(', ') || 'none yet' },
    { label: 'Node', value: p.nodeName ? `${p.nodeName}${ip ? ` (InternalIP ${ip})` : ''}` : 'not scheduled yet' },
  ];
  if (s.node) out.push({ label: 'Node pod CIDR', value: s.node.podCIDRs.join(', ') || 'none set (the network plugin manages addresses itself)' });
  if (!p.hostNetwork) {
    for (const pl of s.placements.filter((x) => x.nodeCidr)) {
      out.push({ label: `${pl.ip} in node pod CIDR`, value: pl.inside ? `yes (${pl.nodeCidr})` : `no (${pl.nodeCidr})` });
    }
  }
  const owner = ownerText(p.owner);
  if (owner) out.push({ label: 'Owner', value: owner });
  out.push({ label: 'Kubernetes context', value: `${s.cluster.context} (${s.cluster.server})` });
  return out;
}

function containerPorts(s: Seen): PortFact[] {
  const p = s.pod;
  const ip = p.hostNetwork ? (nodeIp(s.node) ?? p.hostIPs[0]) : p.podIPs[0];
  const out: PortFact[] = [];
  for (const c of p.containers) {
    for (const port of c.ports) {
      const base = { port: port.port, protocol: port.protocol, container: c.name, ...(port.name ? { name: port.name } : {}) };
      if (p.hostNetwork) {
        out.push({ ...base, source: 'host-network', note: `Bound on ${p.nodeName ?? 'the node'}'s own addresses${ip ? ` (${ip}:${port.port})` : ''}: it competes with the node's services and other hostNetwork pods for this port.` });
        continue;
      }
      const note =
        c.kind === 'init'
          ? `Declared by init container ${c.name}: listened on only while it runs, before the app containers start.`
          : ip
            ? `Reachable at ${ip}:${port.port}/${port.protocol} from every pod and node; nothing to publish.`
            : `Reachable at the pod IP on ${port.port}/${port.protocol} once the pod has one.`;
      out.push({ ...base, source: 'declared', note });
      if (port.hostPort) {
        const hostIp = port.hostIP ?? '';
        const nodeSide = `${hostIp || nodeIp(s.node) || p.nodeName || 'the node'}:${port.hostPort}`;
        out.push({ ...base, source: 'hostPort', hostIp, hostPort: port.hostPort, note: `${nodeSide} on the node forwards to ${ip ?? 'the pod IP'}:${port.port} (hostPort): reachable from outside the cluster through the node.` });
      }
    }
  }
  return out;
}

function servicePorts(s: Seen): PortFact[] {
  return s.services.flatMap(({ svc, resolved }) =>
    resolved.map(({ port, r }) => ({
      port: port.port,
      protocol: port.protocol,
      source: 'service' as const,
      ...(port.name ? { name: port.name } : {}),
      ...(r.ok && r.container ? { container: r.container } : {}),
      targetPort: r.ok ? r.port : r.portName,
      ...(port.nodePort ? { hostPort: port.nodePort, hostIp: '' } : {}),
      note: serviceMappingNote(svc.name, svc.clusterIPs[0], port, r, s.pod.podIPs[0]),
    })),
  );
}

function sharing(s: Seen): Sharing {
  const names = runningContainers(s.pod).map((c) => c.name);
  if (s.pod.hostNetwork) {
    const node = s.pod.nodeName ? `node ${s.pod.nodeName}` : 'the node';
    return { mode: 'host', with: [node, ...names], note: hostNetworkSentence(s.pod.name, s.pod.nodeName, nodeIp(s.node) ?? s.pod.hostIPs[0]) };
  }
  return { mode: 'pod', with: names, note: podSharingSentence(s.pod.podIPs[0], names) };
}

function tables(s: Seen, wide: boolean): Table[] {
  const out: Table[] = [
    {
      title: 'Containers',
      columns: ['container', 'kind', 'ports', 'state', ...(wide ? ['image', 'restarts'] : [])],
      rows: s.pod.containers.map((c) => [c.name, containerKindText(c), declaredPortsText(c.ports), containerStateText(c), ...(wide ? [c.image ?? '—', String(c.restartCount ?? 0)] : [])]),
    },
  ];
  if (s.services.length) {
    out.push({
      title: 'Services selecting this pod',
      columns: ['service', 'ClusterIP', 'port', 'targetPort', 'container port', 'endpoint'],
      rows: s.services.flatMap(({ svc, resolved, endpoints }) =>
        resolved.map(({ port, r }) => [
          svc.name,
          svc.clusterIPs.join(', ') || (svc.headless ? 'None (headless)' : '—'),
          `${port.port}/${port.protocol}${port.nodePort ? ` (nodePort ${port.nodePort})` : ''}`,
          String(port.targetPort ?? port.port),
          r.ok ? `${r.port}${r.container ? ` (${r.container})` : ' (not declared)'}` : `unresolved: ${r.reason}`,
          endpoints.length ? [...new Set(endpoints.map(endpointStateText))].join(', ') : 'not listed',
        ]),
      ),
    });
  }
  return out;
}

/** The summary and the explanations (seed notes 7–12 with this pod's values). */
function verdict(answer: Answer, s: Seen): void {
  const p = s.pod;
  const ip = p.podIPs[0];
  const running = runningContainers(p);
  if (p.hostNetwork) {
    const nip = nodeIp(s.node) ?? p.hostIPs[0];
    answer.summary = `${p.name} uses ${p.nodeName ?? 'its node'}'s network (hostNetwork: true): its address is the node's${nip ? ` ${nip}` : ''}, and its ports are the node's ports.`;
    answer.explanations.push(hostNetworkSentence(p.name, p.nodeName, nip));
  } else if (!ip) {
    answer.summary = noIpYetSentence(p.name, p.phase, p.nodeName, p.reason ?? running.find((c) => c.stateReason)?.stateReason);
    answer.explanations.push(POD_IP_NO_PUBLISHING);
  } else if (p.phase === 'Succeeded' || p.phase === 'Failed') {
    answer.summary = `${p.name} has ${p.phase === 'Succeeded' ? 'completed' : 'failed'}: no container runs, so nothing listens on ${ip} any more.`;
  } else {
    const all = p.podIPs.length > 1 ? `${p.podIPs.slice(0, -1).join(', ')} and ${p.podIPs.at(-1)}` : ip;
    const cidr = s.placements.find((x) => x.ip === ip && x.inside)?.nodeCidr;
    const where = p.nodeName ? ` on ${p.nodeName}${cidr ? ` (pod CIDR ${cidr})` : ''}` : '';
    const ready = p.ready ? '' : ' It is not ready, so Services send it no traffic.';
    answer.summary = `${p.name} is ${all}${where}: every pod and node reaches it there on any port its containers listen on, without publishing anything.${ready}`;
    const ports = uniquePorts(running.flatMap((c) => c.ports));
    answer.explanations.push(podReachableSentence(p.name, ip, ports), POD_ONE_NAMESPACE, podSharingSentence(ip, running.map((c) => c.name)));
    for (const pl of s.placements) if (pl.nodeCidr && p.nodeName) answer.explanations.push(podCidrSentence(pl.ip, pl.nodeCidr, p.nodeName, pl.inside === true));
    answer.explanations.push(containerIpIsPodIpSentence(ip, p.name, running[0]?.name), pingFromNodeSentence(ip, p.nodeName));
  }
  if (p.containers.some((c) => c.ports.some((x) => x.hostPort)) && !p.hostNetwork) answer.explanations.push(HOST_PORT);
  if (p.containers.some((c) => c.kind === 'sidecar')) answer.explanations.push(NATIVE_SIDECAR);
  if (p.containers.some((c) => c.kind === 'init' && c.ports.length)) answer.explanations.push(INIT_CONTAINER_PORTS);
  if (s.services.length) answer.explanations.push(SERVICE_VIRTUAL_IP);
  if (s.services.some((x) => x.resolved.some(({ r }) => !r.ok || r.via === 'name'))) answer.explanations.push(NAMED_TARGET_PORT);
}

function warnings(answer: Answer, s: Seen): void {
  const p = s.pod;
  for (const c of podPortConflicts(p.containers)) answer.warnings.push(podPortConflictWarning(c, p.name));
  if (s.neighbours.length && p.nodeName) {
    const others = s.neighbours.filter((n) => n.name !== p.name || n.namespace !== p.namespace).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    const claims = [p, ...others].flatMap((x) => nodePortClaims(`${x.namespace}/${x.name}`, x.hostNetwork, x.containers));
    const mine = `${p.namespace}/${p.name}`;
    for (const c of nodePortConflicts(claims)) if (c.claims.some((x) => x.pod === mine)) answer.warnings.push(nodePortConflictWarning(c, p.nodeName));
  }
  if (p.terminating) answer.warnings.push(`${p.name} is terminating: it is being shut down and Services are removing it from their endpoints.`);
  if (!p.ready && (p.phase === 'Running' || p.phase === 'Pending') && p.podIPs.length) {
    const notReady = runningContainers(p).filter((c) => !c.ready).map((c) => c.name);
    answer.warnings.push(`${p.name} is not ready${notReady.length ? ` (${notReady.join(', ')} not ready)` : ''}: its IP still answers connections, but Services skip it.`);
  }
  for (const { svc, resolved, endpoints } of s.services) {
    for (const { port, r } of resolved) {
      if (!r.ok) answer.warnings.push(`Service ${svc.name} port ${port.port}/${port.protocol}: targetPort "${r.portName}" does not resolve in ${p.name} (${r.reason}).`);
    }
    if (p.podIPs.length && !p.terminating) {
      if (!endpoints.length) answer.warnings.push(`Service ${svc.name} selects ${p.name}, but its EndpointSlices do not list it yet.`);
      else if (p.ready && !endpoints.some((e) => e.ready)) answer.warnings.push(`Service ${svc.name} lists ${p.name} as not ready in its EndpointSlices.`);
    }
  }
}
