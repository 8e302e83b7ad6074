import { descriptorOutput, stdoutIsTerminal } from '../cli/descriptor-output.js';
import { runOnce } from '../cli/one-shot.js';
import type { CommandRegistry } from '../core/registry.js';
import { buildDeps, type Deps } from '../deps.js';
import { deferredStore } from '../store/open-store.js';
import { configure } from './configure.js';

/**
 * A one-shot answer of a command that reads backends: the configuration, the sources (without watch
 * caches: direct reads instead) and the store, opened only by a command that keeps or reads state.
 * A module of its own, imported whole by one-shot.ts once it knows the command is not selfContained:
 * one import of this module's graph loads fewer bundle chunks than importing each piece apart (issue 19).
 * The answer goes straight to file descriptors 1 and 2 (descriptor-output.ts): process.stdout and
 * process.stderr are made only if a write would block.
 */
export async function answerWithBackends(argv: string[], words: string[], registry: CommandRegistry<Deps>): Promise<number> {
  const io = { stdout: descriptorOutput(1, () => process.stdout), stderr: descriptorOutput(2, () => process.stderr) };
  const configured = configure(argv, { deferLog: true }, io.stderr);
  if (typeof configured === 'number') return configured;
  const { config, log, storeOptions } = configured;
  const store = deferredStore(storeOptions);
  const deps = { ...buildDeps(config, log, { watchCaches: false }), store };
  try {
    return await runOnce(words, registry, deps, { ...io, color: config.color && stdoutIsTerminal() });
  } finally {
    await store.close();
  }
}
