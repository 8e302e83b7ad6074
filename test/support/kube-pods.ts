/**
 * Real pod networking for end-to-end tests, built the way a container runtime builds a pod: a "pause"
 * container that owns the network namespace on a Docker network with its own pod subnet, and app
 * containers started with `--network container:<pause>`, so they share its one IP and one set of ports.
 * `podObject` turns the result into a Pod object carrying the IP Docker assigned, for the test API server.
 */
import type { KubeObject } from './kube-apiserver/index.js';
import type { ContainerPort } from './kube-apiserver/fixtures.js';
import { pod } from './kube-apiserver/fixtures.js';
import { BUSYBOX_IMAGE, docker, type DockerFixtures, inspect } from './docker-fixtures.js';

/** An app container of a real pod: its Kubernetes name, the command it runs, the ports it declares. */
export interface RealContainerSpec {
  name: string;
  command: string[];
  ports?: ContainerPort[];
}

export interface RealPod {
  name: string;
  /** Docker name of the pause container (the namespace owner). */
  pause: string;
  /** The pod IP: what Docker assigned to the pause container on the pod network. */
  ip: string;
  /** Kubernetes container name → Docker container name. */
  containers: Record<string, string>;
  /** Kubernetes container name → full Docker container ID (what the kubelet reports as docker://<id>). */
  ids: Record<string, string>;
  specs: RealContainerSpec[];
}

interface Inspected {
  NetworkSettings: { Networks: Record<string, { IPAddress: string; Gateway: string }> };
}

/** A pod network: a Docker bridge network with a free 10.2xx.y.0/24 of its own (see DockerFixtures.createNetwork). */
export async function createPodNetwork(fx: DockerFixtures): Promise<{ name: string; subnet: string; gateway: string }> {
  const net = await fx.createNetwork('podnet');
  const info = await inspect<{ IPAM: { Config: { Gateway?: string }[] } }>(net.name, 'network');
  const gateway = info.IPAM.Config[0]?.Gateway ?? net.subnet.replace(/\.0\/\d+$/, '.1');
  return { ...net, gateway };
}

/** Starts the pause container on `network`, then each app container in its namespace. */
export async function startRealPod(fx: DockerFixtures, network: string, name: string, containers: RealContainerSpec[]): Promise<RealPod> {
  const pause = await fx.runContainer(`${name}-pause`, ['--network', network]);
  const ip = (await inspect<Inspected>(pause)).NetworkSettings.Networks[network]?.IPAddress;
  if (!ip) throw new Error(`pause container ${pause} got no address on ${network}`);
  const names: Record<string, string> = {};
  const ids: Record<string, string> = {};
  for (const c of containers) {
    names[c.name] = await fx.runContainer(`${name}-${c.name}`, ['--network', `container:${pause}`], BUSYBOX_IMAGE, c.command);
    ids[c.name] = (await inspect<{ Id: string }>(names[c.name]!)).Id;
  }
  return { name, pause, ip, containers: names, ids, specs: containers };
}

/** The Pod object for a real pod, as the kubelet would report it: Running, with the pause container's IP. */
export function podObject(p: RealPod, o: { nodeName: string; hostIP: string; namespace?: string; labels?: Record<string, string> }): KubeObject {
  return pod(p.name, {
    ip: p.ip,
    nodeName: o.nodeName,
    hostIP: o.hostIP,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.labels ? { labels: o.labels } : {}),
    // The real container IDs, so the node's agent can find each container's process by its cgroup.
    containers: p.specs.map((c) => ({ name: c.name, image: BUSYBOX_IMAGE, command: c.command, containerID: `docker://${p.ids[c.name]}`, ...(c.ports ? { ports: c.ports } : {}) })),
  });
}

/** The search list the kubelet writes for a ClusterFirst pod in `namespace` (cluster domain cluster.local). */
export const kubeletSearch = (namespace: string): string => `${namespace}.svc.cluster.local svc.cluster.local cluster.local`;

/**
 * Rewrites a real pod's resolv.conf the way the kubelet writes one for a ClusterFirst pod in `namespace`,
 * with `nameserver` (the test's own DNS server) as cluster DNS.
 */
export async function writeKubeletResolvConf(container: string, nameserver: string, namespace: string): Promise<void> {
  await docker('exec', container, 'sh', '-c', `echo 'nameserver ${nameserver}' > /etc/resolv.conf && echo 'search ${kubeletSearch(namespace)}' >> /etc/resolv.conf && echo 'options ndots:5' >> /etc/resolv.conf`);
}
