import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';

/**
 * Kubeconfig discovery without @kubernetes/client-node: which contexts exist, the current one, and each
 * context's server and namespace come from reading the YAML here, because client-node takes about half a
 * second and 80 MB to import and most answers never talk to the API server (explain, Docker questions,
 * a bad name). client-node is imported by `kubeConfig()`, when a question does.
 */
export interface KubeconfigFound {
  /** Where it came from: file paths or "in-cluster service account". */
  origin: string;
  currentContext: string;
  contexts: string[];
  /** A context's cluster server and namespace ("" when the kubeconfig names none). */
  context(name: string): { server: string; namespace: string } | undefined;
  /** client-node's KubeConfig of the same files (or service account), merged the same way; imports client-node. */
  kubeConfig(): Promise<KubeConfig>;
  /**
   * How to send a context's requests with node:https alone (kube-http.ts), or why only client-node can
   * (exec credential plugins, auth providers, a proxy, the in-cluster service account).
   */
  directAccess(context: string): DirectAccess | { unsupported: string };
}

/** Server, TLS and credentials of one context, with files already read (paths relative to their kubeconfig, as kubectl reads them). */
export interface DirectAccess {
  server: string;
  ca?: Buffer;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  basic?: { username: string; password: string };
}

/** Where the service account's files are mounted in a pod (client-node's SERVICEACCOUNT_ROOT). */
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

interface ContextEntry {
  cluster: string;
  namespace: string;
  user: string;
}

/** A cluster or user entry as written, with the directory of the file it came from (for relative paths). */
interface RawEntry {
  fields: Record<string, unknown>;
  dir: string;
}

interface Parsed {
  clusters: Map<string, string>;
  contexts: Map<string, ContextEntry>;
  current: string;
  rawClusters: Map<string, RawEntry>;
  users: Map<string, RawEntry>;
}

/**
 * Finds a kubeconfig the way kubectl does (KUBECONFIG, ~/.kube/config, in-cluster), but says
 * why when there is none instead of silently defaulting to localhost:8080 like loadFromDefault.
 */
