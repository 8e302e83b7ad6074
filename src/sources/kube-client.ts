import type { V1EndpointSlice, V1Namespace, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ContextApis, KubeApis } from './kube-api.js';
import { directApis } from './kube-http.js';
import type { KubeconfigFound } from './kubeconfig.js';
import type { KubeEndpointSlice, KubeNamespace, KubeNetworkPolicy, KubeNode, KubePod, KubeService } from './kube-model.js';
import { toEndpointSlice, toNamespace, toNetworkPolicy, toNode, toPod, toService } from './kube-model.js';
import type { CacheResource, WatchClient } from './kube-watch-cache.js';

export type { KubeApis, RawGet } from './kube-api.js';

/**
 * The clients of one kubeconfig context. Building them imports nothing: @kubernetes/client-node (about
 * half a second to import) is loaded by kube-api.ts when the first request is made, so an answer that
 * never reaches the API server never pays for it.
 */

export interface ContextClients {
  context: string;
  /** The API server URL of the context's cluster. */
  server: string;
  /** The context's namespace (kubectl's default), or "default". */
  namespace: string;
  /** For answers: ordinary sockets. */
  api: KubeApis;
  /** For the caches: lists and watches over unref'd sockets. */
  background: KubeApis;
  watch: WatchClient;
}

/**
 * An object whose every method is the same method of the object `load` resolves to, called once it has.
 * Only for clients whose methods all return promises (client-node's APIs, Watch): a call is the same
 * promise, one import later.
 */
function deferred<T extends object>(load: () => Promise<T>): T {
  return new Proxy({} as T, {
    get: (_, method) => (...args: unknown[]) => load().then((o) => (o as Record<PropertyKey, (...a: unknown[]) => unknown>)[method]!(...args)),
  });
}

/**
 * `direct`: answers' reads go over node:https (kube-http.ts) when the context's credentials are ones it
 * applies, so a one-shot answer never imports client-node; the caches' clients stay client-node's.
 */
export function contextClients(config: KubeconfigFound, context: string, opts: { direct?: boolean } = {}): ContextClients {
  let loading: Promise<ContextApis> | undefined;
  const load = () =>
    (loading ??= Promise.all([import('./kube-api.js'), config.kubeConfig()])
      .then(([m, kc]) => m.contextApis(kc, context))
      .catch((err: unknown) => {
        loading = undefined;
        throw err;
      }));
  const apis = (side: 'api' | 'background'): KubeApis => ({
    core: deferred(() => load().then((l) => l[side].core)),
    discovery: deferred(() => load().then((l) => l[side].discovery)),
    version: deferred(() => load().then((l) => l[side].version)),
    raw: async (path, query) => (await load())[side].raw(path, query),
  });
  const ctx = config.context(context);
  return {
    context,
    server: ctx?.server || '(no server in the kubeconfig)',
    namespace: ctx?.namespace || 'default',
    api: (opts.direct && directClients(config, context, () => load().then((l) => l.api))) || apis('api'),
    background: apis('background'),
    watch: deferred(() => load().then((l) => l.watch)),
  };
}

/** The direct clients of a context, or undefined when its credentials need client-node (or its files cannot be read: client-node then says why). */
function directClients(config: KubeconfigFound, context: string, fallback: () => Promise<KubeApis>): KubeApis | undefined {
  let access;
  try {
    access = config.directAccess(context);
  } catch {
    return undefined;
  }
  return 'unsupported' in access ? undefined : directApis(access, fallback);
}

const nsKey = (o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`;
/** One page of a raw list (items as the server sent them). */
type RawList = { items?: unknown[]; metadata?: { resourceVersion?: string; continue?: string } };
export const rawListed = (l: unknown) => {
  const list = (l ?? {}) as RawList;
  return {
    items: Array.isArray(list.items) ? list.items : [],
    ...(list.metadata?.resourceVersion ? { resourceVersion: list.metadata.resourceVersion } : {}),
    ...(list.metadata?.continue ? { continueToken: list.metadata.continue } : {}),
  };
};

export const NETWORK_POLICIES_PATH = '/apis/networking.k8s.io/v1/networkpolicies';

/** The resources netpeek caches, with their indexes. */
export interface CacheResources {
  pods: CacheResource<KubePod>;
  services: CacheResource<KubeService>;
  endpointslices: CacheResource<KubeEndpointSlice>;
  nodes: CacheResource<KubeNode>;
  namespaces: CacheResource<KubeNamespace>;
  networkpolicies: CacheResource<KubeNetworkPolicy>;
}

/**
 * The caches list with raw GETs (JSON as the server sent it, converted by the same functions as watch
 * events) rather than client-node's typed list calls: its ObjectSerializer builds a model object for every
 * nested field, which made most of the first sync's time at 100,000 pods (bench:scale).
 */
export function cacheResources(api: KubeApis): CacheResources {
  return {
    pods: {
      resource: 'pods',
      watchPath: '/api/v1/pods',
      listPage: async (p) => rawListed(await api.raw('/api/v1/pods', { limit: p.limit, continue: p.continueToken })),
      convert: (raw) => toPod(raw as V1Pod),
      key: nsKey,
      indexes: { name: (p) => [p.name], namespace: (p) => [p.namespace], node: (p) => (p.nodeName ? [p.nodeName] : []), ip: (p) => p.podIPs },
    },
    services: {
      resource: 'services',
      watchPath: '/api/v1/services',
      listPage: async (p) => rawListed(await api.raw('/api/v1/services', { limit: p.limit, continue: p.continueToken })),
      convert: (raw) => toService(raw as V1Service),
      key: nsKey,
      indexes: { name: (s) => [s.name], namespace: (s) => [s.namespace] },
    },
    endpointslices: {
      resource: 'endpointslices',
      watchPath: '/apis/discovery.k8s.io/v1/endpointslices',
      listPage: async (p) => rawListed(await api.raw('/apis/discovery.k8s.io/v1/endpointslices', { limit: p.limit, continue: p.continueToken })),
      convert: (raw) => toEndpointSlice(raw as V1EndpointSlice),
      key: nsKey,
      indexes: { service: (e) => (e.serviceName ? [`${e.namespace}/${e.serviceName}`] : []) },
    },
    nodes: {
      resource: 'nodes',
      watchPath: '/api/v1/nodes',
      listPage: async (p) => rawListed(await api.raw('/api/v1/nodes', { limit: p.limit, continue: p.continueToken })),
      convert: (raw) => toNode(raw as V1Node),
      key: (n) => n.name,
    },
    namespaces: {
      resource: 'namespaces',
      watchPath: '/api/v1/namespaces',
      listPage: async (p) => rawListed(await api.raw('/api/v1/namespaces', { limit: p.limit, continue: p.continueToken })),
      convert: (raw) => toNamespace(raw as V1Namespace),
      key: (n) => n.name,
    },
    networkpolicies: {
      resource: 'networkpolicies',
      watchPath: NETWORK_POLICIES_PATH,
      listPage: async (p) => rawListed(await api.raw(NETWORK_POLICIES_PATH, { limit: p.limit, continue: p.continueToken })),
      convert: toNetworkPolicy,
      key: nsKey,
      indexes: { namespace: (n) => [n.namespace] },
    },
  };
}
