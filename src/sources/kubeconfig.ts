import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIPv6 } from 'node:net';
import { delimiter, join } from 'node:path';
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
}

/** Where the service account's files are mounted in a pod (client-node's SERVICEACCOUNT_ROOT). */
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

interface ContextEntry {
  cluster: string;
  namespace: string;
}

interface Parsed {
  clusters: Map<string, string>;
  contexts: Map<string, ContextEntry>;
  current: string;
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
      const merged: Parsed = { clusters: new Map(), contexts: new Map(), current: '' };
      for (const file of present) mergeInto(merged, parseKubeconfig(readFileSync(file, 'utf8')));
      return found(merged, present.join(delimiter), () => loadFiles(present));
    }
    if (env.KUBERNETES_SERVICE_HOST) return found(inCluster(env), 'in-cluster service account', loadInCluster);
  } catch (err) {
    return { missing: `kubeconfig ${present.join(', ')} could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  return {
    missing: kubeconfigEnv
      ? `KUBECONFIG points to ${files.join(', ')}, which does not exist`
      : `no ${files[0]} and not running inside a cluster (KUBERNETES_SERVICE_HOST unset)`,
  };
}

function found(p: Parsed, origin: string, load: () => Promise<KubeConfig>): KubeconfigFound {
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
  };
}

type Entry = { name?: unknown; cluster?: { server?: unknown }; context?: { cluster?: unknown; namespace?: unknown }; user?: unknown };

/**
 * The parts of one kubeconfig file netpeek needs before talking to the API, checked the way client-node
 * checks them (the same messages), so that a file this accepts is one client-node loads later.
 */
export function parseKubeconfig(text: string): Parsed {
  const doc: unknown = parse(text);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('it is not a YAML mapping (apiVersion, clusters, contexts, users, current-context)');
  const obj = doc as Record<string, unknown>;
  const list = (key: string): Entry[] => (Array.isArray(obj[key]) ? (obj[key] as Entry[]) : []);
  const clusters = new Map<string, string>();
  list('clusters').forEach((e, i) => {
    if (!e?.name) throw new Error(`clusters[${i}].name is missing`);
    if (!e.cluster) throw new Error(`clusters[${i}].cluster is missing`);
    if (!e.cluster.server) throw new Error(`clusters[${i}].cluster.server is missing`);
    clusters.set(String(e.name), String(e.cluster.server));
  });
  list('users').forEach((e, i) => {
    if (!e?.name) throw new Error(`users[${i}].name is missing`);
  });
  const contexts = new Map<string, ContextEntry>();
  list('contexts').forEach((e, i) => {
    if (!e?.name) throw new Error(`contexts[${i}].name is missing`);
    if (!e.context) throw new Error(`contexts[${i}].context is missing`);
    if (!e.context.cluster) throw new Error(`contexts[${i}].context.cluster is missing`);
    contexts.set(String(e.name), { cluster: String(e.context.cluster), namespace: e.context.namespace ? String(e.context.namespace) : '' });
  });
  const current = obj['current-context'];
  return { clusters, contexts, current: typeof current === 'string' ? current : '' };
}

/** kubectl's KUBECONFIG merge: the first file that names a cluster or context wins, and the first current-context set. */
function mergeInto(into: Parsed, one: Parsed): void {
  for (const [name, server] of one.clusters) if (!into.clusters.has(name)) into.clusters.set(name, server);
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
  return { clusters: new Map([['inCluster', server]]), contexts: new Map([['inClusterContext', { cluster: 'inCluster', namespace }]]), current: 'inClusterContext' };
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
