import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { NetpeekCommand } from '../deps.js';
import { commandManifest, MANIFEST_FILE } from './commands.js';

/**
 * `npm run build`'s second step (after tsc, run as dist/src/start/bundle.js): the esbuild bundle that
 * `netpeek` runs (package.json "bin"), then the manifest of the commands that lets a one-shot answer load
 * only the command it runs (commands.ts).
 * Then the binary, dist/bundle/netpeek.cjs (CommonJS: launcher.ts), and self-contained.cjs beside it.
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

// The binary itself and the file it answers explain and help from: CommonJS, so those answers never start
// the ES-module loader (launcher.ts says why). The selfContained names come from the commands as built.
const selfContained = COMMANDS.filter((c) => c.selfContained).flatMap((c) => [c.name, ...(c.aliases ?? [])]);
const commonJs = { absWorkingDir: root, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: EXTERNAL } as const;
await build({
  ...commonJs,
  entryPoints: ['src/start/self-contained.ts'],
  outfile: `${outdir}/self-contained.cjs`,
  // CommonJS has no import.meta: the modules that resolve files beside themselves (log.ts finds pino) get this file's URL.
  banner: { js: "const __netpeekModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__netpeekModuleUrl' },
});
await build({ ...commonJs, entryPoints: ['src/start/launcher.ts'], outfile: `${outdir}/netpeek.cjs`, define: { NETPEEK_SELF_CONTAINED: JSON.stringify(selfContained) } });
chmodSync(`${outdir}/netpeek.cjs`, 0o755);
