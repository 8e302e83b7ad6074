import { addChangedRecently } from '../src/sources/kube-recent-changes.js';
import type { Answer } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import { STEP_ORDER, type StepId } from '../src/core/diagnosis.js';
import { UserError } from '../src/core/errors.js';
import type { Query } from '../src/core/query.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { parseEndpointRef, type EndpointRef } from '../src/net/endpoint-ref.js';
import { checkKubernetesName } from '../src/net/names.js';
import { diagnose, verdictSentence, withRerunSteps } from '../src/net/why-diagnosis.js';
import { clusterFor } from '../src/sources/kube-lookup.js';
import { containerPath } from '../src/sources/why-docker-path.js';
import type { DiagnosisStep } from '../src/core/diagnosis.js';
import { isNodeRef, type WhyFrom } from '../src/sources/why-kube-ends.js';
import { locateAddress, nodePath } from '../src/sources/why-kube-node-path.js';
import { podPath, servicePath, type ServiceTarget } from '../src/sources/why-kube-path.js';

const ACCEPTED = 'Accepted targets: svc/<name> (with -n, or in whichever namespace has it), svc/<namespace>/<name>, the DNS name <name>.<namespace>.svc.cluster.local, a pod (pod/<namespace>/<name> or <namespace>/<name>), a node (node/<name>), an IP address (looked up among pods, Services and nodes), or a Docker container (<name> or container/<name>). <from> is any of those but a Service, or `here`.';
const EXAMPLES = 'Examples: why svc/cart -n shop --port 80 · why shop/web-1 cart.shop.svc.cluster.local --port 80 · why node/worker-1 10.244.2.7 --port 8080 · why web-1 db --port 5432';

export function parseServiceTarget(text: string): ServiceTarget | undefined {
  const parts = text.split('/');
  if (parts[0] === 'svc' || parts[0] === 'service' || parts[0] === 'services') {
    if (parts.length === 2 && parts[1]) return { name: checkKubernetesName(parts[1], 'service'), via: 'ref', text };
    if (parts.length === 3 && parts[1] && parts[2]) return { namespace: checkKubernetesName(parts[1], 'namespace'), name: checkKubernetesName(parts[2], 'service'), via: 'ref', text };
    throw new UserError(`"${text}" is not a Service reference.`, [ACCEPTED, EXAMPLES]);
  }
  const dns = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.([a-z0-9.-]+?))?\.?$/.exec(text.toLowerCase());
  if (dns) {
    return {
      name: checkKubernetesName(dns[1]!, 'service'),
      namespace: checkKubernetesName(dns[2]!, 'namespace'),
      via: 'dns',
      ...(dns[3] ? { domain: dns[3] } : {}),
      text,
    };
  }
  return undefined;
}

/** node/<name> (kubectl's no/ and nodes/ too): a node as either end. */
export function parseNodeRef(text: string): { kind: 'node'; name: string } | undefined {
  const m = /^(?:node|nodes|no)\/(.*)$/.exec(text);
  if (!m) return undefined;
  if (!m[1] || m[1].includes('/')) throw new UserError(`"${text}" is not a node reference; write node/<name>.`, [ACCEPTED, EXAMPLES]);
  return { kind: 'node', name: checkKubernetesName(m[1], 'node') };
}

function parseFrom(text: string): WhyFrom {
  if (text === 'here') return 'here';
  if (parseServiceTarget(text)) throw new UserError(`"${text}" is a Service: a Service is a destination, not a client.`, ['<from> is a pod, a node (node/<name>), an IP address, a container or `here`.', EXAMPLES]);
  return parseNodeRef(text) ?? parseEndpointRef(text);
}

/** "why client → svc/web port 80/udp": the question as the answer's headline. */
function whyTitle(query: Query, fromText: string | undefined, toText: string): string {
  const port = query.flags.port;
  const onPort = port !== undefined ? ` port ${port}${query.flags.protocol && query.flags.protocol !== 'tcp' ? `/${query.flags.protocol}` : ''}` : '';
  return `why ${fromText ? `${fromText} → ` : ''}${toText}${onPort}`;
}

