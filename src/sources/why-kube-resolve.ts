import type { DiagnosisStep } from '../core/diagnosis.js';
import { DNS_QUERY_TIMEOUT_MS, type DnsResult } from '../probe/dns.js';
import type { ProbeService } from '../probe/vantage.js';
import type { KubeCluster } from './kube-cluster.js';
import { checkServiceAnswer } from './kube-dns-service.js';
import type { KubePod } from './kube-model.js';
import { podDnsLookup } from './kube-pod-dns.js';

/**
 * The resolve step of `why <pod> <name>.<ns>.svc…` made live: the name looked up from inside the client
 * pod by its node's agent (podDnsLookup: the pod's resolv.conf, search list and ndots), and the answer
 * checked against the Service in the cache (checkServiceAnswer). Without a lookup (--no-probe: a query
 * sends packets; no agent; no workload vantage) the step read from the API stands, saying why nothing
 * was asked.
 */

export interface LiveResolveQuestion {
  probes?: Pick<ProbeService, 'workloadDns'>;
  cluster: KubeCluster;
  /** The client pod, as the cache holds it. */
  pod: KubePod;
  /** The name as the user wrote it (what the pod's resolver is given). */
  name: string;
  noProbe: boolean;
  namespaces?: readonly string[];
}

const tried = (results: readonly DnsResult[]) =>
  results.filter((r) => r.outcome !== 'not-tried').map((r) => `${r.name} ${r.outcome === 'answer' ? r.answers.join(', ') : r.outcome === 'nxdomain' ? 'NXDOMAIN' : r.outcome}`).join('; ');

function withNote(step: DiagnosisStep, note: string): DiagnosisStep {
  return { ...step, evidence: `${step.evidence} ${note.replace(/\.$/, '')}.` };
}

/** `fromApi`: the step read from the API for the same name, kept when nothing was asked and when it already fails. */
export async function podResolveStep(q: LiveResolveQuestion, fromApi: DiagnosisStep): Promise<DiagnosisStep> {
  const who = `pod ${q.pod.namespace}/${q.pod.name}`;
  if (q.noProbe) return withNote(fromApi, `Not looked up from inside ${who}: --no-probe, no DNS query was sent`);
  const r = await podDnsLookup(q.probes, q.pod, q.cluster.context, { name: q.name, type: 'A', timeoutMs: DNS_QUERY_TIMEOUT_MS });
  if (!r.looked) return withNote(fromApi, `Not looked up from inside ${who}: ${r.message}`);
  const results = r.lookup.results;
  if (fromApi.status === 'fail') return withNote(fromApi, `Asked from inside ${who} (node ${r.node}): ${tried(results) || 'no name was tried'}`);
  const match = await checkServiceAnswer(q.cluster, results, q.namespaces ? { namespaces: q.namespaces } : {});
  const answered = results.find((x) => x.outcome === 'answer');
  const took = answered?.ms !== undefined ? ` (${answered.ms} ms)` : '';
  if (!match) {
    return answered
      ? { id: 'resolve', status: 'pass', evidence: `${q.name} resolves from inside ${who} to ${answered.answers.join(', ')} as ${answered.name}${took}.` }
      : { id: 'resolve', status: 'fail', evidence: `${q.name} does not resolve from inside ${who}: ${tried(results)}.`, fix: `Check ${who}'s resolv.conf (its nameserver should be the cluster DNS Service's ClusterIP) and that cluster DNS runs.` };
  }
  if (match.verdict === 'matches' || match.verdict === 'external-name') return { id: 'resolve', status: 'pass', evidence: `From inside ${who} (node ${r.node}): ${match.sentence.replace(/\.$/, '')}${took}.` };
  return {
    id: 'resolve',
    status: 'fail',
    evidence: `From inside ${who} (node ${r.node}): ${match.sentence}`,
    fix:
      match.verdict === 'not-answered'
        ? `Check ${who}'s resolv.conf (its nameserver should be the cluster DNS Service's ClusterIP) and that cluster DNS runs (kubectl -n kube-system get pods -l k8s-app=kube-dns).`
        : `Find what answers instead (a hosts entry, a stub domain, a stale DNS cache) and remove it; the Service's address is ${match.expected.join(', ') || 'none'}.`,
  };
}
