import type { NetpeekCommand } from '../src/deps.js';
import { newAnswer } from '../src/core/answer.js';
import { UserError } from '../src/core/errors.js';
import { FLAG_SPECS } from '../src/core/query.js';
import { flagsOf, usageLine } from '../src/core/registry.js';
import { closest } from '../src/core/similar-names.js';

export const help: NetpeekCommand = {
  name: 'help',
  aliases: ['?', 'commands'],
  summary: 'List the commands, or explain one of them',
  args: [{ name: '<command>', required: false, completes: ['command'] }],
  flags: [],
  examples: ['help', 'help container'],
  subject: { role: 'about', kind: 'help' },
  sendsPackets: 'never',
  selfContained: true,
  usageHint: 'help',
  async run(query, _deps, { registry }) {
    const topic = query.args[0];
    if (!topic) {
      return newAnswer('help', 'netpeek commands', {
        subject: { kind: 'help', name: 'commands' },
        summary: 'Ask about a container, pod, network or address; netpeek answers with live facts and why they hold.',
        tables: [
          {
            title: 'Commands',
            columns: ['command', 'what it answers'],
            rows: registry.list().map((c) => [c.name, c.summary]),
          },
        ],
        hints: ['`help <command>` shows its usage and examples, e.g. `help container`.', 'Add --json to any command for machine-readable output.'],
      });
    }
    const cmd = registry.find(topic);
    if (!cmd) {
      const near = closest(topic, registry.list().map((c) => c.name));
      throw new UserError(`There is no command "${topic}" to explain.${near ? ` Did you mean "${near}"?` : ''}`, [
        `Commands: ${registry.list().map((c) => c.name).join(', ')}`,
        'Example: help container',
      ]);
    }
    // Laid out the way `kubectl <verb> --help` is: what it does, Examples:, Options: (short and long forms), Usage:.
    const flags = flagsOf(cmd);
    const spelled = flags.map((f) => [FLAG_SPECS[f].usage.startsWith('-') && !FLAG_SPECS[f].usage.startsWith('--') ? FLAG_SPECS[f].usage : `    ${FLAG_SPECS[f].usage}`, FLAG_SPECS[f].about] as const);
    const width = Math.max(...spelled.map(([u]) => u.length));
    return newAnswer('help', `help ${cmd.name}`, {
      subject: { kind: 'help', name: cmd.name },
      summary: cmd.summary,
      facts: cmd.aliases?.length ? [{ label: 'Aliases', value: cmd.aliases.join(', ') }] : [],
      explanations: cmd.description ? [cmd.description] : [],
      tables: [
        { title: 'Examples:', columns: ['example'], rows: cmd.examples.map((e) => [`netpeek ${e}`]) },
        { title: 'Options:', columns: ['option'], rows: spelled.map(([u, about]) => [`${u.padEnd(width)}  ${about}`]) },
        { title: 'Usage:', columns: ['usage'], rows: [[`${usageLine(cmd, { brief: true })}`]] },
      ],
      hints: [`Use "netpeek help" for the list of commands; add -o json (or --json) for machine-readable output.`],
    });
  },
};
