import type { CommandRegistryView } from '../core/command.js';
import type { SubjectKind } from '../core/kinds.js';
import { sanitize, tokenize } from '../core/query.js';
import type { ThreadSubject } from './thread-subject.js';

/**
 * Plain questions in a mention or DM → the command line netpeek runs for them. Pure: no Slack, no I/O.
 *
 *   "why can't I reach webserver-2 on 8080?"  → ping webserver-2 --port 8080
 *   "what's the IP of webserver-1"            → container webserver-1   (pod when the thread is about a pod)
 *   "ping it" / "ports?" / "why?"             → act on the thread's subject
 *
 * Anything that already looks like a command (or has flags) is left to the strict parser, except that
 * pronouns ("container it") are replaced by the subject.
 */

/** Which part of an answer the asker wants: everything, just the ports, or just the why. */
export type Focus = 'ports' | 'explain';

export interface MentionContext {
  /** The registered commands: which word is a command, which command looks up, probes, checks a path. */
  commands: CommandRegistryView;
  /** What the thread is about, when known. */
  subject?: ThreadSubject;
}

export type MentionReading =
  /** Run these tokens (through parseTokens, so flags are validated as for typed commands). */
  | { kind: 'command'; tokens: string[]; text: string; focus?: Focus; lenient: boolean }
  /** The question refers to "it" but the conversation has no subject yet. */
  | { kind: 'needs-subject'; text: string }
  /** Not a plain question netpeek recognises: hand the text to the strict parser (which explains what is wrong). */
  | { kind: 'strict'; text: string };

const KIND_WORDS: Readonly<Record<string, SubjectKind>> = { pod: 'pod', container: 'container', service: 'service', svc: 'service', node: 'node' };

/** Words that point at the thread's subject instead of naming something. */
const PRONOUNS = new Set(['it', 'this', 'that', 'them', 'one', 'there', 'pod', 'container', 'service', 'svc', 'node', 'thing', 'target']);

export function isPronoun(word: string): boolean {
  return PRONOUNS.has(word.toLowerCase());
}

type Verb = 'probe' | 'reach' | 'lookup' | 'ports' | 'explain';
interface Intent {
  verb: Verb;
  /** [kind word, name] per target; name undefined means "the subject". */
  targets: { kindWord?: string; name?: string }[];
}

const NAME = String.raw`([A-Za-z0-9][A-Za-z0-9._-]*)`;
const T = String.raw`(?:(?:the|my|our)\s+)?(?:(pod|container|service|svc|node)\s+)?${NAME}`;
const ME = String.raw`(?:i|we|you|netpeek|anyone|anybody)`;
const REACH_VERB = String.raw`(?:reach|ping|connect\s+to|talk\s+to|get\s+to|access|hit|curl|see)`;

