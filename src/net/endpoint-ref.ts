import { UserError } from '../core/errors.js';
import { parseAddress } from './address-policy.js';
import { checkKubernetesName } from './names.js';

/**
 * How a user names one end of a connection or a probe target, in kubectl's forms and netpeek's:
 * `pod/<namespace>/<name>`, `<namespace>/<name>`, `pod/<name>` (with -n, or in whichever namespace has it),
 * `container/<name>`, an IP address (`ip/<addr>` too), or a bare name (a container or a pod, as the other
 * commands read it). The one parser for every command that takes such a target (ping, its --from, dns
 * --from, reach, why, policy), so `ping shop/web-1` and `reach shop/web-1 …` read the same.
 */
export type EndpointRef =
  | { kind: 'pod'; name: string; namespace?: string }
  | { kind: 'ip'; ip: string }
  | { kind: 'container'; name: string }
  | { kind: 'name'; name: string };

const ACCEPTED = 'Accepted: <namespace>/<name>, pod/<namespace>/<name>, pod/<name> (with -n), container/<name>, an IP address, or a bare container or pod name.';
const EXAMPLE = 'Example: ping shop/webserver-2 --port 80';
const looksLikeAddress = (s: string) => /^[0-9a-fA-F:.[\]]+$/.test(s) && /[.:]/.test(s);

const POD_WORDS = new Set(['pod', 'po', 'pods']);
const CONTAINER_WORDS = new Set(['container', 'ctr', 'containers']);
/** kubectl TYPE words of kinds that are not a probe target or connection end: said so, not read as a namespace. */
const OTHER_TYPES: Record<string, string> = {
  svc: 'a Service', service: 'a Service', services: 'a Service',
  node: 'a node', no: 'a node', nodes: 'a node',
  deploy: 'a Deployment', deployment: 'a Deployment', deployments: 'a Deployment',
  netpol: 'a NetworkPolicy', networkpolicy: 'a NetworkPolicy', networkpolicies: 'a NetworkPolicy',
};

export function parseEndpointRef(text: string): EndpointRef {
  // Docker's own spelling of a container name (`docker inspect` shows "/web-1").
  if (/^\/[^/]+$/.test(text)) return { kind: 'container', name: text.slice(1) };
  const parts = text.split('/');
  const [head, ...rest] = parts;
  const word = (head ?? '').toLowerCase();
  const typed = POD_WORDS.has(word) ? 'pod' : word === 'ip' ? 'ip' : CONTAINER_WORDS.has(word) ? 'container' : undefined;
  if (!typed && parts.length > 1 && OTHER_TYPES[word]) {
    throw new UserError(`"${text}" names ${OTHER_TYPES[word]}, which is not a target here.`, [ACCEPTED, EXAMPLE]);
  }
  if (typed === 'ip' || (!typed && parts.length === 1 && looksLikeAddress(text))) {
    const raw = typed ? rest.join('/') : text;
    const parsed = parseAddress(raw);
    if (!parsed.ok) throw new UserError(`"${raw}" is not an IP address: ${parsed.reason}.`, [ACCEPTED, 'Example: reach 10.244.1.5 shop/db-0 --no-probe']);
    return { kind: 'ip', ip: parsed.ip };
  }
  if (typed === 'container') {
    if (rest.length !== 1 || !rest[0]) throw new UserError(`"${text}" is not a container reference; write container/<name>.`, [ACCEPTED]);
    return { kind: 'container', name: rest[0] };
  }
  const names = typed ? rest : parts;
  if (names.length === 2) {
    const [namespace, name] = names as [string, string];
    return { kind: 'pod', namespace: checkKubernetesName(namespace, 'namespace'), name: checkKubernetesName(name, 'pod') };
  }
  if (names.length === 1 && names[0]) return typed ? { kind: 'pod', name: checkKubernetesName(names[0], 'pod') } : { kind: 'name', name: names[0] };
  throw new UserError(`"${text}" is not a pod, address or container reference.`, [ACCEPTED, 'Example: reach web/web-1 shop/db-0 --port 5432']);
}

/**
 * The namespace a pod target is looked up in: the one it names (`shop/web-1`), else -n. Both, and
 * different, is a mistake said so rather than one silently winning.
 */
export function podNamespace(ref: { name: string; namespace?: string }, flag: string | undefined): string | undefined {
  if (ref.namespace !== undefined && flag !== undefined && ref.namespace !== flag) {
    throw new UserError(`"${ref.namespace}/${ref.name}" says namespace ${ref.namespace}, and -n says ${flag}; give one.`, [`Example: ping ${ref.namespace}/${ref.name}`]);
  }
  return ref.namespace ?? flag;
}
