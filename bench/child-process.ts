import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './results-file.js';

export interface BenchChild {
  child: ChildProcess;
  /** The first JSON line the child printed when it was ready. */
  ready: Record<string, unknown>;
  /** Writes a line to the child's stdin and returns its next JSON line. */
  ask(line: string): Promise<Record<string, unknown>>;
  stop(): void;
}

/**
 * Starts a bench helper script that prints one JSON line when ready: its compiled copy under
 * dist/bench-kube when `npm run bench:*` built one (memory is then measured as in production), else the
 * TypeScript through tsx. `nodeArgs` go before the script (profiling flags such as --cpu-prof).
 */
export async function startChild(script: URL, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchChild> {
  const compiled = join(repoRoot(), 'dist', 'bench-kube', 'bench', basename(fileURLToPath(script)).replace(/\.ts$/, '.js'));
  const args = [...nodeArgs, ...(existsSync(compiled) ? [compiled] : ['--import', 'tsx', fileURLToPath(script)])];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines: Interface = createInterface({ input: child.stdout! });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`${script.pathname} exited (${code})`));
      // One exit listener per pending line, removed when the line comes: a long soak asks thousands of times.
      lines.once('line', (l) => {
        child.off('exit', exited);
        resolve(JSON.parse(l) as Record<string, unknown>);
      });
      child.once('exit', exited);
    });
  const ready = await next();
  return {
    child,
    ready,
    ask: (line) => {
      const answer = next();
      child.stdin!.write(`${line}\n`);
      return answer;
    },
    stop: () => child.stdin!.end(),
  };
}
