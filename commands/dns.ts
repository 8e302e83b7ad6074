import { newAnswer } from '../src/core/answer.js';
import { BackendError, isNetpeekError, UserError } from '../src/core/errors.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import type { ServiceMatch } from '../src/net/dns-service-match.js';
import { ndotsCostSentence, reverseName } from '../src/net/resolv-conf.js';
import { DNS_QUERY_TIMEOUT_MS, type DnsLookup, type DnsQuestion, type DnsResult } from '../src/probe/dns.js';
import type { WorkloadVantage } from '../src/probe/vantage.js';
import { vantageOf } from '../src/probe/workload-vantage.js';
import { checkServiceAnswer } from '../src/sources/kube-dns-service.js';
import { clusterFor } from '../src/sources/kube-lookup.js';
import { resolveProbeSubject } from '../src/sources/probe-targets.js';

/** A DNS name: labels of letters, digits, "-" and "_" (SRV's _service._proto), dots between, an optional final dot. */
const DNS_NAME = /^(?=.{1,253}\.?$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

function outcomeWords(r: DnsResult): string {
  switch (r.outcome) {
    case 'answer':
      return r.answers.join(', ') || '(empty answer)';
    case 'nxdomain':
      return 'NXDOMAIN (no such name)';
    case 'nodata':
      return `the name exists, no ${r.type} record`;
    case 'not-tried':
      return 'not tried: the resolver stops at the first answer';
    default:
      return r.detail ? `${r.outcome}: ${r.detail}` : r.outcome;
  }
}

/** Inside a pod, by its node's agent: a refusal is said (not opted in: forbidden), an agent that cannot be asked is a backend error. */
async function insidePod(deps: Deps, v: WorkloadVantage, q: DnsQuestion): Promise<DnsLookup> {
  const a = deps.probes?.workloadDns ? await deps.probes.workloadDns(v.host, { workload: v.workload, containers: v.containers ?? [{ id: v.containerId, name: v.workload }] }, q) : undefined;
  if (a?.ok) return a.lookup;
  const why = a?.message ?? 'this netpeek cannot ask agents';
  const instead = 'Without --from, `dns <name>` resolves from the bot\'s host with its own resolver.';
  if (!a || a.reason === 'unavailable' || a.reason === 'no-agent') throw new BackendError('agent', `Could not resolve from inside ${v.workload}: ${why}.`, [instead]);
  throw new UserError(`Not resolved from inside ${v.workload}: ${why.replace(/\.$/, '')}.`, [instead], 'forbidden');
}

const SERVICE_VERDICT: Record<ServiceMatch['verdict'], string> = {
  matches: 'the answer matches the API',
  differs: 'the answer DIFFERS from the API',
  'no-service': 'no such Service in the API',
  'not-answered': 'not answered, although the API has addresses',
  'external-name': 'ExternalName (a CNAME)',
};

/** When a name tried is a Service name and a cluster is configured: the answer against that Service in the cache. */
async function serviceCheck(deps: Deps, lookup: DnsLookup, context: string | undefined): Promise<ServiceMatch | undefined> {
  if (!deps.kube?.configured()) return undefined;
  try {
    return await checkServiceAnswer(clusterFor(deps, context), lookup.results, deps.namespaces ? { namespaces: deps.namespaces } : {});
  } catch (err) {
    // The lookup stands on its own; a cluster that cannot be asked only costs the comparison.
    if (isNetpeekError(err)) return undefined;
    throw err;
  }
}

export const dns: NetpeekCommand = {
  name: 'dns',
  summary: 'Resolve a name the way a workload does: its resolv.conf, search list and ndots, queries sent from inside it',
  args: [{ name: '<name|ip>', required: true, completes: ['container', 'service'] }],
  flags: ['from', 'type', 'namespace', 'cluster'],
  examples: ['dns db --from web-1', 'dns web --from pod/shop/client-0', 'dns api.example.com --from web-1', 'dns _http._tcp.web --type SRV --from web-1', 'dns 172.20.0.3 --type PTR'],
  subject: { role: 'about', kind: 'ip' },
  sendsPackets: 'always',
  probeKinds: ['dns'],
  description:
    'Lists every name the resolver tries, in its order (search domains and ndots from resolv.conf), with the answer, NXDOMAIN or timeout and the time each took, ' +
    'and what ndots costs an external name (the trailing-dot fix). With --from <container> and NETPEEK_WORKLOAD_VANTAGE on, the resolv.conf is the container\'s own ' +
    '(read through /proc/<pid>/root) and the queries leave from inside its namespace, so Docker\'s embedded resolver (127.0.0.11) answers. ' +
    '--from pod/<name> (or <namespace>/<name>) asks the agent on the pod\'s node, when that agent has workload vantage, to do the same inside the pod. ' +
    'For a Service name (<service>.<namespace>.svc.…), says whether the answer matches the Service\'s ClusterIP in the API (headless: its ready endpoints). ' +
    'Without --from: the bot\'s own host and resolver, said as such.',
  async run(query, deps) {
    const raw = query.args[0] ?? '';
    const type = query.flags.type ?? 'A';
    if (type === 'PTR' ? !reverseName(raw) && !DNS_NAME.test(raw) : !DNS_NAME.test(raw)) {
      throw new UserError(`"${raw.slice(0, 80)}" is not a DNS name${type === 'PTR' ? ' or an IP address' : ''}.`, ['Names are labels of letters, digits, "-" and "_" separated by dots, e.g. `dns db --from web-1`, `dns 172.20.0.3 --type PTR`.']);
    }
    if (!deps.probes?.dnsFrom) throw new BackendError('probe', 'DNS questions are not configured in this netpeek.', ['See `status`.']);
    const from = query.flags.from !== undefined ? await resolveProbeSubject(query.flags.from, deps, { namespace: query.flags.namespace, ...deps.probeResolvers?.(query.flags.cluster, deps) }) : undefined;
    const choice = from ? vantageOf(from, deps.probes) : undefined;
    const question = { name: raw, type, timeoutMs: DNS_QUERY_TIMEOUT_MS };
    const inside = choice?.inside && choice.vantage.kind === 'workload' ? choice.vantage : undefined;
    const lookup = inside?.host.kind === 'node' ? await insidePod(deps, inside, question) : await deps.probes.dnsFrom(inside, question);
    const answered = lookup.results.find((r) => r.outcome === 'answer');
    const where = lookup.from === "the bot's host" ? "from the bot's host, with its own resolver" : `from ${lookup.from}`;
    const answer = newAnswer('dns', `dns ${raw}${type === 'A' ? '' : ` ${type}`}`, {
      subject: { kind: from?.kind === 'pod' ? 'pod' : from ? 'container' : 'ip', name: from?.name ?? raw },
      summary: answered
        ? `${raw} resolves to ${answered.answers.join(', ')} ${where} (as ${answered.name}${answered.ms !== undefined ? `, ${answered.ms} ms` : ''}).`
        : `${raw} does not resolve ${where}: ${lookup.results.map((r) => `${r.name} ${r.outcome}`).join(', ') || 'no name to try'}.`,
      facts: [
        { label: 'Asked from', value: lookup.from },
        { label: 'resolv.conf', value: lookup.resolvConfPath },
        { label: 'Nameservers', value: lookup.conf.nameservers.join(', ') || '— (none)' },
        { label: 'Search', value: lookup.conf.search.join(' ') || '—' },
        { label: 'ndots', value: String(lookup.conf.ndots) },
        { label: 'Type', value: type },
      ],
      tables: [
        {
          title: 'Names tried, in the resolver\'s order',
          columns: ['#', 'name', 'via', 'outcome', 'ms'],
          rows: lookup.results.map((r, i) => {
            const via = lookup.candidates[i]?.via;
            return [String(i + 1), r.name, via === undefined || via === 'as-is' ? 'as-is' : `search ${via.search}`, outcomeWords(r), r.ms !== undefined ? String(r.ms) : '—'];
          }),
        },
      ],
    });
    const cost = ndotsCostSentence(raw, lookup.conf, type);
    if (cost) answer.explanations.push(cost);
    if (lookup.conf.nameservers.includes('127.0.0.11')) {
      answer.explanations.push("127.0.0.11 is Docker's embedded resolver: it exists only inside containers on user-defined networks and answers their container names and aliases; other names it forwards to the host's nameservers.");
    }
    if (choice) (choice.inside ? answer.explanations : answer.warnings).push(choice.note);
    const service = await serviceCheck(deps, lookup, from?.vantage.kind === 'node' ? from.vantage.context : query.flags.cluster);
    if (service) {
      answer.facts.push({ label: 'Service', value: `${service.service}: ${SERVICE_VERDICT[service.verdict]}${service.expected.length ? ` (API: ${service.expected.join(', ')})` : ''}` });
      (service.warning ? answer.warnings : answer.explanations).push(service.sentence);
    }
    if (lookup.deniedNameservers.length) answer.warnings.push(`Not queried: nameserver ${lookup.deniedNameservers.join(', ')} (not in the allow-list of the Docker networks' subnets; netpeek only sends packets to addresses it may probe).`);
    return answer;
  },
};
