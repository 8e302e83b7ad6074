import type { PolicyProtocol } from '../core/policy-verdict.js';
import { isIpAddress, parseCidr, cidrContains } from './subnet.js';

/**
 * A networking.k8s.io/v1 NetworkPolicy as the policy engine reads it, and the reader that turns the
 * API's JSON into it. The reader knows every field of the v1 schema; anything else (a field a newer API
 * added, a value the schema does not allow) is kept as a sentence in `unreadable`, so that the engine says
 * "not evaluated" instead of silently ignoring a rule it does not understand.
 *
 * Reference: https://kubernetes.io/docs/concepts/services-networking/network-policies/ and
 * k8s.io/api/networking/v1/types.go.
 */

export type { PolicyProtocol };
export const POLICY_PROTOCOLS: readonly PolicyProtocol[] = ['TCP', 'UDP', 'SCTP'];

export type PolicyDirection = 'ingress' | 'egress';

/** A metav1.LabelSelector (matchLabels and matchExpressions). An empty one selects everything. */
export interface SelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** One entry of a rule's `from` / `to`. */
export interface PeerSpec {
  /** Pods in the policy's namespace, or (with namespaceSelector) in the selected namespaces. */
  podSelector?: SelectorSpec;
  /** Every pod of the selected namespaces (narrowed by podSelector when both are set). */
  namespaceSelector?: SelectorSpec;
  /** Addresses in `cidr` but not in any of `except`. */
  ipBlock?: { cidr: string; except: string[] };
}

/** One entry of a rule's `ports`. */
export interface PolicyPortSpec {
  /** Defaults to TCP, as the API server does. */
  protocol: PolicyProtocol;
  /** A number, a container port name, or absent for every port of the protocol. */
  port?: number | string;
  /** With a numeric `port`: the range port..endPort. */
  endPort?: number;
}

/** One ingress or egress rule. An empty `peers` list admits every peer; an empty `ports` list every port. */
export interface RuleSpec {
  peers: PeerSpec[];
  ports: PolicyPortSpec[];
}

export interface NetworkPolicySpec {
  namespace: string;
  name: string;
  /** Selects the pods this policy applies to, in its own namespace. */
  podSelector: SelectorSpec;
  /**
   * spec.policyTypes as written; empty when absent. The engine implies Ingress always, and Egress when
   * there are egress rules (what the API server's defaulting writes).
   */
  policyTypes: PolicyDirection[];
  ingress: RuleSpec[];
  egress: RuleSpec[];
  /** metadata.labels, when it has any (for `policy -l`). */
  labels?: Record<string, string>;
  /** What the reader could not read, e.g. `spec.ingress[0].from[0].serviceAccountSelector: a field netpeek does not know`. */
  unreadable: string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const KNOWN: Record<string, readonly string[]> = {
  // status existed from 1.24 to 1.27 (conditions only) and says nothing about traffic.
  object: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  spec: ['podSelector', 'policyTypes', 'ingress', 'egress'],
  ingress: ['from', 'ports'],
  egress: ['to', 'ports'],
  peer: ['podSelector', 'namespaceSelector', 'ipBlock'],
  ipBlock: ['cidr', 'except'],
  port: ['protocol', 'port', 'endPort'],
  selector: ['matchLabels', 'matchExpressions'],
  expression: ['key', 'operator', 'values'],
};

// IANA_SVC_NAME: what a container port name (and so a named policy port) may be.
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

class Reader {
  readonly problems: string[] = [];

  unknown(o: Json, level: keyof typeof KNOWN, path: string): void {
    for (const k of Object.keys(o)) {
      if (!KNOWN[level]!.includes(k)) this.problems.push(`${path}.${k}: a field netpeek does not know`);
    }
  }

  bad(path: string, what: string): void {
    this.problems.push(`${path}: ${what}`);
  }

  list(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.bad(path, 'not a list');
      return [];
    }
    return v;
  }

