import type { Writable } from 'node:stream';
import { answerQuery } from '../core/ask.js';
import { noteStaleCache } from '../sources/kube-freshness.js';
import { isNetpeekError } from '../core/errors.js';
import { parseTokens } from '../core/query.js';
import type { CommandRegistry } from '../core/registry.js';
import type { Deps } from '../deps.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { presentAnswer, presentFailure } from './present.js';

export interface OneShotIo {
  stdout: Writable;
  stderr: Writable;
  color: boolean;
}

/** `netpeek <command> …`: one answer on stdout, the reason for a failure on stderr, and an exit code. */
export async function runOnce(argv: string[], registry: CommandRegistry<Deps>, deps: Deps, io: OneShotIo): Promise<number> {
  const json = argv.includes('--json');
  const opts = { json, color: io.color && !json };
  try {
    const answer = noteStaleCache(await answerQuery(parseTokens(argv), registry, deps), deps.kube);
    io.stdout.write(presentAnswer(answer, opts));
    return EXIT.ok;
  } catch (err) {
    if (!isNetpeekError(err)) deps.log.error({ err, argv }, 'command failed');
    // JSON errors go to stdout so a script reading --json always gets parseable output.
    (json ? io.stdout : io.stderr).write(presentFailure(err, opts));
    return exitCodeFor(err);
  }
}
