import type { NetpeekCommand } from '../src/deps.js';
import { newAnswer, withParts } from '../src/core/answer.js';
import { parseEndpointRef, podNamespace } from '../src/net/endpoint-ref.js';
import { probeSubject, type ProbeRun } from '../src/probe/probe-subject.js';
import { vantageName } from '../src/probe/vantage.js';
import { probeFromChoice, vantageOf, type VantageChoice } from '../src/probe/workload-vantage.js';
import { resolveProbeSubject } from '../src/sources/probe-targets.js';

export const ping: NetpeekCommand = {
  name: 'ping',
  aliases: ['probe'],
  summary: 'Ping a container, pod or address from its own host, and try its ports',
  args: [{ name: '<container|pod|ip>', required: true, completes: ['container', 'pod'] }],
  flags: ['namespace', 'cluster', 'port', 'count', 'from'],
  examples: ['ping webserver-1', 'ping webserver-2 --port 80', 'ping shop/webserver-2 --count 3', 'ping pod/shop/webserver-2 --port 80', 'ping 172.17.0.2', 'ping db-1 --port 5432 --from web-1', 'ping db-0 --port 5432 --from pod/shop/web-0'],
  subject: { role: 'probe', kinds: ['container', 'pod', 'ip'] },
  sendsPackets: 'always',
  probeKinds: ['icmp', 'tcp'],
  usageHint: 'ping webserver-2 --port 80',
  description:
    'Resolves the target, then probes it from where the seed facts hold: a container from the Docker host, a pod from its node (through the netpeek agent there). ' +
    'ICMP first, then TCP to --port or to every declared/exposed port. Refused means the namespace is reachable but nothing listens; a timeout means filtered or down. ' +
    'Write container/NAME or pod/NAME when a name exists in both, and NS/NAME or pod/NS/NAME (kubectl\'s forms; -n works too) for a pod of a namespace. ' +
    '--from <container> probes from inside that container\'s own network namespace instead, when NETPEEK_WORKLOAD_VANTAGE is on; --from pod/<name> (or <namespace>/<name>, or -n) from inside that pod\'s, through its node\'s agent when that agent has workload vantage (NETPEEK_AGENT_WORKLOAD_VANTAGE). Otherwise from its host or node, and the answer says so.',
  async run(query, deps) {
    const resolvers = { namespace: query.flags.namespace, ...deps.probeResolvers?.(query.flags.cluster, deps) };
    // -n is the target's namespace: a target naming another is a mistake (--from may be in any namespace).
    const target = parseEndpointRef(query.args[0] ?? '');
    if (target.kind === 'pod') podNamespace(target, query.flags.namespace);
    const [subject, fromSubject] = await Promise.all([
      resolveProbeSubject(target, deps, resolvers),
      query.flags.from !== undefined ? resolveProbeSubject(query.flags.from, deps, resolvers) : undefined,
    ]);
    const plan = { port: query.flags.port, count: query.flags.count ?? 3 };
    let choice: VantageChoice | undefined = fromSubject ? vantageOf(fromSubject, deps.probes) : undefined;
    let probed: ProbeRun;
    if (choice) {
      // A node's agent that will not enter the pod: the node probes instead, and the note says so.
      const tried = await probeFromChoice(subject, deps, plan, choice);
      if ('run' in tried) probed = tried.run;
      else [choice, probed] = [tried.fallback, await probeSubject(subject, deps, { ...plan, from: tried.fallback.vantage })];
    } else probed = await probeSubject(subject, deps, plan);
    const icmp = probed.facts.find((f) => f.kind === 'icmp');
    const tcp = probed.facts.filter((f) => f.kind === 'tcp');
    const open = tcp.filter((f) => f.ok).map((f) => f.port);
    const closed = tcp.filter((f) => !f.ok).map((f) => `${f.port} (${f.error})`);
    const label = subject.kind === 'ip' ? subject.ip : `${subject.name} (${subject.ip})`;
    const verdict = probed.degraded
      ? `${subject.name} is at ${subject.ip}, but ${choice?.from ?? vantageName(subject.vantage)} could not probe it.`
      : probed.facts.every((f) => f.error === 'denied')
        ? `${label} was not probed from ${probed.from}: the allow-list does not cover it, so nothing was sent.`
        : `${label} ${icmp?.ok ? 'answers ping' : 'does not answer ping'} from ${probed.from}` +
        (tcp.length ? `; ${open.length ? `open: ${open.join(', ')}` : 'no port open'}${closed.length ? `; not open: ${closed.join(', ')}` : ''}.` : '.');
    const answer = newAnswer('ping', `ping ${subject.name}`, {
      subject: { kind: subject.kind, name: subject.name, ...(subject.namespace ? { namespace: subject.namespace } : {}) },
      summary: verdict,
      facts: [
        { label: 'Address', value: subject.ip },
        ...(subject.subnet ? [{ label: 'Subnet', value: subject.subnet }] : []),
        { label: 'Network', value: subject.networks.join(', ') || '—' },
        ...(subject.node ? [{ label: 'Node', value: subject.node }] : []),
        { label: 'Probed from', value: probed.from },
      ],
    });
    // Asked from inside a workload: say first where the packets really came from.
    if (choice) (choice.inside ? answer.explanations : answer.warnings).push(choice.note);
    return withParts(answer, probed.parts);
  },
};