export function findKubeconfig(kubeconfigEnv: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeconfigFound | { missing: string } {
  const files = kubeconfigEnv ? kubeconfigEnv.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  const present = files.filter((f) => existsSync(f));
  try {
    if (present.length) {
      const merged: Parsed = { clusters: new Map(), contexts: new Map(), current: '', rawClusters: new Map(), users: new Map() };
      for (const file of present) mergeInto(merged, parseKubeconfig(readFileSync(file, 'utf8'), dirname(file)));
      return found(merged, present.join(delimiter), () => loadFiles(present), (name) => directAccessOf(merged, name));
    }
    if (env.KUBERNETES_SERVICE_HOST) return found(inCluster(env), 'in-cluster service account', loadInCluster, () => ({ unsupported: 'the in-cluster service account is read by client-node' }));
  } catch (err) {
    return { missing: `kubeconfig ${present.join(', ')} could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  return {
    missing: kubeconfigEnv
      ? `KUBECONFIG points to ${files.join(', ')}, which does not exist`
      : `no ${files[0]} and not running inside a cluster (KUBERNETES_SERVICE_HOST unset)`,
  };
}

function found(p: Parsed, origin: string, load: () => Promise<KubeConfig>, directAccess: KubeconfigFound['directAccess']): KubeconfigFound {
  let loading: Promise<KubeConfig> | undefined;
  return {
    origin,
    currentContext: p.current,
    contexts: [...p.contexts.keys()],
    context(name) {
      const c = p.contexts.get(name);
      return c && { server: p.clusters.get(c.cluster) ?? '', namespace: c.namespace };
    },
    kubeConfig: () =>
      (loading ??= load().catch((err: unknown) => {
        loading = undefined;
        throw err;
      })),
    directAccess,
  };
}

/** Cluster fields node:https applies as client-node does; anything else (a proxy) leaves the context to client-node. */
const DIRECT_CLUSTER_FIELDS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const DIRECT_USER_FIELDS = new Set(['token', 'tokenFile', 'client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'username', 'password', 'extensions']);

function directAccessOf(p: Parsed, context: string): DirectAccess | { unsupported: string } {
  const ctx = p.contexts.get(context);
  const cluster = ctx && p.rawClusters.get(ctx.cluster);
  if (!ctx || !cluster) return { unsupported: `context ${context} names no cluster of the kubeconfig` };
  const user = ctx.user ? p.users.get(ctx.user) : undefined;
  const odd = [
    ...Object.keys(cluster.fields).filter((k) => !DIRECT_CLUSTER_FIELDS.has(k)).map((k) => `cluster ${k}`),
    ...Object.keys(user?.fields ?? {}).filter((k) => !DIRECT_USER_FIELDS.has(k)).map((k) => `user ${k}`),
  ];
  if (odd.length) return { unsupported: `${odd.join(', ')} ${odd.length === 1 ? 'is' : 'are'} applied by client-node` };
  const data = (entry: RawEntry, dataKey: string, fileKey: string): Buffer | undefined => {
    const inline = entry.fields[dataKey];
    if (typeof inline === 'string' && inline) return Buffer.from(inline, 'base64');
    const file = entry.fields[fileKey];
    if (typeof file === 'string' && file) return readFileSync(isAbsolute(file) ? file : join(entry.dir, file));
    return undefined;
  };
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const access: DirectAccess = { server: String(cluster.fields.server), insecureSkipTlsVerify: cluster.fields['insecure-skip-tls-verify'] === true };
  const ca = data(cluster, 'certificate-authority-data', 'certificate-authority');
  if (ca) access.ca = ca;
  const serverName = text(cluster.fields['tls-server-name']);
  if (serverName) access.tlsServerName = serverName;
  if (user) {
    const cert = data(user, 'client-certificate-data', 'client-certificate');
    const key = data(user, 'client-key-data', 'client-key');
    if (cert) access.cert = cert;
    if (key) access.key = key;
    const token = text(user.fields.token) ?? (text(user.fields.tokenFile) ? readFileSync(isAbsolute(String(user.fields.tokenFile)) ? String(user.fields.tokenFile) : join(user.dir, String(user.fields.tokenFile)), 'utf8').trim() : undefined);
    if (token) access.token = token;
    const username = text(user.fields.username);
    if (username && !token) access.basic = { username, password: text(user.fields.password) ?? '' };
  }
  return access;
}

type Entry = { name?: unknown; cluster?: { server?: unknown }; context?: { cluster?: unknown; namespace?: unknown; user?: unknown }; user?: unknown };

/**
 * The parts of one kubeconfig file netpeek needs before talking to the API, checked the way client-node
 * checks them (the same messages), so that a file this accepts is one client-node loads later.
 */
export function parseKubeconfig(text: string, dir = '.'): Parsed {
  const doc: unknown = parse(text);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('it is not a YAML mapping (apiVersion, clusters, contexts, users, current-context)');
  const obj = doc as Record<string, unknown>;
  const list = (key: string): Entry[] => (Array.isArray(obj[key]) ? (obj[key] as Entry[]) : []);
  const clusters = new Map<string, string>();
  const rawClusters = new Map<string, RawEntry>();
  list('clusters').forEach((e, i) => {
    if (!e?.name) throw new Error(`clusters[${i}].name is missing`);
    if (!e.cluster) throw new Error(`clusters[${i}].cluster is missing`);
    if (!e.cluster.server) throw new Error(`clusters[${i}].cluster.server is missing`);
    clusters.set(String(e.name), String(e.cluster.server));
    rawClusters.set(String(e.name), { fields: e.cluster as Record<string, unknown>, dir });
  });
  const users = new Map<string, RawEntry>();
  list('users').forEach((e, i) => {
    if (!e?.name) throw new Error(`users[${i}].name is missing`);
    users.set(String(e.name), { fields: e.user && typeof e.user === 'object' ? (e.user as Record<string, unknown>) : {}, dir });
  });
  const contexts = new Map<string, ContextEntry>();
  list('contexts').forEach((e, i) => {
    if (!e?.name) throw new Error(`contexts[${i}].name is missing`);
    if (!e.context) throw new Error(`contexts[${i}].context is missing`);
    if (!e.context.cluster) throw new Error(`contexts[${i}].context.cluster is missing`);
    contexts.set(String(e.name), { cluster: String(e.context.cluster), namespace: e.context.namespace ? String(e.context.namespace) : '', user: e.context.user ? String(e.context.user) : '' });
  });
  const current = obj['current-context'];
  return { clusters, contexts, current: typeof current === 'string' ? current : '', rawClusters, users };
}

/** kubectl's KUBECONFIG merge: the first file that names a cluster or context wins, and the first current-context set. */
function mergeInto(into: Parsed, one: Parsed): void {
  for (const [name, server] of one.clusters) if (!into.clusters.has(name)) into.clusters.set(name, server);
  for (const [name, raw] of one.rawClusters) if (!into.rawClusters.has(name)) into.rawClusters.set(name, raw);
  for (const [name, raw] of one.users) if (!into.users.has(name)) into.users.set(name, raw);
  for (const [name, ctx] of one.contexts) if (!into.contexts.has(name)) into.contexts.set(name, ctx);
  if (!into.current && one.current) into.current = one.current;
}

/** What client-node's loadFromCluster builds, read the same way (names, scheme by port, IPv6 brackets). */
function inCluster(env: NodeJS.ProcessEnv): Parsed {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '';
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const server = `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const nsFile = join(SERVICE_ACCOUNT, 'namespace');
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8') : '';
  return { clusters: new Map([['inCluster', server]]), contexts: new Map([['inClusterContext', { cluster: 'inCluster', namespace, user: '' }]]), current: 'inClusterContext', rawClusters: new Map(), users: new Map() };
}

async function loadFiles(files: string[]): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  for (const file of files) {
    const one = new KubeConfig();
    one.loadFromFile(file);
    for (const c of one.getClusters()) if (!kc.getCluster(c.name)) kc.addCluster(c);
    for (const u of one.getUsers()) if (!kc.getUser(u.name)) kc.addUser(u);
    for (const x of one.getContexts()) if (!kc.getContextObject(x.name)) kc.addContext(x);
    if (!kc.getCurrentContext() && one.getCurrentContext()) kc.setCurrentContext(one.getCurrentContext());
  }
  return kc;
}

async function loadInCluster(): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kc;
}
