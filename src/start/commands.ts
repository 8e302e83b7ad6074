import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { Command, CommandSpec } from '../core/command.js';
import type { Deps, NetpeekCommand } from '../deps.js';

/**
 * The commands for a one-shot answer. The bundle (dist/bundle, what `netpeek` runs) carries a manifest of
 * every command's self-description, written at build time from commands/index.ts (see bundle.ts): the
 * registry is built from it, and a command's module (with everything it imports) is loaded only when that
 * command runs. So `netpeek explain` loads explain and nothing of pod, container or why.
 * Run from the sources or tsc's output (tests, tsx) there is no manifest: commands/index.ts is imported.
 */

export const MANIFEST_FILE = 'commands.json';

/** One command in the manifest: where its module is (relative to the manifest), the export, its spec. */
export interface ManifestEntry {
  module: string;
  export: string;
  spec: CommandSpec;
}

export interface CommandManifest {
  commands: ManifestEntry[];
}

export async function loadCommands(): Promise<readonly NetpeekCommand[]> {
  const manifest = new URL(`./${MANIFEST_FILE}`, import.meta.url);
  if (!existsSync(manifest)) return (await import('../../commands/index.js')).COMMANDS;
  const { commands } = JSON.parse(readFileSync(manifest, 'utf8')) as CommandManifest;
  return commands.map((entry) => lazyCommand(entry, manifest));
}

/**
 * A command's module (by its manifest path) when the caller has it without importing it from beside the
 * manifest: the CommonJS files of the bundle carry their commands inside (self-contained.ts,
 * one-shot-entry.ts). undefined = import it from beside the manifest.
 */
export type CommandModules = (module: string) => Promise<Record<string, unknown>> | undefined;

/** The manifest beside the bundle's files (`bundleDir`), each command's module taken from `modules`. */
export function manifestCommands(bundleDir: string, modules: CommandModules): NetpeekCommand[] {
  const manifest = join(bundleDir, MANIFEST_FILE);
  const { commands } = JSON.parse(readFileSync(manifest, 'utf8')) as CommandManifest;
  return commands.map((entry) => lazyCommand(entry, pathToFileURL(manifest), modules));
}

/**
 * The spec as declared; `run` (and `rerunLive`) load the command's module on first call: from `modules`
 * when it has it, else imported from beside the manifest.
 */
export function lazyCommand(entry: ManifestEntry, base: URL, modules: CommandModules = () => undefined): NetpeekCommand {
  let loading: Promise<NetpeekCommand> | undefined;
  const exportsOf = (): Promise<Record<string, unknown>> => modules(entry.module) ?? (import(new URL(entry.module, base).href) as Promise<Record<string, unknown>>);
  const load = () =>
    (loading ??= exportsOf().then((exports) => {
      const m = exports as Record<string, NetpeekCommand>;
      const cmd = m[entry.export];
      if (!cmd || typeof cmd.run !== 'function') throw new Error(`${entry.module} has no command ${entry.export}: rebuild netpeek (npm run build)`);
      return cmd;
    }));
  const cmd: Command<Deps> = { ...entry.spec, run: async (query, deps, ctx) => (await load()).run(query, deps, ctx) };
  if (entry.spec.rerunsLiveSteps) cmd.rerunLive = async (query, previous, deps) => (await load()).rerunLive!(query, previous, deps);
  return cmd;
}

/**
 * The manifest of `commands` (in their order), each found among `modules` (file → its exports) by identity.
 * Throws when a command is in no module, or when its spec does not survive JSON (a function, undefined or a
 * RegExp in a field other than run/rerunLive), so the build fails instead of the lazy registry differing.
 */
export function commandManifest(commands: readonly NetpeekCommand[], modules: Record<string, Record<string, unknown>>): CommandManifest {
  return {
    commands: commands.map((cmd) => {
      const found = Object.entries(modules).flatMap(([module, exports]) => Object.entries(exports).filter(([, v]) => v === cmd).map(([name]) => ({ module, export: name })));
      if (found.length !== 1) throw new Error(`command ${cmd.name} is exported by ${found.length} command modules (expected exactly one)`);
      const { run: _run, rerunLive: _rerun, ...spec } = cmd;
      const json = JSON.stringify(spec);
      if (!isDeepStrictEqual(JSON.parse(json), spec)) throw new Error(`command ${cmd.name}: its spec does not survive JSON: ${json}`);
      return { ...found[0]!, spec: JSON.parse(json) as CommandSpec };
    }),
  };
}
