import http from 'node:http';
import { classifySocketError, type AttemptOptions } from './tcp.js';
import { base, roundMs, type ProbeResult, type ProbeTarget } from './types.js';

/** Statuses that count as "the service answers": 2xx and 3xx (redirects are reported, not followed). */
export function httpStatusOk(status: number): boolean {
  return status >= 200 && status < 400;
}

/**
 * One GET without following redirects. Done as soon as the response headers arrive: the body is not read.
 * `ms` and `http.ttfbMs` are the time from the start to the headers.
 */
export function httpProbe(target: ProbeTarget, o: AttemptOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const start = performance.now();
    const host = target.ip.includes(':') ? `[${target.ip}]` : target.ip;
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: target.ip,
        port: target.port,
        path: target.path ?? '/',
        method: 'GET',
        agent: false,
        headers: { host: `${host}:${target.port}`, 'user-agent': 'netpeek-probe', accept: '*/*', connection: 'close' },
      });
    } catch (err) {
      resolve({ ...base(target), ok: false, error: 'error', detail: `could not build the request: ${(err as Error).message}` });
      return;
    }
    let done = false;
    const finish = (r: Omit<ProbeResult, 'kind' | 'ip'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      req.removeAllListeners('response');
      req.on('error', () => {});
      req.destroy();
      resolve({ ...base(target), ...r });
    };
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout', detail: `no HTTP response headers within ${o.timeoutMs} ms` }), o.timeoutMs);
    const onAbort = () => finish({ ok: false, error: 'error', detail: 'cancelled' });
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      const ms = roundMs(performance.now() - start);
      const status = res.statusCode ?? 0;
      res.resume();
      const ok = httpStatusOk(status);
      finish({ ok, ms, http: { status, ttfbMs: ms }, ...(ok ? {} : { error: 'error' as const, detail: `answered HTTP ${status}` }) });
    });
    req.once('error', (err: NodeJS.ErrnoException) => {
      const parse = err.code?.startsWith('HPE_') ? { error: 'error' as const, detail: `answered with something that is not HTTP (${err.code})` } : undefined;
      finish({ ok: false, ms: roundMs(performance.now() - start), ...(parse ?? classifySocketError(err)) });
    });
    req.end();
  });
}
