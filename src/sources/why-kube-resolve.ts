import type { DiagnosisStep } from '../core/diagnosis.js';
import { isNetpeekError } from '../core/errors.js';
import { DNS_QUERY_TIMEOUT_MS, type DnsLookup, type DnsQuestion, type DnsResult } from '../probe/dns.js';
import type { ProbeService } from '../probe/vantage.js';
import type { KubeCluster } from './kube-cluster.js';
import { checkServiceAnswer } from './kube-dns-service.js';
import type { KubePod } from './kube-model.js';
import { podDnsLookup } from './kube-pod-dns.js';

/**
 * The resolve step of `why <from> <name>.<ns>.svc…` made live: the name looked up the way `<from>`
 * resolves it, and the answer checked against the Service in the cache (checkServiceAnswer).
 * - a pod: from inside it, by its node's agent (podDnsLookup: the pod's resolv.conf, search list, ndots);
 * - a node: by that node's agent in the node's network namespace (POST /v1/dns: the agent's resolv.conf,
 *   its nameservers through the agent's allow-list);
 * - `here`: by netpeek's own host resolver (its resolv.conf, NETPEEK_DNS_RESOLV_CONF), as any process
 *   of the bot's host resolves.
 * Without a lookup (--no-probe: a query sends packets; no agent; every nameserver outside the allow-list)
 * a pod keeps the step read from the API, saying why nothing was asked; a node or `here` gets a skip
 * (the API says what cluster DNS answers, not what that host's resolver does) unless the API alone
 * already fails it.
 */

/** Where the name is asked from. */
export type ResolveVantage = { kind: 'pod'; pod: KubePod } | { kind: 'node'; node: string } | { kind: 'here' };

export interface LiveResolveQuestion {
  probes?: Pick<ProbeService, 'workloadDns' | 'nodeDns' | 'dnsFrom'>;
  cluster: KubeCluster;
  from: ResolveVantage;
  /** The name as the user wrote it (what the resolver is given). */
  name: string;
  noProbe: boolean;
  namespaces?: readonly string[];
}

const tried = (results: readonly DnsResult[]) =>
  results.filter((r) => r.outcome !== 'not-tried' && r.outcome !== 'denied').map((r) => `${r.name} ${r.outcome === 'answer' ? r.answers.join(', ') : r.outcome === 'nxdomain' ? 'NXDOMAIN' : r.outcome}`).join('; ');

function withNote(step: DiagnosisStep, note: string): DiagnosisStep {
  return { ...step, evidence: `${step.evidence} ${note.replace(/\.$/, '')}.` };
}

/** How the sentences name the vantage: "from inside pod shop/web", "from node worker-1", "from netpeek's host". */
function whoOf(from: ResolveVantage): { who: string; asked: string } {
  if (from.kind === 'pod') return { who: `pod ${from.pod.namespace}/${from.pod.name}`, asked: `from inside pod ${from.pod.namespace}/${from.pod.name}` };
  if (from.kind === 'node') return { who: `node ${from.node}`, asked: `from node ${from.node}` };
  return { who: "netpeek's host", asked: "from netpeek's host" };
}

type Looked = { looked: true; lookup: DnsLookup; where: string } | { looked: false; message: string };

async function lookUp(q: LiveResolveQuestion, question: DnsQuestion): Promise<Looked> {
  const from = q.from;
  if (from.kind === 'pod') {
    const r = await podDnsLookup(q.probes, from.pod, q.cluster.context, question);
    return r.looked ? { looked: true, lookup: r.lookup, where: `node ${r.node}` } : { looked: false, message: r.message };
  }
  if (from.kind === 'node') {
    if (!q.probes?.nodeDns) return { looked: false, message: 'this netpeek cannot ask agents' };
    const a = await q.probes.nodeDns({ kind: 'node', node: from.node, context: q.cluster.context }, question);
    return a.ok ? { looked: true, lookup: a.lookup, where: `the agent's ${a.lookup.resolvConfPath}` } : { looked: false, message: a.message };
  }
  if (!q.probes?.dnsFrom) return { looked: false, message: 'this netpeek has no DNS prober' };
  try {
    const lookup = await q.probes.dnsFrom(undefined, question);
    return { looked: true, lookup, where: lookup.resolvConfPath };
  } catch (err) {
    if (!isNetpeekError(err)) throw err;
    return { looked: false, message: err.message };
  }
}

