import { parseArgs } from 'node:util';
import { UserError } from './errors.js';

/** Flags any command may accept; each command lists the ones it takes (see Command.flags). */
export interface Flags {
  /** Kubernetes namespace (-n). */
  namespace?: string;
  /** Kubernetes context name. */
  cluster?: string;
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
 * not typed itself but read from another one's value (the protocol of `--port 53/udp`).
 */
export const FLAG_SPECS = {
  namespace: { type: 'string', short: 'n', usage: '-n, --namespace <ns>', about: 'Kubernetes namespace', echo: '-n' },
  cluster: { type: 'string', usage: '--cluster <context>', about: 'Kubernetes context to ask', echo: '--cluster' },
  port: { type: 'string', short: 'p', usage: '--port <1-65535>', about: 'port to probe or explain', echo: '--port' },
  protocol: { type: 'string', usage: '--port <1-65535>/<tcp|udp|sctp>', about: 'the protocol of --port (default tcp)', echo: false, from: 'port' },
  count: { type: 'string', short: 'c', usage: '--count <1-20>', about: 'ICMP echoes to send', echo: '--count' },
  json: { type: 'boolean', usage: '--json', about: 'print the answer as JSON', echo: false },
  probe: { type: 'boolean', usage: '--probe', about: 'also probe the target from its host', echo: '--probe' },
  public: { type: 'boolean', usage: '--public', about: 'answer in the channel (Slack), not just to you', echo: '--public' },
  help: { type: 'boolean', short: 'h', usage: '--help', about: 'show help for the command', echo: false },
  once: { type: 'boolean', usage: '--once', about: 'run a scheduled report once now and print it', echo: false },
  noProbe: { type: 'boolean', long: 'no-probe', usage: '--no-probe', about: 'answer without sending any packet', echo: '--no-probe' },
  user: { type: 'string', usage: '--user <U…>', about: 'only this Slack user\'s questions', echo: '--user' },
  since: { type: 'string', usage: '--since <30m|1h|7d|ISO time>', about: 'only what happened since then', echo: '--since' },
  command: { type: 'string', usage: '--command <name>', about: 'only questions that ran this command', echo: '--command' },
  type: { type: 'string', usage: '--type <A|AAAA|SRV|PTR>', about: 'DNS record type (default A)', echo: '--type' },
  from: { type: 'string', usage: '--from <container|pod>', about: 'probe from inside this workload\'s network namespace', echo: '--from' },
} as const satisfies Record<FlagName, { type: 'string' | 'boolean'; short?: string; long?: string; from?: FlagName; usage: string; about: string; echo: string | false }>;

/** The flag as typed on a command line: `--no-probe` for noProbe. */
export function flagSpelling(name: FlagName): string {
  const spec = FLAG_SPECS[name];
  return `--${'long' in spec ? spec.long : name}`;
}

export const FLAG_NAMES = Object.keys(FLAG_SPECS) as FlagName[];

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
  const meta = tokens.find((t) => SHELL_META.test(t));
  if (meta !== undefined) {
    const ch = SHELL_META.exec(meta)?.[0];
    throw new UserError(
      `"${meta}" contains "${ch}", which no container, pod or network name can contain. netpeek never runs a shell, so pipes, redirects and substitutions do nothing here.`,
      ['Names use letters, digits, "-", "_" and "."; e.g. `container webserver-1`.'],
    );
  }
  const options = Object.fromEntries(
    Object.entries(FLAG_SPECS)
      .filter(([, v]) => !('from' in v))
      .map(([k, v]) => ['long' in v ? v.long : k, 'short' in v ? { type: v.type, short: v.short } : { type: v.type }]),
  ) as Record<string, { type: 'string' | 'boolean'; short?: string }>;
  let parsed;
  try {
    parsed = parseArgs({ args: tokens, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(flagErrorSentence(err), [`Flags: ${Object.values(FLAG_SPECS).map((f) => f.usage).join(', ')}`]);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const flags: Flags = {};
  if (typeof v.namespace === 'string') flags.namespace = v.namespace;
  if (typeof v.cluster === 'string') flags.cluster = v.cluster;
  if (typeof v.port === 'string') Object.assign(flags, parsePortFlag(v.port));
  if (typeof v.count === 'string') flags.count = parseIntFlag('count', v.count, COUNT_RANGE, 'ping webserver-2 --count 3');
  for (const f of ['user', 'since', 'command', 'from'] as const) if (typeof v[f] === 'string') flags[f] = v[f];
  if (typeof v.type === 'string') {
    const t = v.type.toUpperCase();
    if (!(DNS_RECORD_TYPES as readonly string[]).includes(t)) throw new UserError(`--type takes A, AAAA, SRV or PTR; got "${v.type}".`, ['Example: dns _http._tcp.web --type SRV --from web-1']);
    flags.type = t as DnsRecordType;
  }
  for (const b of FLAG_NAMES) {
    const spec = FLAG_SPECS[b];
    if (spec.type === 'boolean' && v['long' in spec ? spec.long : b] === true) (flags as Record<FlagName, unknown>)[b] = true;
  }
  const [command = '', ...args] = parsed.positionals;
  return { command: command.toLowerCase(), args, flags, text };
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
  if (unknown) return `${unknown[1]} is not a netpeek flag.`;
  const missing = /Option '([^']+)' argument missing/.exec(msg);
  if (missing) return `${(missing[1] ?? '').replace(' <value>', '').split(',').pop()?.trim()} needs a value.`;
  const noValue = /Option '([^']+)' does not take an argument/.exec(msg);
  if (noValue) return `${noValue[1]} is a switch and takes no value.`;
  return `The flags could not be read: ${msg.split('.')[0]}.`;
}