  selector(v: unknown, path: string): SelectorSpec {
    if (v === undefined || v === null) return {};
    if (!isObject(v)) {
      this.bad(path, 'not a label selector');
      return {};
    }
    this.unknown(v, 'selector', path);
    const out: SelectorSpec = {};
    if (v.matchLabels !== undefined && v.matchLabels !== null) {
      if (isObject(v.matchLabels) && Object.values(v.matchLabels).every((x) => typeof x === 'string')) out.matchLabels = { ...(v.matchLabels as Record<string, string>) };
      else this.bad(`${path}.matchLabels`, 'not a map of label keys to values');
    }
    const exprs = this.list(v.matchExpressions, `${path}.matchExpressions`);
    if (exprs.length) {
      out.matchExpressions = [];
      exprs.forEach((e, i) => {
        const at = `${path}.matchExpressions[${i}]`;
        if (!isObject(e)) return this.bad(at, 'not a requirement');
        this.unknown(e, 'expression', at);
        const op = e.operator;
        const values = this.list(e.values, `${at}.values`).filter((x): x is string => typeof x === 'string');
        if (typeof e.key !== 'string' || e.key === '') return this.bad(`${at}.key`, 'missing');
        if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') {
          return this.bad(`${at}.operator`, `"${String(op)}" is not In, NotIn, Exists or DoesNotExist`);
        }
        if ((op === 'In' || op === 'NotIn') && values.length === 0) return this.bad(`${at}.values`, `${op} needs at least one value`);
        if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) return this.bad(`${at}.values`, `${op} takes no values`);
        out.matchExpressions!.push({ key: e.key, operator: op, ...(values.length ? { values } : {}) });
      });
    }
    return out;
  }

  peer(v: unknown, path: string): PeerSpec | undefined {
    if (!isObject(v)) {
      this.bad(path, 'not a peer');
      return undefined;
    }
    this.unknown(v, 'peer', path);
    const peer: PeerSpec = {};
    if (v.podSelector !== undefined && v.podSelector !== null) peer.podSelector = this.selector(v.podSelector, `${path}.podSelector`);
    if (v.namespaceSelector !== undefined && v.namespaceSelector !== null) peer.namespaceSelector = this.selector(v.namespaceSelector, `${path}.namespaceSelector`);
    if (v.ipBlock !== undefined && v.ipBlock !== null) {
      const block = this.ipBlock(v.ipBlock, `${path}.ipBlock`);
      if (block) peer.ipBlock = block;
      if (peer.podSelector || peer.namespaceSelector) this.bad(path, 'ipBlock cannot be combined with podSelector or namespaceSelector');
    }
    const known = KNOWN.peer!.some((k) => v[k] !== undefined && v[k] !== null);
    if (!known && Object.keys(v).every((k) => KNOWN.peer!.includes(k))) this.bad(path, 'a peer needs podSelector, namespaceSelector or ipBlock');
    return peer;
  }

  ipBlock(v: unknown, path: string): PeerSpec['ipBlock'] {
    if (!isObject(v)) {
      this.bad(path, 'not an ipBlock');
      return undefined;
    }
    this.unknown(v, 'ipBlock', path);
    const cidr = typeof v.cidr === 'string' ? this.cidr(v.cidr, `${path}.cidr`) : undefined;
    if (typeof v.cidr !== 'string') this.bad(`${path}.cidr`, 'missing');
    const except: string[] = [];
    this.list(v.except, `${path}.except`).forEach((x, i) => {
      const at = `${path}.except[${i}]`;
      const e = typeof x === 'string' ? this.cidr(x, at) : undefined;
      if (typeof x !== 'string') this.bad(at, 'not a CIDR');
      if (e === undefined) return;
      if (cidr !== undefined && !strictlyInside(e, cidr)) this.bad(at, `${e} is not inside ${cidr}`);
      except.push(e);
    });
    return cidr === undefined ? undefined : { cidr, except };
  }

  cidr(text: string, path: string): string | undefined {
    const slash = text.indexOf('/');
    if (slash < 0 || !isIpAddress(text.slice(0, slash))) {
      this.bad(path, `"${text}" is not a CIDR`);
      return undefined;
    }
    try {
      return parseCidr(text).subnet;
    } catch {
      this.bad(path, `"${text}" is not a CIDR`);
      return undefined;
    }
  }

  port(v: unknown, path: string): PolicyPortSpec | undefined {
    if (!isObject(v)) {
      this.bad(path, 'not a port');
      return undefined;
    }
    this.unknown(v, 'port', path);
    const protocol = v.protocol ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') {
      this.bad(`${path}.protocol`, `"${String(protocol)}" is not TCP, UDP or SCTP`);
      return undefined;
    }
    const out: PolicyPortSpec = { protocol };
    const port = v.port;
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535) return this.bad(`${path}.port`, `${port} is not a port from 1 to 65535`), undefined;
      out.port = port;
    } else if (typeof port === 'string') {
      // The API's IntOrString: a string of digits is still a number to the API server's validation.
      if (/^\d+$/.test(port)) return this.bad(`${path}.port`, `"${port}" is a number written as a string`), undefined;
      if (!PORT_NAME.test(port)) return this.bad(`${path}.port`, `"${port}" is not a port name (up to 15 lowercase letters, digits and "-")`), undefined;
      out.port = port;
    } else if (port !== undefined && port !== null) {
      return this.bad(`${path}.port`, 'not a number or a port name'), undefined;
    }
    if (v.endPort !== undefined && v.endPort !== null) {
      const end = v.endPort;
      if (typeof out.port !== 'number') return this.bad(`${path}.endPort`, 'needs a numeric port'), undefined;
      if (typeof end !== 'number' || !Number.isInteger(end) || end < out.port || end > 65535) {
        return this.bad(`${path}.endPort`, `${String(end)} must be a port from ${out.port} to 65535`), undefined;
      }
      out.endPort = end;
    }
    return out;
  }

  rule(v: unknown, direction: PolicyDirection, path: string): RuleSpec | undefined {
    if (!isObject(v)) {
      this.bad(path, 'not a rule');
      return undefined;
    }
    this.unknown(v, direction, path);
    const peerKey = direction === 'ingress' ? 'from' : 'to';
    const peers = this.list(v[peerKey], `${path}.${peerKey}`)
      .map((p, i) => this.peer(p, `${path}.${peerKey}[${i}]`))
      .filter((p): p is PeerSpec => p !== undefined);
    const ports = this.list(v.ports, `${path}.ports`)
      .map((p, i) => this.port(p, `${path}.ports[${i}]`))
      .filter((p): p is PolicyPortSpec => p !== undefined);
    return { peers, ports };
  }
}

