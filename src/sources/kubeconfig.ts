import type { KubeConfig } from '@kubernetes/client-node';
import { delimiter } from 'node:path';
import { directAccessOf, readKubeconfig, type DirectAccess, type Parsed } from './kubeconfig-files.js';

export type { DirectAccess } from './kubeconfig-files.js';

/**
 * Kubeconfig discovery without loading @kubernetes/client-node: which contexts exist, the current one, and
 * each context's server and namespace come from the files (kubeconfig-files.ts), because client-node takes
 * about half a second and 80 MB to import and most answers never talk to the API server (explain, Docker
 * questions, a bad name). client-node is imported by `kubeConfig()`, when a question does.
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

/**
 * Finds a kubeconfig the way kubectl does (KUBECONFIG, ~/.kube/config, in-cluster), but says
 * why when there is none instead of silently defaulting to localhost:8080 like loadFromDefault.
 */
export function findKubeconfig(kubeconfigEnv: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeconfigFound | { missing: string } {
  const read = readKubeconfig(kubeconfigEnv, env);
  if ('missing' in read) return read;
  if (read.inCluster) return found(read.parsed, 'in-cluster service account', loadInCluster, () => ({ unsupported: 'the in-cluster service account is read by client-node' }));
  const { parsed, files } = read;
  return found(parsed, files.join(delimiter), () => loadFiles(files), (name) => directAccessOf(parsed, name));
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