/** What a resolver that answers no cluster name should do, for the vantage. */
function resolverFix(from: ResolveVantage, who: string, lookup: DnsLookup): string {
  if (from.kind === 'pod') return `Check ${who}'s resolv.conf (its nameserver should be the cluster DNS Service's ClusterIP) and that cluster DNS runs (kubectl -n kube-system get pods -l k8s-app=kube-dns).`;
  const servers = lookup.conf.nameservers.join(', ') || 'none';
  return `${who} resolves through ${lookup.resolvConfPath} (nameservers ${servers}): names under .svc resolve only through the cluster DNS (its Service's ClusterIP). Point that resolver at the cluster DNS, or ask from a pod.`;
}

/** `fromApi`: the step read from the API for the same name, kept when it already fails (and, for a pod, when nothing was asked). */
export async function liveResolveStep(q: LiveResolveQuestion, fromApi: DiagnosisStep): Promise<DiagnosisStep> {
  const { who, asked } = whoOf(q.from);
  const notAsked = (why: string) =>
    q.from.kind === 'pod' || fromApi.status === 'fail'
      ? withNote(fromApi, `Not looked up ${asked}: ${why}`)
      : { id: 'resolve' as const, status: 'skip' as const, evidence: `Not checked: ${q.name} was not looked up ${asked} (${why.replace(/\.$/, '')}); the API alone says: ${fromApi.evidence.replace(/\.$/, '')}.` };
  if (q.noProbe) return notAsked('--no-probe, no DNS query was sent');
  const r = await lookUp(q, { name: q.name, type: 'A', timeoutMs: DNS_QUERY_TIMEOUT_MS });
  if (!r.looked) return notAsked(r.message);
  const { lookup, where } = r;
  const results = lookup.results;
  if (!results.some((x) => x.outcome !== 'denied' && x.outcome !== 'not-tried')) {
    const denied = lookup.deniedNameservers.join(', ') || 'none in its resolv.conf';
    return notAsked(`its nameservers (${denied}) are outside the probe allow-list, so no query was sent`);
  }
  if (fromApi.status === 'fail') return withNote(fromApi, `Asked ${asked} (${where}): ${tried(results) || 'no name was tried'}`);
  const match = await checkServiceAnswer(q.cluster, results, q.namespaces ? { namespaces: q.namespaces } : {});
  const answered = results.find((x) => x.outcome === 'answer');
  const took = answered?.ms !== undefined ? ` (${answered.ms} ms)` : '';
  if (!match) {
    return answered
      ? { id: 'resolve', status: 'pass', evidence: `${q.name} resolves ${asked} to ${answered.answers.join(', ')} as ${answered.name}${took}.` }
      : { id: 'resolve', status: 'fail', evidence: `${q.name} does not resolve ${asked}: ${tried(results)}.`, fix: resolverFix(q.from, who, lookup) };
  }
  const prefix = q.from.kind === 'pod' ? `From inside ${who} (${where})` : `Asked ${asked} (${where})`;
  if (match.verdict === 'matches' || match.verdict === 'external-name') return { id: 'resolve', status: 'pass', evidence: `${prefix}: ${match.sentence.replace(/\.$/, '')}${took}.` };
  return {
    id: 'resolve',
    status: 'fail',
    evidence: `${prefix}: ${match.sentence}`,
    fix:
      match.verdict === 'not-answered'
        ? resolverFix(q.from, who, lookup)
        : `Find what answers instead (a hosts entry, a stub domain, a stale DNS cache) and remove it; the Service's address is ${match.expected.join(', ') || 'none'}.`,
  };
}
