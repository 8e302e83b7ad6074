import type { CommandRegistryView, CommandSpec } from './command.js';
import type { CompletionSource, SubjectKind } from './kinds.js';
import { FLAG_NAMES, FLAG_SPECS, flagSpelling, type FlagName } from './query.js';

export type { CompletionSource } from './kinds.js';
import { flagsOf } from './registry.js';
import { typeWords } from './targets.js';

/**
 * Shell completion, planned from the registry alone: which commands, flags and fixed values fit the
 * word being typed, and which names (pods, containers, topics…) an adapter must look up to offer the
 * rest. Commands declare what completes their arguments (ArgSpec.completes) and flags their values
 * (FlagSpec.completes / values); nothing here knows a command by name.
 */


/** One candidate as the shells show it: the word, and a description where the shell has room for one. */
export interface Candidate {
  value: string;
  description?: string;
}

/** A list of names to fetch, each offered as `prefix + name` (`pod/` + `web-1`, `--namespace=` + `shop`). */
export interface NameLookup {
  source: CompletionSource;
  prefix: string;
  /** The namespace a `NS/NAME` word names, over the scope's. */
  namespace?: string;
}

/** Where the names come from, read from the flags already on the line, as the command would read them. */
export interface CompletionScope {
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  kubeconfig?: string;
}

export interface CompletionPlan {
  /** The word being completed, as typed so far. */
  current: string;
  /** Candidates known without asking anything. */
  candidates: Candidate[];
  lookups: NameLookup[];
  scope: CompletionScope;
  /** The candidates are beginnings (`pod/`, `--namespace=`): no space after one. */
  noSpace: boolean;
  /** Let the shell complete file names (a flag that takes a path). */
  files: boolean;
}

/** A command that exists only in the terminal (console, serve, completion): not in the registry. */
export interface TerminalCommand {
  name: string;
  summary: string;
  /** Words its first argument takes (`completion bash|zsh|fish`). */
  args?: readonly string[];
  flags?: readonly FlagName[];
}

/** The Kubernetes and Docker kinds that `TYPE/NAME` may name, as completion sources. */
const KIND_SOURCE: Partial<Record<SubjectKind, CompletionSource>> = { container: 'container', pod: 'pod', service: 'service', node: 'node', network: 'network' };
/** Sources whose names live in a namespace, so that `NS/NAME` completes them. */
const NAMESPACED: ReadonlySet<CompletionSource> = new Set(['pod', 'service']);

const empty = (current: string, scope: CompletionScope): CompletionPlan => ({ current, candidates: [], lookups: [], scope, noSpace: false, files: false });

/** The flag a typed spelling names (`--context`, its alias `--cluster`, `--all-namespaces`), if any. */
function flagByLong(spelling: string): FlagName | undefined {
  return FLAG_NAMES.find((f) => {
    const s = FLAG_SPECS[f] as { long?: string; aliases?: readonly string[]; from?: FlagName };
    return !s.from && ((s.long ?? f) === spelling || (s.aliases ?? []).includes(spelling));
  });
}

function flagByShort(letter: string): FlagName | undefined {
  return FLAG_NAMES.find((f) => (FLAG_SPECS[f] as { short?: string }).short === letter);
}

const isString = (f: FlagName) => FLAG_SPECS[f].type === 'string';

interface Read {
  positionals: number;
  given: Set<FlagName>;
  scope: CompletionScope;
  /** The flag whose value the current word is (`-n <TAB>`). */
  valueFor?: FlagName;
  afterDashes: boolean;
}

/** The words before the current one, read as parseTokens would: flags given, their values, positionals. */
function readWords(before: readonly string[]): Read {
  const r: Read = { positionals: 0, given: new Set(), scope: { allNamespaces: false }, afterDashes: false };
  const set = (f: FlagName, value: string | true) => {
    r.given.add(f);
    if (f === 'allNamespaces') r.scope.allNamespaces = true;
    else if (typeof value === 'string' && (f === 'namespace' || f === 'cluster' || f === 'kubeconfig')) r.scope[f === 'cluster' ? 'context' : f] = value;
  };
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    r.valueFor = undefined;
    if (r.afterDashes || w === '-' || !w.startsWith('-')) {
      r.positionals++;
      continue;
    }
    if (w === '--') {
      r.afterDashes = true;
      continue;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const f = flagByLong(w.slice(2, eq === -1 ? undefined : eq));
      if (!f) continue;
      if (!isString(f)) set(f, true);
      else if (eq !== -1) set(f, w.slice(eq + 1));
      else if (i + 1 < before.length) set(f, before[++i]!);
      else r.valueFor = f;
      continue;
    }
    // -A, -n shop, -nshop, -Ah: one-letter flags, a string one taking the rest of the word or the next.
    for (let j = 1; j < w.length; j++) {
      const f = flagByShort(w[j]!);
      if (!f) break;
      if (!isString(f)) {
        set(f, true);
        continue;
      }
      if (j + 1 < w.length) set(f, w.slice(j + 1));
      else if (i + 1 < before.length) set(f, before[++i]!);
      else r.valueFor = f;
      break;
    }
  }
  return r;
}

