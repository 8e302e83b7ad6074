import type { Answer } from '../src/core/answer.js';
import { newAnswer, withParts } from '../src/core/answer.js';
import { isNetpeekError } from '../src/core/errors.js';
import type { Query } from '../src/core/query.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { parseEndpointRef, type EndpointRef } from '../src/net/endpoint-ref.js';
import { explainPath, type Placement } from '../src/net/explain-path.js';
import * as say from '../src/net/explain-policy.js';
import type { PolicyEvaluation } from '../src/net/policy-engine.js';
import type { PolicyProtocol } from '../src/net/policy-spec.js';
import { firstDisagreement, vantagesDisagreeSentence, type PolicyStance } from '../src/net/explain-vantage.js';
import { probeSubject, type ProbeRun } from '../src/probe/probe-subject.js';
import type { ProbeSubject } from '../src/probe/vantage.js';
import { probeFromChoice, vantageOf, type VantageChoice } from '../src/probe/workload-vantage.js';
import type { KubeCluster } from '../src/sources/kube-cluster.js';
import { clusterFor } from '../src/sources/kube-lookup.js';
import { placeAddressForPolicy, placeForPolicy, type PlacedEndpoint } from '../src/sources/kube-policy-endpoints.js';
import { resolveProbeSubject } from '../src/sources/probe-targets.js';

function placement(s: ProbeSubject): Placement {
  return { kind: s.kind, name: s.name, ip: s.ip, networks: s.networks, node: s.node, hostNetwork: s.hostNetwork, world: s.vantage.kind === 'docker-host' ? 'docker' : 'cluster' };
}

type PortQuestion = { protocol: PolicyProtocol; port: number } | undefined;

function portQuestion(query: Query): PortQuestion {
  if (query.flags.port === undefined) return undefined;
  return { protocol: (query.flags.protocol ?? 'tcp').toUpperCase() as PolicyProtocol, port: query.flags.port };
}

/** What the policies say about a → b, with both ends placed in the cluster. */
async function evaluate(cluster: KubeCluster, a: PlacedEndpoint, b: PlacedEndpoint, port: PortQuestion): Promise<PolicyEvaluation> {
  const [engine, otherPolicyKinds] = await Promise.all([cluster.policyEngine(), cluster.otherPolicyKinds()]);
  const service = [a, b].find((e) => e.service);
  const evaluation = engine.evaluate(a.endpoint, b.endpoint, port, { otherPolicyKinds });
  if (service?.service) return { verdict: { evaluated: false, reason: say.serviceAddressReason(service.ip!, service.service) }, notes: evaluation.notes };
  return evaluation;
}

const describeEnd = (e: PlacedEndpoint): string => {
  const labels = e.endpoint.kind === 'pod' ? Object.entries(e.endpoint.pod.labels).map(([k, v]) => `${k}=${v}`).join(',') : '';
  const where = e.endpoint.kind === 'address' ? ({ external: 'outside the cluster', node: `node ${e.node ?? ''} address`.replace('  ', ' '), 'pod-network': 'pod network, no pod' } as const)[e.endpoint.place] : '';
  return [e.name, e.endpoint.kind === 'pod' ? e.ip : undefined, e.node && e.endpoint.kind === 'pod' ? `on ${e.node}` : undefined, labels ? `(${labels})` : undefined, where ? `(${e.service ? `ClusterIP of ${e.service}` : where})` : undefined]
    .filter(Boolean)
    .join(' ');
};

/** The policy parts of an answer: verdict facts, the deciding rules, caveats. */
function addPolicy(answer: Answer, evaluation: PolicyEvaluation, from: string, to: string): void {
  const v = evaluation.verdict;
  answer.policy = v;
  if (v.evaluated) {
    answer.facts.push({ label: 'Policies allow', value: say.describeAllowed(v.allowed ?? 'none') });
    if (evaluation.egress) answer.facts.push({ label: `Egress of ${from}`, value: say.sideFact(v.egress!) });
    if (evaluation.ingress) answer.facts.push({ label: `Ingress of ${to}`, value: say.sideFact(v.ingress!) });
    const sides = [evaluation.egress, evaluation.ingress].filter((s) => s !== undefined);
    const rows = sides.flatMap((s) => [
      ...s.admissions.map((a) => [s.direction, a.policy, `rule ${a.rule}`, 'admits', a.description, say.describeAllowed(a.ports)]),
      ...s.misses.map((m) => [s.direction, m.policy, `rule ${m.rule}`, 'misses', m.description, m.reasons.join('; ')]),
    ]);
    if (rows.length) answer.tables.push({ title: 'Policy rules', columns: ['direction', 'policy', 'rule', 'result', 'admits', 'for this connection'], rows });
    for (const s of sides) answer.explanations.push(...say.sideSentences(s, s.direction === 'egress' ? to : from));
  }
  // What netpeek never evaluates is a standing hint; caveats about this connection are warnings.
  for (const n of evaluation.notes) (n === say.NOT_EVALUATED_SCOPE ? answer.hints : answer.warnings).push(n);
}

