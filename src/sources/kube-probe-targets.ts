import { UserError } from '../core/errors.js';
import { uniquePorts } from '../net/ports.js';
import { rangeContains } from '../net/subnet.js';
import { findPod } from './kube-lookup.js';
import { type KubeNode, type KubePod, nodeIp } from './kube-model.js';
import type { KubeSource } from './kubernetes.js';
import type { ProbeSubject } from '../probe/vantage.js';
import { podWorkloadRef } from './kube-pod-sockets.js';
import type { AddressPlacer, PodProbeResolver, ProbeResolvers } from './probe-targets.js';

/**
 * The Kubernetes side of probe targets (Deps.probeResolvers): a pod name → its IP, node and declared
 * TCP ports, probed from that node's agent; an address → the node whose pod CIDR holds it.
 */
export function kubeProbeResolvers(kube: KubeSource): ProbeResolvers {
  return (context, scope = {}) => {
    // Without a kubeconfig there is nothing to place: callers then say so instead of failing.
    if (!kube.configured()) return {};
    const pods: PodProbeResolver = async (name, namespace) => {
      const cluster = kube.cluster(context);
      let found;
      try {
        found = await findPod(cluster, name, namespace, scope);
      } catch (err) {
        if (err instanceof UserError && err.code === 'not_found') return undefined;
        throw err;
      }
      const p = found.pod;
      if (!p.nodeName) return podProbeSubject(p, undefined, cluster.context);
      return podProbeSubject(p, await cluster.node(p.nodeName), cluster.context);
    };
    const placeAddress: AddressPlacer = async (ip) => {
      const cluster = kube.cluster(context);
      const nodes = await cluster.nodes();
      for (const n of nodes) {
        const subnet = n.podCIDRs.find((c) => rangeContains(c, ip));
        if (subnet) return { kind: 'ip', name: ip, ip, vantage: { kind: 'node', node: n.name, context: cluster.context }, ports: [], networks: [`pod network of node ${n.name}`], subnet, node: n.name, hostNetwork: false };
      }
      return undefined;
    };
    return { pods, placeAddress };
  };
}

/**
 * A pod the caller has already found (and its node) → where and what to probe: the pod IP (the node's
 * for hostNetwork), from that node's agent, on the TCP ports its running containers declare. Says why
 * when there is nothing to probe yet.
 */
export function podProbeSubject(p: KubePod, node: KubeNode | undefined, context: string): ProbeSubject {
  if (!p.nodeName) throw new UserError(`Pod ${p.name} is ${p.phase} and not on a node yet, so there is nothing to probe.`, [`\`pod ${p.name} -n ${p.namespace}\` explains why.`]);
  const ip = p.hostNetwork ? (nodeIp(node) ?? p.hostIPs[0]) : (p.podIPs.find((x) => !x.includes(':')) ?? p.podIPs[0]);
  if (!ip) throw new UserError(`Pod ${p.name} has no IP yet (${p.phase}), so there is nothing to probe.`, [`\`pod ${p.name} -n ${p.namespace}\` explains why.`]);
  const subject: ProbeSubject = {
    kind: 'pod',
    name: `${p.namespace}/${p.name}`,
    ip,
    vantage: { kind: 'node', node: p.nodeName, context },
    ports: uniquePorts(p.containers.filter((c) => c.kind !== 'init').flatMap((c) => c.ports)).filter((x) => x.protocol === 'tcp').map((x) => ({ port: x.port, protocol: x.protocol })),
    networks: [p.hostNetwork ? `node ${p.nodeName} (hostNetwork)` : `pod network of node ${p.nodeName}`],
    node: p.nodeName,
    namespace: p.namespace,
    hostNetwork: p.hostNetwork,
  };
  // What `--from <pod>` enters through the node's agent: the containers' IDs, never a PID.
  const containers = p.hostNetwork ? undefined : podWorkloadRef(p)?.containers;
  if (containers) subject.containers = containers;
  const subnet = p.hostNetwork ? undefined : node?.podCIDRs.find((c) => rangeContains(c, ip));
  return subnet ? { ...subject, subnet } : subject;
}

