import type { V1Container, V1EndpointSlice, V1Namespace, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ContainerKind, DeclaredPort, PodContainerPorts } from '../net/kube-ports.js';
import { kubeProtocol } from '../net/kube-ports.js';
import { readNetworkPolicy, type NetworkPolicySpec } from '../net/policy-spec.js';

/**
 * The Kubernetes objects netpeek keeps, reduced to the fields its answers use. The watch caches hold
 * these instead of whole API objects (10,000 pods stay a few tens of MB), and they come out the same
 * whether the input was a typed list item from client-node or a raw watch event (client-node 1.4 does
 * not deserialize watch events: timestamps stay strings there).
 */

/** A container of a pod, with its kind and runtime state. */
export interface KubeContainer extends PodContainerPorts {
  image?: string;
  ports: DeclaredPort[];
  ready?: boolean;
  /** running / waiting / terminated, from the container status when there is one. */
  state?: 'running' | 'waiting' | 'terminated';
  /** CrashLoopBackOff, Completed, ContainerCreating… */
  stateReason?: string;
  restartCount?: number;
  /**
   * status.containerID as the kubelet reports it (`containerd://<64 hex>`, `docker://…`, `cri-o://…`):
   * what the node's agent looks for in /proc/<pid>/cgroup to find the container's processes.
   */
  containerId?: string;
}

export interface KubePod {
  namespace: string;
  name: string;
  uid?: string;
  labels: Record<string, string>;
  /** The controlling owner (ReplicaSet/StatefulSet/DaemonSet/Job…), when there is one. */
  owner?: { kind: string; name: string };
  nodeName?: string;
  hostNetwork: boolean;
  /** Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  /** status.reason / message (Evicted, NodeLost…). */
  reason?: string;
  message?: string;
  /** status.podIPs (dual-stack: one per family), falling back to podIP. */
  podIPs: string[];
  /** status.hostIPs, falling back to hostIP: the node's address. */
  hostIPs: string[];
  /** The Ready condition. */
  ready: boolean;
  /** metadata.deletionTimestamp is set: the pod is shutting down. */
  terminating: boolean;
  /** PodScheduled=False with reason Unschedulable: the scheduler's message (no node fits, and why). */
  unschedulable?: string;
  /** Init containers (plain and native sidecars) in spec order, then app containers. */
  containers: KubeContainer[];
}

