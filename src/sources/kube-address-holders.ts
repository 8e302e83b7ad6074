import { inferServiceCidrs, type ServiceCidrGuess } from '../net/pod-cidr.js';
import { rangeContains } from '../net/subnet.js';
import type { KubeCluster } from './kube-cluster.js';
import type { NamespaceScope } from './kube-lookup.js';
import type { KubeNode, KubePod, KubeService } from './kube-model.js';

/**
 * What a cluster's caches say about one address: the pods, Services and nodes holding it, and the
 * ranges it falls in (a node's pod CIDR, the service CIDR the ClusterIPs suggest). Read by `why <ip>`
 * (its resolve step) and by `ip <address>`; nothing is sent to the address.
 */
export interface KubeAddressHolders {
  /** Running or pending pods whose pod IP it is, hostNetwork ones included (their IP is their node's). */
  pods: KubePod[];
  /** Pods holding it in namespaces this conversation may not see: counted, never named. */
  hiddenPods: number;
  /** Services holding it, and as what. */
  services: { service: KubeService; as: 'ClusterIP' | 'external IP' | 'load balancer' }[];
  /** Nodes with it among their addresses, and the address type (InternalIP, ExternalIP, Hostname). */
  nodes: { node: KubeNode; type: string }[];
  /** The first node whose pod CIDR contains it. */
  podCidr?: { node: string; cidr: string };
  /** The service CIDR the ClusterIPs suggest, when it contains it. */
  serviceCidr?: ServiceCidrGuess;
  /** Every node's pod CIDRs (to say what it is outside of). */
  podCidrs: string[];
  nodeList: KubeNode[];
}


const live = (p: KubePod) => p.phase === 'Running' || p.phase === 'Pending';

export async function kubeAddressHolders(cluster: KubeCluster, ip: string, scope: NamespaceScope): Promise<KubeAddressHolders> {
  const visible = (ns: string) => scope.namespaces === undefined || scope.namespaces.includes(ns);
  const [withIp, services, nodeList] = await Promise.all([cluster.podsWithIp(ip), cluster.services(), cluster.nodes()]);
  const owners = withIp.filter(live);
  const pods = owners.filter((p) => visible(p.namespace));
  const held = services
    .filter((s) => visible(s.namespace))
    .flatMap((s) => {
      const as = s.clusterIPs.includes(ip) ? 'ClusterIP' : s.externalIPs.includes(ip) ? 'external IP' : s.loadBalancer.includes(ip) ? 'load balancer' : undefined;
      return as ? [{ service: s, as } as const] : [];
    });
  const nodes = nodeList.flatMap((n) => {
    const a = n.addresses.find((x) => x.address === ip);
    return a ? [{ node: n, type: a.type }] : [];
  });
  // A hostNetwork pod's IP is its node's, even when the node does not list that address.
  for (const p of owners) {
    if (!p.hostNetwork || !p.nodeName || nodes.some((x) => x.node.name === p.nodeName)) continue;
    const n = nodeList.find((x) => x.name === p.nodeName);
    if (n) nodes.push({ node: n, type: 'address' });
  }
  const podCidr = nodeList.flatMap((n) => n.podCIDRs.filter((c) => rangeContains(c, ip)).map((c) => ({ node: n.name, cidr: c })))[0];
  const serviceCidr = inferServiceCidrs(services.flatMap((s) => s.clusterIPs)).find((g) => rangeContains(g.cidr, ip));
  return {
    pods,
    hiddenPods: owners.length - pods.length,
    services: held,
    nodes,
    ...(podCidr ? { podCidr } : {}),
    ...(serviceCidr ? { serviceCidr } : {}),
    podCidrs: [...new Set(nodeList.flatMap((n) => n.podCIDRs))],
    nodeList,
  };
}
