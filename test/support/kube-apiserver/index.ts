/**
 * A faithful in-process Kubernetes API server for tests. Real kubectl and @kubernetes/client-node talk
 * to it through the kubeconfig it writes. Tests change objects directly (watchers see the events),
 * inject failures, compact history (410 Expired), cut watches, and read the request log.
 *
 *   const api = await startKubeApiServer({ objects: [node('node-1'), pod('web-1', { ip: '10.244.1.5' })] });
 *   const kc = new KubeConfig(); kc.loadFromFile(api.kubeconfigPath);
 *   …
 *   await api.stop();
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCreateDefaults, makeAllocator, validateName, type Allocator, type InUse } from './defaults.js';
import type { FaultSpec, RequestRecord } from './faults.js';
import { kubeconfigYaml, servingCertificate } from './kubeconfig.js';
import type { KubeObject, ResourceDef } from './resources.js';
import { resolveResource } from './resources.js';
import { ApiHttpServer, type Authorizer } from './server.js';
import { errors } from './status.js';
import { Store } from './store.js';
import { WatchHub, type ActiveWatch } from './watch.js';

export type { KubeObject, ObjectMeta } from './resources.js';
export type { FaultMatch, FaultSpec, RequestRecord } from './faults.js';
export type { Authorizer, AuthzAttributes } from './server.js';
export type { ActiveWatch } from './watch.js';
export type { Status } from './status.js';
export { StatusError } from './status.js';

export type StartKubeApiServerOptions = {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** HTTPS with a self-signed certificate (openssl) that the kubeconfig trusts as its CA. Default: plain HTTP. */
  tls?: boolean;
  /** Require `Authorization: Bearer <token>` (401 otherwise). The kubeconfig always carries a token (this one, or `netpeek-test-token` which is not checked). */
  token?: string;
  /** The user named in Forbidden messages. Default `system:serviceaccount:netpeek:netpeek`. */
  user?: string;
  /** Change events kept for watch replay and `continue`; older ones answer 410 Expired. Default 1000. */
  historyLimit?: number;
  /** Periodic BOOKMARK interval for watches that allow them (default 60000 like the real server; 0 = only on demand/at timeout). */
  bookmarkIntervalMs?: number;
  /** Cluster IP range for services created without one. Default 10.96.0.0/12. */
  serviceCIDR?: string;
  /** Namespaces that exist from the start. Default default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /** Objects stored at start (any order; status is kept as given). */
  objects?: KubeObject[];
  /** kubeconfig context (and cluster and user) name. Default `netpeek-test`. */
  context?: string;
  /** The context's default namespace. Default `default`. */
  namespace?: string;
  /** Decides each resource request; false → 403 Forbidden with RBAC's message. */
  authorize?: Authorizer;
  /** API groups discovery lists as if CRDs served them (no objects): e.g. policy.networking.k8s.io/v1alpha1. */
  extraGroups?: { group: string; version: string }[];
};

/** Names one stored object; a KubeObject works too. */
export type ObjectRef = { kind: string; apiVersion?: string; namespace?: string; name: string } | KubeObject;

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Namespaced objects without a namespace go to `default`, as `kubectl apply` without -n would put them. */
function refOf(ref: ObjectRef): { r: ResourceDef; namespace?: string; name: string } {
  const [r, namespace, name] =
    'metadata' in ref
      ? [resolveResource(ref.kind ?? '', ref.apiVersion), ref.metadata.namespace, ref.metadata.name ?? '']
      : [resolveResource(ref.kind, ref.apiVersion), ref.namespace, ref.name];
  return { r, namespace: r.namespaced ? (namespace ?? 'default') : undefined, name };
}

function withNamespace(r: ResourceDef, o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  if (r.namespaced) copy.metadata.namespace ??= 'default';
  else delete copy.metadata.namespace;
  return copy;
}

type Parts = {
  store: Store;
  watches: WatchHub;
  http: ApiHttpServer;
  alloc: Allocator;
  seedNamespaces: string[];
  dir: string;
  kubeconfig: string;
  url: string;
  port: number;
  caPem: string | undefined;
  contextName: string;
};

