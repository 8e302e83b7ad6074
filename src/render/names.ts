import type { Answer } from '../core/answer.js';

/**
 * `-o name`, as kubectl prints it: one TYPE/NAME a line (`pod/web-1`, `service/web`), for scripts that
 * feed the names to another command. A listing prints what it lists; a lookup its subject; anything
 * else (help, status) has no name to print and prints nothing.
 */
export function toNames(answer: Answer): string {
  const refs = answer.items ?? (answer.subject && !answer.subject.name.includes(' ') ? [answer.subject] : []);
  return refs.map((r) => `${r.kind}/${r.name}\n`).join('');
}
