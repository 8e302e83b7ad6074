import net from 'node:net';
import { base, roundMs, type ProbeError, type ProbeResult, type ProbeTarget } from './types.js';

/** One attempt's time budget and cancellation. */
export interface AttemptOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** errno → probe error. ECONNRESET during connect is a reset, which is what a refusal looks like. */
export function classifySocketError(err: NodeJS.ErrnoException): { error: ProbeError; detail: string } {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return { error: 'refused', detail: `connection refused (${code}): nothing listens there` };
  if (code === 'ETIMEDOUT') return { error: 'timeout', detail: 'connect timed out in the kernel (ETIMEDOUT)' };
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'].includes(code))
    return { error: 'unreachable', detail: `no route or no neighbour answered (${code})` };
  if (code === 'EACCES' || code === 'EPERM') return { error: 'error', detail: `the local host refused to send (${code}): a firewall or broadcast address` };
  return { error: 'error', detail: `${code || 'error'}: ${err.message}` };
}

/**
 * A TCP connect. Success closes with a reset (no TIME_WAIT left behind, so a thousand probes a second do not
 * exhaust local ports).
 */
export function tcpProbe(target: ProbeTarget, o: AttemptOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const start = performance.now();
    const socket = net.connect({ host: target.ip, port: target.port ?? 0, noDelay: true });
    let done = false;
    const finish = (r: Omit<ProbeResult, 'kind' | 'ip'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      // resetAndDestroy() on a socket still connecting only arms a reset for when the handshake completes: to a
      // silently dropping address that never happens, and the half-open handle would keep the process alive
      // until the kernel gives up on SYN retries (minutes). A connecting socket is simply destroyed.
      if (socket.connecting) socket.destroy();
      else if (!socket.destroyed) socket.resetAndDestroy();
      resolve({ ...base(target), ...r });
    };
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout', detail: `no answer to the TCP handshake within ${o.timeoutMs} ms` }), o.timeoutMs);
    const onAbort = () => finish({ ok: false, error: 'error', detail: 'cancelled' });
    o.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ ok: true, ms: roundMs(performance.now() - start) }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, ms: roundMs(performance.now() - start), ...classifySocketError(err) }));
  });
}
