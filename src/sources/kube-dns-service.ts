import { matchServiceAnswer, serviceOfDnsName, type ServiceAddresses, type ServiceDnsName, type ServiceMatch } from '../net/dns-service-match.js';
import type { DnsResult } from '../probe/dns.js';
import type { KubeCluster } from './kube-cluster.js';

/**
 * The cache side of "does the answer match the Service?": which Service the names of a lookup name, and
 * what the cluster's API says its addresses are (the ClusterIPs; for a headless Service the ready
 * endpoints' addresses, from its EndpointSlices). The comparison itself is pure (src/net/dns-service-match.ts).
 */

/** What the cache holds for Service namespace/name, or undefined when there is no such Service. */
export async function serviceAddresses(cluster: KubeCluster, namespace: string, name: string): Promise<ServiceAddresses | undefined> {
  const svc = await cluster.service(namespace, name);
  if (!svc) return undefined;
  const readyEndpoints = svc.headless ? [...new Set((await cluster.endpointSlices(namespace, name)).flatMap((s) => s.endpoints.filter((e) => e.ready).flatMap((e) => e.addresses)))] : [];
  return { namespace, name, headless: svc.headless, ...(svc.externalName ? { externalName: svc.externalName } : {}), clusterIPs: svc.clusterIPs, readyEndpoints };
}

/**
 * The names a resolver tried (in its order) checked against the Service they name: the name that
 * answered when it is a Service name; when none answered, the first Service name among them whose
 * Service exists (else the first Service name at all). Only address questions (A, AAAA) are checked.
 */
export async function checkServiceAnswer(cluster: KubeCluster, results: readonly DnsResult[], scope: { namespaces?: readonly string[] } = {}): Promise<ServiceMatch | undefined> {
  if (!results.length || (results[0]!.type !== 'A' && results[0]!.type !== 'AAAA')) return undefined;
  // A channel scoped to some namespaces learns nothing about Services outside them.
  const visible = (ref: ServiceDnsName | undefined): ref is ServiceDnsName => ref !== undefined && (!scope.namespaces || scope.namespaces.includes(ref.namespace));
  const answered = results.find((r) => r.outcome === 'answer');
  if (answered) {
    const ref = serviceOfDnsName(answered.name);
    return visible(ref) ? matchServiceAnswer(answered.name, answered.answers, await serviceAddresses(cluster, ref.namespace, ref.service)) : undefined;
  }
  const named = results.map((r) => ({ name: r.name, ref: serviceOfDnsName(r.name) })).filter((n) => visible(n.ref));
  for (const n of named) {
    const svc = await serviceAddresses(cluster, n.ref!.namespace, n.ref!.service);
    if (svc) return matchServiceAnswer(n.name, [], svc);
  }
  return named[0] ? matchServiceAnswer(named[0].name, [], undefined) : undefined;
}
