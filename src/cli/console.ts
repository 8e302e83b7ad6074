import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { answerQuery } from '../core/ask.js';
import { parseQuery, refuseTerminalOnlyFlags } from '../core/query.js';
import { noteStaleCache } from '../sources/kube-freshness.js';
import type { BackendCheck } from '../core/backend-check.js';
import { isNetpeekError } from '../core/errors.js';
import type { CommandRegistry } from '../core/registry.js';
import type { Deps } from '../deps.js';
import { appendHistory, HISTORY_LIMIT, loadHistory } from './history.js';
import { askedForJson, presentAnswer, presentFailure, type PresentOptions } from './present.js';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  registry: CommandRegistry<Deps>;
  deps: Deps;
  checks: BackendCheck[];
  historyFile?: string;
  color: boolean;
  /** Why the console is running instead of the Slack bot, for the banner. */
  reason?: string;
}

const EXIT_WORDS = new Set(['exit', 'quit', '\\q', ':q']);

/** The banner: which backends answered and which did not, and why. */
export async function banner(checks: BackendCheck[], reason?: string): Promise<string> {
  const states = await Promise.all(checks.map(async (c) => ({ name: c.name, ...(await c.check()) })));
  const lines = ['netpeek console — ask the same questions as /netpeek in Slack.'];
  if (reason) lines.push(reason);
  lines.push('Backends:');
  for (const s of states) lines.push(`  ${s.ok ? '✓' : '✗'} ${s.name}: ${s.detail}`);
  lines.push('Type `help` for the commands, `exit` or Ctrl-D to leave. Example: container webserver-1');
  return lines.join('\n') + '\n';
}

/** Interactive console: one question per line, answers as text (or JSON with --json), history kept. */
export async function runConsole(o: ConsoleOptions): Promise<void> {
  o.output.write(await banner(o.checks, o.reason));
  const history = await loadHistory(o.historyFile);
  const rl = createInterface({ input: o.input, output: o.output, prompt: 'netpeek> ', history, historySize: HISTORY_LIMIT, terminal: (o.output as NodeJS.WriteStream).isTTY === true });
  rl.prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '') {
      rl.prompt();
      continue;
    }
    if (EXIT_WORDS.has(line.toLowerCase())) break;
    await appendHistory(o.historyFile, line);
    let opts: PresentOptions = { json: askedForJson(line.split(/\s+/)), color: o.color && !askedForJson(line.split(/\s+/)) };
    try {
      const query = parseQuery(line);
      refuseTerminalOnlyFlags(query, 'console');
      const json = query.flags.json === true;
      opts = { json, color: o.color && !json, ...(query.flags.output ? { output: query.flags.output } : {}) };
      o.output.write(presentAnswer(noteStaleCache(await answerQuery(query, o.registry, o.deps), o.deps.kube), opts));
    } catch (err) {
      if (!isNetpeekError(err)) o.deps.log.error({ err, line }, 'console question failed');
      o.output.write(presentFailure(err, opts));
    }
    rl.prompt();
  }
  rl.close();
}
