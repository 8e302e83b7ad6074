import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIPv6 } from 'node:net';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';

/**
 * The kubeconfig as its files (or the in-cluster service account) say it, read without
 * @kubernetes/client-node: contexts, each context's server and namespace, and the credentials node:https
 * can apply itself (DirectAccess). The one reader of kubeconfig credentials: the one-shot answer's direct
 * GETs (kube-http.ts, through kubeconfig.ts) and shell completion's name lookups (quick-names.ts) both
 * come here, and completion must never reach client-node, not even by import(), so that stays in
 * kubeconfig.ts.
 */

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

export interface Parsed {
  clusters: Map<string, string>;
  contexts: Map<string, ContextEntry>;
  current: string;
  rawClusters: Map<string, RawEntry>;
  users: Map<string, RawEntry>;
}

/** The kubeconfig files netpeek reads: KUBECONFIG's (split on the platform's delimiter), else ~/.kube/config. */
export function kubeconfigFiles(kubeconfigEnv: string | undefined): string[] {
  return kubeconfigEnv ? kubeconfigEnv.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
}

export type KubeconfigRead =
  | { parsed: Parsed; files: string[]; inCluster: false }
  | { parsed: Parsed; files: []; inCluster: true }
  | { missing: string };

/**
 * The kubeconfig kubectl would use (KUBECONFIG, ~/.kube/config, else in-cluster), merged as kubectl
 * merges it; says why when there is none instead of defaulting to localhost:8080.
 */
export function readKubeconfig(kubeconfigEnv: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeconfigRead {
  const files = kubeconfigFiles(kubeconfigEnv);
  const present = files.filter((f) => existsSync(f));
  try {
    if (present.length) {
      const merged: Parsed = { clusters: new Map(), contexts: new Map(), current: '', rawClusters: new Map(), users: new Map() };
      for (const file of present) mergeInto(merged, parseKubeconfig(readFileSync(file, 'utf8'), dirname(file)));
      return { parsed: merged, files: present, inCluster: false };
    }
    if (env.KUBERNETES_SERVICE_HOST) return { parsed: inCluster(env), files: [], inCluster: true };
  } catch (err) {
    return { missing: `kubeconfig ${present.join(', ')} could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  return {
    missing: kubeconfigEnv
      ? `KUBECONFIG points to ${files.join(', ')}, which does not exist`
      : `no ${files[0]} and not running inside a cluster (KUBERNETES_SERVICE_HOST unset)`,
  };
}

/** Cluster fields node:https applies as client-node does; anything else (a proxy) leaves the context to client-node. */
const DIRECT_CLUSTER_FIELDS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions']);
const DIRECT_USER_FIELDS = new Set(['token', 'tokenFile', 'client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'username', 'password', 'extensions']);

/** How to send a context's requests with node:https alone, or why only client-node can (exec plugins, auth providers, a proxy). */
export function directAccessOf(p: Parsed, context: string): DirectAccess | { unsupported: string } {
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
  // js-yaml, as client-node reads the same file (its default schema): what this accepts is what client-node
  // loads, and it reads a kubeconfig several times faster than the yaml package (~2 ms against ~8 ms
  // cold, a one-shot `pod X` pays it every time; issue 19).
  const doc: unknown = load(text);
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

/**
 * What client-node's loadFromCluster builds, read the same way (names, scheme by port, IPv6 brackets):
 * the service account's CA and token files as the cluster and user entries a kubeconfig would hold.
 */
export function inCluster(env: NodeJS.ProcessEnv): Parsed {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '';
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const server = `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const nsFile = join(SERVICE_ACCOUNT, 'namespace');
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : '';
  return {
    clusters: new Map([['inCluster', server]]),
    contexts: new Map([['inClusterContext', { cluster: 'inCluster', namespace, user: 'inClusterUser' }]]),
    current: 'inClusterContext',
    rawClusters: new Map([['inCluster', { fields: { server, 'certificate-authority': join(SERVICE_ACCOUNT, 'ca.crt') }, dir: SERVICE_ACCOUNT }]]),
    users: new Map([['inClusterUser', { fields: { tokenFile: join(SERVICE_ACCOUNT, 'token') }, dir: SERVICE_ACCOUNT }]]),
  };
}
