import type { DiagnosisStep } from '../core/diagnosis.js';
import { cidrContains } from './subnet.js';
import { skipStep } from './why-diagnosis.js';

/**
 * The Kubernetes `route` step of `why`: how a packet gets from the client to the destination, from the
 * placement the API shows (nodes, their Ready condition and pod CIDRs, hostNetwork, the Service's type).
 * Pure: the caller looks everything up. What the API cannot show (whether a host outside the cluster
 * routes pod CIDRs) is a warn or a skip with the reason, never a pass.
 */

export interface RouteNode {
  name: string;
  ready: boolean;
  podCIDRs: readonly string[];
  /** InternalIP (ExternalIP when none). */
  ip?: string;
}

/** The client end, as placed in the cluster. */
export type RouteClient =
  | { kind: 'pod'; name: string; ip?: string; hostNetwork: boolean; node?: RouteNode }
  | { kind: 'node'; name: string; node: RouteNode }
  /** Not in the cluster: netpeek's host (`here`), an address no pod or node has, a Docker container. */
  | { kind: 'outside'; name: string; /** "netpeek's host", "an address outside the cluster", "a Docker container" */ what: string; /** `here` may be a node or a pod itself: netpeek cannot tell. */ maybeInside?: boolean };

export type RouteDestination =
  | { kind: 'pod'; name: string; ip?: string; hostNetwork: boolean; node?: RouteNode; /** spec.nodeName: set once scheduled, even when the node is not in the cache. */ nodeName?: string; phase?: string }
  | { kind: 'node'; name: string; node: RouteNode };

export interface RouteService {
  name: string;
  type: string;
  clusterIP?: string;
  /** The asked (or only) Service port and its nodePort. */
  port?: { port: number; nodePort?: number };
  loadBalancerIPs: readonly string[];
  /** Ready nodes, for a NodePort's addresses. */
  readyNodes: readonly RouteNode[];
}

export interface RouteInput {
  from: RouteClient;
  to: RouteDestination;
  /** Set when the traffic goes to a Service (its endpoint pod is `to`). */
  service?: RouteService;
}

function inside(cidr: string, ip: string): boolean {
  try {
    return cidrContains(cidr, ip);
  } catch {
    return false;
  }
}

const nodeText = (n: RouteNode) => `node ${n.name}${n.ip ? ` (${n.ip})` : ''}`;

function notReady(n: RouteNode, role: string): DiagnosisStep {
  return {
    id: 'route',
    status: 'fail',
    evidence: `${role} runs on node ${n.name}, which is not Ready: its kubelet is not reporting, so the pod network there is not kept up.`,
    fix: `Look at node ${n.name} (\`node ${n.name}\`, the kubelet's log); its pods are evicted and rescheduled once it stays NotReady.`,
  };
}

/** Traffic from outside the cluster: only node addresses, NodePorts and load balancers are meant for it. */
function fromOutside(from: Extract<RouteClient, { kind: 'outside' }>, to: RouteDestination, svc: RouteService | undefined): DiagnosisStep {
  const soft = from.maybeInside ? 'warn' : 'fail';
  const caveat = from.maybeInside ? ` (if ${from.name} is itself a node or a pod of the cluster, it is inside and this does not apply)` : '';
  if (svc) {
    if (svc.type === 'NodePort' || svc.type === 'LoadBalancer') {
      const nodePort = svc.port?.nodePort;
      const nodes = svc.readyNodes.filter((n) => n.ip);
      if (svc.type === 'LoadBalancer' && svc.loadBalancerIPs.length > 0) {
        return { id: 'route', status: 'pass', evidence: `From ${from.name} (${from.what}), Service ${svc.name} is reached at its load balancer ${svc.loadBalancerIPs.join(', ')}${svc.port ? ` port ${svc.port.port}` : ''}${nodePort ? `, or NodePort ${nodePort} on any Ready node` : ''}.` };
      }
      if (nodePort && nodes.length > 0) {
        const pending = svc.type === 'LoadBalancer' ? ' Its load balancer has no address yet (pending), so only the NodePort works.' : '';
        return {
          id: 'route',
          status: svc.type === 'LoadBalancer' ? 'warn' : 'pass',
          evidence: `From ${from.name} (${from.what}), Service ${svc.name} is reached on NodePort ${nodePort} of any Ready node: ${nodes.slice(0, 3).map((n) => `${n.ip}:${nodePort} (${n.name})`).join(', ')}${nodes.length > 3 ? ', …' : ''}.${pending}`,
          ...(svc.type === 'LoadBalancer' ? { fix: 'Check the cloud controller or load-balancer implementation (MetalLB, …) that assigns its address.' } : {}),
        };
      }
      return {
        id: 'route',
        status: 'fail',
        evidence: `From ${from.name} (${from.what}), Service ${svc.name} (${svc.type}) has ${svc.type === 'LoadBalancer' ? 'no load-balancer address yet (pending) and ' : ''}${nodePort ? 'no Ready node with an address for its NodePort' : 'no NodePort on that port'}.`,
        fix: svc.type === 'LoadBalancer' ? 'Check the cloud controller or load-balancer implementation that assigns its address.' : 'Check that the nodes are Ready and report an InternalIP.',
      };
    }
    return {
      id: 'route',
      status: soft,
      evidence: `Service ${svc.name} is ${svc.type}: its ClusterIP${svc.clusterIP ? ` ${svc.clusterIP}` : ''} is answered only by kube-proxy on the cluster's nodes, so from ${from.name} (${from.what}) it is not routed${caveat}.`,
      fix: `Ask from a pod or a node, or expose ${svc.name} as type NodePort or LoadBalancer (or through an Ingress) for traffic from outside.`,
    };
  }
  if (to.kind === 'node') return { id: 'route', status: 'pass', evidence: `From ${from.name} (${from.what}), ${nodeText(to.node)} is reached at its own address, like any host.` };
  return {
    id: 'route',
    status: to.hostNetwork ? 'pass' : 'warn',
    evidence: to.hostNetwork
      ? `pod ${to.name} uses its node's network: from ${from.name} (${from.what}) it is reached at ${to.node ? nodeText(to.node) : 'its node\'s address'}, on the node's ports.`
      : `From ${from.name} (${from.what}), pod IP ${to.ip ?? '?'} is reachable only where the network routes the pod CIDR${to.node?.podCIDRs.length ? ` ${to.node.podCIDRs.join(', ')} of node ${to.node.name}` : 's'}; outside the cluster it usually is not${caveat}.`,
    ...(to.hostNetwork ? {} : { fix: `Reach pod ${to.name} through a Service of type NodePort or LoadBalancer, or ask from a pod or a node.` }),
  };
}

