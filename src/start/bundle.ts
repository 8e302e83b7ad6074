import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { NetpeekCommand } from '../deps.js';
import { CODE_CACHE_WRAPPER } from './code-cache.js';
import { commandManifest, MANIFEST_FILE } from './commands.js';

/**
 * `npm run build`'s second step (after tsc, run as dist/src/start/bundle.js): the esbuild bundle that
 * `netpeek` runs (package.json "bin"), then the manifest of the commands that lets a one-shot answer load
 * only the command it runs (commands.ts).
 * Then the binary, dist/bundle/netpeek.cjs (CommonJS: launcher.ts), and self-contained.cjs and
 * one-shot.cjs beside it.
 * Entries: the CLI, the namespace child of in-container probes, and every file of commands/ on its own
 * (dist/bundle/commands/<file>.js), so that a command's code is a chunk loaded when the command runs.
 * Code shared by entries lands in chunks that each loads once. Backends' libraries, native addons and
 * files read from their package's own directory stay in node_modules (external).
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const outdir = `${root}dist/bundle`;
const EXTERNAL = ['better-sqlite3', 'pg', '@kubernetes/client-node', '@slack/*', 'dockerode', '@resvg/*', '@hpcc-js/*', 'pino', 'prom-client'];

const commandFiles = readdirSync(`${root}commands`).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.slice(0, -'.ts'.length));

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/main.ts',
    'namespace-child': 'src/probe/namespace-child.ts',
    ...Object.fromEntries(commandFiles.map((f) => [`commands/${f}`, `commands/${f}.ts`])),
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  outdir,
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
  external: EXTERNAL,
  // Bundled CommonJS code (yaml, ipaddr.js …) calls require(); ESM has none, so one is made per file.
  banner: { js: "import { createRequire as __netpeekRequire } from 'node:module'; const require = __netpeekRequire(import.meta.url);" },
});

const at = (f: string) => new URL(`file://${outdir}/commands/${f}.js`).href;
const { COMMANDS } = (await import(at('index'))) as { COMMANDS: readonly NetpeekCommand[] };
const modules: Record<string, Record<string, unknown>> = {};
for (const f of commandFiles.filter((f) => f !== 'index')) modules[`./commands/${f}.js`] = (await import(at(f))) as Record<string, unknown>;
writeFileSync(`${outdir}/${MANIFEST_FILE}`, `${JSON.stringify(commandManifest(COMMANDS, modules), null, 1)}\n`);

// The binary itself and the files it answers one-shot questions from: CommonJS, so those answers never
// start the ES-module loader (launcher.ts says why): self-contained.cjs for explain and help, one-shot.cjs
// (run with a code cache) for every other command. The names come from the commands as built.
const words = (cs: readonly NetpeekCommand[]) => Object.fromEntries(cs.flatMap((c) => [c.name, ...(c.aliases ?? [])].map((w) => [w, c.name])));
const commonJs = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  external: EXTERNAL,
  // CommonJS has no import.meta: the modules that resolve files beside themselves (log.ts finds pino) get this file's URL.
  banner: { js: "const __netpeekModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__netpeekModuleUrl' },
} as const;
await build({ ...commonJs, entryPoints: ['src/start/self-contained.ts'], outfile: `${outdir}/self-contained.cjs` });
// Minified (whitespace and syntax; names are kept, so a logged stack still names its functions): a third
// less to read at every start, and no comments, so the file is ASCII (dynamicImportsThroughLauncher).
await build({ ...commonJs, entryPoints: ['src/start/one-shot-entry.ts'], outfile: `${outdir}/one-shot.cjs`, minifyWhitespace: true, minifySyntax: true });
const oneShotId = dynamicImportsThroughLauncher(`${outdir}/one-shot.cjs`);
await build({
  ...commonJs,
  banner: {},
  entryPoints: ['src/start/launcher.ts'],
  outfile: `${outdir}/netpeek.cjs`,
  define: {
    NETPEEK_SELF_CONTAINED: JSON.stringify(words(COMMANDS.filter((c) => c.selfContained))),
    NETPEEK_ONE_SHOT: JSON.stringify(words(COMMANDS.filter((c) => !c.selfContained))),
    NETPEEK_ONE_SHOT_BUILD: JSON.stringify(oneShotId),
  },
});
chmodSync(`${outdir}/netpeek.cjs`, 0o755);

/**
 * one-shot.cjs runs as a vm.Script (code-cache.ts), written as the function it calls (CODE_CACHE_WRAPPER).
 * There `import()` has no loader and throws; its
 * dynamic imports are of libraries left in node_modules (client-node, dockerode, pg: esbuild turned the
 * bundled ones into lazy initialisers), so each becomes a call of the launcher's import, passed in as
 * `__netpeekImport`. Returns the file's content hash, which names its code caches.
 */
function dynamicImportsThroughLauncher(file: string): string {
  const text = CODE_CACHE_WRAPPER.join(readFileSync(file, 'utf8').replace(/(?<![\w$.])import\(/g, '__netpeekImport('));
  // code-cache.ts reads it as latin1: esbuild escapes non-ASCII in strings, minifying drops the comments.
  if (!/^[\x00-\x7f]*$/.test(text)) throw new Error(`${file} is not ASCII: code-cache.ts would misread it`);
  writeFileSync(file, text);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
