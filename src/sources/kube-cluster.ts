import type { Logger } from '../log.js';
import type { PolicyEngine } from '../net/policy-engine.js';
import type { ContextClients } from './kube-client.js';
import { cacheResources, NETWORK_POLICIES_PATH, rawListed } from './kube-client.js';
import type { KubeRequest, KubeTarget } from './kube-errors.js';
import { httpStatusOf, kubeError, withDeadline } from './kube-errors.js';
import type { KubeEndpointSlice, KubeNamespace, KubeNetworkPolicy, KubeNode, KubePod, KubeService } from './kube-model.js';
import { SERVICE_NAME_LABEL, toEndpointSlice, toNamespace, toNetworkPolicy, toNode, toPod, toService } from './kube-model.js';
import type { ObjectChange } from '../net/reachability-changes.js';
import { endpointSliceChange, networkPolicyChange, nodeChange, podChange, serviceChange } from '../net/reachability-changes.js';
import type { ChangeFilter, ChangeHistoryLimits, RecordedChange } from './kube-change-history.js';
import { ChangeHistory, DEFAULT_CHANGE_LIMITS, latestManager } from './kube-change-history.js';
import type { CacheChange, CacheState, WatchCacheOptions } from './kube-watch-cache.js';
import { WatchCache } from './kube-watch-cache.js';

/**
 * One Kubernetes context as commands see it: reads answered from the watch caches while they are
 * current, and by direct API calls (GET, or a list with a field/label selector) while they are not —
 * before the first sync, and when a watch has been down for too long. Every failure is a NetpeekError
 * naming the context and server (see kube-errors.ts).
 */
export interface KubeCluster {
  readonly context: string;
  /** API server URL. */
  readonly server: string;
  /** The context's default namespace. */
  readonly defaultNamespace: string;
  /** Starts the watch caches (idempotent). Reads start them too, unless `watchCaches` is false. */
  start(): void;
  stop(): Promise<void>;
  /** Starts the caches and waits until each has listed once; false on timeout. */
  waitForSync(timeoutMs: number): Promise<boolean>;
  cacheStates(): CacheState[];
  /**
   * Set while answers come from caches that have lost their watch for longer than a reconnect takes:
   * how long the oldest of them has not been updated. Undefined while everything is live.
   */
  staleness(now?: number): CacheStaleness | undefined;
  /** The API server's version (GET /version), asked directly; does not start the caches. */
  serverVersion(): Promise<string>;
  pod(namespace: string, name: string): Promise<KubePod | undefined>;
  /** Pods with this exact name, in every namespace. */
  podsNamed(name: string): Promise<KubePod[]>;
  pods(filter?: { namespace?: string; nodeName?: string }): Promise<KubePod[]>;
  service(namespace: string, name: string): Promise<KubeService | undefined>;
  services(namespace?: string): Promise<KubeService[]>;
  servicesNamed(name: string): Promise<KubeService[]>;
  /** The EndpointSlices of one Service (label kubernetes.io/service-name). */
  endpointSlices(namespace: string, serviceName: string): Promise<KubeEndpointSlice[]>;
  node(name: string): Promise<KubeNode | undefined>;
  nodes(): Promise<KubeNode[]>;
  namespace(name: string): Promise<KubeNamespace | undefined>;
  namespaces(): Promise<KubeNamespace[]>;
  /** NetworkPolicies (networking.k8s.io/v1) of one namespace, or of all. */
  networkPolicies(namespace?: string): Promise<KubeNetworkPolicy[]>;
  /** Pods whose status.podIPs include this address (hostNetwork pods carry their node's). */
  podsWithIp(ip: string): Promise<KubePod[]>;
  /**
   * The policy engine over every NetworkPolicy and namespace: indexed once and kept while the caches
   * are current and unchanged; rebuilt from a direct list otherwise.
   */
  policyEngine(): Promise<PolicyEngine>;
  /** Policy kinds other than NetworkPolicy whose API groups the server serves (AdminNetworkPolicy, Calico, Cilium…). */
  otherPolicyKinds(): Promise<string[]>;
  /**
   * Reachability-relevant changes the watches saw since they started (oldest first), bounded by
   * NETPEEK_CHANGE_HISTORY_MAX and _MAX_AGE. Empty until the caches have synced once.
   */
  changes(filter?: ChangeFilter): RecordedChange[];
  /** The bounds of the change history, for answers that say how far back it reaches. */
  changeHistory(): { limits: ChangeHistoryLimits; size: number; since?: number };
}

/** A cluster whose caches still answer although their watch is down. */
export interface CacheStaleness {
  context: string;
  /** Seconds since the oldest disconnected cache was last known to be current. */
  secondsSinceUpdate: number;
  /** Why, in a few words ("the API server is not answering"). */
  reason: string;
}

