import { execFile } from 'node:child_process';

/** How a child process ended. Never a rejection: callers parse whatever it printed. */
export interface ExecOutcome {
  stdout: string;
  stderr: string;
  /** Exit code, or null when it was killed. */
  code: number | null;
  /** The program is not installed (ENOENT). */
  missing: boolean;
  /** It ran past its time and was interrupted. */
  timedOut: boolean;
  /** Spawn or I/O error other than a non-zero exit. */
  failure?: string;
}

export interface ExecOptions {
  /** After this the child gets SIGINT (fping and ping print their summary on SIGINT), then SIGKILL. */
  timeoutMs: number;
  /** Time between SIGINT and SIGKILL. */
  graceMs?: number;
  signal?: AbortSignal;
}

/**
 * Runs a program with an argument array: never a shell. The environment is reduced to PATH and LC_ALL=C
 * so that output is parseable.
 */
export function runProgram(file: string, args: string[], opts: ExecOptions): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    let timedOut = false;
    const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
    const child = execFile(file, args, { encoding: 'utf8', env, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      clearTimeout(soft);
      clearTimeout(hard);
      opts.signal?.removeEventListener('abort', onAbort);
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      const missing = e?.code === 'ENOENT';
      const code = typeof e?.code === 'number' ? e.code : e ? (child.exitCode ?? null) : 0;
      const failure = e && typeof e.code === 'string' && e.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' ? `${file}: ${e.message}` : undefined;
      resolve({ stdout: String(stdout), stderr: String(stderr), code, missing, timedOut, failure });
    });
    const soft = setTimeout(() => {
      timedOut = true;
      child.kill('SIGINT');
    }, Math.max(1, opts.timeoutMs));
    const hard = setTimeout(() => child.kill('SIGKILL'), Math.max(1, opts.timeoutMs) + (opts.graceMs ?? 500));
    const onAbort = () => child.kill('SIGKILL');
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
