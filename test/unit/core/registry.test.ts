import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { newAnswer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps, type NetpeekCommand } from '../../../src/deps.js';
import { UserError } from '../../../src/core/errors.js';
import { parseQuery } from '../../../src/core/query.js';
import { CommandRegistry, flagsOf, usageLine } from '../../../src/core/registry.js';
import { sendsPackets } from '../../../src/core/command.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';

const echo: NetpeekCommand = {
  name: 'echo',
  aliases: ['say'],
  summary: 'Repeat the target',
  args: [{ name: '<target>', required: true }, { name: '<other>', required: false }],
  flags: ['port'],
  examples: ['echo web-1'],
  subject: { role: 'about', kind: 'topic' },
  sendsPackets: 'never',
  async run(q) {
    return newAnswer('echo', `echo ${q.args.join(' ')}`, { summary: q.flags.port ? `port ${q.flags.port}` : undefined });
  },
};

const deps: Deps = assembleDeps({ config: loadConfig({}), log: createLogger('silent') });
const registry = new CommandRegistry([...COMMANDS, echo]);

async function failure(text: string): Promise<UserError> {
  try {
    await ask(text, registry, deps);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error(`"${text}" did not fail`);
}

describe('CommandRegistry', () => {
  it('routes by name and alias', async () => {
    expect((await ask('echo web-1 --port 80', registry, deps)).summary).toBe('port 80');
    expect((await ask('say web-1', registry, deps)).title).toBe('echo web-1');
  });

  it('a command takes --no-probe exactly when it sends packets unless --no-probe', () => {
    expect(() => new CommandRegistry([{ ...echo, flags: ['noProbe'] }])).toThrow("echo: a command takes --no-probe exactly when it declares sendsPackets: 'unless --no-probe' (it says 'never')");
    expect(() => new CommandRegistry([{ ...echo, sendsPackets: 'unless --no-probe', probeKinds: ['tcp'] }])).toThrow('a command takes --no-probe exactly when');
    const reach = COMMANDS.find((c) => c.name === 'reach')!;
    expect(sendsPackets(reach, parseQuery('reach a b'))).toBe(true);
    expect(sendsPackets(reach, parseQuery('reach a b --no-probe'))).toBe(false);
  });

  it('a command reruns live steps exactly when it has rerunLive, and only if it sends packets', () => {
    expect(() => new CommandRegistry([{ ...echo, rerunsLiveSteps: true }])).toThrow('echo: a command has rerunLive exactly when it declares rerunsLiveSteps');
    expect(() => new CommandRegistry([{ ...echo, rerunLive: async () => newAnswer('echo', 'again') }])).toThrow('echo: a command has rerunLive exactly when it declares rerunsLiveSteps');
    expect(() => new CommandRegistry([{ ...echo, rerunsLiveSteps: true, rerunLive: async () => newAnswer('echo', 'again') }])).toThrow("echo: live steps send packets, so a command that reruns them cannot declare sendsPackets: 'never'");
    expect(registry.find('why')?.rerunsLiveSteps).toBe(true);
  });

  it('usage shows --port with its protocol once', () => {
    expect(usageLine(COMMANDS.find((c) => c.name === 'reach')!)).toBe('netpeek reach <from> <to> [-n, --namespace <ns>] [--context <name>] [--port <1-65535>/<tcp|udp|sctp>] [--no-probe]');
  });

  it('a command that takes --context takes --kubeconfig too; -l/-A stand in for the name of a listing', async () => {
    const pod = COMMANDS.find((c) => c.name === 'pod')!;
    expect(flagsOf(pod)).toEqual(['namespace', 'allNamespaces', 'selector', 'cluster', 'kubeconfig', 'probe', 'json', 'output', 'public', 'help']);
    expect(flagsOf(COMMANDS.find((c) => c.name === 'explain')!)).toEqual(['json', 'output', 'public', 'help']);
    expect(usageLine(pod, { brief: true })).toBe('netpeek pod (<name|prefix> | -l <label query> | -A) [options]');
    expect(registry.resolve(parseQuery('pod -l app=web')).name).toBe('pod');
    expect(registry.resolve(parseQuery('pod -A')).name).toBe('pod');
    expect((await failure('pod')).message).toBe('pod needs <name|prefix>, or -l, --selector <label query> or -A, --all-namespaces to list.');
    expect((await failure('explain expose --kubeconfig /k')).message).toBe('explain does not take --kubeconfig.');
    expect((await failure('container web -A')).message).toBe('container does not take --all-namespaces.');
  });

  it('rejects colliding names at start', () => {
    expect(() => new CommandRegistry([echo, { ...echo, name: 'other', aliases: ['echo'] }])).toThrow(/already used by echo/);
  });

  it('suggests the nearest command for a typo and lists all commands', async () => {
    const err = await failure('ecko web-1');
    expect(err.message).toBe('"ecko" is not a netpeek command. Did you mean "echo"?');
    expect(err.details.join('\n')).toMatch(/Commands: .*help.*echo/);
  });

  it('names the missing argument with usage and an example', async () => {
    const err = await failure('echo');
    expect(err.message).toBe('echo needs <target>.');
    expect(err.details).toContain('Usage: netpeek echo <target> [<other>] [--port <1-65535>]');
    expect(err.details).toContain('Example: echo web-1');
  });

  it('names extra arguments', async () => {
    expect((await failure('echo a b c')).message).toBe('echo takes at most 2 arguments; "c" is extra.');
  });

  it('refuses a flag the command does not take', async () => {
    expect((await failure('help --port 80')).message).toBe('help does not take --port.');
  });

  it('an empty question says what to ask', async () => {
    expect((await failure('/netpeek')).message).toMatch(/Ask netpeek something/);
  });

  it('help is generated from the registry', async () => {
    const list = await ask('help', registry, deps);
    const names = list.tables[0]?.rows.map((r) => r[0]);
    expect(names).toEqual(registry.list().map((c) => c.name));
    const one = await ask('echo --help', registry, deps);
    expect(one.tables.find((t) => t.title === 'Usage:')?.rows).toEqual([['netpeek echo <target> [<other>] [options]']]);
    expect(one.tables.find((t) => t.title === 'Examples:')?.rows).toEqual([['netpeek echo web-1']]);
    expect(one.tables.find((t) => t.title === 'Options:')?.rows.map((r) => r[0]!.trim().split(/ {2,}/)[0])).toEqual(['--port <1-65535>', '--json', '-o, --output <json|wide|name>', '--public', '-h, --help']);
  });

  it('help for an unknown command suggests one', async () => {
    expect((await failure('help ech')).message).toMatch(/There is no command "ech" to explain. Did you mean "echo"\?/);
  });

  it('parses before routing', () => {
    expect(registry.resolve(parseQuery('/netpeek say x')).name).toBe('echo');
  });
});
