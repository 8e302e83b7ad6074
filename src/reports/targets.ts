import type Docker from 'dockerode';
import { BackendError, isNetpeekError } from '../core/errors.js';
import { matchesLabels, parseLabelSelector } from '../net/label-selector.js';
import { cidrContains } from '../net/subnet.js';
import type { ProbeKind } from '../core/kinds.js';
import type { ProbeTarget } from '../probe/types.js';
import type { Vantage } from '../probe/vantage.js';
import type { DockerSource } from '../sources/docker.js';
import { networkSubnets } from '../sources/docker-facts.js';
import type { KubeCluster, KubeSource } from '../sources/kubernetes.js';
import { nodeIp, type KubeNode, type KubePod } from '../sources/kube-model.js';
import type { ReportDefinition, TargetSpec } from './definitions.js';
import type { ReportRun, TargetResult } from './model.js';
import { choosePeers, hashPick } from './peers.js';

/**
 * A definition's targets → concrete probes, each placed at the host it must start from (a pod's node,
 * the Docker host, a node checking its peers). Reads only the sources' caches and lists. A target entry
 * that cannot be resolved (API server or Docker down) does not stop the others: its targets from the
 * previous run come back as "not probed: <reason>", so the report still says what it could not see.
 */

export interface ResolvedTarget {
  id: string;
  group: string;
  subject: string;
  probe: ProbeTarget;
  vantage: Vantage;
}

export interface Resolution {
  targets: ResolvedTarget[];
  /** Rows for targets that cannot be probed this time (status not-probed). */
  unresolved: TargetResult[];
  notes: string[];
}

export interface TargetSources {
  kube?: KubeSource;
  docker?: DockerSource;
}

/** At most this many ports per pod/container/endpoint, so a report never turns into a port scan. */
export const MAX_PORTS_PER_SUBJECT = 16;

interface Subject {
  idBase: string;
  subject: string;
  ip: string;
  vantage: Vantage;
  ports: number[];
}

function expand(group: string, s: Subject, kinds: readonly ProbeKind[]): ResolvedTarget[] {
  const out: ResolvedTarget[] = [];
  for (const kind of kinds) {
    if (kind === 'icmp') out.push({ id: `${s.idBase} icmp`, group, subject: s.subject, probe: { kind, ip: s.ip }, vantage: s.vantage });
    else for (const port of s.ports.slice(0, MAX_PORTS_PER_SUBJECT)) out.push({ id: `${s.idBase} ${kind}/${port}`, group, subject: s.subject, probe: { kind, ip: s.ip, port, ...(kind === 'http' ? { path: '/' } : {}) }, vantage: s.vantage });
  }
  return out;
}

function unresolvedRow(group: string, idBase: string, subject: string, kind: ProbeKind, reason: string, detail: string, extra: Partial<TargetResult> = {}): TargetResult {
  return { id: `${idBase} ${kind}`, group, subject, kind, from: '—', status: 'not-probed', reason, detail, ...extra };
}

/** A short cause for a failed lookup: "API server unreachable", "Docker unreachable", or the error's own words. */
export function shortReason(err: unknown): string {
  if (err instanceof BackendError) return err.backend === 'kubernetes' ? 'API server unreachable' : err.backend === 'docker' ? 'Docker unreachable' : `${err.backend} unreachable`;
  if (isNetpeekError(err)) return err.code === 'forbidden' ? 'forbidden by RBAC' : 'lookup failed';
  return 'lookup failed';
}

function tcpPorts(ports: readonly { port?: number; protocol?: string }[]): number[] {
  return [...new Set(ports.filter((p) => (p.protocol ?? 'tcp').toLowerCase() === 'tcp' && p.port).map((p) => p.port as number))].sort((a, b) => a - b);
}

function podPorts(p: KubePod): number[] {
  return tcpPorts(p.containers.filter((c) => c.kind !== 'init').flatMap((c) => c.ports));
}

