import type { Agent } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, VersionApi, Watch } from '@kubernetes/client-node';
import type { V1EndpointSlice, V1Namespace, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { KubeEndpointSlice, KubeNamespace, KubeNetworkPolicy, KubeNode, KubePod, KubeService } from './kube-model.js';
import { toEndpointSlice, toNamespace, toNetworkPolicy, toNode, toPod, toService } from './kube-model.js';
import type { CacheResource, WatchClient } from './kube-watch-cache.js';

/**
 * client-node plumbing for one kubeconfig context: a KubeConfig pinned to the context, typed API
 * clients for answers (foreground), and a second set for the watch caches (background) whose sockets
 * are unref'd, so that open watches never keep a one-shot CLI process from exiting.
 */

/** The typed clients netpeek reads with, and a raw GET for what must not pass through typed models. */
export interface KubeApis {
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  version: VersionApi;
  raw: RawGet;
}

/**
 * GET of an API path answered as parsed JSON, exactly as the server sent it. client-node's typed
 * models drop every field they do not know; NetworkPolicies are read this way so that the policy engine
 * can refuse to guess about a field a newer API added. A non-2xx answer rejects with `{ statusCode, body }`,
 * the shape kube-errors.ts reads.
 */
export type RawGet = (path: string, query?: Record<string, string | number | undefined>) => Promise<unknown>;

function rawGet(kc: KubeConfig): RawGet {
  return async (path, query = {}) => {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('No currently active cluster');
    const url = new URL(server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const opts: RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    // Credentials, CA and the (possibly socket-unref'ing) agent, as client-node applies them to its own requests.
    await kc.applyToHTTPSOptions(opts);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) return reject(Object.assign(new Error(`HTTP ${status}`), { statusCode: status, body }));
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new Error(`the API server answered ${path} with something that is not JSON`));
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
  };
}

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

/** A KubeConfig holding the same clusters and users, with `context` as its current context. */
export function configForContext(base: KubeConfig, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: base.getClusters(), users: base.getUsers(), contexts: base.getContexts(), currentContext: context });
  return kc;
}

type AgentFactory = { createAgent(cluster: unknown, options: unknown): Agent };

/**
 * Wraps the agent client-node makes for every request so its sockets do not hold the event loop.
 * (KubeConfig.createAgent is private in the typings; this is the one place that reaches into it.)
 */
function unrefSockets(kc: KubeConfig): KubeConfig {
  const internals = kc as unknown as AgentFactory;
  const original = internals.createAgent.bind(kc);
  internals.createAgent = (cluster, options) => {
    const agent = original(cluster, options);
    const patchable = agent as unknown as { createConnection: (...args: unknown[]) => unknown };
    const create = patchable.createConnection.bind(agent);
    patchable.createConnection = (...args: unknown[]) => {
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (err: unknown, socket?: { unref?: () => void }) => {
          socket?.unref?.();
          (last as (e: unknown, s: unknown) => void)(err, socket);
        };
      }
      const socket = create(...args) as { unref?: () => void } | undefined;
      socket?.unref?.();
      return socket;
    };
    return agent;
  };
  return kc;
}

export function contextClients(base: KubeConfig, context: string): ContextClients {
  const kc = configForContext(base, context);
  const bg = unrefSockets(configForContext(base, context));
  const ctx = kc.getContextObject(context);
  return {
    context,
    server: kc.getCurrentCluster()?.server ?? '(no server in the kubeconfig)',
    namespace: ctx?.namespace || 'default',
    api: { core: kc.makeApiClient(CoreV1Api), discovery: kc.makeApiClient(DiscoveryV1Api), version: kc.makeApiClient(VersionApi), raw: rawGet(kc) },
    background: { core: bg.makeApiClient(CoreV1Api), discovery: bg.makeApiClient(DiscoveryV1Api), version: bg.makeApiClient(VersionApi), raw: rawGet(bg) },
    watch: new Watch(bg),
  };
}

const nsKey = (o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`;
const page = (p: { limit: number; continueToken?: string }) => ({ limit: p.limit, ...(p.continueToken ? { _continue: p.continueToken } : {}) });
const listed = (l: { items: readonly unknown[]; metadata?: { resourceVersion?: string; _continue?: string } }) => ({
  items: l.items,
  ...(l.metadata?.resourceVersion ? { resourceVersion: l.metadata.resourceVersion } : {}),
  ...(l.metadata?._continue ? { continueToken: l.metadata._continue } : {}),
});

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

export function cacheResources(api: KubeApis): CacheResources {
  return {
    pods: {
      resource: 'pods',
      watchPath: '/api/v1/pods',
      listPage: async (p) => listed(await api.core.listPodForAllNamespaces(page(p))),
      convert: (raw) => toPod(raw as V1Pod),
      key: nsKey,
      indexes: { name: (p) => [p.name], namespace: (p) => [p.namespace], node: (p) => (p.nodeName ? [p.nodeName] : []), ip: (p) => p.podIPs },
    },
    services: {
      resource: 'services',
      watchPath: '/api/v1/services',
      listPage: async (p) => listed(await api.core.listServiceForAllNamespaces(page(p))),
      convert: (raw) => toService(raw as V1Service),
      key: nsKey,
      indexes: { name: (s) => [s.name], namespace: (s) => [s.namespace] },
    },
    endpointslices: {
      resource: 'endpointslices',
      watchPath: '/apis/discovery.k8s.io/v1/endpointslices',
      listPage: async (p) => listed(await api.discovery.listEndpointSliceForAllNamespaces(page(p))),
      convert: (raw) => toEndpointSlice(raw as V1EndpointSlice),
      key: nsKey,
      indexes: { service: (e) => (e.serviceName ? [`${e.namespace}/${e.serviceName}`] : []) },
    },
    nodes: {
      resource: 'nodes',
      watchPath: '/api/v1/nodes',
      listPage: async (p) => listed(await api.core.listNode(page(p))),
      convert: (raw) => toNode(raw as V1Node),
      key: (n) => n.name,
    },
    namespaces: {
      resource: 'namespaces',
      watchPath: '/api/v1/namespaces',
      listPage: async (p) => listed(await api.core.listNamespace(page(p))),
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
