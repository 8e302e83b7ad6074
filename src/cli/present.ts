import type { Answer } from '../core/answer.js';
import { describeFailure } from '../core/errors.js';
import { errorToJson, toJson } from '../render/json.js';
import { errorToText, toText } from '../render/text.js';

export interface PresentOptions {
  json: boolean;
  color: boolean;
}

/** Answer → what the terminal prints. */
export function presentAnswer(answer: Answer, o: PresentOptions): string {
  return o.json ? toJson(answer) : toText(answer, { color: o.color });
}

/** Failure → what the terminal prints; never a stack trace. */
export function presentFailure(err: unknown, o: PresentOptions): string {
  const f = describeFailure(err);
  return o.json ? errorToJson(f.code, f.message, f.details) : errorToText(f.message, f.details, { color: o.color });
}
