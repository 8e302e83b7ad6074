import { UserError } from '../core/errors.js';
import { parseAddress } from './address-policy.js';
import { checkKubernetesName } from './names.js';

/**
 * How a user names one end of a connection: `pod/<namespace>/<name>`, `<namespace>/<name>`,
 * `pod/<name>` (with -n, or in whichever namespace has it), `container/<name>`, an IP address
 * (`ip/<addr>` too), or a bare name (a container or a pod, as the other commands read it).
 */
export type EndpointRef =
  | { kind: 'pod'; name: string; namespace?: string }
  | { kind: 'ip'; ip: string }
  | { kind: 'container'; name: string }
  | { kind: 'name'; name: string };

const ACCEPTED = 'Accepted: pod/<namespace>/<name>, <namespace>/<name>, pod/<name> (with -n), an IP address, or a container name.';
const looksLikeAddress = (s: string) => /^[0-9a-fA-F:.[\]]+$/.test(s) && /[.:]/.test(s);

export function parseEndpointRef(text: string): EndpointRef {
  const parts = text.split('/');
  const [head, ...rest] = parts;
  const typed = head === 'pod' || head === 'po' || head === 'pods' ? 'pod' : head === 'ip' ? 'ip' : head === 'container' || head === 'ctr' ? 'container' : undefined;
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
