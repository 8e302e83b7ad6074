#!/usr/bin/env node
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeCacheDir, requireWithCodeCache } from './code-cache.js';

/**
 * The `netpeek` binary (package.json "bin": dist/bundle/netpeek.cjs, built as CommonJS). A one-shot
 * question is answered from a CommonJS file, without the ES-module loader, whose start alone costs about
 * 8 ms on Node 20 (a third of `explain`): explain and help (selfContained) from self-contained.cjs, every
 * other command from one-shot.cjs, run with a V8 code cache (code-cache.ts). Every mode (serve, console,
 * agent, completion, --version) and a word that names no command is src/main.ts, the ES-module bundle,
 * imported as it is. The command words (with aliases, each → its command) are written in at build time
 * from the commands' manifest (bundle.ts), so this file reads nothing to decide.
 */
declare const __dirname: string;
declare const __filename: string;
declare const NETPEEK_SELF_CONTAINED: Readonly<Record<string, string>>;
declare const NETPEEK_ONE_SHOT: Readonly<Record<string, string>>;
/** The content hash of one-shot.cjs, which names its code caches. */
declare const NETPEEK_ONE_SHOT_BUILD: string;
/** The exports of self-contained.ts and one-shot-entry.ts, named here rather than imported: this file's only imports are Node's. */
interface SelfContained {
  answerSelfContained(bundleDir: string, argv: readonly string[]): void;
}
interface OneShot {
  answerOneShot(bundleDir: string, argv: readonly string[]): void;
}

const argv = process.argv.slice(2);
const first = (argv[0] === '--' ? argv[1] : argv[0]) ?? '';
if (Object.hasOwn(NETPEEK_SELF_CONTAINED, first)) {
  (createRequire(__filename)('./self-contained.cjs') as SelfContained).answerSelfContained(__dirname, argv);
} else if (Object.hasOwn(NETPEEK_ONE_SHOT, first)) {
  const options = { dir: codeCacheDir(), buildId: NETPEEK_ONE_SHOT_BUILD, key: NETPEEK_ONE_SHOT[first]!, importModule: (specifier: string) => import(specifier) };
  (requireWithCodeCache(join(__dirname, 'one-shot.cjs'), options) as OneShot).answerOneShot(__dirname, argv);
} else {
  import(pathToFileURL(join(__dirname, 'main.js')).href).catch((err: unknown) => {
    process.stderr.write(`netpeek: could not start (${err instanceof Error ? err.message : String(err)}); rebuild it with npm run build\n`);
    process.exitCode = 3;
  });
}
