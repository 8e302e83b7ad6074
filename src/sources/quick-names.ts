import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { join } from 'node:path';
import { dockerConnection } from './docker-connection.js';
import { getJson } from './http-json.js';
import { directGet } from './kube-http.js';
import { directAccessOf, readKubeconfig } from './kubeconfig-files.js';

/**
 * Names for shell completion, read with one direct GET each and a short deadline: a pod list of one
 * namespace, Docker's container list. No @kubernetes/client-node and no dockerode (each costs more to
 * import than completion may take), no watch caches, no retries. Whatever does not answer in time, or
 * needs more than a plain request (a kubeconfig exec plugin, an auth provider, a proxy, Docker over
 * SSH), gives no names: completion then offers the rest and never waits. The kubeconfig's credentials
 * are read and applied by the same code as a one-shot answer's GETs (kubeconfig-files.ts, kube-http.ts).
 */

export type QuickNameKind = 'container' | 'network' | 'pod' | 'service' | 'node' | 'namespace';

export interface QuickNameScope {
  /** KUBECONFIG (or --kubeconfig): files separated by the platform's delimiter. */
  kubeconfig?: string;
  /** The context to ask; default the kubeconfig's current one (or NETPEEK_KUBE_CONTEXT's). */
  context?: string;
  /** Namespace of pods and Services; default the context's own, else `default`. */
  namespace?: string;
  allNamespaces?: boolean;
  /** DOCKER_HOST. */
  dockerHost?: string;
}

/** The API path that lists a kind's names in the scope (the context's namespace unless -n or -A). */
function kubePath(kind: 'pod' | 'service' | 'node' | 'namespace', namespace: string | undefined): string {
  if (kind === 'node') return '/api/v1/nodes';
  if (kind === 'namespace') return '/api/v1/namespaces';
  const plural = kind === 'pod' ? 'pods' : 'services';
  return namespace === undefined ? `/api/v1/${plural}` : `/api/v1/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}

/** Completion is for people: the first 500 are more than a shell shows. */
const LIMIT = 500;

async function kubeNames(kind: 'pod' | 'service' | 'node' | 'namespace', scope: QuickNameScope, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string[]> {
  const read = readKubeconfig(scope.kubeconfig, env);
  if ('missing' in read) return [];
  const context = scope.context || env.NETPEEK_KUBE_CONTEXT || read.parsed.current;
  const access = directAccessOf(read.parsed, context);
  if ('unsupported' in access) return [];
  const namespace = scope.allNamespaces ? undefined : scope.namespace || read.parsed.contexts.get(context)?.namespace || 'default';
  const list = (await directGet(access, { signal, freshConnection: true })(kubePath(kind, namespace), { limit: LIMIT })) as { items?: { metadata?: { name?: string } }[] };
  return (list.items ?? []).map((i) => i.metadata?.name).filter((n): n is string => typeof n === 'string');
}

async function dockerNames(kind: 'container' | 'network', scope: QuickNameScope, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string[]> {
  const { options } = dockerConnection(scope.dockerHost);
  const path = kind === 'container' ? '/containers/json?all=1' : '/networks';
  let url: URL;
  let opts: RequestOptions = {};
  if (options.socketPath) {
    url = new URL(`http://localhost${path}`);
    opts = { socketPath: options.socketPath };
  } else if (options.protocol === 'http' || options.protocol === 'https') {
    url = new URL(`${options.protocol}://${String(options.host).includes(':') ? `[${String(options.host)}]` : String(options.host)}:${String(options.port)}${path}`);
    const certs = env.DOCKER_CERT_PATH;
    if (options.protocol === 'https' && certs) {
      opts = { ca: readFileSync(join(certs, 'ca.pem')), cert: readFileSync(join(certs, 'cert.pem')), key: readFileSync(join(certs, 'key.pem')) };
    }
  } else return [];
  const list = (await getJson(url, { ...opts, signal, agent: false })) as { Names?: string[]; Name?: string }[];
  if (!Array.isArray(list)) return [];
  return kind === 'container' ? list.flatMap((c) => (c.Names?.[0] ? [c.Names[0].replace(/^\//, '')] : [])) : list.flatMap((n) => (n.Name ? [n.Name] : []));
}

/** The names of one kind in the scope; [] when the backend is not there or does not answer before `signal`. */
export async function quickNames(kind: QuickNameKind, scope: QuickNameScope, signal: AbortSignal, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  try {
    return kind === 'container' || kind === 'network' ? await dockerNames(kind, scope, env, signal) : await kubeNames(kind, scope, env, signal);
  } catch {
    return [];
  }
}

/** The kubeconfig's context names (`--context <TAB>`), read from the files alone. */
export function kubeContextNames(kubeconfig: string | undefined): string[] {
  const read = readKubeconfig(kubeconfig, {});
  return 'missing' in read ? [] : [...read.parsed.contexts.keys()];
}
