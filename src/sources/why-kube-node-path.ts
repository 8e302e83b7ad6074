import type { Fact, ProbeFact } from '../core/answer.js';
import type { DiagnosisStep, StepId } from '../core/diagnosis.js';
import { isNetpeekError } from '../core/errors.js';
import type { Query } from '../core/query.js';
import type { PolicyProtocol } from '../net/policy-spec.js';
import { kubeUnheldSentence } from '../net/explain-address.js';
import { skipStep } from '../net/why-diagnosis.js';
import { policyStep } from '../net/why-policy-step.js';
import { probeStep } from '../net/why-probe-step.js';
import { kubeRouteStep, nodeRouteStep } from '../net/why-route-step.js';
import { probeSubject } from '../probe/probe-subject.js';
import type { ProbeService, ProbeSubject } from '../probe/vantage.js';
import type { ChangeSubject } from './kube-recent-changes.js';
import { kubeAddressHolders } from './kube-address-holders.js';
import type { KubeCluster } from './kube-cluster.js';
import { clusterFor, findNode, type NamespaceScope } from './kube-lookup.js';
import type { KubeNode, KubePod, KubeService } from './kube-model.js';
import { nodeIp } from './kube-model.js';
import type { KubeSource } from './kubernetes.js';
import { placeClient, routeNode, type WhyFrom } from './why-kube-ends.js';

/**
 * `why [<from>] node/<name>` and what a bare address is: a node as the destination (is it Ready, how the
 * client's packets get to its address, and a probe of that address through an agent), and the lookup
 * that turns `why 10.244.1.7` into the pod, Service or node holding it, or says which cluster range it
 * falls in when nothing does. Everything but the probe comes from the watch caches.
 */

export interface NodePathQuestion {
  kube?: KubeSource;
  probes?: ProbeService;
  namespaces?: readonly string[];
  query: Query;
  node: string;
  from: WhyFrom | undefined;
  fromText?: string;
  /** A resolve step made by the caller (the address asked was this node's). */
  resolved?: DiagnosisStep;
}

export interface NodePathFindings {
  node: string;
  context: string;
  steps: DiagnosisStep[];
  facts: Fact[];
  probes: ProbeFact[];
  onPath: ChangeSubject[];
  /** The steps sent live: the probe, unless --no-probe (a node's own sockets are not read). */
  live: StepId[];
}

const LISTENING_SKIP = "netpeek does not read a node's own sockets: the agent answers probes, it does not list the host's listeners";

