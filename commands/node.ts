import type { AddressFact, Answer, Fact } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import { UserError } from '../src/core/errors.js';
import type { Query } from '../src/core/query.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { HOST_NETWORK_POD, NODE_REACHES_POD_IP, declaredPortsText, nodePortConflictWarning } from '../src/net/explain-kube.js';
import { nodePortClaims, nodePortConflicts } from '../src/net/kube-ports.js';
import { checkKubernetesName } from '../src/net/names.js';
import { placePodIps } from '../src/net/pod-cidr.js';
import type { KubeCluster } from '../src/sources/kube-cluster.js';
import { clusterFor, findNode, readSelector } from '../src/sources/kube-lookup.js';
import { matchesLabels } from '../src/net/label-selector.js';
import type { KubeNode, KubePod } from '../src/sources/kube-model.js';
import { nodeIp } from '../src/sources/kube-model.js';

const MAX_POD_ROWS = 50;

export const node: NetpeekCommand = {
  name: 'node',
  aliases: [],
  summary: "A node's addresses and pod CIDR, the pods on it, and which of them use the node's own network",
  args: [{ name: '<name>', required: true, unlessFlags: ['selector'], completes: ['node'] }],
  flags: ['cluster', 'selector'],
  examples: ['node worker-1', 'node -l node-role.kubernetes.io/worker -o wide', 'node kind-control-plane --context kind-dev'],
  subject: { role: 'lookup', kind: 'node' },
  sendsPackets: 'never',
  description:
    "Addresses (InternalIP, ExternalIP, hostname), pod CIDR(s), readiness and versions; the pods scheduled there with their IPs, the hostNetwork pods among them and the node ports they claim (with conflicts), and the netpeek agent configured for the node. " +
    'With -l (a label selector on the nodes\' labels) and no name it lists the matching nodes as kubectl get nodes does; -o wide adds external IP, OS, kernel and container runtime.',
  async run(query, deps) {
    if (query.flags.selector !== undefined) return listAnswer(query, deps);
    const name = checkKubernetesName(query.args[0] ?? '', 'node');
    const cluster = clusterFor(deps, query.flags.cluster);
    const n = await findNode(cluster, name);
    const pods = await cluster.pods({ nodeName: n.name });
    const scoped = deps.namespaces ? pods.filter((p) => deps.namespaces!.includes(p.namespace)) : pods;
    return answerFor(n, scoped, cluster, deps);
  },
};

/** `node -l node-role.kubernetes.io/worker`: one row per matching node, as `kubectl get nodes` (-o wide: more columns). */
async function listAnswer(query: Query, deps: Deps): Promise<Answer> {
  if (query.args[0] !== undefined) {
    throw new UserError(`-l lists nodes, so it takes no node name ("${query.args[0]}").`, ['Example: node -l node-role.kubernetes.io/worker', `Or one node: node ${query.args[0]}`]);
  }
  const selector = readSelector(query.flags.selector!, 'node -l node-role.kubernetes.io/worker');
  const cluster = clusterFor(deps, query.flags.cluster);
  const nodes = (await cluster.nodes()).filter((n) => matchesLabels(selector, n.labels)).sort((a, b) => a.name.localeCompare(b.name));
  const wide = query.flags.output === 'wide';
  const ready = nodes.filter((n) => n.ready).length;
  const address = (n: KubeNode, type: string) => n.addresses.filter((a) => a.type === type).map((a) => a.address).join(',') || '<none>';
  return newAnswer('node', `nodes matching ${query.flags.selector}`, {
    subject: { kind: 'node', name: query.flags.selector!, source: `context ${cluster.context}` },
    summary: nodes.length ? `${nodes.length} ${nodes.length === 1 ? 'node matches' : 'nodes match'} ${query.flags.selector}; ${ready} ready.` : `No nodes match ${query.flags.selector}.`,
    facts: [{ label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` }],
    tables: [
      {
        title: 'Nodes',
        columns: ['name', 'status', 'roles', 'internal IP', 'pod CIDR', 'version', ...(wide ? ['external IP', 'OS image', 'kernel', 'container runtime'] : [])],
        rows: nodes.map((n) => [
          n.name,
          `${n.ready ? 'Ready' : 'NotReady'}${n.unschedulable ? ',SchedulingDisabled' : ''}`,
          n.roles.join(',') || '<none>',
          address(n, 'InternalIP'),
          n.podCIDRs.join(',') || '<none>',
          n.kubeletVersion ?? '<unknown>',
          ...(wide ? [address(n, 'ExternalIP'), n.osImage ?? '<unknown>', n.kernelVersion ?? '<unknown>', n.containerRuntime ?? '<unknown>'] : []),
        ]),
      },
    ],
    items: nodes.map((n) => ({ kind: 'node' as const, name: n.name })),
    ...(nodes[0] ? { hints: [`\`node ${nodes[0].name}\` shows one node's pods and agent.`] } : {}),
  });
}

