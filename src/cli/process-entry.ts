import { exitCodeFor } from './exit-codes.js';
import { describeFailure, isNetpeekError } from '../core/errors.js';
import { errorToText } from '../render/text.js';

/**
 * What every way into the netpeek binary does first and last, shared by src/main.ts (the ES-module
 * bundle) and src/start/self-contained.ts (the CommonJS file that answers explain and help).
 */

/**
 * `.env` of the working directory into process.env, under what the environment already says (as dotenv
 * did). Node's own reader (process.loadEnvFile, Node >= 20.12) parses the same format, and loading it
 * costs nothing where dotenv's module also loaded node:crypto (~5 ms of every start).
 */
export function loadDotEnv(): void {
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') process.stderr.write(`netpeek: .env in ${process.cwd()} could not be read (${code ?? String(err)}); going on without it.\n`);
  }
}

/** The exit code of a run, or the failure said in one line (a netpeek error as its text, never a stack). */
export function exitWith(run: Promise<number>): void {
  run.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const { message, details } = describeFailure(err);
      process.stderr.write(isNetpeekError(err) ? errorToText(message, details) : `netpeek: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = exitCodeFor(err);
    },
  );
}
