import { connect } from 'node:net';

/**
 * One HTTP/1.1 GET over a connection of its own (a unix socket or plain TCP, never TLS), for the JSON
 * reads of a one-shot answer: the Docker engine's API and a plain-http API server (issue 19). node:http
 * does the same, but loading it (its server half and parser binding come with it) and running its agent
 * and ClientRequest for the first time cost a one-shot answer ~3 ms on this machine, more than the
 * engine takes to answer. What is read is what those servers send: a status line, headers, and a body
 * framed by Content-Length, chunked transfer coding, or the end of the connection (`Connection: close` is
 * asked, so nothing is kept alive and the process exits with its answer). Failures reject as node:http
 * would: the socket's own error (ENOENT, ECONNREFUSED, EACCES …, `code` set), ECONNRESET when the
 * server hangs up before a whole answer, an AbortError when `signal` fires (the socket destroyed).
 */

export type PlainTarget = { socketPath: string } | { host: string; port: number };

export interface PlainResponse {
  statusCode: number;
  body: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** The body framing the headers announce. */
type Framing = { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

function hangUp(): NodeJS.ErrnoException {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

function malformed(what: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`malformed HTTP answer: ${what}`), { code: 'HPE_INVALID' });
}

/** A chunked body decoded from `data`, or undefined while its last chunk has not arrived. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw malformed('bad chunk size');
    // The last chunk (size 0) may carry trailers; netpeek reads none, so the answer is whole here.
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}

export function plainGet(target: PlainTarget, path: string, headers: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
    const socket = 'socketPath' in target ? connect(target.socketPath) : connect(target.port, target.host);
    // An IPv6 literal is the only host with a colon; net.isIPv6 would compile its pattern (~3.5 ms) to say so.
    const host = 'socketPath' in target ? 'localhost' : `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    let received = Buffer.alloc(0);
    let head: { statusCode: number; framing: Framing; bodyAt: number } | undefined;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      fn();
    };
    const onAbort = () => settle(() => reject(signal!.reason ?? new DOMException('This operation was aborted', 'AbortError')));
    signal?.addEventListener('abort', onAbort, { once: true });

    /** Settles once the answer is whole; `ended`: the server closed the connection. */
    const check = (ended: boolean) => {
      try {
        if (!head) {
          const end = received.indexOf(HEAD_END);
          if (end < 0) return ended ? settle(() => reject(hangUp())) : undefined;
          const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
          if (!status) throw malformed(`status line ${JSON.stringify(statusLine.slice(0, 40))}`);
          const fields = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
          const length = fields.get('content-length');
          const framing: Framing = /\bchunked\b/i.test(fields.get('transfer-encoding') ?? '')
            ? { kind: 'chunked' }
            : length !== undefined
              ? { kind: 'length', length: Number(length) }
              : { kind: 'close' };
          if (framing.kind === 'length' && !Number.isSafeInteger(framing.length)) throw malformed('bad Content-Length');
          head = { statusCode: Number(status[1]), framing, bodyAt: end + HEAD_END.length };
        }
        const data = received.subarray(head.bodyAt);
        const { statusCode, framing } = head;
        if (framing.kind === 'length') {
          if (data.length >= framing.length) return settle(() => resolve({ statusCode, body: data.subarray(0, framing.length) }));
        } else if (framing.kind === 'chunked') {
          const body = dechunk(data);
          if (body) return settle(() => resolve({ statusCode, body }));
        } else if (ended) {
          return settle(() => resolve({ statusCode, body: data }));
        }
        if (ended) settle(() => reject(hangUp()));
      } catch (err) {
        settle(() => reject(err));
      }
    };

    socket.on('connect', () => {
      const lines = [`GET ${path} HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close', '', ''];
      socket.write(lines.join('\r\n'));
    });
    socket.on('data', (chunk: Buffer) => {
      received = received.length ? Buffer.concat([received, chunk]) : chunk;
      check(false);
    });
    socket.on('end', () => check(true));
    socket.on('error', (err) => settle(() => reject(err)));
    socket.on('close', () => settle(() => reject(hangUp())));
  });
}