/**
 * Where the netpeek agent for this node would be (NETPEEK_AGENTS). A hook: when agents report
 * health, their state joins this fact.
 */
export function agentOnNode(n: KubeNode, deps: Deps): Fact {
  const url = deps.config.agents.byNode[n.name];
  return { label: 'netpeek agent', value: url ? `configured at ${url}` : 'none configured for this node (NETPEEK_AGENTS)' };
}

function answerFor(n: KubeNode, pods: KubePod[], cluster: KubeCluster, deps: Deps): Answer {
  const hostNet = pods.filter((p) => p.hostNetwork);
  const ip = nodeIp(n);
  const facts: Fact[] = [
    { label: 'Ready', value: n.ready ? 'yes' : 'no' },
    ...(n.roles.length ? [{ label: 'Roles', value: n.roles.join(', ') }] : []),
    ...n.addresses.map((a) => ({ label: a.type, value: a.address })),
    { label: n.podCIDRs.length > 1 ? 'Pod CIDRs' : 'Pod CIDR', value: n.podCIDRs.join(', ') || 'none set (the network plugin manages pod addresses itself)' },
    { label: 'Pods', value: `${pods.length} (${hostNet.length} with hostNetwork)` },
    ...(n.unschedulable ? [{ label: 'Schedulable', value: 'no (cordoned)' }] : []),
    ...(n.kubeletVersion ? [{ label: 'Kubelet', value: n.kubeletVersion }] : []),
    ...(n.osImage ? [{ label: 'OS', value: n.osImage }] : []),
    ...(n.containerRuntime ? [{ label: 'Container runtime', value: n.containerRuntime }] : []),
    agentOnNode(n, deps),
    { label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` },
  ];
  const addresses: AddressFact[] = n.addresses
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a) => {
      const v6 = a.address.includes(':');
      return { network: `node ${a.type}`, family: v6 ? 'ipv6' : 'ipv4', ip: a.address, prefixLength: v6 ? 128 : 32, subnet: `${a.address}/${v6 ? 128 : 32}` };
    });
  const answer = newAnswer('node', `node ${n.name}`, { subject: { kind: 'node', name: n.name, source: `context ${cluster.context}` }, facts, addresses });
  const sorted = [...pods].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  answer.tables.push({
    title: 'Pods on this node',
    columns: ['pod', 'namespace', 'IP', 'network', 'phase'],
    rows: sorted.slice(0, MAX_POD_ROWS).map((p) => [p.name, p.namespace, p.podIPs.join(', ') || '—', p.hostNetwork ? "node's (hostNetwork)" : 'pod', `${p.phase}${p.ready ? ', ready' : ''}`]),
  });
  if (hostNet.length) {
    answer.tables.push({
      title: "Pods on the node's network (hostNetwork)",
      columns: ['pod', 'namespace', 'ports bound on the node'],
      rows: hostNet.map((p) => [p.name, p.namespace, declaredPortsText(p.containers.flatMap((c) => c.ports))]),
    });
    answer.explanations.push(HOST_NETWORK_POD);
  }
  const cidr = n.podCIDRs.join(', ');
  const outside = pods.filter((p) => !p.hostNetwork && placePodIps(p.podIPs, n.podCIDRs).some((x) => x.inside === false)).length;
  answer.summary = `${n.name} is ${ip ?? 'a node without an InternalIP'}${cidr ? `, with pod CIDR ${cidr}` : ''}: ${pods.length} pod${pods.length === 1 ? '' : 's'} run${pods.length === 1 ? 's' : ''} there, ${hostNet.length} on the node's own network.`;
  if (cidr) answer.explanations.push(`Pods scheduled on ${n.name} get addresses from ${cidr}, this node's slice of the pod network; the node reaches each of them directly.`);
  answer.explanations.push(NODE_REACHES_POD_IP);
  if (outside) answer.warnings.push(`${outside} pod${outside === 1 ? ' has an IP' : 's have IPs'} outside ${cidr}: the network plugin assigns addresses from its own pools here.`);
  if (!n.ready) answer.warnings.push(`${n.name} is not ready: the kubelet is not reporting, so its pods may be unreachable.`);
  const claims = sorted.flatMap((p) => nodePortClaims(`${p.namespace}/${p.name}`, p.hostNetwork, p.containers));
  for (const c of nodePortConflicts(claims)) answer.warnings.push(nodePortConflictWarning(c, n.name));
  if (pods.length > MAX_POD_ROWS) answer.hints.push(`Showing ${MAX_POD_ROWS} of ${pods.length} pods; \`kubectl get pods -A -o wide --field-selector spec.nodeName=${n.name}\` lists all.`);
  if (sorted[0]) answer.hints.push(`\`pod ${sorted[0].name} -n ${sorted[0].namespace}\` shows one pod's IP and ports.`);
  return answer;
}
