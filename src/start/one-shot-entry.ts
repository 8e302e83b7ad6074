import { exitWith, loadDotEnv } from '../cli/process-entry.js';
import { manifestCommands } from './commands.js';
import { runOneShotCli } from './one-shot.js';

/**
 * `netpeek <command> …` for every command that reads a backend (container, pod, svc, why …), answered from
 * one CommonJS file, dist/bundle/one-shot.cjs, that the launcher runs with a V8 code cache (code-cache.ts):
 * no ES-module loader to start, and after the first run nothing of it to compile. The answer is
 * runOneShotCli's, as from the ES-module bundle; only where the code comes from differs.
 */
export function answerOneShot(bundleDir: string, argv: readonly string[]): void {
  exitWith(
    (async () => {
      loadDotEnv();
      return runOneShotCli([...argv], manifestCommands(bundleDir, commandModule));
    })(),
  );
}

/**
 * A command's module, bundled into this file: esbuild bundles every file that this import's pattern
 * matches (its glob import), each initialised when it is first imported, so only the asked command's
 * modules run. The pattern names the sources (.ts) because esbuild matches it against the files; run
 * from tsc's output this entry is never used (there is no manifest: loadCommands imports the commands).
 */
function commandModule(module: string): Promise<Record<string, unknown>> | undefined {
  const file = /^\.\/commands\/([a-z0-9-]+)\.js$/.exec(module)?.[1];
  return file === undefined ? undefined : (import(`../../commands/${file}.ts`) as Promise<Record<string, unknown>>);
}
