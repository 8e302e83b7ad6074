import type { Answer } from './answer.js';
import type { Deps } from './command.js';
import type { Query } from './query.js';
import { parseQuery } from './query.js';
import type { CommandRegistry } from './registry.js';

/**
 * The one path every front end takes: Query → command → Answer. Adapters (CLI, console, Slack) parse
 * text or argv into a Query, call this, and render what comes back; errors are thrown as NetpeekError
 * and rendered by the adapter.
 */
export async function answerQuery(query: Query, registry: CommandRegistry, deps: Deps): Promise<Answer> {
  const cmd = registry.resolve(query);
  const withRegistry: Deps = { ...deps, registry };
  if (query.flags.help) {
    const help = registry.find('help');
    if (help && help !== cmd) return help.run({ ...query, command: 'help', args: [cmd.name], flags: {} }, withRegistry);
  }
  return cmd.run(query, withRegistry);
}

/** Text (slash command, console line, mention) → Answer. */
export async function ask(text: string, registry: CommandRegistry, deps: Deps): Promise<Answer> {
  return answerQuery(parseQuery(text), registry, deps);
}
