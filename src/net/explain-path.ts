/**
 * How traffic gets from A to B, from where each one lives. Pure: the placement facts in, sentences out.
 */

export interface Placement {
  kind: 'container' | 'pod' | 'ip';
  name: string;
  ip: string;
  /** Docker networks, or the pod network. */
  networks: string[];
  /** Kubernetes node; absent for Docker. */
  node?: string;
  hostNetwork: boolean;
  /** Where it runs: "docker" for the Docker host, "cluster" for Kubernetes. */
  world: 'docker' | 'cluster';
}

export type PathKind = 'same-namespace' | 'same-bridge' | 'different-bridges' | 'same-node' | 'across-nodes' | 'host-network' | 'docker-to-cluster';

export interface PathVerdict {
  kind: PathKind;
  /** Can A open a connection to B's private address directly? */
  direct: boolean;
  sentences: string[];
}

export function explainPath(a: Placement, b: Placement): PathVerdict {
  if (a.ip === b.ip && !a.hostNetwork) {
    return { kind: 'same-namespace', direct: true, sentences: [`${a.name} and ${b.name} share one network namespace (${a.ip}): they talk over localhost, and must bind different ports.`] };
  }
  if (a.world !== b.world) {
    const [docker, pod] = a.world === 'docker' ? [a, b] : [b, a];
    return {
      kind: 'docker-to-cluster',
      direct: false,
      sentences: [
        `${docker.name} lives on a Docker bridge and ${pod.name} on the cluster's pod network: two different private networks.`,
        `Unless the Docker host is itself a node that routes pod CIDRs, go through a Service (NodePort or LoadBalancer) or a published port.`,
      ],
    };
  }
  if (a.world === 'docker') {
    const shared = a.networks.filter((n) => b.networks.includes(n));
    if (shared.length) {
      return { kind: 'same-bridge', direct: true, sentences: [`${a.name} and ${b.name} are both on network ${shared.join(', ')}: ${a.name} reaches ${b.ip} directly on any port ${b.name} listens on; nothing needs publishing.`] };
    }
    return {
      kind: 'different-bridges',
      direct: false,
      sentences: [
        `${a.name} (${a.networks.join(', ') || 'no network'}) and ${b.name} (${b.networks.join(', ') || 'no network'}) share no Docker network; Docker keeps bridge networks apart.`,
        `Connect them (\`docker network connect ${a.networks[0] ?? 'NET'} ${b.name}\`) or go through a port ${b.name} publishes on the host.`,
      ],
    };
  }
  if (a.hostNetwork || b.hostNetwork) {
    const h = a.hostNetwork ? a : b;
    return { kind: 'host-network', direct: true, sentences: [`${h.name} uses its node's network (hostNetwork): it is reached at the node's address ${h.ip}, and its ports are the node's ports.`] };
  }
  if (a.node && a.node === b.node) {
    return { kind: 'same-node', direct: true, sentences: [`${a.name} and ${b.name} run on the same node (${a.node}): traffic between ${a.ip} and ${b.ip} stays on that node's pod network; no Service or publishing needed.`] };
  }
  return {
    kind: 'across-nodes',
    direct: true,
    sentences: [`${a.name} on ${a.node ?? '?'} and ${b.name} on ${b.node ?? '?'} are on different nodes: the network plugin routes between the nodes' pod CIDRs, so ${b.ip} is reachable directly on any port it binds, unless a NetworkPolicy says otherwise.`],
  };
}
