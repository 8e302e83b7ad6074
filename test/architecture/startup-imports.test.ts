import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/index.js';

/**
 * Issue 19: a one-shot answer must start about as fast as kubectl. What runs at start is the static
 * import graph of the module a mode starts from: src/main.ts (every mode's entry), then src/start/one-shot.ts
 * (one answer) or src/start/serve.ts (bot, console), then the one command module the question runs (the
 * bundle's registry comes from a manifest, so the other commands are never loaded). Heavy libraries must
 * hang off these only by dynamic import(): loaded when a command talks to that backend, never for
 * `explain` or a bad name. A selfContained command (explain, help) reads no configuration and logs
 * nothing, so neither zod, pino nor a YAML parser (yaml, js-yaml) may be on its path.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TS_CONFIG = { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: false } };

/** Libraries that cost a one-shot answer time and memory at start (client-node alone ~0.5 s, 80 MB). */
const HEAVY = ['@kubernetes/client-node', '@slack/bolt', 'dockerode', 'better-sqlite3', 'pg'];
/** The configuration's validator, the logger and the YAML parsers: 5–25 ms each, more than `explain` itself. */
const STARTUP_LIBS = ['zod', 'pino', 'yaml', 'js-yaml'];

/** Edges that do not run at start: erased types, and import() that a command awaits when it needs the library. */
const NOT_AT_START = new Set(['type-only', 'dynamic-import', 'import-equals-type', 'triple-slash-type-reference']);

/**
 * Every library of `libraries` (and every project module matching `modules`) reachable from `entry`
 * through imports that are evaluated at start, each with the chain of modules that reaches it.
 */
async function heavyAtStart(baseDir: string, entry: string, libraries: readonly string[] = HEAVY, modules?: RegExp, o: { followDynamic?: boolean } = {}): Promise<{ library: string; chain: string[] }[]> {
  const result = await cruise(
    [entry],
    { baseDir, tsPreCompilationDeps: true, doNotFollow: { path: 'node_modules' }, exclude: { path: '\\.d\\.ts$' }, enhancedResolveOptions: { extensions: ['.ts', '.js'] } },
    undefined,
    { tsConfig: TS_CONFIG },
  );
  const graph = new Map((result.output as ICruiseResult).modules.map((m) => [m.source, m]));
  const via = new Map<string, string>([[entry, '']]);
  const queue = [entry];
  const found: { library: string; chain: string[] }[] = [];
  const chainTo = (from: string, to: string) => {
    const chain = [to];
    for (let m = from; m; m = via.get(m)!) chain.unshift(m);
    return chain;
  };
  while (queue.length) {
    const from = queue.shift()!;
    for (const d of graph.get(from)?.dependencies ?? []) {
      // followDynamic: through import() too, for a module that must never reach a library at all.
      if (d.dependencyTypes.some((t) => NOT_AT_START.has(t) && !(o.followDynamic && t === 'dynamic-import')) || via.has(d.resolved)) continue;
      via.set(d.resolved, from);
      const library = libraries.find((l) => d.resolved.startsWith(`node_modules/${l}/`) || d.module === l);
      if (library) found.push({ library, chain: chainTo(from, d.resolved) });
      else if (!d.resolved.startsWith('node_modules/')) {
        if (modules?.test(d.resolved)) found.push({ library: d.resolved, chain: chainTo(from, d.resolved) });
        queue.push(d.resolved);
      }
    }
  }
  return found;
}

