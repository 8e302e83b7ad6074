import type { DeclaredPort, PodContainerPorts, PodPortConflict, NodePortConflict, TargetPortResolution } from './kube-ports.js';
import type { CidrOverlap, ServiceCidrGuess } from './pod-cidr.js';
import { formatPortSpec } from './ports.js';
import type { PortSpec } from './ports.js';

/**
 * Why a pod, Service or node looks the way it does, in the product's own words (seed notes 7–12).
 * Functions take live values so an answer explains the user's pod, not an example; constants are the
 * general statements `explain` can reuse. Pure and unit tested.
 */

// ---- general statements ----

/** Seed note 7. */
export const POD_IP_NO_PUBLISHING =
  'A pod has an IP address of its own on the pod network. Every node and every other pod connects straight to that address on any port a container of the pod listens on: nothing is published, and containerPort only documents the port.';

/** Seed note 8. */
export const POD_ONE_NAMESPACE =
  'All containers of a pod live in one network namespace: one IP, one set of ports, one loopback. They reach each other on localhost, and no two of them can listen on the same port and protocol.';

/** Seed note 9, in general. */
export const POD_NETWORK_IS_SEPARATE =
  "The pod network is its own range of addresses, handed out by the cluster's network plugin (each node usually gets a slice of it, its pod CIDR). It is not Docker's bridge subnet: Docker Desktop's Kubernetes, for example, uses 10.1.0.0/16 for pods while Docker's bridge stays 172.17.0.0/16.";

/** Seed note 11, in general. */
export const NODE_REACHES_POD_IP =
  'The network plugin routes every pod CIDR on every node, so from any node (on Docker Desktop: from inside its VM) `ping <pod IP>` or `curl <pod IP>:<port>` reaches the pod directly.';

/** Seed note 12, in general. */
export const HOST_NETWORK_POD =
  "A pod with hostNetwork: true gets no address of its own: it uses its node's network namespace and IP, so its containers bind the node's ports and compete for them with the node's own services and other hostNetwork pods.";

export const HOST_PORT =
  "A hostPort makes the node forward connections on nodeIP:hostPort to the pod's IP and containerPort — the one Kubernetes feature that resembles `docker run -p`. Only one pod per node can hold a given hostPort.";

export const NATIVE_SIDECAR =
  'A native sidecar is an init container with restartPolicy: Always. It starts before the app containers and keeps running next to them, in the same network namespace, so its ports count against the pod like an app container\'s.';

export const INIT_CONTAINER_PORTS =
  'A plain init container runs to completion before the app containers start; a port it declares is only listened on while it runs.';

export const SERVICE_VIRTUAL_IP =
  "A Service's ClusterIP is a virtual address: on every node, kube-proxy (or the network plugin) turns a connection to ClusterIP:port into one to a ready endpoint's pod IP and targetPort. Only pods listed ready in the Service's EndpointSlices receive traffic.";

export const NAMED_TARGET_PORT =
  'A named targetPort is looked up in each selected pod: the containerPort with that name (and protocol) is where traffic goes, so pods may use different numbers behind one Service port.';

export const NODE_PORT =
  'A NodePort Service also listens on that port on every node\'s addresses and forwards to a ready endpoint, which is how clients outside the cluster get in without a load balancer.';

export const LOAD_BALANCER =
  'A LoadBalancer Service asks the cloud (or MetalLB, kube-vip…) for an external address; traffic to it goes to the node ports and on to ready endpoints.';

export const SERVICE_CIDR_NOT_VISIBLE =
  "The service range is set by the API server's --service-cluster-ip-range and is not readable through the API; netpeek infers it from the ClusterIPs it sees.";

// ---- sentences with live values ----

/** Seed note 7 for one pod. */
export function podReachableSentence(pod: string, ip: string, ports: readonly PortSpec[]): string {
  const list = ports.length ? ports.map(formatPortSpec).join(', ') : 'whatever its containers listen on';
  return `${pod} is ${ip}: any pod or node connects to ${ip} directly on ${list}. Nothing has to be published inside the cluster.`;
}

