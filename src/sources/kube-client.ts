import type { Agent } from 'node:http';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, VersionApi, Watch } from '@kubernetes/client-node';
import type { V1EndpointSlice, V1Namespace, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import type { KubeEndpointSlice, KubeNamespace, KubeNode, KubePod, KubeService } from './kube-model.js';
import { toEndpointSlice, toNamespace, toNode, toPod, toService } from './kube-model.js';
import type { CacheResource, WatchClient } from './kube-watch-cache.js';

/**
 * client-node plumbing for one kubeconfig context: a KubeConfig pinned to the context, typed API
 * clients for answers (foreground), and a second set for the watch caches (background) whose sockets
 * are unref'd, so that open watches never keep a one-shot CLI process from exiting.
 */

/** The typed clients netpeek reads with. */
export interface KubeApis {
  core: CoreV1Api;
  discovery: DiscoveryV1Api;
  version: VersionApi;
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
    api: { core: kc.makeApiClient(CoreV1Api), discovery: kc.makeApiClient(DiscoveryV1Api), version: kc.makeApiClient(VersionApi) },
    background: { core: bg.makeApiClient(CoreV1Api), discovery: bg.makeApiClient(DiscoveryV1Api), version: bg.makeApiClient(VersionApi) },
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

/** The five resources netpeek caches, with their indexes. */
export interface CacheResources {
  pods: CacheResource<KubePod>;
  services: CacheResource<KubeService>;
  endpointslices: CacheResource<KubeEndpointSlice>;
  nodes: CacheResource<KubeNode>;
  namespaces: CacheResource<KubeNamespace>;
}

export function cacheResources(api: KubeApis): CacheResources {
  return {
    pods: {
      resource: 'pods',
      watchPath: '/api/v1/pods',
      listPage: async (p) => listed(await api.core.listPodForAllNamespaces(page(p))),
      convert: (raw) => toPod(raw as V1Pod),
      key: nsKey,
      indexes: { name: (p) => [p.name], namespace: (p) => [p.namespace], node: (p) => (p.nodeName ? [p.nodeName] : []) },
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
  };
}
