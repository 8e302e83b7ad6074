import type { Answer } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import type { DiagnosisStep } from '../src/core/diagnosis.js';
import { UserError } from '../src/core/errors.js';
import type { Query } from '../src/core/query.js';
import { rankSimilar } from '../src/core/similar-names.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { parseEndpointRef, type EndpointRef } from '../src/net/endpoint-ref.js';
import { resolveTargetPort } from '../src/net/kube-ports.js';
import { checkKubernetesName } from '../src/net/names.js';
import type { PolicyProtocol } from '../src/net/policy-spec.js';
import type { SlimEndpoint, SlimPod } from '../src/net/why-diagnosis.js';
import { diagnose, policyStep, serviceSteps, skipStep, verdictSentence } from '../src/net/why-diagnosis.js';
import type { KubeCluster } from '../src/sources/kube-cluster.js';
import { clusterFor, requireNamespace, type NamespaceScope } from '../src/sources/kube-lookup.js';
import type { KubePod, KubeService } from '../src/sources/kube-model.js';
import { selects } from '../src/sources/kube-model.js';
import { placeForPolicy, policyPod } from '../src/sources/kube-policy-endpoints.js';
import { containerPath, probeAgain } from '../src/sources/why-docker-path.js';
import { LIVE_STEPS } from '../src/core/diagnosis.js';

/** How `why` reads a Service target: svc/<name>, svc/<ns>/<name>, or the DNS name <name>.<ns>.svc[.<cluster domain>]. */
interface ServiceTarget {
  name: string;
  namespace?: string;
  /** `dns`: a name a client resolves, so the resolve step applies. */
  via: 'ref' | 'dns';
  /** The cluster domain written after .svc, when one was. */
  domain?: string;
  text: string;
}

const ACCEPTED = 'Accepted targets: svc/<name> (with -n, or in whichever namespace has it), svc/<namespace>/<name>, the DNS name <name>.<namespace>.svc.cluster.local, or a Docker container (<name> or container/<name>).';
const EXAMPLES = 'Examples: why svc/cart -n shop --port 80 · why shop/web-1 cart.shop.svc.cluster.local --port 80 · why web-1 db --port 5432';

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

/** A cached pod as the pure diagnosis reads it. */
function slimPod(p: KubePod): SlimPod {
  return {
    name: p.name,
    namespace: p.namespace,
    labels: p.labels,
    containers: p.containers,
    phase: p.phase,
    ready: p.ready,
    terminating: p.terminating,
    ...(p.unschedulable !== undefined ? { unschedulable: p.unschedulable } : {}),
    // Only containers the kubelet reported on; a Pending pod has none yet.
    containerStatuses: p.containers
      .filter((c) => (c.kind !== 'init' || c.state === 'waiting') && (c.ready !== undefined || c.state !== undefined))
      .map((c) => ({
        name: c.name,
        ready: c.ready ?? false,
        ...(c.state === 'waiting' && c.stateReason ? { waitingReason: c.stateReason } : {}),
        ...(c.state === 'terminated' && c.stateReason ? { terminatedReason: c.stateReason } : {}),
      })),
  };
}

const LISTENING_SKIP = "netpeek reads a workload's sockets only for Docker containers on its own host; a pod's network namespace is on its node, and the agent does not read sockets";
const PROBE_SKIP = 'why probes Docker containers only; for a Service, `reach <pod> <pod> --port N` probes from the node\'s agent';

const hasLabels = (p: KubePod, labels: Readonly<Record<string, string>>) => Object.entries(labels).every(([k, v]) => p.labels[k] === v);

/** The Service a target means: the one named in its namespace, or the only one of that name the conversation sees. */
async function locateService(cluster: KubeCluster, target: ServiceTarget, query: Query, scope: NamespaceScope): Promise<{ namespace: string; svc: KubeService | undefined; namespaceExists: boolean }> {
  const asked = target.namespace ?? query.flags.namespace;
  if (asked !== undefined) {
    checkKubernetesName(asked, 'namespace');
    // A DNS name in a namespace that does not exist is a resolve failure, not a question error.
    if (target.via === 'dns' && (scope.namespaces === undefined || scope.namespaces.includes(asked)) && !(await cluster.namespace(asked))) {
      return { namespace: asked, svc: undefined, namespaceExists: false };
    }
    const ns = await requireNamespace(cluster, asked, scope);
    return { namespace: ns, svc: await cluster.service(ns, target.name), namespaceExists: true };
  }
  const named = (await cluster.servicesNamed(target.name)).filter((s) => scope.namespaces === undefined || scope.namespaces.includes(s.namespace));
  if (named.length > 1) {
    const namespaces = named.map((s) => s.namespace).sort();
    throw new UserError(`There is a Service "${target.name}" in ${named.length} namespaces (${namespaces.join(', ')}); say which.`, namespaces.slice(0, 10).map((ns) => `why svc/${ns}/${target.name}`), 'ambiguous');
  }
  if (named[0]) return { namespace: named[0].namespace, svc: named[0], namespaceExists: true };
  return { namespace: cluster.defaultNamespace, svc: undefined, namespaceExists: true };
}