/** A flag's values: fixed words, or names to look up. */
function flagValues(f: FlagName, current: string, prefix: string, plan: CompletionPlan): CompletionPlan {
  const s = FLAG_SPECS[f] as { values?: readonly string[]; completes?: readonly CompletionSource[] };
  for (const v of s.values ?? []) plan.candidates.push({ value: prefix + v });
  for (const source of s.completes ?? []) {
    if (source === 'file') plan.files = true;
    else plan.lookups.push({ source, prefix });
  }
  plan.current = current;
  return plan;
}

/** `--namespace`, `-n` for every flag of the command not given yet. */
function flagCandidates(flags: readonly FlagName[], given: ReadonlySet<FlagName>, current: string): Candidate[] {
  const out: Candidate[] = [];
  for (const f of flags) {
    const s = FLAG_SPECS[f] as { short?: string; from?: FlagName; about: string };
    if (s.from || given.has(f)) continue;
    out.push({ value: flagSpelling(f), description: s.about });
    if (s.short && !current.startsWith('--')) out.push({ value: `-${s.short}`, description: s.about });
  }
  return out;
}

/**
 * A positional argument: the names its ArgSpec says complete it, in the forms the command reads:
 * plain, `TYPE/NAME` (`pod/web-1`, `svc/cart`) and `NS/NAME` for namespaced kinds.
 */
function argValues(cmd: CommandSpec, index: number, current: string, plan: CompletionPlan, registry: CommandRegistryView): CompletionPlan {
  const arg = cmd.args[index];
  if (!arg) return plan;
  const sources = arg.completes ?? [];
  const kinds = typeWords(registry);
  const slash = current.indexOf('/');
  if (slash !== -1) {
    const first = current.slice(0, slash);
    const typed = kinds.get(first.toLowerCase());
    const source = typed !== undefined ? KIND_SOURCE[typed] : undefined;
    if (source && sources.includes(source)) {
      const rest = current.slice(slash + 1);
      const ns = rest.indexOf('/');
      if (ns !== -1 && NAMESPACED.has(source)) plan.lookups.push({ source, prefix: `${first}/${rest.slice(0, ns)}/`, namespace: rest.slice(0, ns) });
      else plan.lookups.push({ source, prefix: `${first}/` });
    } else if (typed === undefined) {
      for (const s of sources) if (NAMESPACED.has(s)) plan.lookups.push({ source: s, prefix: `${first}/`, namespace: first });
    }
    return plan;
  }
  for (const v of arg.values ?? []) plan.candidates.push({ value: v });
  if (arg.typedOnly) {
    // Only TYPE/NAME is read here (`changes pod/web-1`): offer the types, each as the start of a word.
    const words = [...kinds].filter(([w, k]) => KIND_SOURCE[k] && sources.includes(KIND_SOURCE[k]) && registry.lookupFor(k)?.name === w);
    for (const [w] of words) plan.candidates.push({ value: `${w}/` });
    plan.noSpace = words.length > 0;
    return plan;
  }
  for (const source of sources) {
    if (source === 'file') plan.files = true;
    else plan.lookups.push({ source, prefix: '' });
  }
  return plan;
}

/**
 * `words` are the command line after the program's name, the last one being the word under the cursor
 * (empty when the cursor is after a space). Returns what to offer before names are looked up.
 */
export function planCompletion(words: readonly string[], registry: CommandRegistryView, terminal: readonly TerminalCommand[] = []): CompletionPlan {
  const current = words.length ? words[words.length - 1]! : '';
  const before = words.slice(0, -1);
  const [first, ...rest] = before[0] === '--' ? before.slice(1) : before;
  if (first === undefined) {
    const plan = empty(current, { allNamespaces: false });
    plan.candidates = [...registry.list().map((c) => ({ value: c.name, description: c.summary })), ...terminal.map((t) => ({ value: t.name, description: t.summary }))];
    return plan;
  }
  const read = readWords(rest);
  const plan = empty(current, read.scope);
  const cmd = registry.find(first);
  const term = cmd ? undefined : terminal.find((t) => t.name === first);
  if (!cmd && !term) return plan;
  const flags = cmd ? flagsOf(cmd) : [...(term!.flags ?? []), 'help' as const];
  if (read.valueFor) return flagValues(read.valueFor, current, '', plan);
  if (!read.afterDashes && current.startsWith('--') && current.includes('=')) {
    const eq = current.indexOf('=');
    const f = flagByLong(current.slice(2, eq));
    return f && isString(f) && flags.includes(f) ? flagValues(f, current, current.slice(0, eq + 1), plan) : plan;
  }
  if (!read.afterDashes && current.startsWith('-')) {
    plan.candidates = flagCandidates(flags, read.given, current);
    return plan;
  }
  if (term) {
    if (read.positionals === 0) plan.candidates = (term.args ?? []).map((value) => ({ value }));
    return plan;
  }
  return argValues(cmd!, read.positionals, current, plan, registry);
}

/** The plan's candidates with the looked-up names added, those that start with the current word, once each. */
export function finishCompletion(plan: CompletionPlan, names: ReadonlyMap<NameLookup, readonly Candidate[]>): Candidate[] {
  const all = [...plan.candidates];
  for (const lookup of plan.lookups) for (const c of names.get(lookup) ?? []) all.push({ ...c, value: lookup.prefix + c.value });
  const seen = new Set<string>();
  return all.filter((c) => c.value.startsWith(plan.current) && !seen.has(c.value) && (seen.add(c.value), true));
}