const PATTERNS: { verb: Verb; re: RegExp; targets: number }[] = [
  { verb: 'probe', targets: 1, re: new RegExp(String.raw`^(?:why\s+)?(?:can(?:'t|not)?|can\s+not|could(?:n't)?)\s+${ME}\s+(?:not\s+)?${REACH_VERB}\s+${T}$`, 'i') },
  { verb: 'reach', targets: 2, re: new RegExp(String.raw`^(?:why\s+)?(?:can(?:'t|not)?|could(?:n't)?|does(?:n't)?|do(?:n't)?|will|won't)\s+(?!${ME}\s)${T}\s+(?:not\s+)?${REACH_VERB}\s+${T}$`, 'i') },
  { verb: 'probe', targets: 1, re: new RegExp(String.raw`^(?:ping|probe|reach|check|test)\s+${T}$`, 'i') },
  { verb: 'probe', targets: 1, re: new RegExp(String.raw`^(?:is|are)\s+${T}\s+(?:reachable|up|alive|down|pingable|responding|listening|ok|okay)$`, 'i') },
  { verb: 'probe', targets: 1, re: new RegExp(String.raw`^why\s+(?:is|are)(?:n't)?\s+${T}\s+(?:not\s+reachable|unreachable|down|not\s+responding|not\s+answering|reachable)$`, 'i') },
  { verb: 'lookup', targets: 1, re: new RegExp(String.raw`^(?:(?:what|where)(?:'s|s|\s+is|\s+are)?|show(?:\s+me)?|give\s+me|get|find|tell\s+me)?\s*(?:the\s+)?(?:ip|ips|ip\s+address(?:es)?|address(?:es)?)\s+(?:of|for)\s+${T}$`, 'i') },
  { verb: 'lookup', targets: 1, re: new RegExp(String.raw`^(?:what|which)\s+ip(?:\s+address)?\s+(?:does|has|is)\s+${T}(?:\s+(?:have|got|use|using|on))?$`, 'i') },
  { verb: 'lookup', targets: 1, re: new RegExp(String.raw`^(?:where(?:'s|s|\s+is)|tell\s+me\s+about|describe|look\s*up|info\s+(?:on|about)|what\s+about)\s+${T}$`, 'i') },
  { verb: 'lookup', targets: 1, re: new RegExp(String.raw`^ip\s+(?:of\s+)?${T}$`, 'i') },
  { verb: 'lookup', targets: 1, re: new RegExp(String.raw`^${T}\s+ip$`, 'i') },
  { verb: 'ports', targets: 0, re: /^(?:what|which|show(?:\s+me)?|list|and)?\s*(?:the\s+)?ports$/i },
  { verb: 'ports', targets: 1, re: new RegExp(String.raw`^(?:what|which|show(?:\s+me)?|list)?\s*(?:the\s+)?ports\s+(?:of|for|on)\s+${T}$`, 'i') },
  { verb: 'ports', targets: 1, re: new RegExp(String.raw`^(?:what|which)\s+ports?\s+(?:does|do|is|are)\s+${T}\s+(?:listen(?:ing)?\s+on|expose|exposing|publish|publishing|open|have|use|using|bind|binding)$`, 'i') },
  { verb: 'ports', targets: 1, re: new RegExp(String.raw`^${T}\s+ports$`, 'i') },
  { verb: 'explain', targets: 0, re: /^(?:why|how\s+come|explain(?:\s+(?:it|this|that))?|why\s+(?:is\s+)?(?:it|that)|what\s+does\s+(?:it|this|that)\s+mean)$/i },
];

/** Pulls "on 8080", "port 8080", "host:8080" out of the text. */
function extractPort(text: string): { text: string; port?: string } {
  for (const re of [/:(\d{1,5})\b/, /\s+(?:on|at|via|using|over)\s+(?:tcp\s+)?(?:port\s+)?(\d{1,5})\b/i, /\s+(?:tcp\s+)?port\s+(\d{1,5})\b/i]) {
    const m = re.exec(text);
    if (m) return { text: (text.slice(0, m.index) + text.slice(m.index + m[0].length)).trim(), port: m[1] };
  }
  return { text };
}

/** Pulls "in namespace shop" / "in the shop namespace" out of the text. */
function extractNamespace(text: string): { text: string; namespace?: string } {
  for (const re of [new RegExp(String.raw`\s+in\s+(?:the\s+)?(?:namespace|ns)\s+${NAME}`, 'i'), new RegExp(String.raw`\s+in\s+(?:the\s+)?${NAME}\s+(?:namespace|ns)\b`, 'i')]) {
    const m = re.exec(text);
    if (m) return { text: (text.slice(0, m.index) + text.slice(m.index + m[0].length)).trim(), namespace: m[1] };
  }
  return { text };
}

function matchIntent(text: string): Intent | undefined {
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (!m) continue;
    const targets: Intent['targets'] = [];
    for (let i = 0; i < p.targets; i += 1) {
      const kindWord = m[1 + i * 2];
      const name = m[2 + i * 2];
      targets.push({ kindWord: kindWord?.toLowerCase(), name: name && !isPronoun(name) ? name : undefined });
    }
    if (p.targets === 0) targets.push({});
    return { verb: p.verb, targets };
  }
  return undefined;
}

function subjectTokens(subject: ThreadSubject): string[] {
  return [subject.name, ...(subject.namespace ? ['-n', subject.namespace] : [])];
}

/** The registered lookup for a kind of subject, else the container lookup (the default kind). */
export function lookupCommand(commands: CommandRegistryView, kind: SubjectKind | undefined): string | undefined {
  return (kind ? commands.lookupFor(kind) : undefined)?.name ?? commands.lookupFor('container')?.name;
}

