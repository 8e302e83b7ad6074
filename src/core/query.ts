import { parseArgs } from 'node:util';
import { UserError } from './errors.js';
import type { CompletionSource } from './kinds.js';
import { editDistance } from './similar-names.js';

/** Flags any command may accept; each command lists the ones it takes (see Command.flags). */
export interface Flags {
  /** Kubernetes namespace (-n). */
  namespace?: string;
  /** Kubernetes context name (`--context`, kubectl's spelling; `--cluster` is an alias). */
  cluster?: string;
  /** Kubeconfig file to read (terminal only: read when netpeek starts, like KUBECONFIG). */
  kubeconfig?: string;
  /** Every namespace (-A); with no name, list instead of looking one thing up. */
  allNamespaces?: boolean;
  /** Label selector (-l app=web): list the matching objects. */
  selector?: string;
  /** Output format (-o json|wide|name); `-o json` also sets json. */
  output?: OutputFormat;
  /** Port to probe or explain. */
  port?: number;
  /** The protocol written after --port (`--port 53/udp`); absent means TCP. Only reach takes one. */
  protocol?: PortProtocol;
  /** Number of ICMP echoes. */
  count?: number;
  /** Print the Answer as JSON (terminal). */
  json?: boolean;
  /** Post in the channel instead of ephemerally (Slack). */
  public?: boolean;
  /** Attach probe results to a lookup. */
  probe?: boolean;
  /** Show help for the command. */
  help?: boolean;
  /** Run a scheduled report once now and print it (`report <name> --once`). */
  once?: boolean;
  /** Answer without sending any packet (`reach --no-probe`). */
  noProbe?: boolean;
  /** Only this Slack user's questions (`audit --user U0123ABCD`). */
  user?: string;
  /** Only what happened since then: a duration back from now (`1h`, `7d`) or an ISO time (`audit --since 1h`). */
  since?: string;
  /** Only questions that ran this command (`audit --command pod`). */
  command?: string;
  /** Probe from inside this container or pod (`ping db --from web-1`). */
  from?: string;
  /** DNS record type (`dns db --type SRV`). */
  type?: DnsRecordType;
}

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'SRV', 'PTR'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];
export const OUTPUT_FORMATS = ['json', 'wide', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

export type FlagName = keyof Flags;

/** A parsed question: what the user asked, independent of where they asked it. */
export interface Query {
  command: string;
  args: string[];
  flags: Flags;
  /** The sanitised text, for logs and audit. */
  text: string;
}

export const MAX_QUERY_LENGTH = 500;
export const PORT_RANGE = { min: 1, max: 65535 } as const;
export const COUNT_RANGE = { min: 1, max: 20 } as const;

/**
 * The one list of flags: how util.parseArgs reads each, what help shows (`usage`, `about`), and how the
 * flag is written back when netpeek echoes a question ("Probing: `ping web-1 --port 80`"): `echo` is the
 * spelling used there, or false for flags that only change presentation. Echoed in this order.
 * `long` is the spelling on the command line when it differs from the key; `from` marks a flag that is
 * not typed itself but read from another one's value (the protocol of `--port 53/udp`); `aliases` are
 * older spellings still read (`--cluster` for `--context`); `terminalOnly` flags are refused in Slack.
 */
export const FLAG_SPECS = {
  namespace: { type: 'string', short: 'n', completes: ['namespace'], usage: '-n, --namespace <ns>', about: 'Kubernetes namespace', echo: '-n' },
  cluster: { type: 'string', long: 'context', completes: ['context'], aliases: ['cluster'], usage: '--context <name>', about: 'Kubernetes context to ask (from the kubeconfig; --cluster is an alias)', echo: '--context' },
  kubeconfig: { type: 'string', completes: ['file'], usage: '--kubeconfig <path>', about: 'kubeconfig file to read instead of KUBECONFIG (terminal only)', echo: '--kubeconfig', terminalOnly: true },
  allNamespaces: { type: 'boolean', short: 'A', long: 'all-namespaces', usage: '-A, --all-namespaces', about: 'every namespace; without a name, list them all', echo: '-A' },
  selector: { type: 'string', short: 'l', usage: '-l, --selector <label query>', about: 'list what matches a label selector, e.g. -l app=web,tier!=db', echo: '-l' },
  output: { type: 'string', short: 'o', values: OUTPUT_FORMATS, usage: '-o, --output <json|wide|name>', about: 'json (same as --json), wide (more columns) or name (TYPE/NAME only)', echo: false },
  port: { type: 'string', short: 'p', usage: '--port <1-65535>', about: 'port to probe or explain', echo: '--port' },
  protocol: { type: 'string', usage: '--port <1-65535>/<tcp|udp|sctp>', about: 'the protocol of --port (default tcp)', echo: false, from: 'port' },
  count: { type: 'string', short: 'c', usage: '--count <1-20>', about: 'ICMP echoes to send', echo: '--count' },
  json: { type: 'boolean', usage: '--json', about: 'print the answer as JSON', echo: false },
  probe: { type: 'boolean', usage: '--probe', about: 'also probe the target from its host', echo: '--probe' },
  public: { type: 'boolean', usage: '--public', about: 'answer in the channel (Slack), not just to you', echo: '--public' },
  help: { type: 'boolean', short: 'h', usage: '-h, --help', about: 'show help for the command', echo: false },
  once: { type: 'boolean', usage: '--once', about: 'run a scheduled report once now and print it', echo: false },
  noProbe: { type: 'boolean', long: 'no-probe', usage: '--no-probe', about: 'answer without sending any packet', echo: '--no-probe' },
  user: { type: 'string', usage: '--user <U…>', about: 'only this Slack user\'s questions', echo: '--user' },
  since: { type: 'string', usage: '--since <30m|1h|7d|ISO time>', about: 'only what happened since then', echo: '--since' },
  command: { type: 'string', completes: ['command'], usage: '--command <name>', about: 'only questions that ran this command', echo: '--command' },
  type: { type: 'string', values: DNS_RECORD_TYPES, usage: '--type <A|AAAA|SRV|PTR>', about: 'DNS record type (default A)', echo: '--type' },
  from: { type: 'string', completes: ['container', 'pod'], usage: '--from <container|pod>', about: 'probe from inside this workload\'s network namespace', echo: '--from' },
} as const satisfies Record<FlagName, FlagSpec>;

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  long?: string;
  aliases?: readonly string[];
  from?: FlagName;
  usage: string;
  about: string;
  echo: string | false;
  terminalOnly?: boolean;
  /** What shell completion offers as the value: names of these kinds, or `file`. */
  completes?: readonly CompletionSource[];
  /** The values it takes, offered by shell completion. */
  values?: readonly string[];
}

