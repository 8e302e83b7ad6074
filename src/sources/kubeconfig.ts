import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeconfigFound {
  kubeConfig: KubeConfig;
  /** Where it came from: file paths or "in-cluster service account". */
  origin: string;
  currentContext: string;
  contexts: string[];
}

/**
 * Finds a kubeconfig the way kubectl does (KUBECONFIG, ~/.kube/config, in-cluster), but says
 * why when there is none instead of silently defaulting to localhost:8080 like loadFromDefault.
 */
export function findKubeconfig(kubeconfigEnv: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeconfigFound | { missing: string } {
  const kc = new KubeConfig();
  const files = kubeconfigEnv ? kubeconfigEnv.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  const present = files.filter((f) => existsSync(f));
  try {
    if (present.length) {
      for (const file of present) mergeFile(kc, file);
      return { kubeConfig: kc, origin: present.join(delimiter), currentContext: kc.getCurrentContext(), contexts: kc.getContexts().map((c) => c.name) };
    }
    if (env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
      return { kubeConfig: kc, origin: 'in-cluster service account', currentContext: kc.getCurrentContext(), contexts: kc.getContexts().map((c) => c.name) };
    }
  } catch (err) {
    return { missing: `kubeconfig ${present.join(', ')} could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  return {
    missing: kubeconfigEnv
      ? `KUBECONFIG points to ${files.join(', ')}, which does not exist`
      : `no ${files[0]} and not running inside a cluster (KUBERNETES_SERVICE_HOST unset)`,
  };
}

/**
 * Adds one kubeconfig file the way kubectl merges a KUBECONFIG list: the first file that names a
 * cluster, user or context wins, and the first current-context set wins.
 */
function mergeFile(kc: KubeConfig, file: string): void {
  const one = new KubeConfig();
  one.loadFromFile(file);
  for (const c of one.getClusters()) if (!kc.getCluster(c.name)) kc.addCluster(c);
  for (const u of one.getUsers()) if (!kc.getUser(u.name)) kc.addUser(u);
  for (const x of one.getContexts()) if (!kc.getContextObject(x.name)) kc.addContext(x);
  if (!kc.getCurrentContext() && one.getCurrentContext()) kc.setCurrentContext(one.getCurrentContext());
}