/** The lookup command for a named thing: explicit kind word, else the thread's kind, else container. */
export function lookupCommandFor(commands: CommandRegistryView, kindWord: string | undefined, subject: ThreadSubject | undefined, namespaceGiven: boolean): string | undefined {
  const kind = (kindWord ? KIND_WORDS[kindWord] : undefined) ?? (namespaceGiven ? 'pod' : subject?.kind === 'pod' ? 'pod' : 'container');
  return lookupCommand(commands, kind);
}

/** Reads a plain question; undefined when it is not one netpeek recognises. */
export function readPlainQuestion(raw: string, ctx: MentionContext): MentionReading | undefined {
  const text = sanitize(raw);
  if (/(^|\s)--?[a-z]/i.test(text)) return undefined; // has flags: a typed command
  const cleaned = text
    .replace(/[?!.\s]+$/, '')
    .replace(/^(?:hey|hi|hello|yo|ok|okay|so|please)\b[,\s]*/i, '')
    .replace(/\s+please$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  const withPort = extractPort(cleaned);
  const withNs = extractNamespace(withPort.text);
  const intent = matchIntent(withNs.text);
  if (!intent) return undefined;
  const { subject } = ctx;
  const port = withPort.port ? ['--port', withPort.port] : [];
  const ns = withNs.namespace ? ['-n', withNs.namespace] : [];

  // Each target is a name typed in the question, or the thread's subject.
  const resolved: { tokens: string[]; kindWord?: string; kind?: SubjectKind }[] = [];
  for (const t of intent.targets) {
    if (t.name) resolved.push({ tokens: [t.name], kindWord: t.kindWord });
    else if (subject) resolved.push({ tokens: [subject.name], kindWord: t.kindWord, kind: subject.kind });
    else return { kind: 'needs-subject', text };
  }
  const [first] = resolved;
  if (!first) return undefined;
  const fromSubject = first.kind !== undefined && subject !== undefined;
  const nsTokens = ns.length ? ns : fromSubject && subject?.namespace ? ['-n', subject.namespace] : [];

  const { commands } = ctx;
  switch (intent.verb) {
    case 'probe': {
      const probe = commands.withRole('probe');
      return probe ? { kind: 'command', tokens: [probe.name, ...first.tokens, ...nsTokens, ...port], text, lenient: true } : undefined;
    }
    case 'reach': {
      const second = resolved[1];
      const path = commands.withRole('path');
      return path ? { kind: 'command', tokens: [path.name, ...first.tokens, ...(second?.tokens ?? []), ...ns, ...port], text, lenient: true } : undefined;
    }
    case 'lookup':
    case 'ports':
    case 'explain': {
      const cmd = fromSubject && !first.kindWord ? lookupCommand(commands, first.kind) : lookupCommandFor(commands, first.kindWord, subject, ns.length > 0);
      if (!cmd) return undefined;
      const focus: Focus | undefined = intent.verb === 'lookup' ? undefined : intent.verb;
      return { kind: 'command', tokens: [cmd, ...first.tokens, ...nsTokens], text, focus, lenient: true };
    }
  }
}

/**
 * A mention or DM → what to run. Plain questions first; otherwise the text as typed, with a pronoun
 * argument ("container it", "ping that --port 80") replaced by the thread's subject.
 */
export function readMention(raw: string, ctx: MentionContext): MentionReading {
  const plain = readPlainQuestion(raw, ctx);
  if (plain) return plain;
  const text = sanitize(raw);
  let tokens: string[];
  try {
    tokens = tokenize(text);
  } catch {
    return { kind: 'strict', text };
  }
  const [command, ...rest] = tokens;
  if (!command || !ctx.commands.find(command)) return { kind: 'strict', text };
  const pronounAt = rest.findIndex((t) => !t.startsWith('-') && isPronoun(t));
  if (pronounAt < 0 || (rest[pronounAt - 1] ?? '').startsWith('-')) return { kind: 'strict', text };
  if (!ctx.subject) return { kind: 'needs-subject', text };
  const replaced = [...rest.slice(0, pronounAt), ...subjectTokens(ctx.subject), ...rest.slice(pronounAt + 1)];
  // A namespace typed explicitly wins over the subject's.
  const typedNs = rest.some((t) => t === '-n' || t === '--namespace' || t.startsWith('--namespace='));
  const tokensOut = typedNs && ctx.subject.namespace ? [...rest.slice(0, pronounAt), ctx.subject.name, ...rest.slice(pronounAt + 1)] : replaced;
  return { kind: 'command', tokens: [command, ...tokensOut], text, lenient: false };
}