const spec = (name: FlagName): FlagSpec => FLAG_SPECS[name];

/** The flag as typed on a command line: `--no-probe` for noProbe. */
export function flagSpelling(name: FlagName): string {
  return `--${spec(name).long ?? name}`;
}

export const FLAG_NAMES = Object.keys(FLAG_SPECS) as FlagName[];

/** Every long spelling read (`--context`, `--cluster`, …), for suggestions and shell completion. */
export function longSpellings(name: FlagName): string[] {
  const s = spec(name);
  if (s.from) return [];
  return [flagSpelling(name), ...(s.aliases ?? []).map((a) => `--${a}`)];
}

/**
 * Flags that only mean something to the terminal (`--kubeconfig` names a file on the asker's machine):
 * Slack and the console refuse them with a sentence saying what to do instead.
 */
export function refuseTerminalOnlyFlags(query: Query, where: 'slack' | 'console'): void {
  const used = FLAG_NAMES.filter((f) => spec(f).terminalOnly && query.flags[f] !== undefined);
  if (!used.length) return;
  const flag = flagSpelling(used[0]!);
  if (where === 'slack') {
    throw new UserError(`${flag} works only in the terminal: in Slack netpeek reads its own kubeconfig, and a file path on your machine means nothing to it.`, [
      'Pick one of its clusters with --context instead; `status` lists them.',
      'Example: pod webserver-2 --context kind-dev',
    ]);
  }
  throw new UserError(`${flag} is read when netpeek starts, not per question: start the console with it.`, ['Example: netpeek console --kubeconfig ~/.kube/dev.yaml']);
}

