import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

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
  return startProgram(file, args, opts.passFds).finish(opts);
}

/** A program started ahead of its input: what runs once `finish` hands it its stdin and its time. */
export interface StartedProgram {
  /** Still running and waiting: nothing has ended it (it was not found, crashed, or was killed). */
  readonly waiting: boolean;
  /**
   * Writes `input` (when given) and closes its stdin, then waits for the program to end: the timeout
   * starts here, not at the start. Called once.
   */
  finish(opts: Omit<ExecOptions, 'passFds'>, input?: string): Promise<ExecOutcome>;
  /** Ends a program nobody will finish. */
  kill(): void;
  /** Lets this process exit while the program waits for its input (finish takes it back). */
  unref(): void;
}

/**
 * Starts a program now and lets the caller give it its input later (runProgram gives none, at once): a
 * process start costs milliseconds, which a caller that knows its next command can pay before it is asked.
 * Same environment and descriptors as runProgram; output is collected from the start.
 */
export function startProgram(file: string, args: string[], passFds: readonly number[] = []): StartedProgram {
  let failure: string | undefined;
  let missing = false;
  let ended: number | null | undefined;
  let onEnd: ((code: number | null) => void) | undefined;
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
  const child = spawn(file, args, { env, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe', ...passFds] });
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
  const end = (code: number | null) => {
    if (ended !== undefined) return;
    ended = code;
    onEnd?.(code);
  };
  // A child that ends before it was given its input (or writes to a stdin that closed) must not throw.
  child.stdin?.on('error', () => {});
  child.on('error', (e: NodeJS.ErrnoException) => {
    missing = e.code === 'ENOENT';
    if (!missing) failure = `${file}: ${e.message}`;
    // A program that never started emits no 'close' of its own.
    if (child.pid === undefined) end(null);
  });
  child.on('close', (code) => end(code));
  let finishing = false;
  // Piped stdio streams are net.Sockets: each holds the event loop open like the child itself.
  const handles: Array<{ ref(): unknown; unref(): unknown } | null> = [child, ...[child.stdin, child.stdout, child.stderr].map((s) => s as Socket | null)];
  return {
    get waiting() {
      return ended === undefined && !finishing && child.pid !== undefined && child.exitCode === null && child.signalCode === null;
    },
    kill: () => {
      child.kill('SIGKILL');
    },
    unref: () => {
      for (const h of handles) h?.unref();
    },
    finish: (opts, input) => {
      finishing = true;
      for (const h of handles) h?.ref();
      return new Promise((resolve) => {
        let timedOut = false;
        const settle = (code: number | null) => {
          clearTimeout(soft);
          clearTimeout(hard);
          opts.signal?.removeEventListener('abort', onAbort);
          resolve({ stdout: stdout(), stderr: stderr(), code, missing, timedOut, ...(failure ? { failure } : {}) });
        };
        const soft = setTimeout(() => {
          timedOut = true;
          child.kill('SIGINT');
        }, Math.max(1, opts.timeoutMs));
        const hard = setTimeout(() => child.kill('SIGKILL'), Math.max(1, opts.timeoutMs) + (opts.graceMs ?? 500));
        const onAbort = () => child.kill('SIGKILL');
        if (opts.signal?.aborted) onAbort();
        else opts.signal?.addEventListener('abort', onAbort, { once: true });
        if (ended !== undefined) return settle(ended);
        onEnd = settle;
        if (input !== undefined) child.stdin?.end(input);
      });
    },
  };
}
