import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { dockerConnection } from './docker-connection.js';

/**
 * Names for shell completion, read with one direct GET each and a short deadline: a pod list of one
 * namespace, Docker's container list. No @kubernetes/client-node and no dockerode (each costs more to
 * import than completion may take), no watch caches, no retries. Whatever does not answer in time, or
 * needs more than a plain request (a kubeconfig exec plugin, an auth provider, a proxy, Docker over
 * SSH), gives no names: completion then offers the rest and never waits.
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

type Yaml = Record<string, unknown>;
type Named = { name?: unknown; cluster?: Yaml; user?: Yaml; context?: Yaml };

/** A context's cluster and user entries, merged across the files as kubectl merges them (first wins). */
interface ContextEntries {
  server: string;
  cluster: Yaml;
  user: Yaml;
  namespace: string;
  /** Relative file paths in a kubeconfig are relative to the file that holds them. */
  base: { cluster: string; user: string };
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

function kubeContext(scope: QuickNameScope, env: NodeJS.ProcessEnv): ContextEntries | undefined {
  const files = scope.kubeconfig ? scope.kubeconfig.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  const clusters = new Map<string, { entry: Yaml; base: string }>();
  const users = new Map<string, { entry: Yaml; base: string }>();
  const contexts = new Map<string, Yaml>();
  let current = '';
  for (const file of files.filter((f) => existsSync(f))) {
    const doc = parse(readFileSync(file, 'utf8')) as Yaml | null;
    if (!doc || typeof doc !== 'object') continue;
    const list = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as Named[]) : []);
    for (const c of list('clusters')) if (c?.name && c.cluster && !clusters.has(String(c.name))) clusters.set(String(c.name), { entry: c.cluster, base: dirname(file) });
    for (const u of list('users')) if (u?.name && !users.has(String(u.name))) users.set(String(u.name), { entry: u.user ?? {}, base: dirname(file) });
    for (const x of list('contexts')) if (x?.name && x.context && !contexts.has(String(x.name))) contexts.set(String(x.name), x.context);
    if (!current && typeof doc['current-context'] === 'string') current = doc['current-context'];
  }
  if (!contexts.size && env.KUBERNETES_SERVICE_HOST && !scope.kubeconfig) {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT ?? '443';
    const nsFile = join(SERVICE_ACCOUNT, 'namespace');
    return {
      server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
      cluster: { 'certificate-authority': join(SERVICE_ACCOUNT, 'ca.crt') },
      user: { tokenFile: join(SERVICE_ACCOUNT, 'token') },
      namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : '',
      base: { cluster: '/', user: '/' },
    };
  }
  const name = scope.context || env.NETPEEK_KUBE_CONTEXT || current;
  const ctx = contexts.get(name);
  const cluster = ctx && clusters.get(String(ctx.cluster));
  if (!ctx || !cluster || typeof cluster.entry.server !== 'string') return undefined;
  const user = users.get(String(ctx.user ?? ''));
  return {
    server: cluster.entry.server,
    cluster: cluster.entry,
    user: user?.entry ?? {},
    namespace: typeof ctx.namespace === 'string' ? ctx.namespace : '',
    base: { cluster: cluster.base, user: user?.base ?? '/' },
  };
}

/** `*-data` (base64) or the file it names, as kubeconfig spells each credential. */
function material(entry: Yaml, key: string, base: string): Buffer | undefined {
  const data = entry[`${key}-data`];
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const file = entry[key];
  if (typeof file === 'string') return readFileSync(isAbsolute(file) ? file : join(base, file));
  return undefined;
}

/** Request options for the context, or undefined when its credentials need more than a request (exec, auth-provider, proxy). */
function kubeRequest(c: ContextEntries): RequestOptions | undefined {
  const { cluster, user } = c;
  if (user.exec || user['auth-provider'] || cluster['proxy-url']) return undefined;
  const headers: Record<string, string> = { Accept: 'application/json' };
  const tokenFile = user.tokenFile;
  const token = typeof user.token === 'string' ? user.token : typeof tokenFile === 'string' ? readFileSync(isAbsolute(tokenFile) ? tokenFile : join(c.base.user, tokenFile), 'utf8').trim() : undefined;
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (typeof user.username === 'string') headers.Authorization = `Basic ${Buffer.from(`${user.username}:${String(user.password ?? '')}`).toString('base64')}`;
  const ca = material(cluster, 'certificate-authority', c.base.cluster);
  const cert = material(user, 'client-certificate', c.base.user);
  const key = material(user, 'client-key', c.base.user);
  return {
    headers,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(cluster['insecure-skip-tls-verify'] === true ? { rejectUnauthorized: false } : {}),
    ...(typeof cluster['tls-server-name'] === 'string' ? { servername: cluster['tls-server-name'] } : {}),
  };
}

/** One GET answered as JSON, abandoned (socket destroyed) when `signal` fires. */
function getJson(url: URL, opts: RequestOptions, signal: AbortSignal): Promise<unknown> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...opts, method: 'GET', signal, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) return reject(new Error(`HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
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
  const ctx = kubeContext(scope, env);
  const opts = ctx && kubeRequest(ctx);
  if (!ctx || !opts) return [];
  const namespace = scope.allNamespaces ? undefined : scope.namespace || ctx.namespace || 'default';
  const url = new URL(ctx.server.replace(/\/+$/, '') + kubePath(kind, namespace));
  url.searchParams.set('limit', String(LIMIT));
  const list = (await getJson(url, opts, signal)) as { items?: { metadata?: { name?: string } }[] };
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
  const list = (await getJson(url, opts, signal)) as { Names?: string[]; Name?: string }[];
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
  const files = kubeconfig ? kubeconfig.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  const names = new Set<string>();
  for (const file of files.filter((f) => existsSync(f))) {
    try {
      const doc = parse(readFileSync(file, 'utf8')) as Yaml | null;
      for (const x of Array.isArray(doc?.contexts) ? (doc.contexts as Named[]) : []) if (x?.name) names.add(String(x.name));
    } catch {
      // An unreadable file offers no contexts; the question itself will say why.
    }
  }
  return [...names];
}
