import type { Answer } from '../core/answer.js';

/**
 * `-o name`, as kubectl prints it: one TYPE/NAME a line (`pod/web-1`, `service/web`), for scripts that
 * feed the names to another command. A listing prints what it lists; a lookup its subject; anything
 * else (help, status) has no name to print and prints nothing.
 */
export function toNames(answer: Answer): string {
  const refs = answer.items ?? (answer.subject && !answer.subject.name.includes(' ') ? [answer.subject] : []);
  return refs.map((r) => `${KUBECTL_TYPES[r.kind] ?? r.kind}/${r.name}\n`).join('');
}

/** kubectl's TYPE where it is not the kind's own word: a kind of an API group is written with its group. */
const KUBECTL_TYPES: Partial<Record<string, string>> = { networkpolicy: 'networkpolicy.networking.k8s.io' };