/** Without probing: both ends from the Kubernetes API, and the policies' verdict. */
async function answerWithoutProbe(query: Query, deps: Deps, refs: [EndpointRef, EndpointRef], port: PortQuestion): Promise<Answer> {
  const cluster = clusterFor(deps, query.flags.cluster);
  const scope = { ...(deps.namespaces ? { namespaces: deps.namespaces } : {}) };
  const [a, b] = await Promise.all(refs.map((r) => placeForPolicy(cluster, r, query.flags.namespace, scope)));
  const evaluation = await evaluate(cluster, a!, b!, port);
  const answer = newAnswer('reach', `reach ${a!.name} → ${b!.name}${port ? ` ${port.protocol} ${port.port}` : ''}`, {
    subject: { kind: b!.endpoint.kind === 'pod' ? 'pod' : 'ip', name: b!.name, source: cluster.context },
    summary: say.verdictHeadline(evaluation.verdict, a!.name, b!.name),
    facts: [
      { label: 'From', value: describeEnd(a!) },
      { label: 'To', value: describeEnd(b!) },
    ],
  });
  addPolicy(answer, evaluation, a!.name, b!.name);
  answer.hints.push('Evaluated from the Kubernetes API only: no packet was sent (--no-probe).');
  return answer;
}

/** The policy side of a probed question: the placed subjects, looked up in their cluster. */
async function evaluateProbed(query: Query, deps: Deps, a: ProbeSubject, b: ProbeSubject, port: PortQuestion): Promise<PolicyEvaluation & { from: string; to: string }> {
  const context = [a, b].find((s) => s.vantage.kind === 'node' && s.vantage.context)?.vantage;
  const names = { from: a.name, to: b.name };
  if (!deps.kube?.configured()) return { verdict: { evaluated: false, reason: say.NO_CLUSTER_REASON }, notes: [], ...names };
  try {
    const cluster = clusterFor(deps, context?.kind === 'node' ? context.context : query.flags.cluster);
    const scope = { ...(deps.namespaces ? { namespaces: deps.namespaces } : {}) };
    const place = (s: ProbeSubject) =>
      s.kind === 'pod' ? placeForPolicy(cluster, { kind: 'pod', namespace: s.namespace, name: s.name.split('/').pop()! }, undefined, scope) : placeAddressForPolicy(cluster, s.ip, scope);
    const [pa, pb] = await Promise.all([place(a), place(b)]);
    return { ...(await evaluate(cluster, pa, pb, port)), ...names };
  } catch (err) {
    if (!isNetpeekError(err)) throw err;
    return { verdict: { evaluated: false, reason: say.clusterUnavailableReason(err.message) }, notes: [], ...names };
  }
}

/**
 * B probed from inside A's namespace. A refusal (the process is not the container's, it stopped) does not
 * sink the answer: the host's probe still stands, and the refusal is said.
 */
async function probeInside(b: ProbeSubject, deps: Deps, tcpPort: number | undefined, choice: VantageChoice): Promise<{ run: ProbeRun } | { refused: string; refusal?: string; fallback?: VantageChoice }> {
  try {
    const tried = await probeFromChoice(b, deps, { port: tcpPort }, choice);
    return 'run' in tried ? { run: tried.run } : tried;
  } catch (err) {
    if (!isNetpeekError(err)) throw err;
    return { refused: err.message };
  }
}

/** Whether the evaluated policies admit this connection (on the asked port, else at all). */
function policyStance(v: PolicyEvaluation['verdict']): PolicyStance | undefined {
  if (!v.evaluated) return undefined;
  return (v.port ? v.port.verdict === 'allowed' : v.allowed !== undefined && v.allowed !== 'none') ? 'allow' : 'deny';
}