/**
 * Query → the command line a user would type for it (flags that only change presentation left out).
 * Parsing the line again gives the same Query: words with spaces or quotes are quoted, and names that
 * start with "-" come after "--", as a user would have had to type them.
 */
export function formatQuery(q: Query): string {
  const flags: string[] = [];
  for (const name of FLAG_NAMES) {
    const spec = FLAG_SPECS[name];
    const value = q.flags[name];
    if (spec.echo === false || value === undefined || value === false) continue;
    const shown = name === 'port' && q.flags.protocol ? `${value}/${q.flags.protocol}` : String(value);
    flags.push(...(spec.type === 'boolean' ? [spec.echo] : [spec.echo, quoteWord(shown)]));
  }
  const positionals = [q.command, ...q.args].map(quoteWord);
  // sanitize() drops a leading "netpeek" (the slash command's own name); a quoted one stays.
  if (/^\/?netpeek\b/i.test(positionals[0] ?? '')) positionals[0] = `"${positionals[0]}"`;
  if ([q.command, ...q.args].some((w) => w.startsWith('-'))) return [...flags, '--', ...positionals].join(' ');
  return [...positionals, ...flags].join(' ');
}

/** A word as tokenize() reads it back: as is when plain, else in quotes (a `"` itself inside single quotes). */
function quoteWord(word: string): string {
  if (word !== '' && !/[\s"']/.test(word)) return word;
  return word
    .split('"')
    .map((run) => (run === '' ? '' : /[\s']/.test(run) || word === '' ? `"${run}"` : run))
    .join(`'"'`) || '""';
}

// Characters that mean a shell to most people; no Docker or Kubernetes name contains them.
const SHELL_META = /[;|&$`<>\\(){}!*?\[\]]/;

/**
 * Undo what chat clients do to typed text: smart quotes, Slack's <url|label> links and
 * <@U…> mentions, the em dash that macOS and Slack make of "--", non-breaking spaces.
 */
export function sanitize(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F]/g, '"')
    .replace(/[\u2013\u2014](?=[a-z])/gi, '--')
    .replace(/[\u00A0\u2000-\u200B\u202F\u3000]/g, ' ')
    .replace(/<(?:https?|mailto):[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<(?:https?:\/\/)([^|>]*)>/g, '$1')
    .replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ')
    .trim()
    .replace(/^\/?netpeek\b/i, '')
    .trim();
}

/** Split on whitespace; single or double quotes group words. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let inToken = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) throw new UserError(`A ${quote} quote is not closed.`, ['Example: container "webserver-1"']);
  if (inToken) tokens.push(current);
  return tokens;
}

function parseIntFlag(name: string, raw: string, range: { min: number; max: number }, example: string): number {
  if (!/^\d+$/.test(raw)) {
    throw new UserError(`--${name} must be a whole number from ${range.min} to ${range.max}; got "${raw}".`, [`Example: ${example}`]);
  }
  const n = Number(raw);
  if (n < range.min || n > range.max) {
    throw new UserError(`--${name} must be from ${range.min} to ${range.max}; got ${n}.`, [`Example: ${example}`]);
  }
  return n;
}

/**
 * Text → Query. Throws UserError with a specific sentence for anything malformed; knows nothing of
 * which commands exist (the registry checks that).
 */
export function parseQuery(input: string): Query {
  const text = sanitize(input);
  return parseTokens(tokenize(text), text);
}

/**
 * Tokens → Query. The terminal passes argv here directly (the shell already split it); chat text comes
 * through parseQuery.
 */
export function parseTokens(tokens: string[], text = tokens.join(' ')): Query {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new UserError(`That question is ${text.length} characters long; netpeek reads at most ${MAX_QUERY_LENGTH}.`, [
      'Ask about one thing at a time, e.g. `container webserver-1`.',
    ]);
  }
  if (/[\u0000-\u0008\u000B-\u001F\u007F]/.test(text)) {
    throw new UserError('The question contains control characters; type it as plain text.', ['Example: pod webserver-2 -n default']);
  }
  // A label selector's own syntax uses "(", ")" and "!" (`env in (a,b)`, `!canary`); it is parsed, never run.
  const selectorValues = selectorValueIndexes(tokens);
  const meta = tokens.find((t, i) => SHELL_META.test(selectorValues.has(i) ? t.replace(/[()!]/g, '') : t));
  if (meta !== undefined) {
    const ch = SHELL_META.exec(meta)?.[0];
    throw new UserError(
      `"${meta}" contains "${ch}", which no container, pod or network name can contain. netpeek never runs a shell, so pipes, redirects and substitutions do nothing here.`,
      ['Names use letters, digits, "-", "_" and "."; e.g. `container webserver-1`.'],
    );
  }
  let parsed;
  try {
    parsed = parseArgs({ args: withCanonicalSpellings(tokens), options: PARSE_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(flagErrorSentence(err), [`Flags: ${FLAG_NAMES.filter((f) => !spec(f).from).map((f) => spec(f).usage).join(", ")}`]);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const flags: Flags = {};
  const str = (f: FlagName): string | undefined => {
    const raw = v[spec(f).long ?? f];
    return typeof raw === 'string' ? raw : undefined;
  };
  if (str('namespace') !== undefined) flags.namespace = str('namespace');
  if (str('cluster') !== undefined) flags.cluster = str('cluster');
  if (str('port') !== undefined) Object.assign(flags, parsePortFlag(str('port')!));
  if (str('count') !== undefined) flags.count = parseIntFlag('count', str('count')!, COUNT_RANGE, 'ping webserver-2 --count 3');
  for (const f of ['user', 'since', 'command', 'from', 'kubeconfig'] as const) if (str(f) !== undefined) flags[f] = str(f);
  const selector = str('selector');
  if (selector !== undefined) {
    if (selector.trim() === '') throw new UserError('-l/--selector needs a label query.', ['Example: pod -l app=web -n shop']);
    flags.selector = selector;
  }
  const output = str('output');
  if (output !== undefined) {
    const o = output.toLowerCase();
    if (!(OUTPUT_FORMATS as readonly string[]).includes(o)) {
      throw new UserError(`-o/--output takes json, wide or name; got "${output}".`, ['Examples: pod web-1 -o wide, pod -l app=web -o name, svc web -o json']);
    }
    flags.output = o as OutputFormat;
    if (o === 'json') flags.json = true;
  }
  const dnsType = str('type');
  if (dnsType !== undefined) {
    const t = dnsType.toUpperCase();
    if (!(DNS_RECORD_TYPES as readonly string[]).includes(t)) throw new UserError(`--type takes A, AAAA, SRV or PTR; got "${dnsType}".`, ['Example: dns _http._tcp.web --type SRV --from web-1']);
    flags.type = t as DnsRecordType;
  }
  for (const b of FLAG_NAMES) {
    if (spec(b).type === 'boolean' && v[spec(b).long ?? b] === true) (flags as Record<FlagName, unknown>)[b] = true;
  }
  const [command = '', ...args] = parsed.positionals;
  return { command: command.toLowerCase(), args, flags, text };
}

/** Where the values of -l/--selector are among the tokens (`-l X`, `--selector X`, `--selector=X`, `-lX`). */
function selectorValueIndexes(tokens: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '--') break;
    if (t === '-l' || t === '--selector') out.add(i + 1);
    else if (t.startsWith('--selector=') || /^-l./.test(t)) out.add(i);
  }
  return out;
}

/** util.parseArgs options, one per typed flag, under the spelling typed (`context`, `no-probe`). */
const PARSE_OPTIONS = Object.fromEntries(
  FLAG_NAMES.filter((f) => !spec(f).from).map((f) => {
    const s = spec(f);
    return [s.long ?? f, s.short ? { type: s.type, short: s.short } : { type: s.type }];
  }),
) as Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Older spellings (`--cluster`) → the flag's own (`--context`); words after `--` are left alone. */
const ALIASES = new Map<string, string>(FLAG_NAMES.flatMap((f) => (spec(f).aliases ?? []).map((a) => [`--${a}`, flagSpelling(f)] as const)));

function withCanonicalSpellings(tokens: string[]): string[] {
  const end = tokens.indexOf('--');
  return tokens.map((t, i) => {
    if ((end !== -1 && i >= end) || !t.startsWith('--')) return t;
    const eq = t.indexOf('=');
    const canonical = ALIASES.get(eq === -1 ? t : t.slice(0, eq));
    return canonical ? canonical + (eq === -1 ? '' : t.slice(eq)) : t;
  });
}

/** `--contxt` → `--context`: the nearest known spelling by edit distance, when one is near enough to be a typo. */
export function nearestFlag(typed: string): string | undefined {
  if (/^-[^-]/.test(typed)) {
    // A one-letter flag: suggest the long flag that starts with that letter, as there is no distance to measure.
    const known = FLAG_NAMES.filter((f) => !spec(f).from);
    const byShort = known.find((f) => spec(f).short?.toLowerCase() === typed[1]?.toLowerCase());
    return byShort ? `-${spec(byShort).short}` : undefined;
  }
  const spellings = FLAG_NAMES.flatMap(longSpellings);
  const word = typed.split('=')[0]!;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const s of spellings) {
    const d = editDistance(word.toLowerCase(), s);
    if (d < bestDistance) [best, bestDistance] = [s, d];
  }
  // Up to a third of the name (at least 2) counts as a typo: --contxt, --namspace, --selectr, --all-namespace.
  return bestDistance <= Math.max(2, Math.floor((word.length - 2) / 3)) ? best : undefined;
}

/** `--port 8080`, `--port 53/udp`, `--port 3868/SCTP`. */
function parsePortFlag(raw: string): Pick<Flags, 'port' | 'protocol'> {
  const m = /^([^/]*)\/(.*)$/.exec(raw);
  if (!m) return { port: parseIntFlag('port', raw, PORT_RANGE, 'ping webserver-2 --port 80') };
  const protocol = m[2]!.toLowerCase();
  if (!(PORT_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new UserError(`--port takes a number, optionally followed by /tcp, /udp or /sctp; got "${raw}".`, ['Example: reach web-1 db-0 --port 53/udp']);
  }
  return { port: parseIntFlag('port', m[1]!, PORT_RANGE, 'reach web-1 db-0 --port 8080/tcp'), protocol: protocol as PortProtocol };
}

function flagErrorSentence(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(msg);
  if (unknown) {
    const near = nearestFlag(unknown[1]!);
    return `unknown flag ${unknown[1]}${near ? `; did you mean ${near}?` : ' (not a netpeek flag).'}`;
  }
  const missing = /Option '([^']+)' argument missing/.exec(msg);
  if (missing) return `${(missing[1] ?? '').replace(' <value>', '').split(',').pop()?.trim()} needs a value.`;
  const noValue = /Option '([^']+)' does not take an argument/.exec(msg);
  if (noValue) return `${noValue[1]} is a switch and takes no value.`;
  return `The flags could not be read: ${msg.split('.')[0]}.`;
}