/** Seed note 8 for one pod's containers. */
export function podSharingSentence(ip: string | undefined, containers: readonly string[]): string {
  const who = containers.length === 1 ? `Its one container, ${containers[0]},` : `Its containers ${containers.join(', ')}`;
  const addr = ip ? `the pod IP ${ip}` : 'the pod IP (once it has one)';
  return containers.length === 1
    ? `${who} owns ${addr}; a second container added to the pod would share that IP and must use other ports.`
    : `${who} share ${addr} and one set of ports: one network namespace, so each must listen on different ports.`;
}

/** Seed note 10. */
export function containerIpIsPodIpSentence(ip: string, pod: string, container: string | undefined): string {
  const exec = container ? `kubectl exec ${pod} -c ${container} -- ip addr` : `kubectl exec ${pod} -- ip addr`;
  return `Inside any of its containers, \`${exec}\` (or \`docker exec <container> ip addr\` on the node) shows ${ip} on eth0: a container's address is the pod's address.`;
}

/** Seed note 11 for one pod. */
export function pingFromNodeSentence(ip: string, node: string | undefined): string {
  const from = node ? `From ${node}, or any other node,` : 'From any node';
  return `${from} \`ping ${ip}\` reaches the pod directly: the network plugin routes every node's pod CIDR (on Docker Desktop, run it inside the VM).`;
}

/** Seed note 12 for one pod. */
export function hostNetworkSentence(pod: string, node: string | undefined, nodeIp: string | undefined): string {
  const where = node ? `${node}'s network namespace${nodeIp ? ` and its IP ${nodeIp}` : ''}` : "its node's network namespace and IP";
  return `${pod} runs with hostNetwork: true, so it has no pod IP of its own: it uses ${where}. Its containers bind the node's ports and compete for them with the node's own services and other hostNetwork pods there.`;
}

/** Seed note 9 for the pod CIDR check. */
export function podCidrSentence(ip: string, cidr: string, node: string, inside: boolean): string {
  return inside
    ? `${ip} is inside ${node}'s pod CIDR ${cidr}: the network plugin gave this pod an address from the slice of the pod network assigned to its node.`
    : `${ip} is not inside ${node}'s pod CIDR ${cidr}. Network plugins with their own address management (Calico IP pools, Cilium cluster-pool, cloud VPC CNIs) ignore the node's podCIDR, so this can be normal; routes follow the plugin's pools instead.`;
}

/** Seed note 9 against Docker's bridge. */
export function podNetworkVsDockerSentence(podCidrs: readonly string[], docker: readonly { network: string; subnet: string }[]): string {
  const pods = podCidrs.join(', ');
  const bridges = docker.map((d) => `${d.subnet} (${d.network})`).join(', ');
  return `The pod network (${pods}) is a different subnet from Docker's ${bridges}: pod IPs come from the cluster's network plugin, container IPs on a Docker network from Docker.`;
}

export function podDockerOverlapWarning(o: CidrOverlap): string {
  return `Pod CIDR ${o.podCidr} overlaps Docker network "${o.dockerNetwork}" (${o.dockerSubnet}): on a machine that has both, packets for one range can be routed to the other. Give Docker or the cluster a different range.`;
}

/** A pod without an IP yet: explained, not an error. */
export function noIpYetSentence(pod: string, phase: string, node: string | undefined, reason?: string): string {
  const why = reason ? ` (${reason})` : '';
  if (!node) return `${pod} is ${phase}${why} and not scheduled on a node yet, so it has no IP: the network plugin assigns one when the pod's sandbox starts on its node.`;
  return `${pod} is ${phase}${why} on ${node} but has no IP yet: the network plugin assigns one when the pod's sandbox starts. Ask again in a moment.`;
}

export function podPortConflictWarning(c: PodPortConflict, pod: string): string {
  const when = c.when === 'init' ? ' while the init container runs' : '';
  return `Port conflict in ${pod}: ${c.members.join(' and ')} both declare ${formatPortSpec(c)}. They share one network namespace, so only the first to bind it gets it${when}; the other fails with "address already in use".`;
}

