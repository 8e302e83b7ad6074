import type { Answer } from '../core/answer.js';
import { describeFailure } from '../core/errors.js';
import { errorToJson, toJson } from '../render/json.js';
import { toNames } from '../render/names.js';
import { errorToText, toText } from '../render/text.js';
import type { OutputFormat } from '../core/query.js';

export interface PresentOptions {
  json: boolean;
  color: boolean;
  /** -o: name prints TYPE/NAME lines; wide is the command's business (more columns), json is `json`. */
  output?: OutputFormat;
}

/** Answer → what the terminal prints. */
export function presentAnswer(answer: Answer, o: PresentOptions): string {
  if (o.json) return toJson(answer);
  if (o.output === 'name') return toNames(answer);
  return toText(answer, { color: o.color });
}

/**
 * Whether the failure of a line that could not even be parsed should be JSON: a script that asked for
 * JSON (`--json`, `-o json`, `--output=json`) must get JSON back whatever went wrong.
 */
export function askedForJson(tokens: readonly string[]): boolean {
  return tokens.some((t, i) => t === '--json' || /^(-o|--output)=?json$/i.test(t) || ((t === '-o' || t === '--output') && tokens[i + 1]?.toLowerCase() === 'json'));
}

/** Failure → what the terminal prints; never a stack trace. */
export function presentFailure(err: unknown, o: PresentOptions): string {
  const f = describeFailure(err);
  return o.json ? errorToJson(f.code, f.message, f.details) : errorToText(f.message, f.details, { color: o.color });
}
