import type { AddressFact } from '../core/answer.js';
import type { DeclaredPort } from '../net/kube-ports.js';
import { placePodIps } from '../net/pod-cidr.js';
import { formatPortSpec } from '../net/ports.js';
import { subnetOfCidr } from '../net/subnet.js';
import type { KubeContainer, KubeEndpoint, KubePod } from './kube-model.js';

/**
 * Small renderings of Kubernetes objects that the pod, svc and node answers share: a container's kind
 * and state in words, a port list, an endpoint's condition, and the AddressFacts of a pod.
 */

export function containerKindText(c: KubeContainer): string {
  if (c.kind === 'sidecar') return 'sidecar (init container, restartPolicy: Always)';
  if (c.kind === 'init') return 'init (runs to completion first)';
  return 'app';
}

export function containerStateText(c: KubeContainer): string {
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

export function endpointStateText(e: Pick<KubeEndpoint, 'ready' | 'serving' | 'terminating'>): string {
  if (e.terminating) return e.serving ? 'terminating (still serving)' : 'terminating';
  return e.ready ? 'ready' : 'not ready';
}

/** Containers that run while the pod serves: app containers and native sidecars. */
export function runningContainers(pod: KubePod): KubeContainer[] {
  return pod.containers.filter((c) => c.kind !== 'init');
}

/**
 * The pod's addresses as AddressFacts. A pod IP is shown inside its node's pod CIDR when it is in it;
 * otherwise as a single address (/32, /128), since the pod network's layout is the plugin's business.
 * A hostNetwork pod's address is its node's.
 */
export function podAddressFacts(pod: KubePod, nodeCIDRs: readonly string[]): AddressFact[] {
  if (pod.hostNetwork) {
    return pod.hostIPs.map((ip) => single(ip, `node ${pod.nodeName ?? '?'} (hostNetwork)`));
  }
  return placePodIps(pod.podIPs, nodeCIDRs).map((p) => {
    if (!p.inside || !p.nodeCidr) return single(p.ip, 'pod network');
    const s = subnetOfCidr(`${p.ip}/${p.nodeCidr.split('/')[1]}`);
    return { network: 'pod network', family: s.family, ip: s.ip, prefixLength: s.prefixLength, subnet: s.subnet };
  });
}

function single(ip: string, network: string): AddressFact {
  const v6 = ip.includes(':');
  const prefixLength = v6 ? 128 : 32;
  return { network, family: v6 ? 'ipv6' : 'ipv4', ip, prefixLength, subnet: `${ip}/${prefixLength}` };
}

/** "ReplicaSet webserver-7d9c5b" → the Deployment name people know, when the hash suffix is there. */
export function ownerText(pod: KubePod): string | undefined {
  if (!pod.owner) return undefined;
  if (pod.owner.kind === 'ReplicaSet') {
    const deployment = pod.owner.name.replace(/-[a-z0-9]{5,10}$/, '');
    return deployment !== pod.owner.name ? `ReplicaSet ${pod.owner.name} (Deployment ${deployment})` : `ReplicaSet ${pod.owner.name}`;
  }
  return `${pod.owner.kind} ${pod.owner.name}`;
}
