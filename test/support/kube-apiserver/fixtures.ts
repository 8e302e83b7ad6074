/**
 * Object factories with the real Kubernetes field names: a running Pod (containers, ports, init
 * containers, a native sidecar, conditions, container statuses, dual-stack podIPs), Services of each
 * type with named target ports, EndpointSlices pointing at pods, Nodes, Namespaces, Leases, ConfigMaps,
 * NetworkPolicies.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from './resources.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const TS = () => new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export type ContainerPort = { name?: string; containerPort: number; protocol?: 'TCP' | 'UDP' | 'SCTP'; hostPort?: number };
/** `containerID`: what status.containerStatuses[].containerID says (default a made-up containerd:// ID). */
export type ContainerSpec = { name: string; image?: string; ports?: ContainerPort[]; command?: string[]; containerID?: string };

export type PodOptions = {
  /** Default `default`. */
  namespace?: string;
  /** Default `{ app: <name without its last -suffix> }` (webserver-2 → app=webserver). */
  labels?: Record<string, string>;
  /** Pod IP; with `ipv6`, podIPs is dual-stack [ip, ipv6]. Omit for a pod without an IP yet. */
  ip?: string;
  ipv6?: string;
  nodeName?: string;
  /** The node's address (status.hostIP / hostIPs). */
  hostIP?: string;
  hostNetwork?: boolean;
  /** Default Running when the pod has an IP (or hostNetwork), else Pending. */
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** Default: one `app` container (nginx, port 80 named http). */
  containers?: ContainerSpec[];
  /** Init containers that ran to completion. */
  initContainers?: ContainerSpec[];
  /** Native sidecars: init containers with restartPolicy Always, still running. */
  sidecars?: ContainerSpec[];
  ready?: boolean;
  restartCount?: number;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
};

const containerSpec = (c: ContainerSpec) => ({
  name: c.name,
  image: c.image ?? 'registry.k8s.io/pause:3.10',
  ...(c.command ? { command: c.command } : {}),
  ...(c.ports ? { ports: c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : {}),
});

function runningStatus(c: ContainerSpec, ready: boolean, restartCount: number, started: string, podName: string) {
  const image = c.image ?? 'registry.k8s.io/pause:3.10';
  return {
    name: c.name,
    image,
    imageID: `${image.replace(/:[^/:]+$/, '')}@sha256:${sha(image)}`,
    containerID: c.containerID ?? `containerd://${sha(`${podName}/${c.name}`)}`,
    ready,
    started: true,
    restartCount,
    state: { running: { startedAt: started } },
    lastState: {},
  };
}

export function pod(name: string, o: PodOptions = {}): KubeObject {
  const containers = o.containers ?? [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80 }] }];
  const phase = o.phase ?? (o.ip || o.hostNetwork ? 'Running' : 'Pending');
  const running = phase === 'Running';
  const ready = o.ready ?? running;
  const t = TS();
  const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t });
  const ip = o.hostNetwork ? (o.ip ?? o.hostIP) : o.ip;
  const status: Record<string, unknown> = {
    phase,
    conditions: [
      cond('PodReadyToStartContainers', running), cond('Initialized', running || phase === 'Succeeded'),
      cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', !!o.nodeName),
    ],
    qosClass: 'BestEffort',
  };
  if (o.hostIP) Object.assign(status, { hostIP: o.hostIP, hostIPs: [{ ip: o.hostIP }] });
  if (ip) Object.assign(status, { podIP: ip, podIPs: [{ ip }, ...(o.ipv6 ? [{ ip: o.ipv6 }] : [])] });
  if (running) {
    status.startTime = t;
    const inits = [...(o.initContainers ?? []), ...(o.sidecars ?? [])];
    if (inits.length) {
      status.initContainerStatuses = inits.map((c) => {
        const sidecar = (o.sidecars ?? []).includes(c);
        return sidecar
          ? runningStatus(c, ready, 0, t, name)
          : { ...runningStatus(c, false, 0, t, name), started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t, containerID: `containerd://${sha(`${name}/${c.name}`)}` } } };
      });
    }
    status.containerStatuses = containers.map((c) => runningStatus(c, ready, o.restartCount ?? 0, t, name));
  }
  const initContainers = [
    ...(o.initContainers ?? []).map(containerSpec),
    ...(o.sidecars ?? []).map((c) => ({ ...containerSpec(c), restartPolicy: 'Always' })),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      labels: o.labels ?? { app: name.replace(/-[a-z0-9]+$/, '') || name },
      ...(o.ownerReferences ? { ownerReferences: o.ownerReferences.map((r) => ({ ...r, blockOwnerDeletion: true })) } : {}),
    },
    spec: {
      ...(initContainers.length ? { initContainers } : {}),
      containers: containers.map(containerSpec),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.hostNetwork ? { hostNetwork: true } : {}),
      restartPolicy: 'Always',
      dnsPolicy: o.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
      serviceAccountName: 'default',
    },
    status,
  };
}

export type ServicePort = { name?: string; port: number; targetPort?: number | string; protocol?: 'TCP' | 'UDP' | 'SCTP'; nodePort?: number };
export type ServiceOptions = {
  namespace?: string;
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** Pods selected; default `{ app: name }`. `null` for a service without selector. */
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  /** Omit to let the server allocate one; 'None' for a headless service. */
  clusterIP?: string;
  /** LoadBalancer status ingress IPs. */
  loadBalancerIPs?: string[];
  externalName?: string;
  labels?: Record<string, string>;
};

