import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { explain } from '../../../commands/explain.js';
import { answerQuery } from '../../../src/core/ask.js';
import { parseTokens } from '../../../src/core/query.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import type { Deps, NetpeekCommand } from '../../../src/deps.js';
import { commandManifest, lazyCommand } from '../../../src/start/commands.js';
import { selfContainedDeps } from '../../../src/start/self-contained-deps.js';

const COMMANDS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'commands');

/** commands/<file>.ts → its exports, keyed as the manifest names modules. */
async function commandModules(): Promise<Record<string, Record<string, unknown>>> {
  const modules: Record<string, Record<string, unknown>> = {};
  for (const f of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
    modules[`./${f.replace(/\.ts$/, '.js')}`] = (await import(pathToFileURL(join(COMMANDS_DIR, f)).href)) as Record<string, unknown>;
  }
  return modules;
}

const specOf = ({ run: _r, rerunLive: _l, ...spec }: NetpeekCommand) => spec;

describe('the commands manifest: a registry that loads a command only when it runs (issue 19)', () => {
  it('names, for every command in order, the module that exports it and its whole spec', async () => {
    const manifest = commandManifest(COMMANDS, await commandModules());
    expect(manifest.commands.map((c) => c.spec.name)).toEqual(COMMANDS.map((c) => c.name));
    expect(manifest.commands.find((c) => c.spec.name === 'pod')).toMatchObject({ module: './pod.js', export: 'pod' });
    for (const [i, entry] of manifest.commands.entries()) expect(entry.spec).toEqual(specOf(COMMANDS[i]!));
  });

  it('built into a registry, resolves, validates and answers as the registry of the real commands does', async () => {
    const base = pathToFileURL(join(COMMANDS_DIR, 'commands.json'));
    const lazy = commandManifest(COMMANDS, await commandModules()).commands.map((e) => lazyCommand(e, base));
    const registry = new CommandRegistry<Deps>(lazy);
    expect(registry.list().map(specOf)).toEqual(COMMANDS.map(specOf));
    // rerunLive exists exactly where the spec says so (the registry refuses a command otherwise).
    expect(lazy.filter((c) => c.rerunLive).map((c) => c.name)).toEqual(COMMANDS.filter((c) => c.rerunLive).map((c) => c.name));
    const answer = await answerQuery(parseTokens(['explain', 'publish']), registry, selfContainedDeps());
    expect(answer).toEqual(await explain.run(parseTokens(['explain', 'publish']), selfContainedDeps(), { registry }));
    expect(() => registry.resolve(parseTokens(['explain', 'a', 'b']))).toThrow(/explain takes at most 1 argument; "b" is extra\./);
  });

  it('refuses a command that no module exports, or whose spec would not survive JSON', async () => {
    const modules = await commandModules();
    const stray: NetpeekCommand = { ...explain, name: 'stray' };
    expect(() => commandManifest([stray], modules)).toThrow(/command stray is exported by 0 command modules/);
    const odd = { ...explain, name: 'odd', summary: undefined } as unknown as NetpeekCommand;
    expect(() => commandManifest([odd], { './odd.js': { odd } })).toThrow(/command odd: its spec does not survive JSON/);
  });

  it('a module that lost its command (a stale bundle) fails the run with what to do', async () => {
    const cmd = lazyCommand({ module: './explain.js', export: 'nothere', spec: specOf(explain) }, pathToFileURL(join(COMMANDS_DIR, 'commands.json')));
    await expect(cmd.run(parseTokens(['explain']), selfContainedDeps(), { registry: new CommandRegistry<Deps>([]) })).rejects.toThrow(/has no command nothere: rebuild netpeek/);
  });
});
