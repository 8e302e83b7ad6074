import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * A CommonJS file of the bundle (one-shot.cjs) run with a V8 code cache (issue 19). Compiling a bundle
 * is most of what a one-shot answer costs after Node's own start: V8 parses every file it is given, then
 * compiles each function the first time it runs. V8 can serialise what it compiled (`createCachedData`)
 * and take it back instead of compiling (`new Script(source, { cachedData })`); Node 20 has no
 * module.enableCompileCache (22+), so this file does for one CommonJS file what that does for all.
 *
 * The cache of a file is written after its first run, so the functions that run compiled lazily are in
 * it too, one cache per `key` (the command: `pod` compiles other functions than `container`). V8 checks
 * that a cache comes from the same V8 version and flags and rejects it otherwise (`cachedDataRejected`;
 * then it compiles as if there were none, and the cache is written again), but it tells sources apart by
 * their length only: so `buildId`, a hash of the file's content made at build time, names the cache,
 * and other builds' caches a day old are deleted when a new one is written.
 *
 * Node builtins only: the launcher imports this file, and it runs before anything else of netpeek.
 */

const STALE_MS = 24 * 3600_000;

export interface CodeCacheOptions {
  /** Where the caches live; undefined = no cache (the file is compiled as Node would). */
  dir: string | undefined;
  /** The content hash of `file`, from the build. */
  buildId: string;
  /** Which of the file's caches: what this run executes (a command's name). */
  key: string;
  /** `import()` for the file's own dynamic imports: code run by vm.Script has no loader to import with. */
  importModule: (specifier: string) => Promise<unknown>;
}

/**
 * netpeek's directory under the user's cache: $XDG_CACHE_HOME/netpeek, else <home>/.cache/netpeek, as a
 * user's other tools keep theirs. The code caches and the Docker engines' identities (config.ts) live
 * there. `home` is the caller's: the code cache falls back to the passwd entry when HOME is unset, the
 * config does not.
 */
export function userCacheDir(env: NodeJS.ProcessEnv, home: string | undefined = env.HOME): string | undefined {
  const base = env.XDG_CACHE_HOME || (home ? join(home, '.cache') : undefined);
  return base ? join(base, 'netpeek') : undefined;
}

/** The code caches' directory: `code` in netpeek's user cache directory (HOME unset: the passwd entry's home). */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = userCacheDir(env, env.HOME || homedir());
  return base ? join(base, 'code') : undefined;
}

/** The parameters of the function a file for requireWithCodeCache is written as (bundle.ts writes it). */
export const CODE_CACHE_WRAPPER = ['(function (exports, require, module, __filename, __dirname, __netpeekImport) {', '\n})'] as const;

/**
 * `file`'s module.exports: the file is one function expression (CODE_CACHE_WRAPPER around a CommonJS
 * module's code, written so at build time: wrapping it here would copy its megabyte once more), run with
 * `require` resolving beside it and `__netpeekImport` as `o.importModule` (the build writes its dynamic
 * imports so, bundle.ts).
 */
export function requireWithCodeCache(file: string, o: CodeCacheOptions): unknown {
  // The build writes the file in ASCII only (bundle.ts), so latin1 reads it as UTF-8 would, at a third of the cost.
  const source = readFileSync(file, 'latin1');
  // Node's own name for the build: a cache is V8's, so it is only valid for this Node binary (arch in case).
  const tag = `${o.buildId}-${process.version}-${process.arch}`;
  const cacheFile = o.dir ? join(o.dir, `${tag}-${o.key.replace(/[^a-z0-9-]/gi, '_')}.v8`) : undefined;
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined; // no cache yet, or unreadable: compiled from source, and written below
    }
  }
  const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // After the run: the cache then holds every function the run compiled, not only the file's top level.
    process.once('beforeExit', () => writeCache(cacheFile, o.buildId, script));
  }
  const module = { exports: {} as unknown };
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn(module.exports, createRequire(file), module, file, dirname(file), o.importModule);
  return module.exports;
}

/**
 * Written whole under a temporary name and renamed, so a process reading at the same moment sees the old
 * cache or the new one; a directory that cannot be written only means no cache (never a failure).
 */
function writeCache(cacheFile: string, buildId: string, script: Script): void {
  const dir = dirname(cacheFile);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, cacheFile);
    // Other builds' caches, once a day old: two installs used in turn (global and npx) keep theirs, and a
    // rebuilt checkout does not fill the directory. This build's for another Node version stay.
    const old = Date.now() - STALE_MS;
    for (const name of readdirSync(dir)) {
      const other = join(dir, name);
      if (name.endsWith('.v8') && !name.startsWith(`${buildId}-`) && statSync(other).mtimeMs < old) rmSync(other, { force: true });
    }
  } catch {
    // unwritable cache directory: the next run compiles again
  }
}
