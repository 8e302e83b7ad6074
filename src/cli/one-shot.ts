import { answerQuery } from '../core/ask.js';
import { noteStaleCache } from '../sources/kube-freshness.js';
import { isNetpeekError } from '../core/errors.js';
import { parseTokens } from '../core/query.js';
import type { CommandRegistry } from '../core/registry.js';
import type { Deps } from '../deps.js';
import { exitCodeFor, exitCodeForAnswer } from './exit-codes.js';
import type { TextOutput } from './descriptor-output.js';
import { askedForJson, presentAnswer, presentFailure } from './present.js';

export interface OneShotIo {
  stdout: TextOutput;
  stderr: TextOutput;
  color: boolean;
}

/** `netpeek <command> …`: one answer on stdout, the reason for a failure on stderr, and an exit code. */
export async function runOnce(argv: string[], registry: CommandRegistry<Deps>, deps: Deps, io: OneShotIo): Promise<number> {
  let opts = { json: askedForJson(argv), color: io.color && !askedForJson(argv) };
  try {
    const query = parseTokens(argv);
    const json = query.flags.json === true;
    opts = { json, color: io.color && !json, ...(query.flags.output ? { output: query.flags.output } : {}) };
    const answer = noteStaleCache(await answerQuery(query, registry, deps), deps.kube);
    io.stdout.write(presentAnswer(answer, opts));
    return exitCodeForAnswer(answer);
  } catch (err) {
    if (!isNetpeekError(err)) deps.log.error({ err, argv }, 'command failed');
    // JSON errors go to stdout so a script reading --json always gets parseable output.
    (opts.json ? io.stdout : io.stderr).write(presentFailure(err, opts));
    return exitCodeFor(err);
  }
}