/** `web-*` style globs for container names. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}

class Resolver {
  private clusterCache?: KubeCluster;
  private nodesCache?: Promise<KubeNode[]>;
  private networksCache?: Promise<Docker.NetworkInspectInfo[]>;

  constructor(
    private readonly def: ReportDefinition,
    private readonly sources: TargetSources,
  ) {}

  private cluster(): KubeCluster {
    if (!this.sources.kube) throw new BackendError('kubernetes', 'no Kubernetes cluster is configured (KUBECONFIG or the in-cluster service account)');
    return (this.clusterCache ??= this.sources.kube.cluster(this.def.cluster));
  }

  private nodes(): Promise<KubeNode[]> {
    return (this.nodesCache ??= this.cluster().nodes());
  }

  private docker(): DockerSource {
    if (!this.sources.docker) throw new BackendError('docker', 'no Docker engine is configured');
    return this.sources.docker;
  }

  private networks(): Promise<Docker.NetworkInspectInfo[]> {
    return (this.networksCache ??= this.sources.docker ? this.sources.docker.listNetworks().catch(() => []) : Promise.resolve([]));
  }

  async resolve(spec: TargetSpec, out: Resolution): Promise<void> {
    const kinds = this.def.probes;
    const add = (s: Subject) => out.targets.push(...expand(spec.label, s, kinds));
    switch (spec.kind) {
      case 'pods': {
        const sel = parseLabelSelector(spec.selector);
        const pods = (await this.cluster().pods({ namespace: spec.namespace })).filter((p) => matchesLabels(sel, p.labels) && p.phase !== 'Succeeded' && p.phase !== 'Failed');
        if (pods.length === 0) out.notes.push(`${spec.label} matched no pods.`);
        for (const p of pods.sort((a, b) => a.name.localeCompare(b.name))) {
          const idBase = `pod ${p.namespace}/${p.name}`;
          const ip = p.podIPs[0];
          if (!ip || !p.nodeName) {
            out.unresolved.push(unresolvedRow(spec.label, idBase, idBase, kinds[0] ?? 'icmp', 'no IP yet', `pod ${p.namespace}/${p.name} is ${p.phase} and has no IP${p.nodeName ? '' : ' or node'} yet`));
            continue;
          }
          add({ idBase, subject: idBase, ip, vantage: { kind: 'node', node: p.nodeName }, ports: spec.ports ?? podPorts(p) });
        }
        return;
      }
      case 'service': {
        const cluster = this.cluster();
        const svc = await cluster.service(spec.namespace, spec.name);
        if (!svc) {
          out.notes.push(`service ${spec.namespace}/${spec.name} does not exist.`);
          out.unresolved.push(unresolvedRow(spec.label, spec.label, spec.label, kinds[0] ?? 'icmp', 'no such service', `there is no service ${spec.namespace}/${spec.name}`));
          return;
        }
        const slices = (await cluster.endpointSlices(spec.namespace, spec.name)).filter((s) => s.addressType !== 'FQDN');
        let endpoints = 0;
        for (const slice of slices) {
          const ports = spec.ports ?? tcpPorts(slice.ports);
          for (const ep of slice.endpoints) {
            for (const ip of ep.addresses) {
              endpoints += 1;
              const who = ep.pod ? `pod ${ep.pod.namespace}/${ep.pod.name}` : ip;
              const idBase = `service ${spec.namespace}/${spec.name} → ${who}`;
              const node = ep.nodeName ?? (ep.pod ? (await cluster.pod(ep.pod.namespace, ep.pod.name))?.nodeName : undefined);
              const vantage: Vantage | undefined = node ? { kind: 'node', node } : await this.placeByAddress(ip, false);
              if (!vantage) {
                out.unresolved.push(unresolvedRow(spec.label, idBase, idBase, kinds[0] ?? 'icmp', 'no node', `endpoint ${ip} names no node, so netpeek does not know where to probe it from`, { ip }));
                continue;
              }
              add({ idBase, subject: `${idBase}${ep.ready ? '' : ' (not ready)'}`, ip, vantage, ports });
            }
          }
        }
        if (endpoints === 0) out.notes.push(`service ${spec.namespace}/${spec.name} has no endpoints.`);
        return;
      }
      case 'containers': {
        const sel = spec.labels !== undefined ? parseLabelSelector(spec.labels) : undefined;
        const all = await this.docker().listContainers();
        const matched = all.filter((c) => {
          const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
          if (c.State !== 'running') return false;
          if (spec.name !== undefined && !globMatch(spec.name, name)) return false;
          if (sel && !matchesLabels(sel, c.Labels ?? {})) return false;
          if (spec.network !== undefined && !(spec.network in (c.NetworkSettings?.Networks ?? {}))) return false;
          return true;
        });
        if (matched.length === 0) out.notes.push(`${spec.label} matched no running containers.`);
        for (const c of matched.sort((a, b) => (a.Names[0] ?? '').localeCompare(b.Names[0] ?? ''))) {
          const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
          const idBase = `container ${name}`;
          const mode = c.HostConfig?.NetworkMode ?? '';
          const nets = c.NetworkSettings?.Networks ?? {};
          const ip = spec.network !== undefined ? nets[spec.network]?.IPAddress : Object.values(nets).map((n) => n.IPAddress).find((a) => a);
          if (mode === 'host' || mode.startsWith('container:') || !ip) {
            const why = mode === 'host' ? 'uses the host network (no address of its own)' : mode.startsWith('container:') ? `shares the network of ${mode.slice('container:'.length, 'container:'.length + 12)}` : 'has no IP address';
            out.unresolved.push(unresolvedRow(spec.label, idBase, idBase, kinds[0] ?? 'icmp', 'no address', `container ${name} ${why}`));
            continue;
          }
          add({ idBase, subject: idBase, ip, vantage: { kind: 'docker-host' }, ports: spec.ports ?? tcpPorts((c.Ports ?? []).map((p) => ({ port: p.PrivatePort, protocol: p.Type }))) });
        }
        return;
      }
      case 'nodes': {
        const nodes = (await this.nodes()).filter((n) => nodeIp(n) !== undefined);
        const byName = new Map(nodes.map((n) => [n.name, n]));
        const peers = choosePeers([...byName.keys()], spec.peers);
        if (nodes.length < 2) out.notes.push(`${spec.label}: fewer than two nodes with an address, nothing to check between nodes.`);
        for (const [src, dsts] of [...peers].sort(([a], [b]) => a.localeCompare(b))) {
          for (const dst of dsts) {
            const idBase = `node ${src} → ${dst}`;
            add({ idBase, subject: idBase, ip: nodeIp(byName.get(dst)) as string, vantage: { kind: 'node', node: src }, ports: spec.ports ?? [] });
          }
        }
        return;
      }
      case 'address': {
        const vantage = spec.from === 'docker-host' ? ({ kind: 'docker-host' } as const) : spec.from ? ({ kind: 'node', node: spec.from } as const) : await this.placeByAddress(spec.ip, true);
        const idBase = spec.label;
        if (!vantage) {
          out.unresolved.push(unresolvedRow(spec.label, idBase, idBase, kinds[0] ?? 'icmp', 'no vantage', `${spec.ip} is in no Docker network or pod CIDR netpeek knows; add from: <node> or from: docker-host`, { ip: spec.ip }));
          return;
        }
        const probes = kinds.filter((k) => k === 'icmp' || spec.port !== undefined);
        out.targets.push(...expand(spec.label, { idBase, subject: idBase, ip: spec.ip, vantage, ports: spec.port !== undefined ? [spec.port] : [] }, probes));
        return;
      }
    }
  }

  /**
   * Where an address is probed from: the Docker host for a Docker network's address, the node whose
   * pod CIDR or InternalIP holds it, else (when `anyNode`) a hash-chosen ready node — a ClusterIP
   * answers from every node.
   */
  private async placeByAddress(ip: string, anyNode: boolean): Promise<Vantage | undefined> {
    for (const n of await this.networks()) if (networkSubnets(n).some((c) => cidrContains(c, ip))) return { kind: 'docker-host' };
    if (!this.sources.kube?.configured()) return undefined;
    const nodes = await this.nodes().catch(() => [] as KubeNode[]);
    const owner = nodes.find((n) => n.podCIDRs.some((c) => cidrContains(c, ip)) || n.addresses.some((a) => a.address === ip));
    if (owner) return { kind: 'node', node: owner.name };
    if (!anyNode) return undefined;
    const chosen = hashPick(ip, nodes.filter((n) => n.ready), (n) => n.name);
    return chosen ? { kind: 'node', node: chosen.name } : undefined;
  }
}

