import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';

/** What a one-shot answer writes its text to: process.stdout and process.stderr are two. */
export interface TextOutput {
  write(text: string): unknown;
}

/**
 * stdout or stderr written straight to its file descriptor, the stream made only if a write would block
 * (issue 19). Node makes process.stdout and process.stderr on first use: on a pipe each is a net.Socket
 * whose first write goes through libuv, ~2 ms apiece, more than a one-shot answer's few kilobytes take to
 * write. Synchronous, as process.stdout already is on a file or a terminal. A pipe left non-blocking whose
 * reader is behind (EAGAIN) gets the rest, and every later write, through the stream, so nothing is lost
 * or reordered; a reader that is gone (EPIPE, `| head -1`) gets nothing more.
 */
export function descriptorOutput(fd: number, stream: () => NodeJS.WritableStream): TextOutput {
  let fallback: NodeJS.WritableStream | undefined;
  let closed = false;
  return {
    write(text: string): boolean {
      if (fallback) return fallback.write(text);
      if (closed) return false;
      const bytes = Buffer.from(text, 'utf8');
      let done = 0;
      try {
        while (done < bytes.length) done += writeSync(fd, bytes, done);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          closed = true;
          return false;
        }
        if (code !== 'EAGAIN') throw err;
        fallback = stream();
        return fallback.write(bytes.subarray(done));
      }
    },
  };
}

/** Whether stdout is a terminal (colours), asked without making process.stdout. */
export function stdoutIsTerminal(): boolean {
  return isatty(1);
}
