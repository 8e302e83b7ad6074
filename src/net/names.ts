import { UserError } from '../core/errors.js';

/**
 * Name checks done before a name reaches any API: a name that cannot exist is answered at once with the
 * rule and an example, instead of an engine's 404 or, worse, a path segment it interprets.
 */

export type DockerObjectKind = 'container' | 'network';

/** Kubernetes objects netpeek looks up; each has its own naming rule. */
export type KubernetesObjectKind = 'pod' | 'node' | 'namespace' | 'service';

// Docker's own rule for container names (daemon/names.go); netpeek applies it to networks too.
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const HEX_ID = /^[0-9a-f]{1,64}$/;
/** Longer than any real name; stops a pasted log line from being sent as a name. */
export const MAX_DOCKER_NAME_LENGTH = 255;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const DOCKER_EXAMPLES: Record<DockerObjectKind, string[]> = {
  container: ['Example: container webserver-1', 'Example: container 3f2a9c (an ID prefix)'],
  network: ['Example: network bridge', 'Example: network my_app-net'],
};

/** Lower-case hex of at most 64 digits: the form of Docker IDs and their prefixes. */
export function isIdPrefix(text: string): boolean {
  return HEX_ID.test(text);
}

/**
 * Checks a Docker container or network reference (a name or an ID prefix) and returns it ready for the
 * API. Docker prints names with a leading "/" (`docker inspect`), so one is accepted and dropped.
 */
export function checkDockerName(input: string, kind: DockerObjectKind): string {
  const name = input.startsWith('/') ? input.slice(1) : input;
  const rule = `A Docker ${kind} name starts with a letter or digit, followed by letters, digits, "_", "." or "-"; an ID prefix is hex digits.`;
  if (name.length === 0) throw new UserError(`Give the ${kind}'s name or ID prefix.`, [rule, ...DOCKER_EXAMPLES[kind]]);
  if (name.length > MAX_DOCKER_NAME_LENGTH) {
    throw new UserError(`That ${kind} name is ${name.length} characters long; netpeek accepts at most ${MAX_DOCKER_NAME_LENGTH}.`, [rule, ...DOCKER_EXAMPLES[kind]]);
  }
  if (!DOCKER_NAME.test(name)) {
    const bad = [...name].find((ch, i) => !(i === 0 ? /[a-zA-Z0-9]/ : /[a-zA-Z0-9_.-]/).test(ch));
    const why = bad === undefined ? '' : /[a-zA-Z0-9_.-]/.test(bad) ? ` (it starts with "${bad}")` : ` (it contains "${bad}")`;
    throw new UserError(`"${name}" cannot be a Docker ${kind} name${why}.`, [rule, ...DOCKER_EXAMPLES[kind]]);
  }
  return name;
}

interface KubernetesRule {
  pattern: RegExp;
  maxLength: number;
  /** The rule in words, for the error message. */
  words: string;
  example: string;
}

const KUBERNETES_RULES: Record<KubernetesObjectKind, KubernetesRule> = {
  pod: {
    pattern: DNS1123_SUBDOMAIN,
    maxLength: 253,
    words: 'a DNS subdomain (RFC 1123): lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters',
    example: 'Example: pod webserver-2',
  },
  node: {
    pattern: DNS1123_SUBDOMAIN,
    maxLength: 253,
    words: 'a DNS subdomain (RFC 1123): lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters',
    example: 'Example: node worker-1.example.internal',
  },
  namespace: {
    pattern: DNS1123_LABEL,
    maxLength: 63,
    words: 'a DNS label (RFC 1123): lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
    example: 'Example: pod webserver-2 -n kube-system',
  },
  service: {
    pattern: DNS1035_LABEL,
    maxLength: 63,
    words: 'a DNS label (RFC 1035): lower-case letters, digits and "-", starting with a letter and ending with a letter or digit, at most 63 characters',
    example: 'Example: svc web-frontend',
  },
};

/** True when the text is a valid RFC 1123 label (Kubernetes namespaces, label values' shape). */
export function isDnsLabel(text: string): boolean {
  return text.length <= 63 && DNS1123_LABEL.test(text);
}

/** True when the text is a valid RFC 1123 subdomain (most Kubernetes object names). */
export function isDnsSubdomain(text: string): boolean {
  return text.length <= 253 && DNS1123_SUBDOMAIN.test(text);
}

/** Checks a Kubernetes object name against its kind's rule; returns it unchanged or throws a UserError. */
export function checkKubernetesName(input: string, kind: KubernetesObjectKind): string {
  const rule = KUBERNETES_RULES[kind];
  const accepted = `A ${kind} name is ${rule.words}.`;
  if (input.length === 0) throw new UserError(`Give the ${kind}'s name.`, [accepted, rule.example]);
  if (input.length > rule.maxLength) {
    throw new UserError(`"${input.slice(0, 40)}…" is ${input.length} characters long; a ${kind} name has at most ${rule.maxLength}.`, [accepted, rule.example]);
  }
  if (!rule.pattern.test(input)) {
    throw new UserError(`"${input}" cannot be a Kubernetes ${kind} name${kubernetesReason(input, kind)}.`, [accepted, rule.example]);
  }
  return input;
}

/** The most likely reason a name fails, so the user sees what to change. */
function kubernetesReason(input: string, kind: KubernetesObjectKind): string {
  if (/[A-Z]/.test(input)) return ': Kubernetes names are lower-case';
  if (kind !== 'pod' && kind !== 'node' && input.includes('.')) return ': it may not contain "."';
  const bad = [...input].find((ch) => !/[a-z0-9.-]/.test(ch));
  if (bad !== undefined) return ` (it contains "${bad}")`;
  if (kind === 'service' && /^[0-9]/.test(input)) return ': it must start with a letter';
  return ': it must start and end with a letter or digit';
}