/** Rows for an entry that could not be resolved: last run's targets of the entry, or one row for the entry. */
function groupUnavailable(spec: TargetSpec, def: ReportDefinition, err: unknown, previous: ReportRun | undefined): TargetResult[] {
  const reason = shortReason(err);
  const detail = err instanceof Error ? err.message : String(err);
  const before = (previous?.results ?? []).filter((r) => r.group === spec.label);
  if (before.length) return before.map((r) => ({ id: r.id, group: r.group, subject: r.subject, kind: r.kind, ...(r.ip ? { ip: r.ip } : {}), ...(r.port !== undefined ? { port: r.port } : {}), from: r.from, status: 'not-probed' as const, reason, detail }));
  return [unresolvedRow(spec.label, spec.label, spec.label, def.probes[0] ?? 'icmp', reason, detail)];
}

/** Resolves every target entry of a definition; entries fail independently. */
export async function resolveTargets(def: ReportDefinition, sources: TargetSources, previous?: ReportRun): Promise<Resolution> {
  const out: Resolution = { targets: [], unresolved: [], notes: [] };
  const resolver = new Resolver(def, sources);
  for (const spec of def.targets) {
    const part: Resolution = { targets: [], unresolved: [], notes: [] };
    try {
      await resolver.resolve(spec, part);
    } catch (err) {
      const rows = groupUnavailable(spec, def, err, previous);
      out.unresolved.push(...rows);
      out.notes.push(`${spec.label}: not probed: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    out.targets.push(...part.targets);
    out.unresolved.push(...part.unresolved);
    out.notes.push(...part.notes);
  }
  // One row per id: two entries naming the same pod probe it once.
  const seen = new Set<string>();
  out.targets = out.targets.filter((t) => (seen.has(t.id) ? false : (seen.add(t.id), true)));
  out.unresolved = out.unresolved.filter((t) => (seen.has(t.id) ? false : (seen.add(t.id), true)));
  return out;
}

