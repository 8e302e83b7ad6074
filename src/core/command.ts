import type { Answer } from './answer.js';
import type { ButtonAction, CompletionSource, PacketKind, SubjectKind } from './kinds.js';
import type { FlagName, Query } from './query.js';

export interface ArgSpec {
  /** Placeholder shown in usage, e.g. "<name|id-prefix>". */
  name: string;
  required: boolean;
  /** Not needed when one of these flags is given (`pod -l app=web`, `pod -A` list instead). */
  unlessFlags?: readonly FlagName[];
  /** What shell completion offers here: names of these kinds (also as `TYPE/NAME`, and `NS/NAME` for pods and Services). */
  completes?: readonly CompletionSource[];
  /** Fixed words completion offers too (`policy map`). */
  values?: readonly string[];
  /** Read only as `TYPE/NAME` (`changes pod/web-1`): completion offers the types first. */
  typedOnly?: boolean;
}

/**
 * Whether answering sends packets. Slack's probe allow-lists (NETPEEK_SLACK_PROBE_CHANNELS/_USERS) are
 * applied from this and from nothing else, so a new command cannot skip them by being forgotten in a list.
 * - `always`: every run probes (ping, reach, running a report).
 * - `with --probe`: only when the question has --probe (the command must take that flag).
 * - `unless --no-probe`: every run probes except with --no-probe (the command must take that flag).
 * - `never`: lookups only.
 */
export type SendsPackets = 'always' | 'with --probe' | 'unless --no-probe' | 'never';

/**
 * What a command answers about, which is how adapters map plain questions and buttons onto it:
 * - `lookup`: the lookup of one kind of subject ("what's the IP of X", "Show ports", "Explain").
 * - `probe`: probes one target of these kinds ("ping it", "is X up?").
 * - `path`: the path between two targets ("can A reach B?").
 * - `about`: anything else (help, topics, status, reports); answers are about `kind`.
 */
export type CommandSubject =
  | { role: 'lookup'; kind: SubjectKind }
  | { role: 'probe' | 'path'; kinds: readonly SubjectKind[] }
  | { role: 'about'; kind: SubjectKind };

/**
 * Everything adapters need to know about a command, declared by the command itself: usage, flags,
 * what it answers about, whether it sends packets, what buttons its answers get. Authorization, help,
 * the mention mapping, buttons and the Slack usage hint are all derived from these fields.
 */
export interface CommandSpec {
  name: string;
  aliases?: string[];
  /** One line for the command list. */
  summary: string;
  /** Positional arguments, in order. */
  args: ArgSpec[];
  /** Flags this command accepts besides --json/--public/--help. */
  flags: readonly FlagName[];
  /** Typical invocations, shown in help and in error messages; the first is the canonical one. */
  examples: string[];
  /** Longer description for `help <command>`. */
  description?: string;
  subject: CommandSubject;
  sendsPackets: SendsPackets;
  /** Kinds of probe it sends when it sends packets. */
  probeKinds?: readonly PacketKind[];
  /** Buttons under its answers (lookups of things with an address and ports). */
  buttons?: readonly ButtonAction[];
  /** An invocation for Slack's slash-command usage hint; commands without one are not in the hint. */
  usageHint?: string;
  /**
   * Its answers show who asked what (the audit log): in Slack only users listed in
   * NETPEEK_SLACK_AUDIT_USERS may run it (empty: nobody); the terminal always may.
   */
  showsAudit?: boolean;
  /**
   * Its answers carry a `diagnosis` whose live steps (probes) it can run again alone, given the earlier
   * answer (`rerunLive`): Slack then puts "Probe again" under answers that probed something.
   */
  rerunsLiveSteps?: boolean;
  /**
   * It answers from its own knowledge and the registry alone: `run` reads no backend and no configuration
   * from its dependencies (it gets none). A one-shot CLI answer of such a command starts without reading
   * or validating the configuration and builds no backend (issue 19: `explain` as fast as `node -e 0`).
   */
  selfContained?: boolean;
}

/** The registry as commands (help) and adapters see it. */
export interface CommandRegistryView {
  list(): readonly CommandSpec[];
  find(name: string): CommandSpec | undefined;
  /** The lookup command for a kind of subject, when one is registered. */
  lookupFor(kind: SubjectKind): CommandSpec | undefined;
  /** The command that probes one target, or the one that checks a path, when registered. */
  withRole(role: 'probe' | 'path'): CommandSpec | undefined;
}

/** What a command gets besides its dependencies: the registry that dispatched it (help lists it). */
export interface RunContext {
  registry: CommandRegistryView;
}

/**
 * A command: its self-description plus `run`. `D` is the dependencies it is handed (the composition
 * root's Deps); core does not know what they are.
 */
export interface Command<D = never> extends CommandSpec {
  run(query: Query, deps: D, ctx: RunContext): Promise<Answer>;
  /**
   * The same question again, with only the live steps rerun: `previous` is this command's earlier
   * answer to `query`; the other steps are kept as they were. Present exactly when `rerunsLiveSteps`.
   */
  rerunLive?(query: Query, previous: Answer, deps: D): Promise<Answer>;
}

/** Does this question send packets? */
export function sendsPackets(cmd: CommandSpec, query: Query): boolean {
  switch (cmd.sendsPackets) {
    case 'always':
      return true;
    case 'with --probe':
      return query.flags.probe === true;
    case 'unless --no-probe':
      return query.flags.noProbe !== true;
    case 'never':
      return false;
  }
}