/** A watch that is re-established within this long (a normal server-side timeout) is not worth a notice. */
export const STALE_NOTICE_AFTER_MS = 3_000;

export interface ClusterOptions {
  log?: Logger;
  /** How long a direct API call may take (default 5 s). */
  requestTimeoutMs?: number;
  /** Passed to every watch cache (backoff, staleness, page size). */
  cache?: Omit<WatchCacheOptions, 'watch' | 'log' | 'describeError' | 'onChange'>;
  /** Bounds of the change history (default DEFAULT_CHANGE_LIMITS). */
  changes?: ChangeHistoryLimits;
  /**
   * false in a one-shot process: a read does not start the watch caches (which list every pod, Service
   * and policy of the cluster to answer one question); each is a direct GET or a selected list. Default true.
   */
  watchCaches?: boolean;
}

const POLICY_KINDS_TTL_MS = 5 * 60_000;

export class ClusterConnection implements KubeCluster {
  readonly context: string;
  readonly server: string;
  readonly defaultNamespace: string;
  private readonly target: KubeTarget;
  private readonly timeoutMs: number;
  private readonly caches: {
    pods: WatchCache<KubePod>;
    services: WatchCache<KubeService>;
    endpointslices: WatchCache<KubeEndpointSlice>;
    nodes: WatchCache<KubeNode>;
    namespaces: WatchCache<KubeNamespace>;
    networkpolicies: WatchCache<KubeNetworkPolicy>;
  };

  private engine: { key: string; engine: PolicyEngine } | undefined;
  private policyKinds: { at: number; kinds: string[] } | undefined;
  private readonly log: Logger | undefined;
  private readonly watchCaches: boolean;
  private readonly history: ChangeHistory;
  private historySince: number | undefined;

  constructor(
    private readonly clients: ContextClients,
    opts: ClusterOptions = {},
  ) {
    this.context = clients.context;
    this.server = clients.server;
    this.defaultNamespace = clients.namespace;
    this.target = { context: this.context, server: this.server };
    this.timeoutMs = opts.requestTimeoutMs ?? 5_000;
    this.log = opts.log;
    this.watchCaches = opts.watchCaches ?? true;
    const res = cacheResources(clients.background);
    this.history = new ChangeHistory(opts.changes ?? DEFAULT_CHANGE_LIMITS);
    const options = <T>(resource: string, group: string, diff: (prev: T | undefined, next: T | undefined) => ObjectChange | undefined): WatchCacheOptions => ({
      ...opts.cache,
      watch: clients.watch,
      ...(opts.log ? { log: opts.log.child({ context: this.context }) } : {}),
      describeError: (err, phase) => kubeError(err, { verb: phase, resource, group }, this.target).message,
      onChange: (c) => this.recordChange(c as CacheChange<T>, diff),
    });
    this.caches = {
      pods: new WatchCache(res.pods, options('pods', '', podChange)),
      services: new WatchCache(res.services, options('services', '', serviceChange)),
      endpointslices: new WatchCache(res.endpointslices, options('endpointslices', 'discovery.k8s.io', endpointSliceChange)),
      nodes: new WatchCache(res.nodes, options('nodes', '', nodeChange)),
      namespaces: new WatchCache(res.namespaces, options<KubeNamespace>('namespaces', '', () => undefined)),
      networkpolicies: new WatchCache(res.networkpolicies, options('networkpolicies', 'networking.k8s.io', networkPolicyChange)),
    };
  }

  start(): void {
    this.historySince ??= Date.now();
    for (const c of Object.values(this.caches)) c.start();
  }

  /** What every read does first: the caches answer the next question, unless this process asks only one. */
  private warm(): void {
    if (this.watchCaches) this.start();
  }

  changes(filter: ChangeFilter = {}): RecordedChange[] {
    return this.history.list(filter);
  }

  changeHistory(): { limits: ChangeHistoryLimits; size: number; since?: number } {
    return { limits: this.history.limits, size: this.history.size, ...(this.historySince !== undefined ? { since: this.historySince } : {}) };
  }