describe('architecture: the CLI starts without the backends\' libraries (issue 19)', () => {
  it('src/main.ts, the entry of every mode, loads no command, no configuration, no backend and none of zod, pino or yaml', async () => {
    expect(await heavyAtStart(ROOT, 'src/main.ts', [...HEAVY, ...STARTUP_LIBS], /^(commands\/|src\/(config|deps)\.ts$|src\/start\/)/)).toEqual([]);
  }, 120_000);

  it('the one-shot and the serve/console modes reach the backends\' libraries only by import(); the one-shot reaches no command module, config.ts or deps.ts at start', async () => {
    expect(await heavyAtStart(ROOT, 'src/start/serve.ts')).toEqual([]);
    expect(await heavyAtStart(ROOT, 'src/start/one-shot.ts', [...HEAVY, ...STARTUP_LIBS], /^(commands\/|src\/(config|deps)\.ts$)/)).toEqual([]);
    // one-shot.cjs (the CommonJS file of every backend command) starts the same way: its commands by import() only.
    expect(await heavyAtStart(ROOT, 'src/start/one-shot-entry.ts', [...HEAVY, ...STARTUP_LIBS], /^(commands\/|src\/(config|deps)\.ts$)/)).toEqual([]);
  }, 120_000);

  it('every command module reaches the backends\' libraries only by import(); a selfContained one (explain, help) not zod, pino or yaml either', async () => {
    const selfContained = new Set(COMMANDS.filter((c) => c.selfContained).map((c) => c.name));
    expect([...selfContained].sort()).toEqual(['explain', 'help']);
    for (const file of readdirSync(join(ROOT, 'commands')).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
      const name = file.replace(/\.ts$/, '');
      const libraries = selfContained.has(name) ? [...HEAVY, ...STARTUP_LIBS] : HEAVY;
      expect({ file, found: await heavyAtStart(ROOT, `commands/${file}`, libraries) }).toEqual({ file, found: [] });
    }
  }, 240_000);

  it('the binary (launcher.ts, CommonJS) imports only node builtins at start (and code-cache.ts, itself only builtins); self-contained.ts, which answers explain and help, reaches no backend, config or command other than theirs, and none of zod, pino or yaml', async () => {
    expect(await heavyAtStart(ROOT, 'src/start/launcher.ts', [...HEAVY, ...STARTUP_LIBS], /^(commands\/|src\/(?!start\/code-cache\.ts$))/)).toEqual([]);
    expect(await heavyAtStart(ROOT, 'src/start/code-cache.ts', [...HEAVY, ...STARTUP_LIBS], /^(commands\/|src\/)/)).toEqual([]);
    expect(await heavyAtStart(ROOT, 'src/start/self-contained.ts', [...HEAVY, ...STARTUP_LIBS], /^(commands\/(?!explain\.ts$|help\.ts$)|src\/(config|deps)\.ts$|src\/start\/one-shot)/)).toEqual([]);
  }, 120_000);

  it('shell completion (run on every <TAB>): its mode loads no command module at start, and src/cli/complete.ts reaches no backend library, not even by import()', async () => {
    expect(await heavyAtStart(ROOT, 'src/start/complete.ts', [...HEAVY, 'zod', 'pino'], /^(commands\/|src\/(config|deps)\.ts$)/)).toEqual([]);
    expect(await heavyAtStart(ROOT, 'src/cli/complete.ts', [...HEAVY, 'zod', 'pino'], /^(commands\/|src\/(config|deps)\.ts$)/, { followDynamic: true })).toEqual([]);
  }, 120_000);

  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  /** A small tree with a stand-in `pg` package, to show the walk telling a static import from import(). */
  function fixture(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'netpeek-arch-start-'));
    const all = { ...files, 'node_modules/pg/package.json': '{"name":"pg","main":"index.js"}\n', 'node_modules/pg/index.js': 'module.exports = {};\n' };
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    made.push(dir);
    return dir;
  }

  it('names the chain of a static import two modules down', async () => {
    const dir = fixture({
      'src/main.ts': "import { open } from './store/open.js';\nexport const o = open;\n",
      'src/store/open.ts': "import pg from 'pg';\nexport const open = () => pg;\n",
    });
    expect(await heavyAtStart(dir, 'src/main.ts')).toEqual([{ library: 'pg', chain: ['src/main.ts', 'src/store/open.ts', 'node_modules/pg/index.js'] }]);
  }, 60_000);

  it('lets through import() and type-only imports', async () => {
    const dir = fixture({
      'src/main.ts': "import type pg from 'pg';\nexport const open = async (): Promise<typeof pg> => (await import('./store/open.js')).open();\n",
      'src/store/open.ts': "import pg from 'pg';\nexport const open = () => pg;\n",
    });
    expect(await heavyAtStart(dir, 'src/main.ts')).toEqual([]);
  }, 60_000);
});