export class KubeApiServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  /** PEM of the serving certificate (its own CA) when started with `tls: true`. */
  readonly caPem: string | undefined;
  /** The kubeconfig's context, cluster and user name. */
  readonly contextName: string;
  private readonly store: Store;
  private readonly watches: WatchHub;
  private readonly http: ApiHttpServer;
  private readonly alloc: Allocator;
  private stopped = false;

  constructor(private readonly parts: Parts) {
    ({ url: this.url, port: this.port, caPem: this.caPem, contextName: this.contextName } = parts);
    ({ store: this.store, watches: this.watches, http: this.http, alloc: this.alloc } = parts);
  }

  /** The bound address ({ address: '127.0.0.1', family: 'IPv4', port }) while listening. */
  get address(): AddressInfo | undefined {
    return this.http.address;
  }

  /** A kubeconfig whose current context (`contextName`) points at this server. */
  get kubeconfigPath(): string {
    return join(this.parts.dir, 'kubeconfig');
  }

  /** Every request received, in order (live array). */
  get requests(): RequestRecord[] {
    return this.http.requests;
  }

  clearRequests(): void {
    this.http.requests.length = 0;
  }

  /** The latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  // ---- objects: each change is a watch event, exactly as if a client had written it ----

  /** Creates objects with server defaults filled in (status kept as given). Throws AlreadyExists. */
  add(...objects: KubeObject[]): KubeObject[] {
    return objects.map((input) => {
      const r = resolveResource(input.kind ?? '', input.apiVersion);
      const o = withNamespace(r, input);
      validateName(r, o);
      if (this.store.get(r, o.metadata.namespace, o.metadata.name!)) throw errors.alreadyExists(r, o.metadata.name!);
      applyCreateDefaults(r, o, this.alloc);
      return structuredClone(this.store.create(r, o));
    });
  }

  /** Replaces a stored object as given (status included). Throws NotFound. */
  update(object: KubeObject): KubeObject {
    const { r, namespace, name } = refOf(object);
    if (!this.store.get(r, namespace, name)) throw errors.notFound(r, name);
    return structuredClone(this.store.update(r, withNamespace(r, object)));
  }

  /** Creates or replaces. */
  apply(object: KubeObject): KubeObject {
    const { r, namespace, name } = refOf(object);
    return this.store.get(r, namespace, name) ? this.update(object) : this.add(object)[0]!;
  }

  /** Changes a stored object through a callback (mutate the copy or return a new object). */
  modify(ref: ObjectRef, change: (o: KubeObject) => KubeObject | void): KubeObject {
    const { r, namespace, name } = refOf(ref);
    const cur = this.store.get(r, namespace, name);
    if (!cur) throw errors.notFound(r, name);
    const copy = structuredClone(cur);
    return structuredClone(this.store.update(r, change(copy) ?? copy));
  }

  /** Deletes an object (a DELETED event); undefined when it did not exist. */
  remove(ref: ObjectRef): KubeObject | undefined {
    const { r, namespace, name } = refOf(ref);
    const o = this.store.delete(r, namespace, name);
    return o && structuredClone(o);
  }

  get(ref: ObjectRef): KubeObject | undefined {
    const { r, namespace, name } = refOf(ref);
    const o = this.store.get(r, namespace, name);
    return o && structuredClone(o);
  }

  /** Objects of a kind ("Pod", "pods", "po"…), optionally in one namespace, in key order. */
  list(kind: string, namespace?: string): KubeObject[] {
    return structuredClone(this.store.list(resolveResource(kind), namespace));
  }

  // ---- faults ----

  /** The next `count` matching requests fail with `spec` (a status code or a FaultSpec; default 500). */
  failNext(count: number, spec: FaultSpec | number = {}): void {
    this.http.faults.failNext(count, typeof spec === 'number' ? { code: spec } : spec);
  }

  /** Ends every open watch (cleanly, or `abrupt: true` to destroy the connections). Returns how many. */
  dropAllWatches(opts: { abrupt?: boolean } = {}): number {
    return this.watches.dropAll(opts.abrupt ?? false);
  }

  /** Forgets change history up to `rv` (default: now): a watch or continue from an older RV gets 410. */
  compactHistory(rv?: number): void {
    this.store.compact(rv);
  }

  /** Delay before every response. */
  setLatency(ms: number): void {
    this.http.faults.latencyMs = ms;
  }

  /** Authorizer for resource requests (undefined = allow all). */
  setAuthorizer(authorize: Authorizer | undefined): void {
    this.http.authorizer = authorize;
  }

  /** Drops queued failures and latency. */
  clearFaults(): void {
    this.http.faults.clear();
  }

  /** Sends a BOOKMARK now on every watch that allowed them. */
  sendBookmarks(): void {
    this.watches.sendBookmarks();
  }

  activeWatches(): ActiveWatch[] {
    return this.watches.list();
  }

  // ---- lifecycle ----

  /** Closes the listener and connections, then listens again on the same port. */
  async restart(opts: { clearState?: boolean } = {}): Promise<void> {
    await this.http.close();
    if (opts.clearState) {
      this.store.clear();
      this.add(...this.parts.seedNamespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
    }
    if (this.stopped) {
      await mkdir(this.parts.dir, { recursive: true });
      await writeFile(this.kubeconfigPath, this.parts.kubeconfig);
      this.stopped = false;
    }
    await this.http.listen(this.port);
  }

  /** Closes everything and removes the temporary kubeconfig. */
  async stop(): Promise<void> {
    await this.http.close();
    this.stopped = true;
    await rm(this.parts.dir, { recursive: true, force: true });
  }
}

