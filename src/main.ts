#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { EXIT, exitCodeFor } from './cli/exit-codes.js';
import { ConfigError } from './config-error.js';
import { describeFailure, isNetpeekError } from './core/errors.js';
import { errorToText } from './render/text.js';

// The entry of every mode, kept small (issue 19): what it imports runs before netpeek knows what it was
// asked. The configuration (zod), the commands, the backends and the servers are imported by the mode
// that needs them: src/start/one-shot.ts answers one question, src/start/serve.ts runs the bot or the
// console, src/agent/run-agent.ts the host agent.

/**
 * `.env` of the working directory into process.env, under what the environment already says (as dotenv
 * did). Node's own reader (process.loadEnvFile, Node >= 20.12) parses the same format, and loading it
 * costs nothing where dotenv's module also loaded node:crypto (~5 ms of every start).
 */
function loadDotEnv(): void {
  try {
    process.loadEnvFile('.env');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') process.stderr.write(`netpeek: .env in ${process.cwd()} could not be read (${code ?? String(err)}); going on without it.\n`);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * netpeek [serve]        → the Slack bot when Slack credentials are configured, else the interactive console
 * netpeek console        → the interactive console
 * netpeek agent          → the host agent (probes from this node; see src/agent/)
 * netpeek completion sh  → the shell completion script (bash, zsh, fish); its script calls `netpeek __complete …`
 * netpeek <command> …    → one answer, then exit (0 ok, 1 user error, 2 backend unreachable, 3 bug, 4 `why` found a failed step)
 */
async function main(argv: string[]): Promise<number> {
  loadDotEnv();
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`netpeek ${version()}\n`);
    return EXIT.ok;
  }
  if (argv[0] === 'agent') {
    try {
      const { runAgent } = await import('./agent/run-agent.js');
      await runAgent(process.env);
      return new Promise<number>(() => {}); // serves until SIGTERM/SIGINT
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        return EXIT.userError;
      }
      throw err;
    }
  }
  const first = (argv[0] === '--' ? argv[1] : argv[0]) ?? '';
  if (first === 'completion' || first === '__complete') return (await import('./start/complete.js')).runCompletionCli(argv);
  if (first === '' || first === 'console' || first === 'serve') return (await import('./start/serve.js')).runServeOrConsole(argv);
  return (await import('./start/one-shot.js')).runOneShotCli(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { message, details } = describeFailure(err);
    process.stderr.write(isNetpeekError(err) ? errorToText(message, details) : `netpeek: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = exitCodeFor(err);
  },
);
