#!/usr/bin/env node
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The `netpeek` binary (package.json "bin": dist/bundle/netpeek.cjs, built as CommonJS). A question for a
 * selfContained command (explain, help) is answered by self-contained.cjs, without the ES-module loader
 * whose start alone is a third of such an answer; every other mode and command is src/main.ts, the
 * ES-module bundle, imported as it is. The selfContained names (with aliases) are written in at build
 * time from the commands' manifest (bundle.ts), so this file reads nothing to decide.
 */
declare const __dirname: string;
declare const __filename: string;
declare const NETPEEK_SELF_CONTAINED: readonly string[];
/** self-contained.ts's export, named here rather than imported: this file's only imports are Node's. */
interface SelfContained {
  answerSelfContained(bundleDir: string, argv: readonly string[]): void;
}

const argv = process.argv.slice(2);
const first = (argv[0] === '--' ? argv[1] : argv[0]) ?? '';
if (NETPEEK_SELF_CONTAINED.includes(first)) {
  (createRequire(__filename)('./self-contained.cjs') as SelfContained).answerSelfContained(__dirname, argv);
} else {
  import(pathToFileURL(join(__dirname, 'main.js')).href).catch((err: unknown) => {
    process.stderr.write(`netpeek: could not start (${err instanceof Error ? err.message : String(err)}); rebuild it with npm run build\n`);
    process.exitCode = 3;
  });
}
