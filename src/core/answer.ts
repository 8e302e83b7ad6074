/**
 * An Answer is the plain, JSON-safe result of a command. Renderers (Block Kit, text, JSON) are pure
 * functions of it, and tests assert on it. No Docker, Kubernetes or Slack types appear here.
 */

import type { ProbeKind, SubjectKind } from './kinds.js';
import type { Diagnosis, StepId } from './diagnosis.js';
import type { AnswerGraph, PolicyVerdict } from './policy-verdict.js';

export interface Subject {
  /** What the answer is about. */
  kind: SubjectKind;
  /** The name the user would recognise (container name, pod name, network name, topic). */
  name: string;
  /** Full ID (Docker container/network ID, pod UID) when there is one. */
  id?: string;
  namespace?: string;
  /** Kubernetes context or Docker host the facts came from. */
  source?: string;
}

/** One address of the subject on one network, with the subnet facts derived from it. */
export interface AddressFact {
  /** Network (Docker network name, "pod network", node interface…). */
  network: string;
  /** Network driver (bridge, overlay, host, macvlan…) when known. */
  driver?: string;
  family: 'ipv4' | 'ipv6';
  ip: string;
  prefixLength: number;
  /** Subnet in CIDR form, e.g. 172.17.0.0/16. */
  subnet: string;
  gateway?: string;
  /** IPv4 only. */
  broadcast?: string;
  mac?: string;
}

export type PortSource =
  | 'expose' // image EXPOSE or --expose: documentation only
  | 'publish' // -p host binding
  | 'declared' // Kubernetes containerPort
  | 'hostPort' // Kubernetes hostPort
  | 'host-network' // bound directly on the host's addresses
  | 'service'; // Kubernetes Service port

export interface PortFact {
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  source: PortSource;
  /** Container that declares/binds it (pods and shared namespaces). */
  container?: string;
  /** Port name (Kubernetes named ports). */
  name?: string;
  /** For published ports and hostPorts: the host side. */
  hostIp?: string;
  hostPort?: number;
  /** For Service ports: where traffic goes. */
  targetPort?: number | string;
  /** One sentence on what this port means for reachability. */
  note: string;
}

/**
 * One port as the workload's network namespace actually has it (read from /proc), against what is
 * declared: the difference between "EXPOSE 80" and "the server waits on 127.0.0.1:8080".
 */
export interface ListeningFact {
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Local addresses the port is bound on; empty when declared and nothing listens. */
  addresses: string[];
  /** reachable | undeclared | loopback-only-declared | loopback-only | one-address | nothing-listening */
  verdict: string;
  /** Kinds of declaration naming the port: published, exposed, declared. */
  declaredAs: string[];
  /** Container holding the socket (or declaring it, when nothing listens). */
  container?: string;
  process?: { pid: number; command: string };
  /** Something declared cannot be reached. */
  warning: boolean;
  note: string;
}

/** Who shares the subject's network namespace, and what that implies. */
export interface Sharing {
  mode: 'own' | 'host' | 'container' | 'none' | 'pod';
  /** Containers (or the host) sharing the namespace, other than the subject. */
  with: string[];
  note: string;
}

export interface ProbeFact {
  kind: ProbeKind;
  target: string;
  port?: number;
  ok: boolean;
  /** Round-trip / connect time in milliseconds. */
  ms?: number;
  /** refused, timeout, unreachable, denied… */
  error?: string;
  /** Where the probe ran from (agent on node X, this host…). */
  from: string;
  detail?: string;
}

/** A small table for anything that is a list (networks, containers, endpoints…). */
export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface Fact {
  label: string;
  value: string;
}

/** The facts came from a cache that is no longer being updated (its watch is down). */
export interface StaleNotice {
  /** Where the cached facts come from, e.g. "cluster kind-dev". */
  source: string;
  /** Seconds since the cache was last known to be current. */
  secondsSinceUpdate: number;
  /** Why it is not being updated. */
  reason: string;
}

export interface Answer {
  /** Name of the command that produced it. */
  command: string;
  /** One-line headline, e.g. "container webserver-1". */
  title: string;
  subject?: Subject;
  /** The one-sentence verdict shown first. */
  summary?: string;
  facts: Fact[];
  addresses: AddressFact[];
  ports: PortFact[];
  sharing?: Sharing;
  /** What listens in the subject's network namespace (container, pod), when it could be read. */
  listening?: ListeningFact[];
  probes: ProbeFact[];
  tables: Table[];
  /** Why it is so: short sentences from src/net/explain. */
  explanations: string[];
  /** What to do or try next. */
  hints: string[];
  /** Something looks wrong (port conflict, pod not ready, degraded agent…). */
  warnings: string[];
  /** Set when the answer may be out of date; its sentence is also the first warning. */
  stale?: StaleNotice;
  /** What NetworkPolicies decide about a connection (reach). */
  policy?: PolicyVerdict;
  /** A picture of connections (policy map): DOT in the terminal and JSON, a PNG in Slack. */
  graph?: AnswerGraph;
  /** Reachability-relevant changes the watches saw (changes), newest first. */
  changes?: ChangeEntry[];
  /** pod, svc and why: the changes of the last hour touching the objects the answer looked at, newest first. */
  changedRecently?: ChangeEntry[];
  /** The ordered checks of a `why` answer and the first that failed (issue 15's exact shape). */
  diagnosis?: Diagnosis;
  /**
   * The `diagnosis` steps whose result was read or sent live (a DNS query from the client's vantage, a
   * socket read through an agent or /proc, a probe), in step order: what "Probe again" reruns.
   */
  liveSteps?: StepId[];
  /** The objects a listing answer lists (`pod -l app=web`), in order: what `-o name` prints as TYPE/NAME. */
  items?: ItemRef[];
}

/** One listed object. */
export interface ItemRef {
  kind: SubjectKind;
  name: string;
  namespace?: string;
}

/** One change from a cluster's change history, as `--json` readers get it. */
export interface ChangeEntry {
  /** ISO time netpeek saw it. */
  at: string;
  kind: 'Pod' | 'Service' | 'EndpointSlice' | 'NetworkPolicy' | 'Node';
  namespace?: string;
  name: string;
  action: 'created' | 'deleted' | 'changed';
  /** One line: "IP 10.244.1.10 → 10.244.1.12; ready → not ready". */
  diff: string;
  /** The field manager of the write (metadata.managedFields), when present. */
  manager?: string;
  /** Found by a relist after a 410: the watch event itself was lost. */
  viaRelist?: true;
}

/** An empty answer to fill in; keeps every list present so renderers and JSON readers need no checks. */
export function newAnswer(command: string, title: string, init: Partial<Answer> = {}): Answer {
  return {
    command,
    title,
    facts: [],
    addresses: [],
    ports: [],
    probes: [],
    tables: [],
    explanations: [],
    hints: [],
    warnings: [],
    ...init,
  };
}

/** Lists a step of a command adds to an answer (probe results and what they mean). */
export type AnswerParts = Partial<Pick<Answer, 'facts' | 'probes' | 'explanations' | 'hints' | 'warnings'>>;

/** The answer with `parts` appended to its lists, in order; the answer passed in is left as it was. */
export function withParts(answer: Answer, parts: AnswerParts): Answer {
  return {
    ...answer,
    facts: [...answer.facts, ...(parts.facts ?? [])],
    probes: [...answer.probes, ...(parts.probes ?? [])],
    explanations: [...answer.explanations, ...(parts.explanations ?? [])],
    hints: [...answer.hints, ...(parts.hints ?? [])],
    warnings: [...answer.warnings, ...(parts.warnings ?? [])],
  };
}