function resolveStep(target: ServiceTarget, ns: string, namespaceExists: boolean, svc: KubeService | undefined, similar: readonly string[]): DiagnosisStep {
  const domain = target.domain ?? 'cluster.local';
  if (!namespaceExists) {
    return {
      id: 'resolve',
      status: 'fail',
      evidence: `${target.text} does not resolve: there is no namespace ${ns}, so cluster DNS answers NXDOMAIN.`,
      fix: `Use the namespace the Service lives in: <name>.<namespace>.svc.${domain}.`,
    };
  }
  if (!svc) {
    return {
      id: 'resolve',
      status: 'fail',
      evidence: `${target.text} does not resolve: there is no Service ${target.name} in namespace ${ns}, so cluster DNS answers NXDOMAIN.${similar.length ? ` Services with similar names: ${similar.join(', ')}.` : ''}`,
      fix: similar[0] ? `Use ${similar[0]}.${ns}.svc.${domain}.` : `Create Service ${target.name} in ${ns}, or correct the name.`,
    };
  }
  const answer = svc.type === 'ExternalName' ? `a CNAME to ${svc.externalName ?? '?'}` : svc.clusterIPs.length ? svc.clusterIPs.join(', ') : 'the ready pod IPs (headless)';
  const domainNote = target.domain && target.domain !== 'cluster.local' ? ` (if the cluster domain is ${target.domain})` : '';
  return { id: 'resolve', status: 'pass', evidence: `${target.text} is Service ${ns}/${svc.name}; cluster DNS answers ${answer}${domainNote} — read from the API, not a live DNS query.` };
}

async function slimEndpoints(cluster: KubeCluster, svc: KubeService): Promise<SlimEndpoint[] | undefined> {
  const slices = await cluster.endpointSlices(svc.namespace, svc.name);
  if (slices.length === 0) return undefined;
  return slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses.map((ip) => ({ ip, ready: e.ready, ...(e.pod ? { pod: e.pod.name } : {}) }))));
}

/** The pod port policies see: the targetPort of the asked Service port (or its only port) resolved on that pod. */
function policyPort(svc: KubeService, pod: KubePod, query: Query): { protocol: PolicyProtocol; port: number } | undefined {
  const asked = query.flags.port;
  const sp = asked !== undefined ? svc.ports.find((p) => p.port === asked && p.protocol === (query.flags.protocol ?? 'tcp')) : svc.ports.length === 1 ? svc.ports[0] : undefined;
  if (!sp) return undefined;
  const r = resolveTargetPort(sp, pod.containers);
  return r.ok ? { protocol: r.protocol.toUpperCase() as PolicyProtocol, port: r.port } : undefined;
}

async function policyFor(cluster: KubeCluster, svc: KubeService, selected: readonly KubePod[], from: EndpointRef | 'here' | undefined, query: Query, scope: NamespaceScope): Promise<DiagnosisStep> {
  // A ready pod is the one traffic would go to; any selected pod otherwise.
  const pod = selected.find((p) => p.ready) ?? selected[0];
  if (!pod) return skipStep('policy', `Service ${svc.name} selects no pod to evaluate policies on`);
  const [engine, otherPolicyKinds] = await Promise.all([cluster.policyEngine(), cluster.otherPolicyKinds()]);
  const port = policyPort(svc, pod, query);
  const to = `pod ${pod.namespace}/${pod.name}`;
  if (from === undefined || from === 'here') {
    const selecting = engine.podPolicies(policyPod(pod));
    return policyStep({
      kind: 'any',
      to,
      policies: selecting.ingress.policies.map((p) => p.ref),
      ingressRules: selecting.ingress.policies.reduce((n, p) => n + p.rules.ingress.length, 0),
      unreadable: selecting.unreadable.map((u) => u.policy),
      ...(port ? { port: port.port } : {}),
    });
  }
  if (from.kind === 'container') return skipStep('policy', `container/${from.name} is a Docker container, outside the cluster's NetworkPolicies`);
  const a = await placeForPolicy(cluster, from, query.flags.namespace, scope);
  const evaluation = engine.evaluate(a.endpoint, { kind: 'pod', pod: policyPod(pod) }, port, { otherPolicyKinds });
  return policyStep({ kind: 'verdict', from: a.name, to, verdict: evaluation.verdict });
}

