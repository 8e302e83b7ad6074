import type { PortConflict, PortSpec, Protocol } from './ports.js';
import { findPortConflicts, formatPortSpec, uniquePorts } from './ports.js';

/**
 * The ports of a pod as Kubernetes defines them, without any Kubernetes client types: which containers
 * run at the same time (and so share the pod's ports), which port a Service's targetPort lands on, and
 * which node ports hostNetwork and hostPort claim.
 */

/**
 * `init`: an init container that runs to completion before the next one starts.
 * `sidecar`: an init container with restartPolicy Always (a native sidecar): it starts in init order and
 * keeps running next to the app containers.
 * `app`: a regular container.
 */
export type ContainerKind = 'init' | 'sidecar' | 'app';

/** A containerPort entry. */
export interface DeclaredPort extends PortSpec {
  /** The port's name (what a named targetPort refers to). */
  name?: string;
  /** Node port forwarded to it (hostPort), when set. */
  hostPort?: number;
  /** Node address of the hostPort; absent means every address. */
  hostIP?: string;
}

/** One container of a pod with what it declares. */
export interface PodContainerPorts {
  name: string;
  kind: ContainerKind;
  ports: readonly DeclaredPort[];
}

/** Kubernetes spells protocols TCP/UDP/SCTP and defaults to TCP. */
export function kubeProtocol(p: string | undefined): Protocol {
  const lower = (p ?? 'TCP').toLowerCase();
  return lower === 'udp' || lower === 'sctp' ? lower : 'tcp';
}

/** Whether a container runs while the pod serves (sidecars and app containers do; plain init containers do not). */
export function runsWithApp(kind: ContainerKind): boolean {
  return kind !== 'init';
}

/** A port two containers of one pod both declare, and when they would collide. */
export interface PodPortConflict extends PortConflict {
  /** `running`: both run together while the pod serves; `init`: an init container collides with a sidecar started before it. */
  when: 'running' | 'init';
}

/**
 * Ports declared twice inside one pod's network namespace. Containers are given in spec order (init
 * containers in order, then app containers). App containers and native sidecars run together; a plain
 * init container runs alone except for the sidecars started before it.
 */
export function podPortConflicts(containers: readonly PodContainerPorts[]): PodPortConflict[] {
  const running = containers.filter((c) => runsWithApp(c.kind));
  const out: PodPortConflict[] = findPortConflicts(running).map((c) => ({ ...c, when: 'running' as const }));
  containers.forEach((c, i) => {
    if (c.kind !== 'init') return;
    const earlierSidecars = containers.slice(0, i).filter((s) => s.kind === 'sidecar');
    for (const conflict of findPortConflicts([...earlierSidecars, c])) {
      if (conflict.members.includes(c.name)) out.push({ ...conflict, when: 'init' });
    }
  });
  return out;
}

/** A Service port's targetPort, resolved against one pod's containers. */
export type TargetPortResolution =
  | {
      ok: true;
      /** The container port traffic is sent to. */
      port: number;
      protocol: Protocol;
      /** `name`: a named targetPort matched a containerPort name; `number`: given as a number (or defaulted to the service port). */
      via: 'name' | 'number';
      /** The named port (via `name`). */
      portName?: string;
      /** The container declaring that port, when one does. */
      container?: string;
    }
  | { ok: false; portName: string; protocol: Protocol; reason: string };

/**
 * What kube-proxy and the EndpointSlice controller do with a targetPort: a number is used as is (declared
 * or not); a name is looked up among the app containers' ports, then the native sidecars', with the
 * same protocol. An unset targetPort means the service port itself.
 */
