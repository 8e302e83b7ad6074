import * as explainModule from '../../commands/explain.js';
import * as helpModule from '../../commands/help.js';
import { runOnce } from '../cli/one-shot.js';
import { CommandRegistry } from '../core/registry.js';
import type { Deps } from '../deps.js';
import { coloursAllowed } from '../no-color.js';
import { manifestCommands } from './commands.js';
import { exitWith, loadDotEnv } from '../cli/process-entry.js';
import { selfContainedDeps } from './self-contained-deps.js';

/**
 * `netpeek explain …` and `netpeek help …`, answered from one CommonJS file (dist/bundle/self-contained.cjs,
 * required by the launcher, src/start/launcher.ts). They read no configuration and no backend, so what
 * they cost is Node's own start plus this file — and an ES-module entry alone costs about 8 ms more than a
 * CommonJS one on Node 20 (the ESM loader's start), a third of `explain`. The answers are the same code's
 * as every other one-shot answer: runOnce, the registry from the bundle's manifest (help lists every
 * command), and the two commands' own modules, bundled in here rather than imported.
 */
export function answerSelfContained(bundleDir: string, argv: readonly string[]): void {
  exitWith(
    (async () => {
      loadDotEnv();
      const held: Record<string, Record<string, unknown>> = { './commands/explain.js': explainModule, './commands/help.js': helpModule };
      const registry = new CommandRegistry<Deps>(manifestCommands(bundleDir, (module) => (held[module] ? Promise.resolve(held[module]) : undefined)));
      const words = argv[0] === '--' ? argv.slice(1) : [...argv];
      return runOnce(words, registry, selfContainedDeps(), { stdout: process.stdout, stderr: process.stderr, color: coloursAllowed(process.env) && process.stdout.isTTY === true });
    })(),
  );
}
