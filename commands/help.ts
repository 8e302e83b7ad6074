import type { NetpeekCommand } from '../src/deps.js';
import { newAnswer } from '../src/core/answer.js';
import { UserError } from '../src/core/errors.js';
import { FLAG_SPECS } from '../src/core/query.js';
import { UNIVERSAL_FLAGS, usageLine } from '../src/core/registry.js';
import { closest } from '../src/core/similar-names.js';

export const help: NetpeekCommand = {
  name: 'help',
  aliases: ['?', 'commands'],
  summary: 'List the commands, or explain one of them',
  args: [{ name: '<command>', required: false }],
  flags: [],
  examples: ['help', 'help container'],
  subject: { role: 'about', kind: 'help' },
  sendsPackets: 'never',
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
    const flags = [...cmd.flags, ...UNIVERSAL_FLAGS.filter((f) => f !== 'help')];
    return newAnswer('help', `help ${cmd.name}`, {
      subject: { kind: 'help', name: cmd.name },
      summary: cmd.summary,
      facts: [
        { label: 'Usage', value: usageLine(cmd) },
        ...(cmd.aliases?.length ? [{ label: 'Aliases', value: cmd.aliases.join(', ') }] : []),
      ],
      explanations: cmd.description ? [cmd.description] : [],
      tables: [
        { title: 'Flags', columns: ['flag', 'meaning'], rows: flags.map((f) => [FLAG_SPECS[f].usage, FLAG_SPECS[f].about]) },
        { title: 'Examples', columns: ['example'], rows: cmd.examples.map((e) => [e]) },
      ],
    });
  },
};