/** The live steps of a path, in step order. */
const liveOf = (live: readonly StepId[]): StepId[] => STEP_ORDER.filter((id) => live.includes(id));

async function diagnoseService(query: Query, deps: Deps, target: ServiceTarget, from: WhyFrom | undefined, fromText: string | undefined, resolved?: DiagnosisStep): Promise<Answer> {
  const found = await servicePath({ ...deps, query, target, from, ...(fromText ? { fromText } : {}), ...(resolved ? { resolved } : {}) });
  const diagnosis = diagnose(found.steps);
  const answer = newAnswer('why', whyTitle(query, fromText, target.text), {
    subject: { kind: 'service', name: target.name, namespace: found.namespace, source: `context ${found.context}` },
    summary: verdictSentence(diagnosis),
    diagnosis,
    liveSteps: liveOf(found.live),
    facts: found.facts,
    probes: found.probes,
    hints: found.found ? [`\`svc ${target.name} -n ${found.namespace}\` shows its ports and every endpoint.`] : [],
  });
  // What changed on the path (issue 18): the Service, its EndpointSlices and pods, the pod asked from.
  addChangedRecently(answer, clusterFor(deps, query.flags.cluster), found.onPath, Date.now(), deps.namespaces);
  return answer;
}

async function diagnosePod(query: Query, deps: Deps, to: { name: string; namespace?: string; text: string }, from: WhyFrom | undefined, fromText: string | undefined, resolved?: DiagnosisStep): Promise<Answer> {
  const found = await podPath({ ...deps, query, target: to, from, ...(fromText ? { fromText } : {}), ...(resolved ? { resolved } : {}) });
  const diagnosis = diagnose(found.steps);
  const answer = newAnswer('why', whyTitle(query, fromText, to.text), {
    subject: { kind: 'pod', name: found.pod, namespace: found.namespace, source: `context ${found.context}` },
    summary: verdictSentence(diagnosis),
    diagnosis,
    liveSteps: liveOf(found.live),
    facts: found.facts,
    probes: found.probes,
    hints: [`\`pod ${found.pod} -n ${found.namespace}\` shows its containers, ports and the Services selecting it.`],
  });
  addChangedRecently(answer, clusterFor(deps, query.flags.cluster), found.onPath, Date.now(), deps.namespaces);
  return answer;
}

async function diagnoseNode(query: Query, deps: Deps, node: string, toText: string, from: WhyFrom | undefined, fromText: string | undefined, resolved?: DiagnosisStep): Promise<Answer> {
  const found = await nodePath({ ...deps, query, node, from, ...(fromText ? { fromText } : {}), ...(resolved ? { resolved } : {}) });
  const diagnosis = diagnose(found.steps);
  return newAnswer('why', whyTitle(query, fromText, toText), {
    subject: { kind: 'node', name: found.node, source: `context ${found.context}` },
    summary: verdictSentence(diagnosis),
    diagnosis,
    liveSteps: liveOf(found.live),
    facts: found.facts,
    probes: found.probes,
    hints: [`\`node ${found.node}\` shows its addresses, pod CIDR and conditions.`],
  });
}

