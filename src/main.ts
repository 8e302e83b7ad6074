#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { EXIT } from './cli/exit-codes.js';
import { ConfigError } from './config-error.js';
import { exitWith, loadDotEnv } from './cli/process-entry.js';

// The entry of every mode, kept small (issue 19): what it imports runs before netpeek knows what it was
// asked. The configuration (zod), the commands, the backends and the servers are imported by the mode
// that needs them: src/start/one-shot.ts answers one question, src/start/serve.ts runs the bot or the
// console, src/agent/run-agent.ts the host agent.

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

exitWith(main(process.argv.slice(2)));