export const reach: NetpeekCommand = {
  name: 'reach',
  aliases: ['path'],
  summary: 'Can A reach B? What NetworkPolicies decide, the path between them, and a probe from A\'s host',
  args: [
    { name: '<from>', required: true, completes: ['container', 'pod'] },
    { name: '<to>', required: true, completes: ['container', 'pod'] },
  ],
  flags: ['namespace', 'cluster', 'port', 'protocol', 'noProbe'],
  examples: ['reach web-1 db-0', 'reach web/web-1 shop/db-0 --port 5432 --no-probe', 'reach webserver-1 webserver-3 --port 80', 'reach pod/web-1 pod/db-0 -n shop --port 53/udp'],
  subject: { role: 'path', kinds: ['container', 'pod', 'ip'] },
  sendsPackets: 'unless --no-probe',
  probeKinds: ['icmp', 'tcp'],
  description:
    'Says whether the NetworkPolicies of both ends let A connect to B (on --port, or on which ports at all), naming the policy and rule that ' +
    'admits it or, for a denial, the isolating policies and the nearest miss. Ends: pod/<namespace>/<name>, <namespace>/<name>, pod/<name> with -n, ' +
    'an IP address (outside every pod: only the pod side\'s policies apply), or a Docker container. Then it explains the path and probes B from A\'s ' +
    'host and from inside A\'s own network namespace too: a container when NETPEEK_WORKLOAD_VANTAGE is on, a pod through its node\'s agent when that agent has workload vantage (otherwise it says the node probed alone); when the two disagree it says why. ' +
    '--no-probe sends nothing and needs only the Kubernetes API.',
  async run(query, deps) {
    const refs = [parseEndpointRef(query.args[0] ?? ''), parseEndpointRef(query.args[1] ?? '')] as [EndpointRef, EndpointRef];
    const port = portQuestion(query);
    if (query.flags.noProbe) return answerWithoutProbe(query, deps, refs, port);
    // -n is the namespace of the ends that name none (`reach web-1 shop/db-0 -n web`).
    const resolve = (r: EndpointRef) => resolveProbeSubject(r, deps, { ...deps.probeResolvers?.(query.flags.cluster, deps), ...(query.flags.namespace ? { namespace: query.flags.namespace } : {}) });
    const [a, b] = await Promise.all(refs.map(resolve)) as [ProbeSubject, ProbeSubject];
    const path = explainPath(placement(a), placement(b));
    // Probes are TCP and ICMP: a UDP or SCTP port is evaluated against policies, not probed.
    const tcpPort = port?.protocol === 'TCP' ? port.port : undefined;
    const choice: VantageChoice | undefined = a.kind === 'ip' ? undefined : vantageOf(a, deps.probes);
    const [probed, inside, policy] = await Promise.all([
      probeSubject(b, deps, { port: tcpPort, from: a.vantage }),
      choice?.inside ? probeInside(b, deps, tcpPort, choice) : undefined,
      evaluateProbed(query, deps, a, b, port),
    ]);
    const live = inside && 'run' in inside ? inside.run : undefined;
    const headline = policy.verdict.evaluated ? `${say.verdictHeadline(policy.verdict, a.name, b.name)} ` : '';
    const seen = (run: ProbeRun) => {
      const tcp = run.facts.filter((f) => f.kind === 'tcp');
      return `from ${run.from} ${run.facts.some((f) => f.ok) ? 'it answers' : 'it does not answer'}` + (tcp.length ? ` (${tcp.map((f) => `${f.port} ${f.ok ? 'open' : f.error}`).join(', ')})` : '');
    };
    const assembled = newAnswer('reach', `reach ${a.name} → ${b.name}`, {
      subject: { kind: b.kind, name: b.name },
      summary:
        headline +
        (probed.degraded && !live
          ? `${path.direct ? 'A direct path exists' : 'There is no direct path'} from ${a.name} to ${b.name}; the live check could not run.`
          : `${a.name} → ${b.name} (${b.ip}): ${path.direct ? 'direct path' : 'no direct path'}; ${[live, probed].filter((r): r is ProbeRun => r !== undefined && !r.degraded).map(seen).join('; ')}.`),
      facts: [
        { label: 'From', value: `${a.name} ${a.ip}${a.node ? ` on ${a.node}` : ''}` },
        { label: 'To', value: `${b.name} ${b.ip}${b.node ? ` on ${b.node}` : ''}` },
        { label: 'Path', value: path.kind },
        { label: 'Probed from', value: live ? `${live.from} and ${probed.from}` : probed.from },
      ],
      explanations: path.sentences,
    });
    if (!path.direct && !live) assembled.hints.push(`A probe from ${probed.from} reaching ${b.ip} does not mean ${a.name} can: its own network decides.`);
    // Where the packets did not come from, said plainly: the opt-in is off, or this end cannot be entered.
    if (choice && !choice.inside) assembled.hints.push(choice.note);
    // The node's agent would not enter the pod: its sentence says the node probed instead (a hint when it is simply not opted in).
    if (inside && 'refused' in inside) {
      if (inside.refusal === 'workload-vantage-off' && inside.fallback) assembled.hints.push(inside.fallback.note);
      else assembled.warnings.push(`Not probed from inside ${a.name}: ${inside.refused}`);
    }
    const withInside = live ? withParts(assembled, { ...live.parts, explanations: [choice!.note, ...(live.parts.explanations ?? [])] }) : assembled;
    const both = live && !live.degraded && !probed.degraded ? firstDisagreement(probed.facts, live.facts, tcpPort) : undefined;
    if (both) withInside.warnings.unshift(vantagesDisagreeSentence(both, probed.from, placement(a), placement(b), path.kind, policyStance(policy.verdict)));
    const tcp = (live ?? probed).facts.filter((f) => f.kind === 'tcp');
    const answer = withParts(withInside, probed.parts);
    addPolicy(answer, policy, a.name, b.name);
    if (port && port.protocol !== 'TCP') answer.hints.push(`${port.protocol} ${port.port} was evaluated against the policies only; netpeek probes TCP and ICMP.`);
    // Only a TCP connect to the asked port tests what the verdict is about (ICMP is outside NetworkPolicy's ports).
    const verdict = policy.verdict.port?.verdict;
    const connected = tcp.find((f) => f.port === tcpPort);
    const disagreement = !(live ?? probed).degraded && verdict && connected ? say.probeDisagreesSentence(verdict, connected.ok, (live ?? probed).from) : undefined;
    if (disagreement) answer.warnings.unshift(disagreement);
    return answer;
  },
};
