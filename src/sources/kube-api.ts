import type { Agent } from 'node:http';
import type { RequestOptions } from 'node:https';
import { CoreV1Api, DiscoveryV1Api, KubeConfig, VersionApi, Watch } from '@kubernetes/client-node';
import { getJson } from './http-json.js';
import type { WatchClient } from './kube-watch-cache.js';

/**
 * The @kubernetes/client-node half of kube-client.ts, imported (dynamically) by the first question that
 * talks to the API server: a KubeConfig pinned to the context, typed API clients for answers
 * (foreground), and a second set for the watch caches (background) whose sockets are unref'd, so that
 * open watches never keep a one-shot CLI process from exiting.
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

/** Foreground and background clients of one context, and the watch the caches use. */
export interface ContextApis {
  api: KubeApis;
  background: KubeApis;
  watch: WatchClient;
}

function rawGet(kc: KubeConfig): RawGet {
  return async (path, query = {}) => {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('No currently active cluster');
    const url = new URL(server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const opts: RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    // Credentials, CA and the (possibly socket-unref'ing) agent, as client-node applies them to its own requests.
    await kc.applyToHTTPSOptions(opts);
    return getJson(url, opts, `the API server answered ${path} with something that is not JSON`);
  };
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

/** Foreground and background clients of one context. */
export function contextApis(base: KubeConfig, context: string): ContextApis {
  const kc = configForContext(base, context);
  const bg = unrefSockets(configForContext(base, context));
  return {
    api: { core: kc.makeApiClient(CoreV1Api), discovery: kc.makeApiClient(DiscoveryV1Api), version: kc.makeApiClient(VersionApi), raw: rawGet(kc) },
    background: { core: bg.makeApiClient(CoreV1Api), discovery: bg.makeApiClient(DiscoveryV1Api), version: bg.makeApiClient(VersionApi), raw: rawGet(bg) },
    watch: new Watch(bg),
  };
}
