import type { ChangeSubject } from './kube-recent-changes.js';
import type { Fact, ProbeFact } from '../core/answer.js';
import type { DiagnosisStep, StepId } from '../core/diagnosis.js';
import { UserError, isNetpeekError } from '../core/errors.js';
import type { Query } from '../core/query.js';
import { rankSimilar } from '../core/similar-names.js';
import { resolveTargetPort } from '../net/kube-ports.js';
import { checkKubernetesName } from '../net/names.js';
import type { PolicyProtocol } from '../net/policy-spec.js';
import type { SlimEndpoint, SlimPod } from '../net/why-diagnosis.js';
import { serviceSteps, skipStep } from '../net/why-diagnosis.js';
import { policyStep } from '../net/why-policy-step.js';
import { probeStep } from '../net/why-probe-step.js';
import { kubeRouteStep } from '../net/why-route-step.js';
import { probeSubject } from '../probe/probe-subject.js';
import type { ProbeService, Vantage } from '../probe/vantage.js';
import type { KubeCluster } from './kube-cluster.js';
import { clusterFor, findPod, requireNamespace, type NamespaceScope } from './kube-lookup.js';
import type { KubePod, KubeService } from './kube-model.js';
import { selects } from './kube-model.js';
import { policyPod, type PlacedEndpoint } from './kube-policy-endpoints.js';
import { podProbeSubject } from './kube-probe-targets.js';
import { podListeningStep } from './why-kube-listening.js';
import { liveResolveStep, type ResolveVantage } from './why-kube-resolve.js';
import type { KubeSource } from './kubernetes.js';
import { isNodeRef, placeClient, podDestination, routeService, type PlacedClient, type WhyFrom } from './why-kube-ends.js';

/**
 * The facts `why [<from>] svc/<name>` needs from one cluster's watch caches — the Service, the pods its
 * selector matches (or, when none, the near misses), its EndpointSlices, the NetworkPolicies — and,
 * unless told not to, a live probe of one ready endpoint pod from a node's agent (never from here: the
 * pod IPs are the cluster's). The step sentences are src/net/why-diagnosis.ts's; this module gathers.
 */

/** How `why` reads a Service target: svc/<name>, svc/<ns>/<name>, or the DNS name <name>.<ns>.svc[.<cluster domain>]. */
export interface ServiceTarget {
  name: string;
  namespace?: string;
  /** `dns`: a name a client resolves, so the resolve step applies. */
  via: 'ref' | 'dns';
  /** The cluster domain written after .svc, when one was. */
  domain?: string;
  text: string;
}

export interface ServicePathQuestion {
  kube?: KubeSource;
  probes?: ProbeService;
  namespaces?: readonly string[];
  query: Query;
  target: ServiceTarget;
  from: WhyFrom | undefined;
  fromText?: string;
  /** A resolve step made by the caller: the bare address asked was this object's. */
  resolved?: DiagnosisStep;
}

/** `why [<from>] pod/<ns>/<name>`: the same client, a pod as the destination. */
export type PodPathQuestion = Omit<ServicePathQuestion, 'target'> & { target: { name: string; namespace?: string; text: string } };

