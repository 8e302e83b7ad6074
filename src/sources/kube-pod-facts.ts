import type { AddressFact } from '../core/answer.js';
import { placePodIps } from '../net/pod-cidr.js';
import { subnetOfCidr } from '../net/subnet.js';
import type { KubeContainer, KubePod } from './kube-model.js';

/**
 * Facts about Kubernetes objects that the pod, svc and node answers share: the containers that run,
 * and the AddressFacts of a pod. The words for them are in src/net/explain-kube.ts.
 */

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
