import { UserError } from '../core/errors.js';
import type { EndpointRef } from '../net/endpoint-ref.js';
import type { PolicyEndpoint, PolicyPod } from '../net/policy-peers.js';
import type { PolicyProtocol } from '../net/policy-spec.js';
import { rangeContains } from '../net/subnet.js';
import type { KubeCluster } from './kube-cluster.js';
import { findPod, type NamespaceScope } from './kube-lookup.js';
import type { KubePod } from './kube-model.js';

/**
 * One end of a connection as the policy engine needs it, looked up in a cluster: a pod with its labels,
 * addresses and named ports, or an address placed as a pod's, a node's, inside the pod network, a
 * Service's ClusterIP, or outside the cluster. Reads only the Kubernetes API (watch caches).
 */
export interface PlacedEndpoint {
  endpoint: PolicyEndpoint;
  /** "shop/db-0" or "203.0.113.9": how answers name it. */
  name: string;
  /** Its address in the answer (a pod's first). */
  ip?: string;
  node?: string;
  /** Set when the address is a Service's ClusterIP: policies see the pods behind it, not this address. */
  service?: string;
}

/** A cached pod as the policy engine sees it: the named ports of the containers that run with the app. */
export function policyPod(p: KubePod): PolicyPod {
  return {
    namespace: p.namespace,
    name: p.name,
    labels: p.labels,
    ips: p.podIPs,
    hostNetwork: p.hostNetwork,
    namedPorts: p.containers
      .filter((c) => c.kind !== 'init')
      .flatMap((c) => c.ports.filter((x) => x.name).map((x) => ({ name: x.name!, port: x.port, protocol: x.protocol.toUpperCase() as PolicyProtocol }))),
  };
}

function placedPod(p: KubePod): PlacedEndpoint {
  return { endpoint: { kind: 'pod', pod: policyPod(p) }, name: `${p.namespace}/${p.name}`, ...(p.podIPs[0] ? { ip: p.podIPs[0] } : {}), ...(p.nodeName ? { node: p.nodeName } : {}) };
}

const live = (p: KubePod) => p.phase === 'Running' || p.phase === 'Pending';


/** Where an address is: a pod's, a node's, in the pod network, a Service's ClusterIP, or outside. */
export async function placeAddressForPolicy(cluster: KubeCluster, ip: string, scope: NamespaceScope): Promise<PlacedEndpoint> {
  const owners = (await cluster.podsWithIp(ip)).filter(live);
  const pod = owners.find((p) => !p.hostNetwork);
  if (pod) {
    if (scope.namespaces && !scope.namespaces.includes(pod.namespace)) {
      throw new UserError(`${ip} belongs to a pod in namespace ${pod.namespace}, which this conversation may not see.`, [`Namespaces here: ${scope.namespaces.join(', ')}`], 'forbidden');
    }
    return placedPod(pod);
  }
  const nodes = await cluster.nodes();
  const node = nodes.find((n) => n.addresses.some((a) => a.address === ip)) ?? (owners[0]?.nodeName ? nodes.find((n) => n.name === owners[0]!.nodeName) : undefined);
  if (node || owners.length) {
    return { endpoint: { kind: 'address', ip, place: 'node', ...(node ? { node: node.name } : {}) }, name: ip, ip, ...(node ? { node: node.name } : {}) };
  }
  const inPodNetwork = nodes.find((n) => n.podCIDRs.some((c) => rangeContains(c, ip)));
  if (inPodNetwork) return { endpoint: { kind: 'address', ip, place: 'pod-network' }, name: ip, ip, node: inPodNetwork.name };
  const svc = (await cluster.services()).find((s) => s.clusterIPs.includes(ip));
  const external: PlacedEndpoint = { endpoint: { kind: 'address', ip, place: 'external' }, name: ip, ip };
  return svc ? { ...external, service: `${svc.namespace}/${svc.name}` } : external;
}

/**
 * A reference (pod/<ns>/<name>, <ns>/<name>, pod/<name> with -n, a bare pod name, an address) placed
 * for the policy engine. Containers are Docker's, not the cluster's: the caller places their address.
 */
export async function placeForPolicy(cluster: KubeCluster, ref: EndpointRef, namespace: string | undefined, scope: NamespaceScope): Promise<PlacedEndpoint> {
  if (ref.kind === 'ip') return placeAddressForPolicy(cluster, ref.ip, scope);
  if (ref.kind === 'container') {
    throw new UserError(`container/${ref.name} is a Docker container; NetworkPolicies apply to pods, so --no-probe has nothing to evaluate there.`, [
      'Name a pod or an address, e.g. `reach web/web-1 shop/db-0 --port 5432 --no-probe`, or drop --no-probe to probe the container.',
    ]);
  }
  const ns = ref.kind === 'pod' ? (ref.namespace ?? namespace) : namespace;
  const found = await findPod(cluster, ref.name, ns, scope);
  return placedPod(found.pod);
}
