import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { configMapApi, ClusterReportState } from '../../../src/reports/cluster-state.js';
import { LeaseElector, leaseApi, type LeaderOptions } from '../../../src/reports/leader.js';
import type { KubeApiServer } from '../../support/kube-apiserver/index.js';

/** client-node's clients for the test API server, through its kubeconfig (as netpeek would build them). */
export function kubeClients(api: KubeApiServer): { coordination: CoordinationV1Api; core: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  return { coordination: kc.makeApiClient(CoordinationV1Api), core: kc.makeApiClient(CoreV1Api) };
}

/** Fast leases for tests: 2 s duration (the Lease counts whole seconds), 1.3 s renew deadline, 150 ms between attempts. */
export const FAST_LEASE = { leaseDurationMs: 2000, renewDeadlineMs: 1300, retryPeriodMs: 150 } as const;

export function elector(api: KubeApiServer, identity: string, o: Partial<LeaderOptions> = {}): LeaseElector {
  return new LeaseElector({ api: leaseApi(kubeClients(api).coordination), namespace: 'default', identity, ...FAST_LEASE, ...o });
}

export function clusterState(api: KubeApiServer): ClusterReportState {
  return new ClusterReportState(configMapApi(kubeClients(api).core), { namespace: 'default', server: api.url });
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
