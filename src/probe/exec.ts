import { spawn } from 'node:child_process';

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
  /** Open descriptors the child inherits as fd 3, 4, …: a namespace held open, so nothing can swap it. */
  passFds?: readonly number[];
}

/** More than this on stdout or stderr and the child is killed: no probe program prints that much. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Runs a program with an argument array: never a shell. The environment is reduced to PATH and LC_ALL=C
 * so that output is parseable. spawn rather than execFile: execFile cannot hand the child an open
 * descriptor (passFds).
 */
export function runProgram(file: string, args: string[], opts: ExecOptions): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    let timedOut = false;
    let failure: string | undefined;
    let missing = false;
    let settled = false;
    const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
    const child = spawn(file, args, { env, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe', ...(opts.passFds ?? [])] });
    const collect = (stream: NodeJS.ReadableStream | null) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream?.on('data', (b: Buffer) => {
        size += b.length;
        if (size > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
        else chunks.push(b);
      });
      return () => Buffer.concat(chunks).toString('utf8');
    };
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const finish = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(soft);
      clearTimeout(hard);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ stdout: stdout(), stderr: stderr(), code, missing, timedOut, ...(failure ? { failure } : {}) });
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      missing = e.code === 'ENOENT';
      if (!missing) failure = `${file}: ${e.message}`;
      // A program that never started emits no 'close' of its own.
      if (child.pid === undefined) finish(null);
    });
    child.on('close', (code) => finish(code));
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