/**
 * Cluster IPs and node ports of the stored Services, kept up to date from the store's events (rebuilding
 * them from every Service per allocation was quadratic: minutes at bench:scale's 20,000 Services), and
 * rebuilt after the store is wiped (which sends no events).
 */
function servicesInUse(store: Store, services: ResourceDef): () => InUse {
  const ips = new Map<string, number>();
  const ports = new Map<number, number>();
  let releases = 0;
  let generation = -1;
  const bump = <K>(m: Map<K, number>, k: K, d: 1 | -1) => {
    const n = (m.get(k) ?? 0) + d;
    if (n > 0) m.set(k, n);
    else m.delete(k);
  };
  const count = (s: KubeObject | undefined, d: 1 | -1) => {
    const spec = (s?.spec ?? {}) as { clusterIPs?: string[]; ports?: { nodePort?: number }[] };
    for (const ip of spec.clusterIPs ?? []) bump(ips, ip, d);
    for (const p of spec.ports ?? []) if (p.nodePort) bump(ports, p.nodePort, d);
  };
  store.subscribe((e) => {
    if (e.resource !== services || generation !== store.generation) return;
    if (e.type !== 'ADDED') {
      count(e.prev, -1);
      releases++;
    }
    if (e.type !== 'DELETED') count(e.object, 1);
  });
  return () => {
    if (generation !== store.generation) {
      ips.clear();
      ports.clear();
      for (const s of store.list(services)) count(s, 1);
      generation = store.generation;
      releases++;
    }
    return { ips, ports, releases };
  };
}

export async function startKubeApiServer(opts: StartKubeApiServerOptions = {}): Promise<KubeApiServer> {
  const store = new Store({ historyLimit: opts.historyLimit });
  const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 60_000;
  const watches = new WatchHub(store, () => bookmarkIntervalMs);
  const services = resolveResource('services');
  const alloc = makeAllocator(opts.serviceCIDR ?? '10.96.0.0/12', servicesInUse(store, services));
  const certificate = opts.tls ? await servingCertificate() : undefined;
  const user = opts.user ?? 'system:serviceaccount:netpeek:netpeek';
  const http = new ApiHttpServer({ store, watches, alloc }, { token: opts.token, user, certificate });
  http.authorizer = opts.authorize;
  http.extraGroups = opts.extraGroups ?? [];
  const port = await http.listen(opts.port ?? 0);
  const url = `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`;
  const context = opts.context ?? 'netpeek-test';
  const kubeconfig = kubeconfigYaml({ server: url, context, namespace: opts.namespace ?? 'default', token: opts.token ?? 'netpeek-test-token', caPem: certificate?.cert });
  const dir = await mkdtemp(join(tmpdir(), 'netpeek-kube-'));
  await writeFile(join(dir, 'kubeconfig'), kubeconfig);
  const seed = opts.namespaces ?? DEFAULT_NAMESPACES;
  const api = new KubeApiServer({
    store, watches, http, alloc, seedNamespaces: seed, dir, kubeconfig, url, port, caPem: certificate?.cert, contextName: context,
  });
  try {
    api.add(...seed.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
    const initial = (opts.objects ?? []).filter((o) => o.kind !== 'Namespace' || !seed.includes(o.metadata.name ?? ''));
    // In slices: spreading 100,000+ objects into one call overflows the stack (bench:scale).
    const ordered = [...initial.filter((o) => o.kind === 'Namespace'), ...initial.filter((o) => o.kind !== 'Namespace')];
    for (let i = 0; i < ordered.length; i += 10_000) api.add(...ordered.slice(i, i + 10_000));
  } catch (e) {
    await api.stop();
    throw e;
  }
  return api;
}
