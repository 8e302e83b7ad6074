import { runOnce } from '../cli/one-shot.js';
import { CommandRegistry } from '../core/registry.js';
import type { Deps } from '../deps.js';
import { deferredLogger, LOG_LEVELS, type Logger, type LogLevel } from '../log.js';
import { coloursAllowed } from '../no-color.js';
import { loadCommands } from './commands.js';

/**
 * `netpeek <command> …`: one answer, then exit. Only what this command needs is loaded: its own module
 * (the registry is built from the commands' manifest), and for a command that reads backends, the
 * configuration and the sources, without watch caches (a full list of every resource) for it: direct
 * reads instead. A selfContained command (explain, help) reads neither, so it starts like a bare node.
 */
export async function runOneShotCli(argv: string[]): Promise<number> {
  const registry = new CommandRegistry<Deps>(await loadCommands());
  const words = argv[0] === '--' ? argv.slice(1) : argv;
  const io = { stdout: process.stdout, stderr: process.stderr };
  if (registry.find(words[0] ?? '')?.selfContained) {
    return runOnce(words, registry, selfContainedDeps(), { ...io, color: coloursAllowed(process.env) && process.stdout.isTTY === true });
  }
  const { answerWithBackends } = await import('./one-shot-backends.js');
  return answerWithBackends(argv, words, registry, io);
}

/**
 * What a selfContained command is given: a logger (for a failure that is netpeek's bug) and no backend.
 * The configuration and the report catalog are not read for it, so asking for them is a bug in the
 * command's declaration, and says so.
 */
export function selfContainedDeps(env: NodeJS.ProcessEnv = process.env): Deps {
  const level = (LOG_LEVELS as readonly string[]).includes(env.LOG_LEVEL ?? '') ? (env.LOG_LEVEL as LogLevel) : 'info';
  const log: Logger = deferredLogger(level);
  const refuse = (what: string) => () => {
    throw new Error(`a selfContained command read deps.${what}; declare it without selfContained to be given the configuration and backends`);
  };
  return Object.defineProperties({ log } as Deps, { config: { get: refuse('config') }, reports: { get: refuse('reports') } });
}
