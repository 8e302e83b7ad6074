import { runOnce } from '../cli/one-shot.js';
import { CommandRegistry } from '../core/registry.js';
import type { Deps, NetpeekCommand } from '../deps.js';
import { coloursAllowed } from '../no-color.js';
import { loadCommands } from './commands.js';
import { selfContainedDeps } from './self-contained-deps.js';

/**
 * `netpeek <command> …`: one answer, then exit. Only what this command needs is loaded: its own module
 * (the registry is built from the commands' manifest), and for a command that reads backends, the
 * configuration and the sources, without watch caches (a full list of every resource) for it: direct
 * reads instead. A selfContained command (explain, help) reads neither, so it starts like a bare node.
 * `commands`: the registry's commands when the caller has them (one-shot-entry.ts), else loadCommands().
 */
export async function runOneShotCli(argv: string[], commands?: readonly NetpeekCommand[]): Promise<number> {
  const registry = new CommandRegistry<Deps>(commands ?? (await loadCommands()));
  const words = argv[0] === '--' ? argv.slice(1) : argv;
  if (registry.find(words[0] ?? '')?.selfContained) {
    return runOnce(words, registry, selfContainedDeps(), { stdout: process.stdout, stderr: process.stderr, color: coloursAllowed(process.env) && process.stdout.isTTY === true });
  }
  const { answerWithBackends } = await import('./one-shot-backends.js');
  return answerWithBackends(argv, words, registry);
}