export function service(name: string, o: ServiceOptions = {}): KubeObject {
  const type = o.type ?? 'ClusterIP';
  const spec: Record<string, unknown> = { type };
  if (type === 'ExternalName') spec.externalName = o.externalName ?? `${name}.example.internal`;
  else {
    if (o.selector !== null) spec.selector = o.selector ?? { app: name };
    spec.ports = (o.ports ?? [{ name: 'http', port: 80, targetPort: 'http' }]).map((p) => ({ protocol: 'TCP', ...p, targetPort: p.targetPort ?? p.port }));
    if (o.clusterIP) Object.assign(spec, { clusterIP: o.clusterIP, clusterIPs: [o.clusterIP] });
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace ?? 'default', ...(o.labels ? { labels: o.labels } : {}) },
    spec,
    status: { loadBalancer: o.loadBalancerIPs ? { ingress: o.loadBalancerIPs.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} },
  };
}

export type EndpointOptions = {
  ip: string;
  /** The pod behind it: targetRef Pod/<podName>. */
  podName?: string;
  nodeName?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  zone?: string;
};

export type EndpointSliceOptions = {
  namespace?: string;
  /** Owning service (label kubernetes.io/service-name); default: the slice name up to its last dash. */
  serviceName?: string;
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  ports?: { name?: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP'; appProtocol?: string }[];
  endpoints?: EndpointOptions[];
};

export function endpointSlice(name: string, o: EndpointSliceOptions = {}): KubeObject {
  const namespace = o.namespace ?? 'default';
  const serviceName = o.serviceName ?? name.replace(/-[a-z0-9]+$/, '');
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace,
      labels: { 'kubernetes.io/service-name': serviceName, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: serviceName, uid: '00000000-0000-4000-8000-000000000000', controller: true, blockOwnerDeletion: true }],
    },
    addressType: o.addressType ?? 'IPv4',
    ports: (o.ports ?? [{ name: 'http', port: 80 }]).map((p) => ({ protocol: 'TCP', ...p })),
    endpoints: (o.endpoints ?? []).map((e) => {
      const terminating = e.terminating ?? false;
      const ready = e.ready ?? !terminating;
      return {
        addresses: [e.ip],
        conditions: { ready, serving: e.serving ?? ready, terminating },
        ...(e.podName ? { targetRef: { kind: 'Pod', namespace, name: e.podName, uid: '00000000-0000-4000-8000-000000000001' } } : {}),
        ...(e.nodeName ? { nodeName: e.nodeName } : {}),
        ...(e.zone ? { zone: e.zone } : {}),
      };
    }),
  };
}

export type NodeOptions = {
  internalIP?: string;
  externalIP?: string;
  podCIDR?: string;
  /** Dual-stack: [podCIDR, podCIDRv6]. */
  podCIDRv6?: string;
  ready?: boolean;
  unschedulable?: boolean;
  roles?: string[];
  labels?: Record<string, string>;
  kubeletVersion?: string;
};

export function node(name: string, o: NodeOptions = {}): KubeObject {
  const t = TS();
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: t, lastTransitionTime: t, reason, message });
  const ready = o.ready ?? true;
  const podCIDRs = o.podCIDR ? [o.podCIDR, ...(o.podCIDRv6 ? [o.podCIDRv6] : [])] : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux',
        ...Object.fromEntries((o.roles ?? []).map((r) => [`node-role.kubernetes.io/${r}`, ''])),
        ...o.labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {
      ...(podCIDRs ? { podCIDR: podCIDRs[0], podCIDRs } : {}),
      ...(o.unschedulable ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: t }] } : {}),
    },
    status: {
      addresses: [
        ...(o.internalIP ? [{ type: 'InternalIP', address: o.internalIP }] : []),
        ...(o.externalIP ? [{ type: 'ExternalIP', address: o.externalIP }] : []),
        { type: 'Hostname', address: name },
      ],
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        ready
          ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : cond('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'),
      ],
      capacity: { cpu: '2', memory: '24Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      allocatable: { cpu: '2', memory: '24Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64', operatingSystem: 'linux', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64',
        containerRuntimeVersion: 'containerd://1.7.24', kubeletVersion: o.kubeletVersion ?? 'v1.32.4', kubeProxyVersion: 'v1.32.4',
        machineID: '', systemUUID: '', bootID: '',
      },
    },
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function lease(name: string, o: { namespace?: string; holderIdentity?: string; leaseDurationSeconds?: number } = {}): KubeObject {
  const now = new Date().toISOString().replace('Z', '000Z');
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: o.namespace ?? 'default' },
    spec: {
      ...(o.holderIdentity ? { holderIdentity: o.holderIdentity, acquireTime: now, renewTime: now, leaseTransitions: 0 } : {}),
      leaseDurationSeconds: o.leaseDurationSeconds ?? 15,
    },
  };
}

export function configMap(name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** A label selector as the API writes it. */
export type LabelSelectorJson = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
};
export type NetworkPolicyPeerJson = { podSelector?: LabelSelectorJson; namespaceSelector?: LabelSelectorJson; ipBlock?: { cidr: string; except?: string[] } };
export type NetworkPolicyPortJson = { protocol?: 'TCP' | 'UDP' | 'SCTP'; port?: number | string; endPort?: number };
export type NetworkPolicySpecJson = {
  /** Default `{}`: every pod of the namespace. */
  podSelector?: LabelSelectorJson;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: { from?: NetworkPolicyPeerJson[]; ports?: NetworkPolicyPortJson[] }[];
  egress?: { to?: NetworkPolicyPeerJson[]; ports?: NetworkPolicyPortJson[] }[];
  [field: string]: unknown;
};

/** A networking.k8s.io/v1 NetworkPolicy; the server defaults policyTypes and port protocols as the real one does. */
export function networkPolicy(name: string, spec: NetworkPolicySpecJson = {}, namespace = 'default', labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: { podSelector: {}, ...spec },
  };
}
