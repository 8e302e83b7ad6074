import type { Answer } from './answer.js';
import type { Query } from './query.js';
import { parseQuery } from './query.js';
import type { Command } from './command.js';
import type { CommandRegistry } from './registry.js';
import { normalizeTarget } from './targets.js';

/**
 * The one path every front end takes: Query → command → Answer. Adapters (CLI, console, Slack) parse
 * text or argv into a Query, call this, and render what comes back; errors are thrown as NetpeekError
 * and rendered by the adapter. `resolved` is the command when the adapter has already resolved it
 * (Slack does, to authorize it), so it is resolved once per question.
 */
export async function answerQuery<D>(query: Query, registry: CommandRegistry<D>, deps: D, resolved?: Command<D>): Promise<Answer> {
  const cmd = resolved ?? registry.resolve(query);
  const ctx = { registry };
  query = normalizeTarget(cmd, query, registry);
  if (query.flags.help) {
    const help = registry.find('help');
    if (help && help !== cmd) return help.run({ ...query, command: 'help', args: [cmd.name], flags: {} }, deps, ctx);
  }
  return cmd.run(query, deps, ctx);
}

/** Text (slash command, console line, mention) → Answer. */
export async function ask<D>(text: string, registry: CommandRegistry<D>, deps: D): Promise<Answer> {
  return answerQuery(parseQuery(text), registry, deps);
}