export interface KubeServicePort {
  name?: string;
  port: number;
  protocol: DeclaredPort['protocol'];
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface KubeService {
  namespace: string;
  name: string;
  /** ClusterIP, NodePort, LoadBalancer, ExternalName. */
  type: string;
  /** Assigned ClusterIPs (one per family); empty for headless and ExternalName services. */
  clusterIPs: string[];
  headless: boolean;
  ports: KubeServicePort[];
  /** Undefined for a Service without selector (its endpoints are managed by hand). */
  selector?: Record<string, string>;
  /** The Service's own labels (what `svc -l` matches). */
  labels?: Record<string, string>;
  externalIPs: string[];
  /** LoadBalancer ingress addresses (IPs or host names). */
  loadBalancer: string[];
  externalName?: string;
  ipFamilies: string[];
  externalTrafficPolicy?: string;
}

export interface KubeEndpoint {
  addresses: string[];
  /** Conditions as the slice reports them; an absent `ready` means ready (the API's rule). */
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  pod?: { namespace: string; name: string };
  nodeName?: string;
}

export interface KubeEndpointSlice {
  namespace: string;
  name: string;
  /** The owning Service (label kubernetes.io/service-name). */
  serviceName?: string;
  addressType: string;
  ports: { name?: string; port?: number; protocol: DeclaredPort['protocol'] }[];
  endpoints: KubeEndpoint[];
}

export interface KubeNode {
  name: string;
  addresses: { type: string; address: string }[];
  podCIDRs: string[];
  ready: boolean;
  unschedulable: boolean;
  roles: string[];
  /** metadata.labels, for -l. */
  labels: Record<string, string>;
  kubeletVersion?: string;
  osImage?: string;
  kernelVersion?: string;
  containerRuntime?: string;
}

export interface KubeNamespace {
  name: string;
  phase?: string;
  /** What NetworkPolicy namespaceSelectors match (the API server adds kubernetes.io/metadata.name). */
  labels: Record<string, string>;
}

/** A NetworkPolicy as the policy engine reads it; unknown fields are kept as `unreadable`, never dropped. */
export type KubeNetworkPolicy = NetworkPolicySpec;

/** The first InternalIP of a node (ExternalIP when there is none). */
export function nodeIp(n: KubeNode | undefined): string | undefined {
  return n?.addresses.find((a) => a.type === 'InternalIP')?.address ?? n?.addresses.find((a) => a.type === 'ExternalIP')?.address;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function ports(c: V1Container): DeclaredPort[] {
  return (c.ports ?? []).map((p) => ({
    port: p.containerPort,
    protocol: kubeProtocol(p.protocol),
    ...(p.name ? { name: p.name } : {}),
    ...(p.hostPort ? { hostPort: p.hostPort } : {}),
    ...(p.hostIP ? { hostIP: p.hostIP } : {}),
  }));
}

type Status = NonNullable<NonNullable<V1Pod['status']>['containerStatuses']>[number];

function container(c: V1Container, kind: ContainerKind, status: Status | undefined): KubeContainer {
  const state = status?.state?.running ? 'running' : status?.state?.terminated ? 'terminated' : status?.state?.waiting ? 'waiting' : undefined;
  const reason = status?.state?.waiting?.reason ?? status?.state?.terminated?.reason;
  return {
    name: c.name,
    kind,
    ...(c.image ? { image: c.image } : {}),
    ports: ports(c),
    ...(status ? { ready: status.ready, restartCount: status.restartCount } : {}),
    ...(state ? { state } : {}),
    ...(reason ? { stateReason: reason } : {}),
    ...(status?.containerID ? { containerId: status.containerID } : {}),
  };
}

export function toPod(p: V1Pod): KubePod {
  const spec = p.spec;
  const st = p.status;
  const initStatus = new Map((st?.initContainerStatuses ?? []).map((s) => [s.name, s]));
  const appStatus = new Map((st?.containerStatuses ?? []).map((s) => [s.name, s]));
  const owner = p.metadata?.ownerReferences?.find((o) => o.controller) ?? p.metadata?.ownerReferences?.[0];
  const podIPs = (st?.podIPs ?? []).map((x) => x.ip).filter(Boolean);
  const hostIPs = (st?.hostIPs ?? []).map((x) => x.ip).filter(Boolean);
  const scheduled = (st?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  const unschedulable = scheduled?.status === 'False' && scheduled.reason === 'Unschedulable' ? (scheduled.message ?? 'no node fits the pod') : undefined;
  return {
    namespace: p.metadata?.namespace ?? 'default',
    name: p.metadata?.name ?? '',
    ...(p.metadata?.uid ? { uid: p.metadata.uid } : {}),
    labels: { ...(p.metadata?.labels ?? {}) },
    ...(owner ? { owner: { kind: owner.kind, name: owner.name } } : {}),
    ...(spec?.nodeName ? { nodeName: spec.nodeName } : {}),
    hostNetwork: spec?.hostNetwork === true,
    phase: st?.phase ?? 'Unknown',
    ...(st?.reason ? { reason: st.reason } : {}),
    ...(st?.message ? { message: st.message } : {}),
    podIPs: podIPs.length ? podIPs : st?.podIP ? [st.podIP] : [],
    hostIPs: hostIPs.length ? hostIPs : st?.hostIP ? [st.hostIP] : [],
    ready: (st?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    terminating: Boolean(p.metadata?.deletionTimestamp),
    ...(unschedulable !== undefined ? { unschedulable } : {}),
    containers: [
      ...(spec?.initContainers ?? []).map((c) => container(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', initStatus.get(c.name))),
      ...(spec?.containers ?? []).map((c) => container(c, 'app', appStatus.get(c.name))),
    ],
  };
}

export function toService(s: V1Service): KubeService {
  const spec = s.spec;
  const ips = spec?.clusterIPs?.length ? spec.clusterIPs : spec?.clusterIP ? [spec.clusterIP] : [];
  const assigned = ips.filter((ip) => ip && ip !== 'None');
  return {
    namespace: s.metadata?.namespace ?? 'default',
    name: s.metadata?.name ?? '',
    type: spec?.type ?? 'ClusterIP',
    clusterIPs: assigned,
    headless: ips.includes('None'),
    ports: (spec?.ports ?? []).map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: p.port,
      protocol: kubeProtocol(p.protocol),
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
      ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    })),
    ...(spec?.selector && Object.keys(spec.selector).length ? { selector: { ...spec.selector } } : {}),
    ...(s.metadata?.labels && Object.keys(s.metadata.labels).length ? { labels: { ...s.metadata.labels } } : {}),
    externalIPs: spec?.externalIPs ?? [],
    loadBalancer: (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter(Boolean),
    ...(spec?.externalName ? { externalName: spec.externalName } : {}),
    ipFamilies: spec?.ipFamilies ?? [],
    ...(spec?.externalTrafficPolicy ? { externalTrafficPolicy: spec.externalTrafficPolicy } : {}),
  };
}

export function toEndpointSlice(e: V1EndpointSlice): KubeEndpointSlice {
  const namespace = e.metadata?.namespace ?? 'default';
  const serviceName = e.metadata?.labels?.[SERVICE_NAME_LABEL];
  return {
    namespace,
    name: e.metadata?.name ?? '',
    ...(serviceName ? { serviceName } : {}),
    addressType: e.addressType,
    ports: (e.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), ...(p.port !== undefined ? { port: p.port } : {}), protocol: kubeProtocol(p.protocol) })),
    endpoints: (e.endpoints ?? []).map((ep) => {
      const ready = ep.conditions?.ready ?? true;
      const ref = ep.targetRef?.kind === 'Pod' && ep.targetRef.name ? { namespace: ep.targetRef.namespace ?? namespace, name: ep.targetRef.name } : undefined;
      return {
        addresses: ep.addresses ?? [],
        ready,
        serving: ep.conditions?.serving ?? ready,
        terminating: ep.conditions?.terminating ?? false,
        ...(ref ? { pod: ref } : {}),
        ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
      };
    }),
  };
}

export function toNode(n: V1Node): KubeNode {
  const spec = n.spec;
  const cidrs = spec?.podCIDRs?.length ? spec.podCIDRs : spec?.podCIDR ? [spec.podCIDR] : [];
  const labels = n.metadata?.labels ?? {};
  return {
    name: n.metadata?.name ?? '',
    addresses: (n.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address })),
    podCIDRs: cidrs,
    ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    unschedulable: spec?.unschedulable === true,
    roles: Object.keys(labels)
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length))
      .sort(),
    labels,
    ...(n.status?.nodeInfo?.kubeletVersion ? { kubeletVersion: n.status.nodeInfo.kubeletVersion } : {}),
    ...(n.status?.nodeInfo?.osImage ? { osImage: n.status.nodeInfo.osImage } : {}),
    ...(n.status?.nodeInfo?.kernelVersion ? { kernelVersion: n.status.nodeInfo.kernelVersion } : {}),
    ...(n.status?.nodeInfo?.containerRuntimeVersion ? { containerRuntime: n.status.nodeInfo.containerRuntimeVersion } : {}),
  };
}

export function toNamespace(n: V1Namespace): KubeNamespace {
  const name = n.metadata?.name ?? '';
  return { name, ...(n.status?.phase ? { phase: n.status.phase } : {}), labels: { 'kubernetes.io/metadata.name': name, ...(n.metadata?.labels ?? {}) } };
}

/**
 * From the API's raw JSON only: client-node's typed models drop fields they do not know, and the
 * engine must see those to say "not evaluated".
 */
export function toNetworkPolicy(raw: unknown): KubeNetworkPolicy {
  return readNetworkPolicy(raw);
}

/** Does a Service's selector pick this pod? (A Service without selector selects nothing itself.) */
export function selects(svc: KubeService, pod: KubePod): boolean {
  if (!svc.selector || svc.namespace !== pod.namespace) return false;
  return Object.entries(svc.selector).every(([k, v]) => pod.labels[k] === v);
}
