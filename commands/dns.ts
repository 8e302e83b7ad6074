import { newAnswer } from '../src/core/answer.js';
import { BackendError, UserError } from '../src/core/errors.js';
import type { NetpeekCommand } from '../src/deps.js';
import { ndotsCostSentence, reverseName } from '../src/net/resolv-conf.js';
import type { DnsResult } from '../src/probe/dns.js';
import { vantageOf } from '../src/probe/workload-vantage.js';
import { resolveProbeSubject } from '../src/sources/probe-targets.js';

/** Per query; a stub resolver's default is 5 s, too long for a chat answer that tries several names. */
const DNS_TIMEOUT_MS = 1500;
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

export const dns: NetpeekCommand = {
  name: 'dns',
  summary: 'Resolve a name the way a workload does: its resolv.conf, search list and ndots, queries sent from inside it',
  args: [{ name: '<name|ip>', required: true, completes: ['container', 'service'] }],
  flags: ['from', 'type', 'namespace', 'cluster'],
  examples: ['dns db --from web-1', 'dns api.example.com --from web-1', 'dns _http._tcp.web --type SRV --from web-1', 'dns 172.20.0.3 --type PTR'],
  subject: { role: 'about', kind: 'ip' },
  sendsPackets: 'always',
  probeKinds: ['dns'],
  description:
    'Lists every name the resolver tries, in its order (search domains and ndots from resolv.conf), with the answer, NXDOMAIN or timeout and the time each took, ' +
    'and what ndots costs an external name (the trailing-dot fix). With --from <container> and NETPEEK_WORKLOAD_VANTAGE on, the resolv.conf is the container\'s own ' +
    '(read through /proc/<pid>/root) and the queries leave from inside its namespace, so Docker\'s embedded resolver (127.0.0.11) answers. ' +
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
    const lookup = await deps.probes.dnsFrom(choice?.inside && choice.vantage.kind === 'workload' ? choice.vantage : undefined, { name: raw, type, timeoutMs: DNS_TIMEOUT_MS });
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
    if (lookup.deniedNameservers.length) answer.warnings.push(`Not queried: nameserver ${lookup.deniedNameservers.join(', ')} (not in the allow-list of the Docker networks' subnets; netpeek only sends packets to addresses it may probe).`);
    return answer;
  },
};
