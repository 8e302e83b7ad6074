import type { RequestOptions } from 'node:https';
import { getJson, getPlainJson } from './http-json.js';
import type { KubeApis, RawGet } from './kube-api.js';
import type { DirectAccess } from './kubeconfig-files.js';

/**
 * A one-shot answer's reads of the API server with node:http(s) alone: a GET per question, with the
 * context's CA, client certificate, token or basic auth applied as client-node applies them, so that the
 * CLI never loads client-node (~0.5 s and 70 MB) for `pod X`. Answers are the server's JSON as sent; the
 * converters of kube-model.ts read that shape (the watch caches feed them the same). A method this does
 * not implement is sent through `fallback` (client-node's clients, loaded then), so nothing is lost.
 * Failures reject as rawGet does: `{ statusCode, body }` for a non-2xx answer, Node's error code for the
 * transport, the shapes kube-errors.ts reads.
 */

type Query = Record<string, string | number | undefined>;
type Params = { namespace?: string; name?: string; labelSelector?: string; fieldSelector?: string; limit?: number; _continue?: string; resourceVersion?: string };

/**
 * GETs of API paths with the context's credentials. `signal` abandons a request (its socket destroyed):
 * shell completion's deadline. `freshConnection` opens a socket per request instead of the global agent's
 * keep-alive pool, so a short-lived process exits as soon as it has its answer.
 */
export function directGet(access: DirectAccess, o: { signal?: AbortSignal; freshConnection?: boolean } = {}): RawGet {
  const base = access.server.replace(/\/+$/, '');
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (access.token) headers.Authorization = `Bearer ${access.token}`;
  else if (access.basic) headers.Authorization = `Basic ${Buffer.from(`${access.basic.username}:${access.basic.password}`).toString('base64')}`;
  return (path, query = {}) => {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const notJson = `the API server answered ${path} with something that is not JSON`;
    // Plain http (a local or proxied API server, the test API server) without node:http: plain-http.ts says why.
    if (url.protocol === 'http:') {
      const target = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 80) };
      return getPlainJson(target, url.pathname + url.search, headers, { ...(o.signal ? { signal: o.signal } : {}), notJson });
    }
    const opts: RequestOptions = { headers, ...(o.signal ? { signal: o.signal } : {}), ...(o.freshConnection ? { agent: false } : {}) };
    if (access.ca) opts.ca = access.ca;
    if (access.cert) opts.cert = access.cert;
    if (access.key) opts.key = access.key;
    if (access.tlsServerName) opts.servername = access.tlsServerName;
    opts.rejectUnauthorized = !access.insecureSkipTlsVerify;
    return getJson(url, opts, notJson);
  };
}

const seg = encodeURIComponent;
const listQuery = (p: Params): Query => ({ labelSelector: p.labelSelector, fieldSelector: p.fieldSelector, limit: p.limit, continue: p._continue, resourceVersion: p.resourceVersion });

/** client-node's method names → REST paths, for the reads netpeek makes; everything else goes to `fallback`. */
export function directApis(access: DirectAccess, fallback: () => Promise<KubeApis>): KubeApis {
  const raw = directGet(access);
  const core: Record<string, (p: Params) => Promise<unknown>> = {
    readNamespacedPod: (p) => raw(`/api/v1/namespaces/${seg(p.namespace!)}/pods/${seg(p.name!)}`),
    listNamespacedPod: (p) => raw(`/api/v1/namespaces/${seg(p.namespace!)}/pods`, listQuery(p)),
    listPodForAllNamespaces: (p = {}) => raw('/api/v1/pods', listQuery(p)),
    readNamespacedService: (p) => raw(`/api/v1/namespaces/${seg(p.namespace!)}/services/${seg(p.name!)}`),
    listNamespacedService: (p) => raw(`/api/v1/namespaces/${seg(p.namespace!)}/services`, listQuery(p)),
    listServiceForAllNamespaces: (p = {}) => raw('/api/v1/services', listQuery(p)),
    readNode: (p) => raw(`/api/v1/nodes/${seg(p.name!)}`),
    listNode: (p = {}) => raw('/api/v1/nodes', listQuery(p)),
    readNamespace: (p) => raw(`/api/v1/namespaces/${seg(p.name!)}`),
    listNamespace: (p = {}) => raw('/api/v1/namespaces', listQuery(p)),
  };
  const discovery: Record<string, (p: Params) => Promise<unknown>> = {
    listNamespacedEndpointSlice: (p) => raw(`/apis/discovery.k8s.io/v1/namespaces/${seg(p.namespace!)}/endpointslices`, listQuery(p)),
    listEndpointSliceForAllNamespaces: (p = {}) => raw('/apis/discovery.k8s.io/v1/endpointslices', listQuery(p)),
  };
  const version: Record<string, () => Promise<unknown>> = { getCode: () => raw('/version') };
  const withFallback = <T extends object>(own: Record<string, (...a: never[]) => Promise<unknown>>, side: (apis: KubeApis) => object): T =>
    new Proxy({} as T, {
      // Not a thenable: an API object may pass through `await` without being mistaken for a promise.
      get: (_, method) =>
        typeof method !== 'string' || method === 'then'
          ? undefined
          : own[method] ?? ((...args: unknown[]) => fallback().then((apis) => (side(apis) as Record<string, (...a: unknown[]) => unknown>)[method]!(...args))),
    });
  return {
    core: withFallback(core, (a) => a.core),
    discovery: withFallback(discovery, (a) => a.discovery),
    version: withFallback(version, (a) => a.version),
    raw,
  };
}