  private recordChange<T>(c: CacheChange<T>, diff: (prev: T | undefined, next: T | undefined) => ObjectChange | undefined): void {
    const change = diff(c.prev, c.next);
    if (!change) return;
    // A delete's managedFields name the last writer, not whoever deleted it.
    const manager = c.next !== undefined ? latestManager(c.raw) : undefined;
    this.history.record({ ...change, at: Date.now(), ...(manager ? { manager } : {}), ...(c.viaRelist ? { viaRelist: true } : {}) });
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.caches).map((c) => c.stop()));
  }

  async waitForSync(timeoutMs: number): Promise<boolean> {
    this.start();
    // The caches' sockets are unref'd so that open watches never hold a one-shot process up; whoever waits
    // for the sync must, or the process ends silently before the lists arrive (a one-shot `changes` did).
    const hold = setTimeout(() => undefined, timeoutMs);
    try {
      const results = await Promise.all(Object.values(this.caches).map((c) => c.waitForSync(timeoutMs)));
      return results.every(Boolean);
    } finally {
      clearTimeout(hold);
    }
  }

  cacheStates(): CacheState[] {
    return Object.values(this.caches).map((c) => c.state());
  }

  staleness(now = Date.now()): CacheStaleness | undefined {
    const behind = Object.values(this.caches)
      .map((c) => c.disconnectedForMs(now))
      .filter((ms): ms is number => ms !== undefined);
    const worst = Math.max(-1, ...behind);
    if (worst < STALE_NOTICE_AFTER_MS) return undefined;
    return { context: this.context, secondsSinceUpdate: Math.round(worst / 1000), reason: 'the API server is not answering' };
  }

  async serverVersion(): Promise<string> {
    try {
      return (await withDeadline(this.clients.api.version.getCode(), this.timeoutMs)).gitVersion;
    } catch (err) {
      throw kubeError(err, { verb: 'get', resource: 'version', group: '' }, this.target);
    }
  }

  // ---- reads: memory when current, the API otherwise ----

  async pod(namespace: string, name: string): Promise<KubePod | undefined> {
    this.warm();
    if (this.caches.pods.isCurrent()) return this.caches.pods.get(`${namespace}/${name}`);
    return this.get({ verb: 'get', resource: 'pods', group: '', namespace, name }, async () => toPod(await this.clients.api.core.readNamespacedPod({ namespace, name })));
  }

  async podsNamed(name: string): Promise<KubePod[]> {
    this.warm();
    if (this.caches.pods.isCurrent()) return this.caches.pods.byIndex('name', name);
    const fieldSelector = `metadata.name=${name}`;
    return this.list({ verb: 'list', resource: 'pods', group: '' }, async () => (await this.clients.api.core.listPodForAllNamespaces({ fieldSelector })).items.map(toPod));
  }

  async pods(filter: { namespace?: string; nodeName?: string } = {}): Promise<KubePod[]> {
    this.warm();
    const { namespace, nodeName } = filter;
    if (this.caches.pods.isCurrent()) {
      const base = nodeName !== undefined ? this.caches.pods.byIndex('node', nodeName) : namespace !== undefined ? this.caches.pods.byIndex('namespace', namespace) : this.caches.pods.values();
      return base.filter((p) => (namespace === undefined || p.namespace === namespace) && (nodeName === undefined || p.nodeName === nodeName));
    }
    const fieldSelector = nodeName !== undefined ? `spec.nodeName=${nodeName}` : undefined;
    const req: KubeRequest = { verb: 'list', resource: 'pods', group: '', ...(namespace ? { namespace } : {}) };
    return this.list(req, async () => {
      const q = fieldSelector ? { fieldSelector } : {};
      const list = namespace ? await this.clients.api.core.listNamespacedPod({ ...q, namespace }) : await this.clients.api.core.listPodForAllNamespaces(q);
      return list.items.map(toPod);
    });
  }

  async service(namespace: string, name: string): Promise<KubeService | undefined> {
    this.warm();
    if (this.caches.services.isCurrent()) return this.caches.services.get(`${namespace}/${name}`);
    return this.get({ verb: 'get', resource: 'services', group: '', namespace, name }, async () => toService(await this.clients.api.core.readNamespacedService({ namespace, name })));
  }

  async services(namespace?: string): Promise<KubeService[]> {
    this.warm();
    if (this.caches.services.isCurrent()) return namespace === undefined ? this.caches.services.values() : this.caches.services.byIndex('namespace', namespace);
    const req: KubeRequest = { verb: 'list', resource: 'services', group: '', ...(namespace ? { namespace } : {}) };
    return this.list(req, async () =>
      (namespace ? await this.clients.api.core.listNamespacedService({ namespace }) : await this.clients.api.core.listServiceForAllNamespaces()).items.map(toService),
    );
  }

  async servicesNamed(name: string): Promise<KubeService[]> {
    this.warm();
    if (this.caches.services.isCurrent()) return this.caches.services.byIndex('name', name);
    const fieldSelector = `metadata.name=${name}`;
    return this.list({ verb: 'list', resource: 'services', group: '' }, async () => (await this.clients.api.core.listServiceForAllNamespaces({ fieldSelector })).items.map(toService));
  }

  async endpointSlices(namespace: string, serviceName: string): Promise<KubeEndpointSlice[]> {
    this.warm();
    if (this.caches.endpointslices.isCurrent()) return this.caches.endpointslices.byIndex('service', `${namespace}/${serviceName}`);
    const labelSelector = `${SERVICE_NAME_LABEL}=${serviceName}`;
    return this.list({ verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace }, async () =>
      (await this.clients.api.discovery.listNamespacedEndpointSlice({ namespace, labelSelector })).items.map(toEndpointSlice),
    );
  }

  async node(name: string): Promise<KubeNode | undefined> {
    this.warm();
    if (this.caches.nodes.isCurrent()) return this.caches.nodes.get(name);
    return this.get({ verb: 'get', resource: 'nodes', group: '', name }, async () => toNode(await this.clients.api.core.readNode({ name })));
  }

  async nodes(): Promise<KubeNode[]> {
    this.warm();
    if (this.caches.nodes.isCurrent()) return this.caches.nodes.values();
    return this.list({ verb: 'list', resource: 'nodes', group: '' }, async () => (await this.clients.api.core.listNode()).items.map(toNode));
  }

  async namespace(name: string): Promise<KubeNamespace | undefined> {
    this.warm();
    if (this.caches.namespaces.isCurrent()) return this.caches.namespaces.get(name);
    return this.get({ verb: 'get', resource: 'namespaces', group: '', name }, async () => toNamespace(await this.clients.api.core.readNamespace({ name })));
  }

  async namespaces(): Promise<KubeNamespace[]> {
    this.warm();
    if (this.caches.namespaces.isCurrent()) return this.caches.namespaces.values();
    return this.list({ verb: 'list', resource: 'namespaces', group: '' }, async () => (await this.clients.api.core.listNamespace()).items.map(toNamespace));
  }

  async networkPolicies(namespace?: string): Promise<KubeNetworkPolicy[]> {
    this.warm();
    const cache = this.caches.networkpolicies;
    if (cache.isCurrent()) return namespace === undefined ? cache.values() : cache.byIndex('namespace', namespace);
    const req: KubeRequest = { verb: 'list', resource: 'networkpolicies', group: 'networking.k8s.io', ...(namespace ? { namespace } : {}) };
    const path = namespace ? `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/networkpolicies` : NETWORK_POLICIES_PATH;
    return this.list(req, async () => rawListed(await this.clients.api.raw(path)).items.map(toNetworkPolicy));
  }

  async podsWithIp(ip: string): Promise<KubePod[]> {
    this.warm();
    if (this.caches.pods.isCurrent()) return this.caches.pods.byIndex('ip', ip);
    return this.list({ verb: 'list', resource: 'pods', group: '' }, async () => (await this.clients.api.core.listPodForAllNamespaces({ fieldSelector: `status.podIP=${ip}` })).items.map(toPod));
  }

  async policyEngine(): Promise<PolicyEngine> {
    this.warm();
    const { networkpolicies: np, namespaces: ns } = this.caches;
    const key = np.isCurrent() && ns.isCurrent() ? `${np.revision}/${ns.revision}` : undefined;
    if (key !== undefined && this.engine?.key === key) return this.engine.engine;
    // The engine's module is loaded by the first question about policies: most answers ask none (issue 19).
    const [policies, namespaces, { PolicyEngine }] = await Promise.all([this.networkPolicies(), this.namespaces(), import('../net/policy-engine.js')]);
    const engine = new PolicyEngine({ policies, namespaces });
    if (key !== undefined) this.engine = { key, engine };
    return engine;
  }

  async otherPolicyKinds(): Promise<string[]> {
    // API groups change when a CNI is installed, not from one question to the next.
    if (this.policyKinds && Date.now() - this.policyKinds.at < POLICY_KINDS_TTL_MS) return this.policyKinds.kinds;
    let groups: string[] = [];
    try {
      const list = (await withDeadline(this.clients.api.raw('/apis'), this.timeoutMs)) as { groups?: { name?: string }[] };
      groups = (list.groups ?? []).map((g) => g.name ?? '');
    } catch (err) {
      this.log?.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'API discovery failed; other policy kinds unknown');
      return [];
    }
    const { otherPolicyKindsIn } = await import('../net/policy-kinds.js');
    const kinds = otherPolicyKindsIn(groups);
    this.policyKinds = { at: Date.now(), kinds };
    return kinds;
  }

  // ---- direct calls ----

  /** A GET; 404 is "no such object", not an error. */
  private async get<T>(req: KubeRequest, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await withDeadline(call(), this.timeoutMs);
    } catch (err) {
      if (httpStatusOf(err) === 404) return undefined;
      throw kubeError(err, req, this.target);
    }
  }

  /** A list in one request (fallbacks are rare and mostly field- or label-selected, like kubectl's). */
  private async list<T>(req: KubeRequest, call: () => Promise<T[]>): Promise<T[]> {
    try {
      return await withDeadline(call(), this.timeoutMs);
    } catch (err) {
      throw kubeError(err, req, this.target);
    }
  }
}
