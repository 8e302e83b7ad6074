import type { Command, CommandRegistryView, CommandSpec } from './command.js';
import type { SubjectKind } from './kinds.js';
import type { FlagName, Query } from './query.js';
import { FLAG_SPECS, flagSpelling } from './query.js';
import { UserError } from './errors.js';
import { closest } from './similar-names.js';

/** Flags every command takes: they change presentation, not the question. */
export const UNIVERSAL_FLAGS: readonly FlagName[] = ['json', 'output', 'public', 'help'];

/**
 * Flags a command takes because it takes another: a command that asks a Kubernetes context (--context)
 * also takes the file contexts come from (--kubeconfig), as every kubectl command does.
 */
const IMPLIED_FLAGS: Partial<Record<FlagName, readonly FlagName[]>> = { cluster: ['kubeconfig'] };

/** Every flag a command takes: its own, the ones they imply, then the universal ones. */
export function flagsOf(cmd: CommandSpec): FlagName[] {
  const own = cmd.flags.flatMap((f) => [f, ...(IMPLIED_FLAGS[f] ?? [])]);
  return [...new Set([...own, ...UNIVERSAL_FLAGS])];
}

/** `<name|prefix>`, `(<name|prefix> | -l <selector> | -A)` for an argument flags can stand in for. */
function argUsage(a: CommandSpec['args'][number]): string {
  if (a.unlessFlags?.length) return `(${[a.name, ...a.unlessFlags.map((f) => FLAG_SPECS[f].usage.replace(/^-(\w), --[\w-]+/, '-$1'))].join(' | ')})`;
  return a.required ? a.name : `[${a.name}]`;
}

/** `netpeek pod (<name|prefix> | -l <label query> | -A) [-n, --namespace <ns>] …`; brief: `… [options]`, as kubectl's help. */
export function usageLine(cmd: CommandSpec, o: { brief?: boolean } = {}): string {
  const args = cmd.args.map(argUsage);
  if (o.brief) return ['netpeek', cmd.name, ...args, '[options]'].join(' ');
  // A flag read from another one's value (the protocol of --port) is shown as that flag's usage.
  const from = (f: FlagName): FlagName | undefined => (FLAG_SPECS[f] as { from?: FlagName }).from;
  const flags = cmd.flags
    .filter((f) => !(from(f) && cmd.flags.includes(from(f)!)))
    .map((f) => `[${FLAG_SPECS[cmd.flags.find((g) => from(g) === f) ?? f].usage}]`);
  return ['netpeek', cmd.name, ...args, ...flags].join(' ');
}

/**
 * Commands by name and alias, built once at start. What a command declares about itself is checked
 * here, so that a mistake is a start-up error instead of a silently skipped rule: colliding names, a
 * `--probe` flag without `sendsPackets: 'with --probe'` (or the reverse; the same for `--no-probe`), two lookups for one kind.
 */
export class CommandRegistry<D = never> implements CommandRegistryView {
  private readonly byName = new Map<string, Command<D>>();
  private readonly commands: Command<D>[] = [];
  private readonly lookups = new Map<SubjectKind, Command<D>>();
  private readonly roles = new Map<'probe' | 'path', Command<D>>();

  constructor(commands: readonly Command<D>[]) {
    for (const cmd of commands) {
      for (const key of [cmd.name, ...(cmd.aliases ?? [])]) {
        const taken = this.byName.get(key);
        if (taken) throw new Error(`command name "${key}" of ${cmd.name} is already used by ${taken.name}`);
        this.byName.set(key, cmd);
      }
      checkSpec(cmd);
      const s = cmd.subject;
      if (s.role === 'lookup') {
        const taken = this.lookups.get(s.kind);
        if (taken) throw new Error(`${cmd.name} and ${taken.name} are both the lookup for a ${s.kind}`);
        this.lookups.set(s.kind, cmd);
      } else if (s.role === 'probe' || s.role === 'path') {
        const taken = this.roles.get(s.role);
        if (taken) throw new Error(`${cmd.name} and ${taken.name} both have the ${s.role} role`);
        this.roles.set(s.role, cmd);
      }
      this.commands.push(cmd);
    }
  }

  lookupFor(kind: SubjectKind): Command<D> | undefined {
    return this.lookups.get(kind);
  }

  withRole(role: 'probe' | 'path'): Command<D> | undefined {
    return this.roles.get(role);
  }

  list(): readonly Command<D>[] {
    return this.commands;
  }

  find(name: string): Command<D> | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Finds the command for a query and checks its arguments and flags, or explains what is wrong. */
  resolve(query: Query): Command<D> {
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
    const flagGiven = (f: FlagName) => query.flags[f] !== undefined && query.flags[f] !== false;
    const required = cmd.args.filter((a) => a.required && !a.unlessFlags?.some(flagGiven)).length;
    if (query.args.length < required) {
      const missing = cmd.args[query.args.length];
      const instead = missing?.unlessFlags?.length ? `, or ${missing.unlessFlags.map((f) => FLAG_SPECS[f].usage).join(' or ')} to list` : '';
      throw new UserError(`${cmd.name} needs ${missing?.name ?? 'more arguments'}${instead}.`, usage);
    }
    if (query.args.length > cmd.args.length) {
      const extra = query.args.slice(cmd.args.length);
      throw new UserError(`${cmd.name} takes ${cmd.args.length === 0 ? 'no arguments' : `at most ${cmd.args.length} argument${cmd.args.length > 1 ? 's' : ''}`}; "${extra.join(' ')}" is extra.`, usage);
    }
    const allowed = new Set<FlagName>(flagsOf(cmd));
    for (const [flag, value] of Object.entries(query.flags) as [FlagName, unknown][]) {
      if (value === undefined || allowed.has(flag)) continue;
      if (flag === 'protocol') {
        throw new UserError(`${cmd.name} takes --port as a number only (it probes TCP); "/${String(value)}" after the port is for commands that evaluate other protocols, such as reach.`, usage);
      }
      throw new UserError(`${cmd.name} does not take ${flagSpelling(flag)}.`, usage);
    }
    return cmd;
  }
}

/** A command's declarations must agree with each other; the registry refuses one that contradicts itself. */
function checkSpec(cmd: CommandSpec): void {
  const takesProbe = cmd.flags.includes('probe');
  if (takesProbe !== (cmd.sendsPackets === 'with --probe')) {
    throw new Error(`${cmd.name}: a command takes --probe exactly when it declares sendsPackets: 'with --probe' (it says '${cmd.sendsPackets}')`);
  }
  if (cmd.flags.includes('noProbe') !== (cmd.sendsPackets === 'unless --no-probe')) {
    throw new Error(`${cmd.name}: a command takes --no-probe exactly when it declares sendsPackets: 'unless --no-probe' (it says '${cmd.sendsPackets}')`);
  }
  if (cmd.sendsPackets !== 'never' && !cmd.probeKinds?.length) throw new Error(`${cmd.name}: a command that sends packets names its probeKinds`);
  if (cmd.buttons?.length && cmd.subject.role !== 'lookup') throw new Error(`${cmd.name}: only a lookup has buttons under its answers`);
  if ((cmd.rerunsLiveSteps === true) !== (typeof (cmd as Command<unknown>).rerunLive === 'function')) {
    throw new Error(`${cmd.name}: a command has rerunLive exactly when it declares rerunsLiveSteps`);
  }
  if (cmd.rerunsLiveSteps && cmd.sendsPackets === 'never') throw new Error(`${cmd.name}: live steps send packets, so a command that reruns them cannot declare sendsPackets: 'never'`);
}
