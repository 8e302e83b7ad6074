import type { EndpointRef } from '../net/endpoint-ref.js';
import type { RouteClient, RouteDestination, RouteNode, RouteService } from '../net/why-route-step.js';
import type { KubeCluster } from './kube-cluster.js';
import { findNode, type NamespaceScope } from './kube-lookup.js';
import type { KubeNode, KubePod, KubeService } from './kube-model.js';
import { nodeIp } from './kube-model.js';
import { placeForPolicy, type PlacedEndpoint } from './kube-policy-endpoints.js';

/**
 * The two ends of a `why` path in one cluster, placed for the policy engine and for the route step:
 * the client (a pod, a node, an address, `here`, a Docker container) and the destination (a pod, or a
 * node). Reads only the watch caches.
 */

/** `<from>` of `why`: what parseEndpointRef reads, `here`, or a node (`node/<name>`). */
export type WhyFrom = EndpointRef | 'here' | { kind: 'node'; name: string };

export const isNodeRef = (f: WhyFrom | undefined): f is { kind: 'node'; name: string } => f !== undefined && f !== 'here' && f.kind === 'node';

export function routeNode(n: KubeNode): RouteNode {
  const ip = nodeIp(n);
  return { name: n.name, ready: n.ready, podCIDRs: n.podCIDRs, ...(ip ? { ip } : {}) };
}

/** A node as the policy engine sees a client: its address, placed as a node's (none without an address). */
function placedNode(n: KubeNode): PlacedEndpoint | undefined {
  const ip = nodeIp(n);
  return ip ? { endpoint: { kind: 'address', ip, place: 'node', node: n.name }, name: `node/${n.name}`, ip, node: n.name } : undefined;
}

export interface PlacedClient {
  /** For the policy engine; undefined for `here` and Docker containers (outside its policies). */
  placed?: PlacedEndpoint;
  route: RouteClient;
  /** The client's node, when it has one: where its probes start. */
  node?: string;
}

/** Places `<from>` in the cluster: a pod (with its node), a node, an address (a pod's, a node's, or outside), `here`, a container. */
export async function placeClient(cluster: KubeCluster, from: WhyFrom, namespace: string | undefined, scope: NamespaceScope, fromText: string): Promise<PlacedClient> {
  if (from === 'here') return { route: { kind: 'outside', name: 'here', what: "netpeek's host", maybeInside: true } };
  if (from.kind === 'container') return { route: { kind: 'outside', name: `container/${from.name}`, what: 'a Docker container, outside the pod network' } };
  if (from.kind === 'node') {
    const n = await findNode(cluster, from.name);
    const placed = placedNode(n);
    return { ...(placed ? { placed } : {}), route: { kind: 'node', name: n.name, node: routeNode(n) }, node: n.name };
  }
  const placed = await placeForPolicy(cluster, from, namespace, scope);
  const nodeOf = async (name: string | undefined) => (name ? await cluster.node(name) : undefined);
  if (placed.endpoint.kind === 'pod') {
    const n = await nodeOf(placed.node);
    return {
      placed,
      route: { kind: 'pod', name: placed.name, hostNetwork: placed.endpoint.pod.hostNetwork, ...(placed.ip ? { ip: placed.ip } : {}), ...(n ? { node: routeNode(n) } : {}) },
      ...(placed.node ? { node: placed.node } : {}),
    };
  }
  const place = placed.endpoint.place;
  if (place === 'node' && placed.node) {
    const n = await nodeOf(placed.node);
    if (n) return { placed, route: { kind: 'node', name: n.name, node: routeNode(n) }, node: n.name };
  }
  if (place === 'pod-network') {
    // An address inside a node's pod CIDR that no running pod holds: placed on that node.
    const n = await nodeOf(placed.node);
    return { placed, route: { kind: 'pod', name: fromText, ip: placed.ip!, hostNetwork: false, ...(n ? { node: routeNode(n) } : {}) }, ...(placed.node ? { node: placed.node } : {}) };
  }
  return { placed, route: { kind: 'outside', name: fromText, what: placed.service ? `the ClusterIP of Service ${placed.service}, not a client` : 'an address no pod or node of the cluster has' } };
}

export async function podDestination(cluster: KubeCluster, p: KubePod): Promise<RouteDestination> {
  const n = p.nodeName ? await cluster.node(p.nodeName) : undefined;
  const ip = p.hostNetwork ? (nodeIp(n) ?? p.hostIPs[0]) : (p.podIPs.find((x) => !x.includes(':')) ?? p.podIPs[0]);
  return { kind: 'pod', name: `${p.namespace}/${p.name}`, hostNetwork: p.hostNetwork, phase: p.phase, ...(p.nodeName ? { nodeName: p.nodeName } : {}), ...(ip ? { ip } : {}), ...(n ? { node: routeNode(n) } : {}) };
}

/** The Service's part of the route: its type, the asked port's nodePort, its load balancer, the Ready nodes. */
export async function routeService(cluster: KubeCluster, svc: KubeService, askedPort: number | undefined, protocol: string | undefined): Promise<RouteService> {
  const sp = askedPort !== undefined ? svc.ports.find((p) => p.port === askedPort && p.protocol === (protocol ?? 'tcp')) : svc.ports.length === 1 ? svc.ports[0] : undefined;
  const needNodes = svc.type === 'NodePort' || svc.type === 'LoadBalancer';
  const readyNodes = needNodes ? (await cluster.nodes()).filter((n) => n.ready).map(routeNode) : [];
  return {
    name: `${svc.namespace}/${svc.name}`,
    type: svc.type,
    ...(svc.clusterIPs[0] ? { clusterIP: svc.clusterIPs[0] } : {}),
    ...(sp ? { port: { port: sp.port, ...(sp.nodePort ? { nodePort: sp.nodePort } : {}) } } : {}),
    loadBalancerIPs: svc.loadBalancer,
    readyNodes,
  };
}