/** route: same node, across nodes through the pod CIDRs, host network, or from outside through NodePort / LoadBalancer. */
export function kubeRouteStep(input: RouteInput): DiagnosisStep {
  const { from, to, service: svc } = input;
  const role = to.kind === 'pod' ? `pod ${to.name}` : `node ${to.name}`;
  if (to.kind === 'pod' && !to.node) {
    return to.nodeName
      ? skipStep('route', `pod ${to.name} runs on node ${to.nodeName}, which is not in the API's node list, so its pod CIDR and Ready condition are unknown`)
      : skipStep('route', `pod ${to.name} is ${to.phase ?? 'Pending'} and not on a node yet, so it has no route`);
  }
  const toNode = to.node!;
  if (!toNode.ready) return notReady(toNode, to.kind === 'pod' ? `pod ${to.name}` : `The destination`);
  if (to.kind === 'pod' && !to.ip) return { id: 'route', status: 'fail', evidence: `pod ${to.name} on node ${toNode.name} has no IP yet: nothing can route to it.`, fix: `\`pod ${to.name}\` shows why it has no IP (sandbox or network plugin errors).` };
  if (from.kind === 'outside') return fromOutside(from, to, svc);
  const fromNode = from.kind === 'node' ? from.node : from.node;
  if (fromNode && !fromNode.ready) return notReady(fromNode, from.kind === 'pod' ? `The client pod ${from.name}` : 'The client');
  const via = svc ? ` Through Service ${svc.name}: kube-proxy on the client's node rewrites its ClusterIP${svc.clusterIP ? ` ${svc.clusterIP}` : ''} to the endpoint's address.` : '';
  const fromName = from.kind === 'pod' ? `pod ${from.name}` : `node ${from.name}`;
  if (to.kind === 'node') {
    return { id: 'route', status: 'pass', evidence: `${fromName}${fromNode ? ` (on node ${fromNode.name})` : ''} reaches ${nodeText(toNode)} at its node address: node addresses are routed between the nodes.` };
  }
  if (to.hostNetwork || (from.kind === 'pod' && from.hostNetwork)) {
    const h = to.hostNetwork ? `pod ${to.name}` : fromName;
    return { id: 'route', status: 'pass', evidence: `${h} uses its node's network (hostNetwork): traffic goes between node addresses${to.hostNetwork ? `, to ${nodeText(toNode)} on the node's port` : ''}.${via}` };
  }
  if (!fromNode) return skipStep('route', `the node of ${fromName} is unknown (not scheduled yet, or not in the API's node list)`);
  if (fromNode.name === toNode.name) {
    const sameNode = from.kind === 'node' ? `node ${toNode.name} reaches its own pod ${to.name} (${to.ip}) over its local pod bridge` : `${fromName} and pod ${to.name} run on the same node (${toNode.name}): traffic to ${to.ip} stays on that node's pod network`;
    return { id: 'route', status: 'pass', evidence: `${sameNode}.${via}` };
  }
  const cidr = toNode.podCIDRs.find((c) => inside(c, to.ip!));
  const across = `${fromName} on node ${fromNode.name} and pod ${to.name} on node ${toNode.name} are on different nodes`;
  if (cidr) return { id: 'route', status: 'pass', evidence: `${across}: the network plugin routes node ${toNode.name}'s pod CIDR ${cidr}, which holds ${to.ip}.${via}` };
  if (toNode.podCIDRs.length === 0) return skipStep('route', `${across}, and node ${toNode.name} declares no pod CIDR (the network plugin assigns addresses itself), so the route is not visible in the API`);
  return {
    id: 'route',
    status: 'warn',
    evidence: `${across}, but ${to.ip} is outside node ${toNode.name}'s pod CIDR ${toNode.podCIDRs.join(', ')}: a plugin routing by node pod CIDRs would send it elsewhere.${via}`,
    fix: 'Check the network plugin\'s IPAM: pod IPs should come from their node\'s pod CIDR unless the plugin manages its own pools.',
  };
}

/** route to a node when no client is named: the node is Ready and has an address to be reached at. */
export function nodeRouteStep(n: RouteNode): DiagnosisStep {
  if (!n.ready) return notReady(n, 'The destination');
  if (!n.ip) return { id: 'route', status: 'fail', evidence: `node ${n.name} is Ready but reports no InternalIP or ExternalIP: nothing knows where to send its packets.`, fix: `Check the kubelet's --node-ip on ${n.name}.` };
  return { id: 'route', status: 'pass', evidence: `node ${n.name} is Ready and is reached at its address ${n.ip}${n.podCIDRs.length ? `; it routes pod CIDR ${n.podCIDRs.join(', ')}` : ''}.` };
}