/** A bare address: the pod, Service or node that holds it, diagnosed as that; else broken at resolve, saying which range it is in. */
async function diagnoseAddress(query: Query, deps: Deps, ip: string, from: WhyFrom | undefined, fromText: string | undefined): Promise<Answer> {
  const cluster = clusterFor(deps, query.flags.cluster);
  const owner = await locateAddress(cluster, ip, deps.namespaces ? { namespaces: deps.namespaces } : {});
  if (owner.kind === 'pod') return diagnosePod(query, deps, { name: owner.pod.name, namespace: owner.pod.namespace, text: ip }, from, fromText, owner.step);
  if (owner.kind === 'service') return diagnoseService(query, deps, { name: owner.service.name, namespace: owner.service.namespace, via: 'ref', text: ip }, from, fromText, owner.step);
  if (owner.kind === 'node') return diagnoseNode(query, deps, owner.node.name, ip, from, fromText, owner.step);
  const diagnosis = diagnose([owner.step]);
  return newAnswer('why', whyTitle(query, fromText, ip), {
    subject: { kind: 'ip', name: ip, source: `context ${cluster.context}` },
    summary: verdictSentence(diagnosis),
    diagnosis,
    facts: [{ label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` }],
    hints: ['`pod -A -o wide` lists the pod IPs; `svc -A` the ClusterIPs.'],
  });
}

async function diagnoseContainers(query: Query, deps: Deps, to: string, from: EndpointRef | 'here' | undefined): Promise<Answer> {
  const found = await containerPath({ ...deps, to, from, ...(query.flags.port !== undefined ? { port: query.flags.port } : {}), noProbe: query.flags.noProbe === true });
  const diagnosis = diagnose(found.steps);
  return newAnswer('why', `why ${found.from ? `${found.from} → ` : ''}${found.to}${found.port !== undefined ? ` port ${found.port}` : ''}`, {
    subject: { kind: 'container', name: found.to, source: found.endpoint },
    summary: verdictSentence(diagnosis),
    diagnosis,
    liveSteps: liveOf(found.live),
    facts: found.facts,
    probes: found.probes,
    hints: [`\`container ${found.to}\` shows its addresses, ports and every listening socket.`],
  });
}

/** The hint a "Probe again" answer leads with: which steps ran again, and that the others did not. */
const rerunHint = (ids: readonly StepId[]) =>
  `Probe again reran the live step${ids.length === 1 ? '' : 's'} (${ids.join(', ') || 'none'}); the other steps are as the first answer found them — ask again to check everything.`;
const isRerunHint = (h: string) => h.startsWith('Probe again reran the live step');
/** why never lists commands: a rerun that falls back to a full run needs no registry. */
const EMPTY_REGISTRY = { list: () => [], find: () => undefined, lookupFor: () => undefined, withRole: () => undefined };

/** The live steps of either answer, in step order: a step the first answer ran live is rerun even when it cannot run live now (the rerun says why). */
function rerunIds(previous: Answer, fresh: Answer): StepId[] {
  // Answers held before liveSteps existed ran the probe live, nothing else.
  const before = previous.liveSteps ?? ['probe'];
  return STEP_ORDER.filter((id) => before.includes(id) || (fresh.liveSteps ?? []).includes(id));
}

export const why: NetpeekCommand = {
  name: 'why',
  summary: "Why can't A reach a Service, pod, node or IP? Walks name, Service, selector, targetPort, endpoints, policies and route in order and names the first broken step",
  args: [
    { name: '<from|target>', required: true, completes: ['service', 'pod', 'container'] },
    { name: '<to>', required: false, completes: ['service', 'pod', 'container'] },
  ],
  flags: ['namespace', 'cluster', 'port', 'protocol', 'noProbe'],
  examples: ['why svc/cart -n shop', 'why svc/shop/cart --port 80', 'why shop/web-1 cart.shop.svc.cluster.local --port 80', 'why node/worker-1 10.244.2.7 --port 8080', 'why web-1 db --port 5432'],
  description:
    'Checks, in order: resolve (a DNS name), service (exists, has the port), selector (matches pods; near misses when not), target-port (resolves on the selected pods), ' +
    'endpoints (ready, or why not), listening (the destination\'s sockets: a pod\'s read by its node\'s agent with the workload vantage, a container\'s from /proc), policy (NetworkPolicies admit the traffic, naming the policy), route and probe. Each step is pass, fail, warn or skip (with the reason); ' +
    'the answer leads with a verdict naming the first failure and its fix. `--json` carries it as `diagnosis`. <from> is a pod (pod/<ns>/<name>, <ns>/<name>), a node (node/<name>), an IP or `here`; ' +
    '<to> may also be a node (node/<name>: Ready, route, a probe of its address) or a bare IP (the pod, Service or node holding it, found in the cache; an address nothing holds is broken at resolve). ' +
    'between Docker containers <from> and <to> are containers (or <from> an address on another machine); with NETPEEK_WORKLOAD_VANTAGE resolve looks the name up from inside <from>. The probe step connects from a node\'s agent (Services) or the Docker host ' +
    '(inside the client container with NETPEEK_WORKLOAD_VANTAGE); --no-probe sends nothing. ' +
    'In a terminal, `netpeek why` exits 4 when a step fails, 0 when none does (warnings and skips included), 1 for a wrong question, 2 when a backend is unreachable.',
  subject: { role: 'about', kind: 'service' },
  sendsPackets: 'unless --no-probe',
  probeKinds: ['icmp', 'tcp'],
  rerunsLiveSteps: true,
  async rerunLive(query, previous, deps) {
    const fresh = await why.run(query, deps, { registry: EMPTY_REGISTRY });
    const before = previous.diagnosis;
    if (!before || !fresh.diagnosis) return fresh;
    // The question is answered again, so the live steps run against the objects as the caches have them
    // now (the pod the Service selects now, its current container IDs); of that answer only the live
    // steps are kept, the others stay as the first answer found them.
    const ids = rerunIds(previous, fresh);
    const diagnosis = withRerunSteps(before, fresh.diagnosis, ids);
    return {
      ...previous,
      summary: verdictSentence(diagnosis),
      diagnosis,
      liveSteps: ids.filter((id) => diagnosis.steps.some((s) => s.id === id)),
      probes: fresh.probes,
      hints: [rerunHint(ids), ...previous.hints.filter((h) => !isRerunHint(h))],
    };
  },
  async run(query, deps) {
    const [first, second] = query.args;
    if (!first) throw new UserError('why needs a target.', [ACCEPTED, EXAMPLES]);
    const targetText = second ?? first;
    const fromText = second !== undefined ? first : undefined;
    const from = fromText === undefined ? undefined : parseFrom(fromText);
    const target = parseServiceTarget(targetText);
    if (target) return diagnoseService(query, deps, target, from, fromText);
    const node = parseNodeRef(targetText);
    if (node) return diagnoseNode(query, deps, node.name, targetText, from, fromText);
    const to = parseEndpointRef(targetText);
    if (to.kind === 'ip') return diagnoseAddress(query, deps, to.ip, from, fromText);
    if (to.kind === 'pod') return diagnosePod(query, deps, { name: to.name, ...(to.namespace ? { namespace: to.namespace } : {}), text: targetText }, from, fromText);
    if (to.kind === 'name' && !deps.docker) {
      throw new UserError(`"${targetText}" is not a Service reference, and this netpeek has no Docker engine with a container of that name.`, [ACCEPTED, EXAMPLES]);
    }
    if (to.kind === 'container' || to.kind === 'name') {
      if (isNodeRef(from)) throw new UserError(`why from a node to a Docker container is not diagnosed: a node and a Docker container live in different worlds.`, [ACCEPTED, EXAMPLES]);
      if (from !== undefined && from !== 'here' && from.kind === 'pod') throw new UserError(`why from a pod to a Docker container is not diagnosed: a pod and a container live in different worlds.`, [ACCEPTED, EXAMPLES]);
      if (query.flags.protocol && query.flags.protocol !== 'tcp') throw new UserError(`why checks TCP between containers; "--port ${query.flags.port}/${query.flags.protocol}" is not TCP.`, ['Example: why web-1 db --port 5432']);
      return diagnoseContainers(query, deps, to.name, from);
    }
    throw new UserError(`"${targetText}" is not something why diagnoses.`, [ACCEPTED, EXAMPLES]);
  },
};
