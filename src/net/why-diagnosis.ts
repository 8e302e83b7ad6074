import type { Diagnosis, DiagnosisStep, StepId } from '../core/diagnosis.js';
import { STEP_ORDER } from '../core/diagnosis.js';
import { closest } from '../core/similar-names.js';
import type { PodContainerPorts } from './kube-ports.js';
import { kubeProtocol, resolveTargetPort } from './kube-ports.js';

/**
 * The ordered checks of `why`: from slim records (no client types, no I/O) to a list of steps and the
 * first failure. Live facts (what listens, what a probe saw) are given by the caller as already-made
 * step results, so this module stays pure and the order of the chain lives in one place.
 */

export type { Diagnosis, DiagnosisStep, StepId, StepStatus } from '../core/diagnosis.js';
export { STEP_ORDER } from '../core/diagnosis.js';

export interface SlimServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
}

export interface SlimService {
  name: string;
  namespace: string;
  type?: string;
  /** Absent or empty: a Service without selector (endpoints managed by hand). */
  selector?: Readonly<Record<string, string>>;
  ports: readonly SlimServicePort[];
}

export interface SlimContainerStatus {
  name: string;
  ready: boolean;
  /** state.waiting.reason, e.g. CrashLoopBackOff, ImagePullBackOff. */
  waitingReason?: string;
  /** state.terminated.reason, e.g. Error, OOMKilled. */
  terminatedReason?: string;
}

export interface SlimPod {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  containers: readonly PodContainerPorts[];
  phase?: string;
  /** The Ready condition's status; undefined when the pod has none yet. */
  ready?: boolean;
  /** The Ready condition's reason/message when not ready (e.g. "ContainersNotReady"). */
  readyMessage?: string;
  /** PodScheduled=False with reason Unschedulable: its message. */
  unschedulable?: string;
  containerStatuses?: readonly SlimContainerStatus[];
  /** Set when the pod is being deleted. */
  terminating?: boolean;
}

/** One endpoint of the Service's EndpointSlices, by the pod it points at. */
export interface SlimEndpoint {
  pod?: string;
  ip: string;
  ready: boolean;
}

/** Labels differing from the selector by exactly one key (missing) or one value. */
export interface NearMiss {
  pod: string;
  namespace: string;
  /** What differs, e.g. `app=crat (selector wants app=cart)` or `no label tier (selector wants tier=web)`. */
  difference: string;
}