async function diagnoseService(query: Query, deps: Deps, target: ServiceTarget, from: EndpointRef | 'here' | undefined, fromText: string | undefined): Promise<Answer> {
  const cluster = clusterFor(deps, query.flags.cluster);
  const scope: NamespaceScope = deps.namespaces ? { namespaces: deps.namespaces } : {};
  const { namespace: ns, svc, namespaceExists } = await locateService(cluster, target, query, scope);
  const visible = (p: { namespace: string }) => scope.namespaces === undefined || scope.namespaces.includes(p.namespace);
  const [inNamespace, services, endpoints] = await Promise.all([
    namespaceExists ? cluster.pods({ namespace: ns }) : Promise.resolve([]),
    namespaceExists ? cluster.services(ns) : Promise.resolve([]),
    svc ? slimEndpoints(cluster, svc) : Promise.resolve(undefined),
  ]);
  const selected = svc?.selector ? inNamespace.filter((p) => selects(svc, p)) : [];
  // The diagnosis reads the selected pods, or when there are none, the namespace's pods (near misses) and
  // pods with the selector's labels elsewhere: only then is the whole cache scanned.
  const pods = selected.length > 0 ? selected : svc?.selector ? [...inNamespace, ...(await cluster.pods()).filter((p) => p.namespace !== ns && visible(p) && hasLabels(p, svc.selector!))] : [];
  const similar = rankSimilar(target.name, services.map((s) => s.name).filter((n) => n !== target.name), 3);
  const port = query.flags.port;
  const steps: DiagnosisStep[] = [];
  if (target.via === 'dns') steps.push(resolveStep(target, ns, namespaceExists, svc, similar));
  steps.push(
    ...serviceSteps({
      service: svc ? { name: svc.name, namespace: svc.namespace, type: svc.type, ...(svc.selector ? { selector: svc.selector } : {}), ports: svc.ports } : undefined,
      asked: { name: target.name, namespace: ns, ...(port !== undefined ? { port } : {}), ...(query.flags.protocol ? { protocol: query.flags.protocol } : {}) },
      pods: pods.map(slimPod),
      ...(endpoints ? { endpoints } : {}),
      similarServices: similar,
    }),
  );
  steps.push(skipStep('listening', LISTENING_SKIP));
  steps.push(svc ? await policyFor(cluster, svc, selected, from, query, scope) : skipStep('policy', `there is no Service ${target.name} in ${ns}`));
  if (from !== undefined) steps.push(skipStep('route', 'why does not place Kubernetes paths on nodes yet; `reach <from> <to>` explains the path'));
  steps.push(skipStep('probe', PROBE_SKIP));
  const diagnosis = diagnose(steps);
  const onPort = port !== undefined ? ` port ${port}${query.flags.protocol && query.flags.protocol !== 'tcp' ? `/${query.flags.protocol}` : ''}` : '';
  const answer = newAnswer('why', `why ${fromText ? `${fromText} → ` : ''}${target.text}${onPort}`, {
    subject: { kind: 'service', name: target.name, namespace: ns, source: `context ${cluster.context}` },
    summary: verdictSentence(diagnosis),
    diagnosis,
    facts: [
      { label: 'Service', value: `${ns}/${target.name}` },
      ...(fromText ? [{ label: 'From', value: fromText === 'here' ? "here (netpeek's host)" : fromText }] : []),
      { label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` },
    ],
  });
  if (svc) answer.hints.push(`\`svc ${svc.name} -n ${svc.namespace}\` shows its ports and every endpoint.`);
  return answer;
}

async function diagnoseContainers(query: Query, deps: Deps, to: string, from: EndpointRef | 'here' | undefined): Promise<Answer> {
  const found = await containerPath({ ...deps, to, from, ...(query.flags.port !== undefined ? { port: query.flags.port } : {}), noProbe: query.flags.noProbe === true });
  const diagnosis = diagnose(found.steps);
  return newAnswer('why', `why ${found.from ? `${found.from} → ` : ''}${found.to}${found.port !== undefined ? ` port ${found.port}` : ''}`, {
    subject: { kind: 'container', name: found.to, source: found.endpoint },
    summary: verdictSentence(diagnosis),
    diagnosis,
    facts: found.facts,
    probes: found.probes,
    hints: [`\`container ${found.to}\` shows its addresses, ports and every listening socket.`],
  });
}

const RERAN_LIVE_ONLY = 'Probe again reran only the live step (probe); the other steps are as the first answer found them — ask again to check everything.';
/** why never lists commands: a rerun that falls back to a full run needs no registry. */
const EMPTY_REGISTRY = { list: () => [], find: () => undefined, lookupFor: () => undefined, withRole: () => undefined };

export const why: NetpeekCommand = {
  name: 'why',
  summary: "Why can't A reach a Service? Walks name, Service, selector, targetPort, endpoints and policies in order and names the first broken step",
  args: [
    { name: '<from|target>', required: true },
    { name: '<to>', required: false },
  ],
  flags: ['namespace', 'cluster', 'port', 'protocol', 'noProbe'],
  examples: ['why svc/cart -n shop', 'why svc/shop/cart --port 80', 'why shop/web-1 cart.shop.svc.cluster.local --port 80', 'why web-1 db --port 5432'],
  description:
    'Checks, in order: resolve (a DNS name), service (exists, has the port), selector (matches pods; near misses when not), target-port (resolves on the selected pods), ' +
    'endpoints (ready, or why not), listening, policy (NetworkPolicies admit the traffic, naming the policy), route and probe. Each step is pass, fail, warn or skip (with the reason); ' +
    'the answer leads with a verdict naming the first failure and its fix. `--json` carries it as `diagnosis`. <from> is a pod (pod/<ns>/<name>, <ns>/<name>), an IP or `here`.',
  subject: { role: 'about', kind: 'service' },
  sendsPackets: 'unless --no-probe',
  probeKinds: ['icmp', 'tcp'],
  rerunsLiveSteps: true,
  async rerunLive(query, previous, deps) {
    const before = previous.diagnosis;
    if (!before || previous.subject?.kind !== 'container' || previous.probes.length === 0) return why.run(query, deps, { registry: EMPTY_REGISTRY });
    const again = await probeAgain({ ...deps, to: previous.subject.name, previous: previous.probes, previousStep: before.steps.find((s) => s.id === 'probe') });
    const diagnosis = diagnose([...before.steps.filter((s) => !LIVE_STEPS.includes(s.id)), again.step]);
    return {
      ...previous,
      summary: verdictSentence(diagnosis),
      diagnosis,
      probes: again.probes,
      hints: [RERAN_LIVE_ONLY, ...previous.hints.filter((h) => h !== RERAN_LIVE_ONLY)],
    };
  },
  async run(query, deps) {
    const [first, second] = query.args;
    if (!first) throw new UserError('why needs a target.', [ACCEPTED, EXAMPLES]);
    const targetText = second ?? first;
    const fromText = second !== undefined ? first : undefined;
    const from = fromText === undefined ? undefined : fromText === 'here' ? 'here' : parseEndpointRef(fromText);
    const target = parseServiceTarget(targetText);
    if (target) return diagnoseService(query, deps, target, from, fromText);
    const to = parseEndpointRef(targetText);
    if (to.kind === 'name' && !deps.docker) {
      throw new UserError(`"${targetText}" is not a Service reference, and this netpeek has no Docker engine with a container of that name.`, [ACCEPTED, EXAMPLES]);
    }
    if (to.kind === 'container' || to.kind === 'name') {
      if (from !== undefined && from !== 'here' && from.kind === 'pod') throw new UserError(`why from a pod to a Docker container is not diagnosed: a pod and a container live in different worlds.`, [ACCEPTED, EXAMPLES]);
      if (query.flags.protocol && query.flags.protocol !== 'tcp') throw new UserError(`why checks TCP between containers; "--port ${query.flags.port}/${query.flags.protocol}" is not TCP.`, ['Example: why web-1 db --port 5432']);
      return diagnoseContainers(query, deps, to.name, from);
    }
    throw new UserError(`"${targetText}" is not a Service or a container: why diagnoses the path to a Kubernetes Service or a Docker container (pods, nodes and IPs as targets are not diagnosed yet).`, [ACCEPTED, EXAMPLES]);
  },
};
