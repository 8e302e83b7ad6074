import type { Command, CommandRegistryView } from './command.js';
import type { FlagName, Query } from './query.js';
import { FLAG_SPECS } from './query.js';
import { UserError } from './errors.js';
import { closest } from './similar-names.js';

/** Flags every command takes: they change presentation, not the question. */
export const UNIVERSAL_FLAGS: readonly FlagName[] = ['json', 'public', 'help'];

export function usageLine(cmd: Command): string {
  const args = cmd.args.map((a) => (a.required ? a.name : `[${a.name}]`));
  const flags = cmd.flags.map((f) => `[${FLAG_SPECS[f].usage}]`);
  return ['netpeek', cmd.name, ...args, ...flags].join(' ');
}

/** Commands by name and alias, built once at start; collisions are a programming error. */
export class CommandRegistry implements CommandRegistryView {
  private readonly byName = new Map<string, Command>();
  private readonly commands: Command[] = [];

  constructor(commands: readonly Command[]) {
    for (const cmd of commands) {
      for (const key of [cmd.name, ...(cmd.aliases ?? [])]) {
        const taken = this.byName.get(key);
        if (taken) throw new Error(`command name "${key}" of ${cmd.name} is already used by ${taken.name}`);
        this.byName.set(key, cmd);
      }
      this.commands.push(cmd);
    }
  }

  list(): readonly Command[] {
    return this.commands;
  }

  find(name: string): Command | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Finds the command for a query and checks its arguments and flags, or explains what is wrong. */
  resolve(query: Query): Command {
    if (query.command === '') {
      throw new UserError('Ask netpeek something: a command and what it is about.', [
        `Commands: ${this.commands.map((c) => c.name).join(', ')}`,
        'Example: container webserver-1',
      ]);
    }
    const cmd = this.find(query.command);
    if (!cmd) {
      const near = closest(query.command, [...this.byName.keys()]);
      throw new UserError(`"${query.command}" is not a netpeek command.${near ? ` Did you mean "${near}"?` : ''}`, [
        `Commands: ${this.commands.map((c) => c.name).join(', ')}`,
        'Example: container webserver-1 — or `help` for the list.',
      ]);
    }
    if (query.flags.help) return cmd;
    const usage = [`Usage: ${usageLine(cmd)}`, ...cmd.examples.slice(0, 2).map((e) => `Example: ${e}`)];
    const required = cmd.args.filter((a) => a.required).length;
    if (query.args.length < required) {
      const missing = cmd.args[query.args.length];
      throw new UserError(`${cmd.name} needs ${missing?.name ?? 'more arguments'}.`, usage);
    }
    if (query.args.length > cmd.args.length) {
      const extra = query.args.slice(cmd.args.length);
      throw new UserError(`${cmd.name} takes ${cmd.args.length === 0 ? 'no arguments' : `at most ${cmd.args.length} argument${cmd.args.length > 1 ? 's' : ''}`}; "${extra.join(' ')}" is extra.`, usage);
    }
    const allowed = new Set<FlagName>([...UNIVERSAL_FLAGS, ...cmd.flags]);
    for (const [flag, value] of Object.entries(query.flags) as [FlagName, unknown][]) {
      if (value !== undefined && !allowed.has(flag)) {
        throw new UserError(`${cmd.name} does not take ${FLAG_SPECS[flag].usage.split(' ').find((w) => w.startsWith('--'))}.`, usage);
      }
    }
    return cmd;
  }
}