export interface SelectorNearMisses {
  /** Pods of the Service's namespace one key or value away. */
  oneOff: NearMiss[];
  /** Pods carrying all the selector's labels in another namespace. */
  elsewhere: NearMiss[];
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Pods that would be selected but for one label, and pods with the right labels in the wrong namespace. */
export function selectorNearMisses(selector: Readonly<Record<string, string>>, namespace: string, pods: readonly SlimPod[], limit = 3): SelectorNearMisses {
  const oneOff: NearMiss[] = [];
  const elsewhere: NearMiss[] = [];
  const wanted = Object.entries(selector);
  if (wanted.length === 0) return { oneOff, elsewhere };
  for (const pod of pods) {
    if (pod.namespace !== namespace) {
      if (elsewhere.length < limit && selects(selector, pod.labels)) elsewhere.push({ pod: pod.name, namespace: pod.namespace, difference: `has ${formatLabels(selector)} in namespace ${pod.namespace}` });
      continue;
    }
    if (oneOff.length >= limit) continue;
    const misses = wanted.filter(([k, v]) => pod.labels[k] !== v);
    if (misses.length !== 1) continue;
    // A selector of one label "misses by one" against every pod: only count a pod whose value looks like
    // a typo of the wanted one (app=crat against app=cart), not any other app.
    const [k, v] = misses[0]!;
    const has = pod.labels[k];
    if (wanted.length === 1 && (has === undefined || closest(v, [has]) === undefined)) continue;
    oneOff.push({
      pod: pod.name,
      namespace: pod.namespace,
      difference: has === undefined ? `no label ${k} (selector wants ${k}=${v})` : `${k}=${has} (selector wants ${k}=${v})`,
    });
  }
  return { oneOff, elsewhere };
}

export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Why a pod is not a ready endpoint, in the order that explains the most: terminating, unschedulable, waiting reasons, readiness. */
export function notReadyReason(pod: SlimPod): string | undefined {
  if (pod.terminating) return 'terminating';
  if (pod.unschedulable !== undefined) return `Pending and unschedulable: ${pod.unschedulable}`;
  const waiting = (pod.containerStatuses ?? []).filter((c) => c.waitingReason);
  if (waiting.length > 0) return waiting.map((c) => `container ${c.name} ${c.waitingReason}`).join(', ');
  const terminated = (pod.containerStatuses ?? []).filter((c) => c.terminatedReason && !c.ready);
  if (terminated.length > 0) return terminated.map((c) => `container ${c.name} terminated (${c.terminatedReason})`).join(', ');
  if (pod.phase === 'Pending') return 'Pending';
  if (pod.ready === false) {
    const notReady = (pod.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
    const which = notReady.length > 0 ? ` (container ${notReady.join(', ')} not ready)` : '';
    return `readiness probe failing${which}${pod.readyMessage ? `: ${pod.readyMessage}` : ''}`;
  }
  if (pod.ready === undefined) return 'no Ready condition yet';
  return undefined;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function declaredPorts(pods: readonly SlimPod[]): string {
  const seen = new Map<string, string>();
  for (const p of pods) for (const c of p.containers) for (const port of c.ports) {
    if (c.kind === 'init') continue;
    const text = port.name ? `\`${port.name}\` (${port.port})` : `${port.port}`;
    seen.set(text, text);
  }
  return seen.size === 0 ? 'no ports at all' : [...seen.values()].join(', ');
}

export interface ServiceCheckInput {
  /** The Service, or undefined when none has that name in that namespace. */
  service: SlimService | undefined;
  /** What was asked for: name and namespace, for the evidence when the Service is missing. */
  asked: { name: string; namespace: string; port?: number; protocol?: string };
  /** Every pod of the cache (the near-miss search spans namespaces). */
  pods: readonly SlimPod[];
  /** Endpoints of the Service's EndpointSlices; undefined when the cache holds none for it. */
  endpoints?: readonly SlimEndpoint[];
  /** Other Services of the namespace, for a "did you mean". */
  similarServices?: readonly string[];
}

/** service, selector, target-port and endpoints, in that order; later steps skip once one fails. */
export function serviceSteps(input: ServiceCheckInput): DiagnosisStep[] {
  const { service: svc, asked } = input;
  const steps: DiagnosisStep[] = [];
  const skipRest = (from: StepId, because: string): DiagnosisStep[] => {
    const ids: StepId[] = ['service', 'selector', 'target-port', 'endpoints'];
    return ids.slice(ids.indexOf(from)).map((id) => ({ id, status: 'skip' as const, evidence: `Not checked: ${because}.` }));
  };
  if (!svc) {
    const similar = input.similarServices?.length ? ` Did you mean ${input.similarServices.slice(0, 3).join(', ')}?` : '';
    steps.push({
      id: 'service',
      status: 'fail',
      evidence: `No Service ${asked.name} in namespace ${asked.namespace}.${similar}`,
      fix: `Create Service ${asked.name} in ${asked.namespace}, or ask for the namespace it lives in with -n.`,
    });
    return [...steps, ...skipRest('selector', `Service ${asked.name} does not exist`)];
  }
  const type = svc.type ?? 'ClusterIP';
  const portsText = svc.ports.map((p) => `${p.port}/${kubeProtocol(p.protocol)}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'no ports';
  const askedProto = kubeProtocol(asked.protocol);
  let ports = svc.ports;
  if (asked.port !== undefined) {
    const match = svc.ports.filter((p) => p.port === asked.port && kubeProtocol(p.protocol) === askedProto);
    if (match.length === 0) {
      steps.push({
        id: 'service',
        status: 'fail',
        evidence: `Service ${svc.name} (${type}) has no port ${asked.port}/${askedProto}: its ports are ${portsText}.`,
        fix: svc.ports.length > 0 ? `Use port ${svc.ports[0]!.port}, or add port ${asked.port} to Service ${svc.name}.` : `Add port ${asked.port} to Service ${svc.name}.`,
      });
      return [...steps, ...skipRest('selector', `Service ${svc.name} has no port ${asked.port}`)];
    }
    ports = match;
  }
  if (svc.ports.length === 0) {
    steps.push({ id: 'service', status: 'fail', evidence: `Service ${svc.name} (${type}) declares no ports.`, fix: `Add the port clients use to Service ${svc.name}.` });
    return [...steps, ...skipRest('selector', `Service ${svc.name} has no ports`)];
  }
  steps.push({ id: 'service', status: 'pass', evidence: `Service ${svc.name} in ${svc.namespace} exists (${type}), ports ${portsText}.` });

  const selector = svc.selector ?? {};
  if (Object.keys(selector).length === 0) {
    steps.push({ id: 'selector', status: 'skip', evidence: `Not checked: Service ${svc.name} has no selector (its endpoints are managed by hand).` });
    steps.push({ id: 'target-port', status: 'skip', evidence: `Not checked: Service ${svc.name} has no selector, so no pods to resolve targetPort on.` });
    steps.push(endpointsStep(svc, [], input.endpoints));
    return steps;
  }
  const selected = input.pods.filter((p) => p.namespace === svc.namespace && selects(selector, p.labels));
  if (selected.length === 0) {
    const near = selectorNearMisses(selector, svc.namespace, input.pods);
    const hints: string[] = [];
    if (near.oneOff.length) hints.push(`near misses: ${near.oneOff.map((m) => `pod ${m.pod} has ${m.difference}`).join('; ')}`);
    if (near.elsewhere.length) hints.push(`same labels in another namespace: ${near.elsewhere.map((m) => `pod ${m.namespace}/${m.pod}`).join(', ')}`);
    const first = near.oneOff[0];
    const firstPod = first ? input.pods.find((p) => p.name === first.pod && p.namespace === first.namespace) : undefined;
    const differing = firstPod ? Object.entries(selector).find(([k, v]) => firstPod.labels[k] !== v) : undefined;
    const fix = first && firstPod && differing
      ? firstPod.labels[differing[0]] !== undefined
        ? `Set the selector's ${differing[0]} to ${firstPod.labels[differing[0]]} (as pod ${first.pod} has it), or relabel the pods ${differing[0]}=${differing[1]}.`
        : `Drop ${differing[0]} from the selector, or label the pods ${differing[0]}=${differing[1]}.`
      : near.elsewhere[0]
        ? `Move Service ${svc.name} to namespace ${near.elsewhere[0].namespace}, or run the pods in ${svc.namespace}.`
        : `Label the pods ${formatLabels(selector)}, or fix the selector of Service ${svc.name}.`;
    steps.push({
      id: 'selector',
      status: 'fail',
      evidence: `Selector ${formatLabels(selector)} of Service ${svc.name} matches no pod in namespace ${svc.namespace}${hints.length ? ` — ${hints.join('; ')}` : ''}.`,
      fix,
    });
    return [...steps, ...skipRest('target-port', `the selector selects no pods`)];
  }
  steps.push({ id: 'selector', status: 'pass', evidence: `Selector ${formatLabels(selector)} matches ${plural(selected.length, 'pod')} in ${svc.namespace} (${selected.slice(0, 3).map((p) => p.name).join(', ')}${selected.length > 3 ? ', …' : ''}).` });

  steps.push(targetPortStep(svc, ports, selected));
  if (steps[steps.length - 1]!.status === 'fail') return [...steps, ...skipRest('endpoints', 'the targetPort does not resolve, so no pod can be an endpoint')];
  steps.push(endpointsStep(svc, selected, input.endpoints));
  return steps;
}

function targetPortStep(svc: SlimService, ports: readonly SlimServicePort[], selected: readonly SlimPod[]): DiagnosisStep {
  const resolved: string[] = [];
  const undeclared: string[] = [];
  for (const sp of ports) {
    const results = selected.map((pod) => ({ pod, r: resolveTargetPort(sp, pod.containers) }));
    const failing = results.filter((x) => !x.r.ok);
    const target = sp.targetPort ?? sp.port;
    if (failing.length === results.length) {
      const named = typeof target === 'string' && !/^\d+$/.test(target);
      const declared = declaredPorts(selected);
      const onlyNumbers = selected.flatMap((p) => p.containers.filter((c) => c.kind !== 'init').flatMap((c) => c.ports));
      const sole = onlyNumbers.length > 0 && new Set(onlyNumbers.map((p) => p.port)).size === 1 ? onlyNumbers[0] : undefined;
      return {
        id: 'target-port',
        status: 'fail',
        evidence: `Service ${svc.name} sends port ${sp.port} to targetPort \`${target}\`, but no container of the ${plural(selected.length, 'selected pod')} declares a port ${named ? 'named ' : ''}\`${target}\` — they declare ${declared}.`,
        fix: sole
          ? `Set targetPort to ${sole.port}${named ? ` or name the port ${String(target)}` : ''}.`
          : `Set targetPort to a port the containers declare${named ? `, or name a container port ${String(target)}` : ''}.`,
      };
    }
    if (failing.length > 0) {
      return {
        id: 'target-port',
        status: 'warn',
        evidence: `targetPort \`${target}\` of port ${sp.port} resolves on ${results.length - failing.length} of ${plural(results.length, 'selected pod')}; not on ${failing.slice(0, 3).map((x) => x.pod.name).join(', ')}.`,
        fix: `Give every pod selected by ${svc.name} a container port named ${String(target)}.`,
      };
    }
    const first = results[0]!.r;
    if (first.ok) {
      const where = first.container ? `container ${first.container}` : 'no container declares it';
      (first.container ? resolved : undeclared).push(`${sp.port} → ${first.via === 'name' ? `${first.portName} (${first.port})` : first.port} (${where})`);
    }
  }
  if (undeclared.length > 0) {
    return {
      id: 'target-port',
      status: 'warn',
      evidence: `targetPort resolves, but no container declares it: ${undeclared.join(', ')}${resolved.length ? `; ${resolved.join(', ')}` : ''}. A numeric targetPort works undeclared if the process listens there.`,
    };
  }
  return { id: 'target-port', status: 'pass', evidence: `targetPort resolves on every selected pod: ${resolved.join(', ')}.` };
}

function endpointsStep(svc: SlimService, selected: readonly SlimPod[], endpoints: readonly SlimEndpoint[] | undefined): DiagnosisStep {
  if (endpoints !== undefined) {
    const ready = endpoints.filter((e) => e.ready);
    if (ready.length > 0) return { id: 'endpoints', status: 'pass', evidence: `${plural(ready.length, 'ready endpoint')} of ${endpoints.length} in the EndpointSlices of ${svc.name} (${ready.slice(0, 3).map((e) => e.ip).join(', ')}${ready.length > 3 ? ', …' : ''}).` };
  }
  const reasons = selected.map((p) => ({ pod: p, why: notReadyReason(p) })).filter((x) => x.why !== undefined);
  if (selected.length > 0 && reasons.length === 0 && endpoints === undefined) {
    return { id: 'endpoints', status: 'pass', evidence: `All ${plural(selected.length, 'selected pod')} are Ready (no EndpointSlice in the cache to confirm).` };
  }
  if (selected.length > 0 && reasons.length < selected.length && endpoints !== undefined) {
    return {
      id: 'endpoints',
      status: 'fail',
      evidence: `Service ${svc.name} has no ready endpoint although ${selected.length - reasons.length} selected pod(s) are Ready: the EndpointSlices have not caught up.`,
      fix: 'Check that the EndpointSlice controller runs (kube-controller-manager) and that the pods have IPs.',
    };
  }
  if (selected.length === 0) {
    return { id: 'endpoints', status: 'fail', evidence: `Service ${svc.name} has no ready endpoints${endpoints?.length ? ` (${endpoints.length} not ready)` : ''}.`, fix: `Add ready endpoints to the EndpointSlice of ${svc.name}.` };
  }
  const listed = reasons.slice(0, 5).map((x) => `${x.pod.name}: ${x.why}`).join('; ');
  const first = reasons[0]!.why!;
  const fix = /CrashLoopBackOff|Error|OOMKilled/.test(first)
    ? `Look at \`kubectl logs --previous -n ${svc.namespace} ${reasons[0]!.pod.name}\` for why it exits.`
    : /ImagePull|ErrImage/.test(first)
      ? 'Fix the image name or the pull secret.'
      : /unschedulable/.test(first)
        ? 'Free or add node capacity, or relax the pod\'s resource requests / node selector / tolerations.'
        : /terminating/.test(first)
          ? 'Wait for the replacement pods, or check why the rollout stalls.'
          : /readiness/.test(first)
            ? 'Check the readiness probe: its path and port, and what the app answers there.'
            : undefined;
  return {
    id: 'endpoints',
    status: 'fail',
    evidence: `None of the ${plural(selected.length, 'selected pod')} of Service ${svc.name} is a ready endpoint — ${listed}${reasons.length > 5 ? `; and ${reasons.length - 5} more` : ''}.`,
    ...(fix ? { fix } : {}),
  };
}

/**
 * Orders the steps by STEP_ORDER (dropping ids that do not apply, i.e. that were not given) and names the
 * first failure. A later step given twice keeps its first result.
 */
export function diagnose(steps: readonly DiagnosisStep[]): Diagnosis {
  const byId = new Map<StepId, DiagnosisStep>();
  for (const s of steps) if (!byId.has(s.id)) byId.set(s.id, s);
  const ordered = STEP_ORDER.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const failed = ordered.find((s) => s.status === 'fail');
  return { firstFailure: failed ? failed.id : null, steps: ordered };
}

/**
 * "Probe again": the earlier diagnosis with the steps named in `rerun` taken from `fresh` (the same
 * question answered again), every other step as the earlier answer found it, and the first failure
 * named anew from the merged list. A rerun step the fresh answer does not have stays as it was.
 */
export function withRerunSteps(before: Diagnosis, fresh: Diagnosis, rerun: readonly StepId[]): Diagnosis {
  const again = new Map(fresh.steps.filter((s) => rerun.includes(s.id)).map((s) => [s.id, s]));
  return diagnose([...before.steps.filter((s) => !again.has(s.id)), ...again.values()]);
}

/** The sentence a `why` answer leads with. */
export function verdictSentence(d: Diagnosis): string {
  if (d.firstFailure !== null) {
    const step = d.steps.find((s) => s.id === d.firstFailure)!;
    return `Broken at ${step.id}: ${step.evidence}${step.fix ? ` ${step.fix}` : ''}`;
  }
  const warns = d.steps.filter((s) => s.status === 'warn').map((s) => s.id);
  const skips = d.steps.filter((s) => s.status === 'skip').map((s) => s.id);
  const passes = d.steps.filter((s) => s.status === 'pass').length;
  const tail = [warns.length ? `warnings at ${warns.join(', ')}` : '', skips.length ? `not checked: ${skips.join(', ')}` : ''].filter(Boolean).join('; ');
  return `No broken step found: ${passes} of ${d.steps.length} checks pass${tail ? ` (${tail})` : ''}.`;
}

/** A step for a check this build cannot make yet or here, with the reason. */
export function skipStep(id: StepId, reason: string): DiagnosisStep {
  return { id, status: 'skip', evidence: `Not checked: ${reason.replace(/\.$/, '')}.` };
}
