import type { Answer } from '../core/answer.js';

/** The Answer is already plain data: JSON is just its serialisation. */
export function toJson(answer: Answer): string {
  return JSON.stringify(answer, null, 2) + '\n';
}

/** Errors in --json mode keep stdout parseable. */
export function errorToJson(code: string, message: string, details: string[]): string {
  return JSON.stringify({ error: { code, message, details } }, null, 2) + '\n';
}