export async function nodePath(q: NodePathQuestion): Promise<NodePathFindings> {
  const { query, from } = q;
  const cluster = clusterFor(q, query.flags.cluster);
  const scope: NamespaceScope = q.namespaces ? { namespaces: q.namespaces } : {};
  const node = await findNode(cluster, q.node);
  const ip = nodeIp(node);
  const client = from !== undefined ? await placeClient(cluster, from, query.flags.namespace, scope, q.fromText ?? '') : undefined;
  const port = query.flags.port !== undefined ? { protocol: (query.flags.protocol ?? 'tcp').toUpperCase() as PolicyProtocol, port: query.flags.port } : undefined;
  const steps: DiagnosisStep[] = [];
  if (q.resolved) steps.push(q.resolved);
  steps.push(skipStep('listening', LISTENING_SKIP));
  // NetworkPolicies select pods: only a client pod's egress rules can drop traffic to a node's address.
  if (client?.placed?.endpoint.kind === 'pod' && ip) {
    const [engine, otherPolicyKinds] = await Promise.all([cluster.policyEngine(), cluster.otherPolicyKinds()]);
    const evaluation = engine.evaluate(client.placed.endpoint, { kind: 'address', ip, place: 'node', node: node.name }, port, { otherPolicyKinds });
    steps.push(policyStep({ kind: 'verdict', from: client.placed.name, to: `node ${node.name} (${ip})`, verdict: evaluation.verdict }));
  } else {
    steps.push(skipStep('policy', `NetworkPolicies select pods, and ${from === undefined ? 'no client pod was named' : `${q.fromText ?? 'the client'} is not a pod`}: nothing of theirs applies to a node's own address`));
  }
  const to = { kind: 'node' as const, name: node.name, node: routeNode(node) };
  steps.push(client ? kubeRouteStep({ from: client.route, to }) : nodeRouteStep(to.node));
  const probed = await nodeProbe(q, cluster, node, ip, client?.node).catch((err: unknown) => {
    if (!isNetpeekError(err)) throw err;
    return { step: skipStep('probe', err.message.replace(/\.$/, '')), probes: [] as ProbeFact[] };
  });
  steps.push(probed.step);
  const facts: Fact[] = [
    { label: 'Node', value: `${node.name}${ip ? ` (${ip})` : ''}, ${node.ready ? 'Ready' : 'not Ready'}${node.podCIDRs.length ? `, pod CIDR ${node.podCIDRs.join(', ')}` : ''}` },
    ...(q.fromText ? [{ label: 'From', value: q.fromText === 'here' ? "here (netpeek's host)" : q.fromText }] : []),
    { label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` },
  ];
  return { node: node.name, context: cluster.context, steps, facts, probes: probed.probes, onPath: [], live: query.flags.noProbe ? [] : ['probe'] };
}

/** probe: the node's address (ICMP, and TCP to --port), from the client's node's agent, else the node's own. */
async function nodeProbe(q: NodePathQuestion, cluster: KubeCluster, node: KubeNode, ip: string | undefined, clientNode: string | undefined): Promise<{ step: DiagnosisStep; probes: ProbeFact[] }> {
  const skip = (why: string) => ({ step: skipStep('probe', why), probes: [] as ProbeFact[] });
  if (q.query.flags.noProbe) return skip('--no-probe: nothing was sent');
  if (!ip) return skip(`node ${node.name} reports no address to probe`);
  if (q.query.flags.protocol && q.query.flags.protocol !== 'tcp') return skip(`netpeek probes TCP and ICMP; ${q.query.flags.protocol.toUpperCase()} was not probed`);
  if (!q.probes) return skip('probing is not configured in this netpeek');
  const from = clientNode ?? node.name;
  const subject: ProbeSubject = { kind: 'ip', name: `node ${node.name}`, ip, vantage: { kind: 'node', node: from, context: cluster.context }, ports: [], networks: [], node: node.name, hostNetwork: true };
  const port = q.query.flags.port;
  const run = await probeSubject(subject, q, { ...(port !== undefined ? { port } : {}), icmp: 'when-tcp-silent' });
  const note = q.from !== undefined && clientNode === undefined ? `not from ${q.fromText ?? 'the client'}: netpeek probes nodes from a node's agent` : clientNode === undefined ? 'from its own agent: this shows the address answers, not that other hosts reach it' : undefined;
  return {
    step: probeStep({ facts: run.facts, from: run.from, degraded: run.degraded, target: `node ${node.name}`, ...(port !== undefined ? { port } : {}), ...(note ? { vantageNote: note } : {}) }),
    probes: run.facts,
  };
}

/** What holds an address in the cluster: a pod, a Service (ClusterIP), a node, or nothing (and which range it is in). */
export type AddressOwner =
  | { kind: 'pod'; pod: KubePod; step: DiagnosisStep }
  | { kind: 'service'; service: KubeService; step: DiagnosisStep }
  | { kind: 'node'; node: KubeNode; step: DiagnosisStep }
  | { kind: 'none'; step: DiagnosisStep };

/**
 * The resolve step of a bare address: which object of the cache has it. A pod IP first (a running pod
 * that is not hostNetwork), then a Service's ClusterIP, then a node's address (or a hostNetwork pod's,
 * which is its node's). Pod IPs outside the conversation's namespaces are not revealed.
 */
export async function locateAddress(cluster: KubeCluster, ip: string, scope: NamespaceScope): Promise<AddressOwner> {
  const held = await kubeAddressHolders(cluster, ip, scope);
  const pod = held.pods.find((p) => !p.hostNetwork);
  if (pod) return { kind: 'pod', pod, step: { id: 'resolve', status: 'pass', evidence: `${ip} is the IP of pod ${pod.namespace}/${pod.name}${pod.nodeName ? ` on node ${pod.nodeName}` : ''} (from the API's pod list).` } };
  const svc = held.services.find((s) => s.as === 'ClusterIP')?.service;
  if (svc) return { kind: 'service', service: svc, step: { id: 'resolve', status: 'pass', evidence: `${ip} is the ClusterIP of Service ${svc.namespace}/${svc.name} (${svc.type}).` } };
  const node = held.nodes[0];
  if (node) return { kind: 'node', node: node.node, step: { id: 'resolve', status: 'pass', evidence: `${ip} is the ${node.type} of node ${node.node.name}.` } };
  const { podCidr: inPodCidr, serviceCidr } = held;
  const where = kubeUnheldSentence(held);
  return {
    kind: 'none',
    step: {
      id: 'resolve',
      status: 'fail',
      evidence: `No pod, Service or node in context ${cluster.context} has ${ip}; ${where}.`,
      fix: inPodCidr || serviceCidr ? 'Ask for the pod or Service by name (`why svc/<name>`, `why pod/<ns>/<name>`): names survive a restart, addresses do not.' : 'Check the address: name the pod, Service or node instead (`why svc/<name>`).',
    },
  };
}
