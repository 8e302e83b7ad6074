import { readlinkSync } from 'node:fs';

/**
 * SMALL_PROC_READS: the few /proc files a question reads on its way to a namespace (a cgroup, a
 * namespace link, sockstat, a process's fd links) are read synchronously. Each is microseconds of kernel
 * work with nothing to wait for, while an asynchronous read is a round trip through libuv's thread pool
 * (a readFile is five: open, fstat, read, read, close): 0.11 ms for a cgroup against 0.011 ms, and
 * 1.6 ms against 0.05 at p99, on this 2-core machine at load 6. Walks over every process of the host,
 * and the socket tables themselves (a walk of the kernel's hash), stay asynchronous.
 */

/** A /proc link's target (`net:[4026532…]`, `socket:[123]`), or '' when the process is gone or not ours to read. */
export function readLinkOrEmpty(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}