export function resolveTargetPort(
  svc: { port: number; protocol?: string; targetPort?: number | string },
  containers: readonly PodContainerPorts[],
): TargetPortResolution {
  const protocol = kubeProtocol(svc.protocol);
  const target = svc.targetPort ?? svc.port;
  const numeric = typeof target === 'number' ? target : /^\d+$/.test(target) ? Number(target) : undefined;
  const candidates = [...containers.filter((c) => c.kind === 'app'), ...containers.filter((c) => c.kind === 'sidecar')];
  if (numeric !== undefined) {
    const declaring = candidates.find((c) => c.ports.some((p) => p.port === numeric && p.protocol === protocol));
    return { ok: true, port: numeric, protocol, via: 'number', ...(declaring ? { container: declaring.name } : {}) };
  }
  const name = String(target);
  for (const c of candidates) {
    const match = c.ports.find((p) => p.name === name && p.protocol === protocol);
    if (match) return { ok: true, port: match.port, protocol, via: 'name', portName: name, container: c.name };
  }
  const otherProtocol = candidates.flatMap((c) => c.ports.filter((p) => p.name === name).map((p) => ({ c: c.name, p })))[0];
  const initOnly = containers.find((c) => c.kind === 'init' && c.ports.some((p) => p.name === name));
  const reason = otherProtocol
    ? `container ${otherProtocol.c} names ${formatPortSpec(otherProtocol.p)} "${name}", but the Service asks for ${protocol}`
    : initOnly
      ? `only init container ${initOnly.name} names a port "${name}", and init containers are not endpoints`
      : `no container of the pod declares a port named "${name}"`;
  return { ok: false, portName: name, protocol, reason };
}

/** "http → 8080 (container web)", "8080 (not declared by any container)", or why it does not resolve. */
export function describeResolution(r: TargetPortResolution): string {
  if (!r.ok) return `"${r.portName}" does not resolve: ${r.reason}`;
  const where = r.container ? `container ${r.container}` : 'not declared by any container';
  return r.via === 'name' ? `${r.portName} → ${r.port} (${where})` : `${r.port} (${where})`;
}

/** A port of the node a pod takes: through hostNetwork (every declared port) or a hostPort. */
export interface NodePortClaim extends PortSpec {
  pod: string;
  container: string;
  how: 'hostNetwork' | 'hostPort';
  /** Node address for a hostPort with hostIP; absent means every address. */
  hostIP?: string;
}

/** The node ports one pod claims. hostNetwork pods bind their declared ports on the node itself. */
export function nodePortClaims(pod: string, hostNetwork: boolean, containers: readonly PodContainerPorts[]): NodePortClaim[] {
  const claims: NodePortClaim[] = [];
  for (const c of containers) {
    for (const p of c.ports) {
      if (hostNetwork) claims.push({ pod, container: c.name, how: 'hostNetwork', port: p.hostPort ?? p.port, protocol: p.protocol });
      else if (p.hostPort) claims.push({ pod, container: c.name, how: 'hostPort', port: p.hostPort, protocol: p.protocol, ...(p.hostIP ? { hostIP: p.hostIP } : {}) });
    }
  }
  return claims;
}

/** A node port claimed by more than one pod on the same node. */
export interface NodePortConflict extends PortSpec {
  claims: NodePortClaim[];
}

/**
 * Node ports claimed by different pods. Two hostPorts on different specific hostIPs do not collide;
 * anything bound on every address collides with everything on that port.
 */
export function nodePortConflicts(claims: readonly NodePortClaim[]): NodePortConflict[] {
  const byPort = new Map<string, NodePortClaim[]>();
  for (const c of claims) {
    const key = formatPortSpec(c);
    byPort.set(key, [...(byPort.get(key) ?? []), c]);
  }
  const out: NodePortConflict[] = [];
  for (const list of byPort.values()) {
    const pods = new Set(list.map((c) => c.pod));
    if (pods.size < 2) continue;
    const collide = list.some((a) => list.some((b) => a.pod !== b.pod && (!a.hostIP || !b.hostIP || a.hostIP === b.hostIP)));
    if (collide) out.push({ port: list[0]!.port, protocol: list[0]!.protocol, claims: list });
  }
  return uniquePorts(out);
}