export function nodePortConflictWarning(c: NodePortConflict, node: string): string {
  const who = c.claims.map((x) => `${x.pod}/${x.container} (${x.how})`).join(', ');
  return `Node port conflict on ${node}: ${who} all want ${formatPortSpec(c)} on the node; only one of them can bind it.`;
}

/** A Service port → targetPort → containerPort chain for one pod, in words. */
export function serviceMappingNote(svc: string, clusterIp: string | undefined, port: PortSpec, r: TargetPortResolution, podIp: string | undefined): string {
  const front = clusterIp ? `${clusterIp}:${port.port}` : `port ${port.port}`;
  if (!r.ok) return `Service ${svc} ${front}/${port.protocol} has targetPort "${r.portName}", which does not resolve in this pod: ${r.reason}. The pod gets no traffic from this port.`;
  const name = r.via === 'name' ? ` (named "${r.portName}")` : '';
  const to = podIp ? `${podIp}:${r.port}` : `port ${r.port}`;
  const who = r.container ? ` in container ${r.container}` : ', which no container declares (traffic still goes there if something listens)';
  return `Service ${svc} ${front}/${port.protocol} → targetPort${name} → ${to}${who}.`;
}

/** The service CIDR inference, in words. */
export function serviceCidrSentence(g: ServiceCidrGuess): string {
  const n = `${g.from} ClusterIP${g.from === 1 ? '' : 's'}`;
  return g.basis === 'default'
    ? `Service CIDR: probably ${g.cidr}, the default of ${g.who}; all ${n} seen fall inside it.`
    : `Service CIDR: at least ${g.cidr}, the smallest range covering the ${n} seen.`;
}

// ---- Kubernetes objects in words (tables of the pod, svc and node answers) ----

/** A container's kind in words. */
export function containerKindText(c: Pick<PodContainerPorts, 'kind'>): string {
  if (c.kind === 'sidecar') return 'sidecar (init container, restartPolicy: Always)';
  if (c.kind === 'init') return 'init (runs to completion first)';
  return 'app';
}

/** What a container's status says about it, from the kubelet's status fields. */
export interface ContainerStatusFacts {
  state?: 'running' | 'waiting' | 'terminated';
  stateReason?: string;
  ready?: boolean;
  restartCount?: number;
}

/** "running, ready, 2 restarts". */
export function containerStateText(c: ContainerStatusFacts): string {
  if (!c.state) return 'no status yet';
  const reason = c.stateReason ? ` (${c.stateReason})` : '';
  const ready = c.state === 'running' ? (c.ready ? ', ready' : ', not ready') : '';
  const restarts = c.restartCount ? `, ${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}` : '';
  return `${c.state}${reason}${ready}${restarts}`;
}

/** "http 80/tcp, 9090/tcp (hostPort 8080)". */
export function declaredPortsText(ports: readonly DeclaredPort[]): string {
  if (!ports.length) return '—';
  return ports
    .map((p) => `${p.name ? `${p.name} ` : ''}${formatPortSpec(p)}${p.hostPort ? ` (hostPort ${p.hostIP ? `${p.hostIP}:` : ''}${p.hostPort})` : ''}`)
    .join(', ');
}

/** An EndpointSlice entry's conditions in words. */
export function endpointStateText(e: { ready: boolean; serving?: boolean; terminating?: boolean }): string {
  if (e.terminating) return e.serving ? 'terminating (still serving)' : 'terminating';
  return e.ready ? 'ready' : 'not ready';
}

/** "ReplicaSet webserver-7d9c5b" → the Deployment name people know, when the hash suffix is there. */
export function ownerText(owner: { kind: string; name: string } | undefined): string | undefined {
  if (!owner) return undefined;
  if (owner.kind === 'ReplicaSet') {
    const deployment = owner.name.replace(/-[a-z0-9]{5,10}$/, '');
    return deployment !== owner.name ? `ReplicaSet ${owner.name} (Deployment ${deployment})` : `ReplicaSet ${owner.name}`;
  }
  return `${owner.kind} ${owner.name}`;
}