function strictlyInside(inner: string, outer: string): boolean {
  const i = parseCidr(inner);
  const o = parseCidr(outer);
  return i.family === o.family && i.prefixLength > o.prefixLength && cidrContains(o.subnet, i.network);
}

/**
 * Reads a NetworkPolicy from the API's JSON (a list item or a watch event: `from`/`to`, not client-node's
 * `_from`). Never throws: whatever it cannot read lands in `unreadable`.
 */
export function readNetworkPolicy(raw: unknown): NetworkPolicySpec {
  const r = new Reader();
  const o = isObject(raw) ? raw : {};
  const md = isObject(o.metadata) ? o.metadata : {};
  const spec = isObject(o.spec) ? o.spec : {};
  r.unknown(o, 'object', 'networkpolicy');
  if (!isObject(o.spec)) r.bad('spec', 'missing');
  else r.unknown(spec, 'spec', 'spec');
  const policyTypes: PolicyDirection[] = [];
  r.list(spec.policyTypes, 'spec.policyTypes').forEach((t, i) => {
    if (t === 'Ingress' || t === 'Egress') policyTypes.push(t === 'Ingress' ? 'ingress' : 'egress');
    else r.bad(`spec.policyTypes[${i}]`, `"${String(t)}" is not Ingress or Egress`);
  });
  const rules = (direction: PolicyDirection) =>
    r.list(spec[direction], `spec.${direction}`)
      .map((x, i) => r.rule(x, direction, `spec.${direction}[${i}]`))
      .filter((x): x is RuleSpec => x !== undefined);
  return {
    namespace: typeof md.namespace === 'string' ? md.namespace : 'default',
    name: typeof md.name === 'string' ? md.name : '',
    podSelector: r.selector(spec.podSelector, 'spec.podSelector'),
    policyTypes,
    ingress: rules('ingress'),
    egress: rules('egress'),
    unreadable: r.problems,
    ...(isObject(md.labels) && Object.keys(md.labels).length ? { labels: Object.fromEntries(Object.entries(md.labels).filter((e): e is [string, string] => typeof e[1] === 'string')) } : {}),
  };
}

/** The directions a policy isolates: policyTypes when given, else Ingress, plus Egress when it has egress rules. */
export function effectivePolicyTypes(p: Pick<NetworkPolicySpec, 'policyTypes' | 'egress'>): PolicyDirection[] {
  if (p.policyTypes.length) return [...new Set(p.policyTypes)];
  return p.egress.length ? ['ingress', 'egress'] : ['ingress'];
}

/** "shop/default-deny": how answers name a policy. */
export function policyRef(p: Pick<NetworkPolicySpec, 'namespace' | 'name'>): string {
  return `${p.namespace}/${p.name}`;
}