export interface ServicePathFindings {
  namespace: string;
  context: string;
  steps: DiagnosisStep[];
  facts: Fact[];
  probes: ProbeFact[];
  /** The Service exists: the hint to look at it. */
  found: boolean;
  /** The objects on the path (the Service, its pods, the pod asked from), for "changed recently". */
  onPath: ChangeSubject[];
  /** The steps read or sent live (a lookup from inside the client pod, the agent's socket read, the probe). */
  live: StepId[];
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

/**
 * listening on the pod traffic goes to, on the targetPort the asked Service port resolves to there; a
 * skip with the reason when an earlier step leaves no pod or no port to look at.
 */
async function listeningFor(
  q: Omit<ServicePathQuestion, 'target'>,
  cluster: KubeCluster,
  svc: KubeService | undefined,
  asked: string,
  ns: string,
  pod: KubePod | undefined,
  podPort: { protocol: PolicyProtocol; port: number } | undefined,
  earlier: readonly DiagnosisStep[],
  probed: readonly ProbeFact[],
): Promise<{ step: DiagnosisStep; live: boolean }> {
  const cached = (why: string) => ({ step: skipStep('listening', why), live: false });
  if (!svc) return cached(`there is no Service ${asked} in ${ns}`);
  if (!pod) return cached(`Service ${svc.name} selects no pod to look inside`);
  if (earlier.some((s) => (s.id === 'service' || s.id === 'target-port') && s.status === 'fail')) return cached(`the asked port of Service ${svc.name} does not resolve to a port of pod ${pod.name}`);
  if (q.query.flags.port !== undefined && !podPort) return cached(`port ${q.query.flags.port} of Service ${svc.name} does not resolve to a port of pod ${pod.name}`);
  const step = await podListeningStep({
    ...(q.probes ? { probes: q.probes } : {}),
    pod,
    context: cluster.context,
    ...(podPort ? { port: podPort.port, protocol: podPort.protocol.toLowerCase() } : {}),
    probed,
  });
  return { step, live: true };
}

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

/** Where a client resolves a name from: a pod (found in the cache), a node, or `here`; an address or a container is not asked. */
async function resolveVantage(cluster: KubeCluster, from: WhyFrom | undefined, namespace: string | undefined, scope: NamespaceScope): Promise<ResolveVantage | undefined> {
  if (from === undefined) return undefined;
  if (from === 'here') return { kind: 'here' };
  if (isNodeRef(from)) return { kind: 'node', node: from.name };
  if (from.kind === 'pod') return { kind: 'pod', pod: (await findPod(cluster, from.name, from.namespace ?? namespace, scope)).pod };
  return undefined;
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

async function policyFor(
  cluster: KubeCluster,
  svc: { name: string },
  pod: KubePod | undefined,
  from: WhyFrom | undefined,
  placed: PlacedEndpoint | undefined,
  port: { protocol: PolicyProtocol; port: number } | undefined,
): Promise<DiagnosisStep> {
  if (!pod) return skipStep('policy', `Service ${svc.name} selects no pod to evaluate policies on`);
  const [engine, otherPolicyKinds] = await Promise.all([cluster.policyEngine(), cluster.otherPolicyKinds()]);
  const to = `pod ${pod.namespace}/${pod.name}`;
  if (from !== undefined && from !== 'here' && from.kind === 'container') return skipStep('policy', `container/${from.name} is a Docker container, outside the cluster's NetworkPolicies`);
  if (!placed) {
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
  const evaluation = engine.evaluate(placed.endpoint, { kind: 'pod', pod: policyPod(pod) }, port, { otherPolicyKinds });
  return policyStep({ kind: 'verdict', from: placed.name, to, verdict: evaluation.verdict });
}

/**
 * probe: one ready endpoint pod, on its resolved targetPort, from the client pod's node (else the pod's
 * own node) through that node's agent. The pod IP, not the ClusterIP: kube-proxy's virtual IP answers
 * only on nodes, and the agent's allow-list decides what may be sent.
 */
async function probeFor(q: Omit<ServicePathQuestion, 'target'>, cluster: KubeCluster, pod: KubePod | undefined, client: PlacedClient | undefined, port: { protocol: PolicyProtocol; port: number } | undefined): Promise<{ step: DiagnosisStep; probes: ProbeFact[] }> {
  const skip = (why: string) => ({ step: skipStep('probe', why), probes: [] });
  if (q.query.flags.noProbe) return skip('--no-probe: nothing was sent');
  if (!pod) return skip('no selected pod to probe');
  if (q.query.flags.protocol && q.query.flags.protocol !== 'tcp') return skip(`netpeek probes TCP and ICMP; ${q.query.flags.protocol.toUpperCase()} was evaluated against the policies only`);
  if (!q.probes) return skip('probing is not configured in this netpeek');
  let subject;
  try {
    subject = podProbeSubject(pod, pod.nodeName ? await cluster.node(pod.nodeName) : undefined, cluster.context);
  } catch (err) {
    if (err instanceof UserError) return skip(err.message.replace(/\.$/, ''));
    throw err;
  }
  const clientNode = client?.node;
  const vantage: Vantage = clientNode ? { kind: 'node', node: clientNode, context: cluster.context } : subject.vantage;
  const placed = client?.placed;
  const note =
    placed?.endpoint.kind === 'pod' || client?.route.kind === 'pod'
      ? `not from inside ${placed?.name ?? q.fromText}: from its node's agent`
      : client?.route.kind === 'node'
        ? undefined
        : q.from !== undefined
        ? `not from ${q.fromText ?? 'the client'}: netpeek probes pods from a node's agent`
        : undefined;
  const run = await probeSubject(subject, q, { ...(port ? { port: port.port } : {}), from: vantage, icmp: 'when-tcp-silent' });
  return {
    step: probeStep({ facts: run.facts, from: run.from, degraded: run.degraded, target: `pod ${subject.name}`, ...(port ? { port: port.port } : {}), ...(note ? { vantageNote: note } : {}) }),
    probes: run.facts,
  };
}

/** probeFor, a netpeek error (no agent, a refusal) becoming the skip that says it. */
function probeOrSkip(...args: Parameters<typeof probeFor>): Promise<{ step: DiagnosisStep; probes: ProbeFact[] }> {
  return probeFor(...args).catch((err: unknown) => {
    if (!isNetpeekError(err)) throw err;
    return { step: skipStep('probe', err.message.replace(/\.$/, '')), probes: [] as ProbeFact[] };
  });
}

/** Starts `p` now and hands its outcome over later: a rejection while other steps are awaited is not left unhandled. */
function early<T>(p: Promise<T>): () => Promise<T> {
  const settled = p.then((value) => ({ value }), (error: unknown) => ({ error }));
  return async () => {
    const s = await settled;
    if ('error' in s) throw s.error;
    return s.value;
  };
}

export async function servicePath(q: ServicePathQuestion): Promise<ServicePathFindings> {
  const { query, target, from } = q;
  const cluster = clusterFor(q, query.flags.cluster);
  const scope: NamespaceScope = q.namespaces ? { namespaces: q.namespaces } : {};
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
  const live: StepId[] = [];
  if (q.resolved) steps.push(q.resolved);
  else if (target.via === 'dns') {
    const fromApi = resolveStep(target, ns, namespaceExists, svc, similar);
    // With a client, the name is also asked the way that client asks it: a pod from inside its namespace
    // (its node's agent), a node in its own namespace (its agent), `here` with netpeek's host resolver.
    const vantage = await resolveVantage(cluster, from, query.flags.namespace, scope);
    if (vantage) live.push('resolve');
    steps.push(vantage ? await liveResolveStep({ ...(q.probes ? { probes: q.probes } : {}), cluster, from: vantage, name: target.text, noProbe: query.flags.noProbe === true, ...(q.namespaces ? { namespaces: q.namespaces } : {}) }, fromApi) : fromApi);
  }
  steps.push(
    ...serviceSteps({
      service: svc ? { name: svc.name, namespace: svc.namespace, type: svc.type, ...(svc.selector ? { selector: svc.selector } : {}), ports: svc.ports } : undefined,
      asked: { name: target.name, namespace: ns, ...(port !== undefined ? { port } : {}), ...(query.flags.protocol ? { protocol: query.flags.protocol } : {}) },
      pods: pods.map(slimPod),
      ...(endpoints ? { endpoints } : {}),
      similarServices: similar,
    }),
  );
  // A ready pod is the one traffic would go to; any selected pod otherwise.
  const pod = selected.find((p) => p.ready) ?? selected[0];
  const podPort = svc && pod ? policyPort(svc, pod, query) : undefined;
  const client = from !== undefined ? await placeClient(cluster, from, query.flags.namespace, scope, q.fromText ?? '') : undefined;
  const placed = client?.placed;
  // The live steps start while the policies and the route are evaluated from the caches. The probe goes
  // first: a connection it gets accepted answers the listening step, and the agent's socket read (a walk
  // of the node's whole TCP hash, as long as the probe's round trip and competing with it for the node's
  // CPU) runs only to explain one that was not. An endpoint that is not ready is already the answer;
  // probing it would only repeat that.
  const endpointsOk = steps.find((s) => s.id === 'endpoints')?.status === 'pass';
  const probingNow = endpointsOk ? probeOrSkip(q, cluster, pod, client, podPort) : Promise.resolve({ step: skipStep('probe', 'an earlier step found no ready endpoint to probe'), probes: [] as ProbeFact[] });
  const probing = early(probingNow);
  const listening = early(probingNow.then((p) => listeningFor(q, cluster, svc, target.name, ns, pod, podPort, steps, p.probes)));
  if (endpointsOk) live.push('probe');
  steps.push(svc ? await policyFor(cluster, svc, pod, from, placed, podPort) : skipStep('policy', `there is no Service ${target.name} in ${ns}`));
  if (client) {
    steps.push(
      svc && pod
        ? kubeRouteStep({ from: client.route, to: await podDestination(cluster, pod), service: await routeService(cluster, svc, query.flags.port, query.flags.protocol) })
        : skipStep('route', svc ? `Service ${svc.name} selects no pod to route to` : `there is no Service ${target.name} in ${ns}`),
    );
  }
  const listened = await listening();
  steps.push(listened.step);
  if (listened.live) live.push('listening');
  const probed = await probing();
  steps.push(probed.step);
  const facts: Fact[] = [
    { label: 'Service', value: `${ns}/${target.name}` },
    ...(q.fromText ? [{ label: 'From', value: q.fromText === 'here' ? "here (netpeek's host)" : q.fromText }] : []),
    { label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` },
  ];
  const asPod = (p: { namespace: string; name: string; nodeName?: string }): ChangeSubject => ({ kind: 'Pod', namespace: p.namespace, name: p.name, ...(p.nodeName ? { nodeName: p.nodeName } : {}) });
  const fromPod = from !== undefined && from !== 'here' && from.kind === 'pod' ? [asPod({ namespace: from.namespace ?? ns, name: from.name })] : [];
  const onPath: ChangeSubject[] = [{ kind: 'Service', namespace: ns, name: target.name }, ...fromPod, ...selected.slice(0, 100).map(asPod)];
  return { namespace: ns, context: cluster.context, steps, facts, probes: probed.probes, found: svc !== undefined, onPath, live };
}

/**
 * A pod as the destination: no Service in between, so the chain is what listens (read by its node's
 * agent), the policies of that connection on --port, and a probe of the pod IP from
 * the client's node (or the pod's own).
 */
export async function podPath(q: PodPathQuestion): Promise<ServicePathFindings & { pod: string }> {
  const { query, from } = q;
  const cluster = clusterFor(q, query.flags.cluster);
  const scope: NamespaceScope = q.namespaces ? { namespaces: q.namespaces } : {};
  const { pod } = await findPod(cluster, q.target.name, q.target.namespace ?? query.flags.namespace, scope);
  const port = query.flags.port !== undefined ? { protocol: (query.flags.protocol ?? 'tcp').toUpperCase() as PolicyProtocol, port: query.flags.port } : undefined;
  const client = from !== undefined ? await placeClient(cluster, from, query.flags.namespace, scope, q.fromText ?? '') : undefined;
  // The probe first, the socket read only when its connection was not accepted, as for a Service.
  const probingNow = probeOrSkip(q, cluster, pod, client, port);
  const probing = early(probingNow);
  const listening = early(probingNow.then((p) => podListeningStep({ ...(q.probes ? { probes: q.probes } : {}), pod, context: cluster.context, ...(port ? { port: port.port, protocol: port.protocol.toLowerCase() } : {}), probed: p.probes })));
  const steps: DiagnosisStep[] = [...(q.resolved ? [q.resolved] : []), await policyFor(cluster, { name: pod.name }, pod, from, client?.placed, port)];
  if (client) steps.push(kubeRouteStep({ from: client.route, to: await podDestination(cluster, pod) }));
  steps.push(await listening());
  const probed = await probing();
  steps.push(probed.step);
  const facts: Fact[] = [
    { label: 'Pod', value: `${pod.namespace}/${pod.name}${pod.podIPs[0] ? ` (${pod.podIPs.join(', ')}${pod.nodeName ? ` on ${pod.nodeName}` : ''})` : ''}` },
    ...(pod.ready ? [] : [{ label: 'Ready', value: `no (${pod.phase})` }]),
    ...(q.fromText ? [{ label: 'From', value: q.fromText === 'here' ? "here (netpeek's host)" : q.fromText }] : []),
    { label: 'Kubernetes context', value: `${cluster.context} (${cluster.server})` },
  ];
  const onPath: ChangeSubject[] = [{ kind: 'Pod', namespace: pod.namespace, name: pod.name, ...(pod.nodeName ? { nodeName: pod.nodeName } : {}) }, ...(from !== undefined && from !== 'here' && from.kind === 'pod' ? [{ kind: 'Pod' as const, namespace: from.namespace ?? pod.namespace, name: from.name }] : [])];
  return { namespace: pod.namespace, context: cluster.context, steps, facts, probes: probed.probes, found: true, pod: pod.name, onPath, live: ['listening', 'probe'] };
}
