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
 * server hangs up before a whole answer, an AbortError when `signal` fires (the socket destroyed). A body
 * larger than `maxBodyBytes` is abandoned at that size, never held whole: a reply that big is not an
 * answer netpeek can use, and the process (a bot beside others) must not be the one to pay for it.
 */

export type PlainTarget = { socketPath: string } | { host: string; port: number };

export interface PlainResponse {
  statusCode: number;
  body: Buffer;
}

export interface PlainGetOptions {
  signal?: AbortSignal;
  /** The largest body read (default DEFAULT_MAX_BODY_BYTES); a larger one rejects, naming the path and the cap. */
  maxBodyBytes?: number;
}

/**
 * Generous for what is read: the largest list answers (every container of a busy engine, every pod of a
 * large cluster namespace with its managed fields) are tens of MB, and JSON.parse of 64 MiB holds a
 * few times that in objects.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** A status line and headers longer than this are not a server netpeek talks to (node:http allows 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line (hex size and extensions) longer than this is not chunked coding. */
const MAX_CHUNK_LINE_BYTES = 4096;

const HEAD_END = Buffer.from('\r\n\r\n');

function hangUp(detail: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`socket hang up: ${detail}`), { code: 'ECONNRESET' });
}

function malformed(what: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`malformed HTTP answer: ${what}`), { code: 'HPE_INVALID' });
}

const mib = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`);

/**
 * An answer read incrementally from the chunks the socket delivers, wherever they split it (inside the
 * status line, a header, CRLF, a chunk-size line, a chunk): each byte is looked at once and the body is
 * copied once, when whole. `push` returns the answer once it is whole; `end` is the server closing.
 */
export class AnswerReader {
  private head: Buffer[] = [];
  private headBytes = 0;
  private statusCode = 0;
  private framing?: { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };
  private readonly parts: Buffer[] = [];
  private bodyBytes = 0;
  /** Chunked coding: the size line read so far, or the bytes left of the current chunk (and its CRLF). */
  private chunk: { at: 'size'; line: string } | { at: 'data'; left: number } | { at: 'crlf'; left: number } = { at: 'size', line: '' };

  constructor(
    /** The path asked, for errors. */
    private readonly path: string,
    private readonly maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  ) {}

  push(data: Buffer): PlainResponse | undefined {
    if (!this.framing) {
      const body = this.readHead(data);
      if (!body) return undefined;
      data = body;
    }
    const framing = this.framing!;
    if (framing.kind === 'chunked') return this.dechunk(data);
    this.keep(framing.kind === 'length' ? data.subarray(0, framing.length - this.bodyBytes) : data);
    return framing.kind === 'length' && this.bodyBytes === framing.length ? this.answer() : undefined;
  }

  /** The server closed the connection: the answer, when the end of the connection is what frames it. */
  end(): PlainResponse {
    if (this.framing?.kind === 'close') return this.answer();
    const what = !this.framing
      ? this.headBytes === 0
        ? 'the server closed the connection without answering'
        : 'the server closed the connection inside the headers'
      : this.framing.kind === 'length'
        ? `the server closed the connection after ${this.bodyBytes} of ${this.framing.length} body bytes`
        : `the server closed the connection after ${this.bodyBytes} bytes of a chunked body, before its last chunk`;
    throw hangUp(`${what} (GET ${this.shownPath()})`);
  }

  private shownPath(): string {
    return this.path.split('?')[0]!;
  }

  /** The body's first bytes once the head is whole (possibly empty), else undefined. */
  private readHead(data: Buffer): Buffer | undefined {
    // The head almost always arrives in one chunk; only one split across chunks is joined.
    const from = Math.max(0, this.headBytes - (HEAD_END.length - 1));
    this.head.push(data);
    this.headBytes += data.length;
    const joined = this.head.length === 1 ? data : Buffer.concat(this.head, this.headBytes);
    this.head = [joined];
    const end = joined.indexOf(HEAD_END, from);
    if (end < 0) {
      if (this.headBytes > MAX_HEAD_BYTES) throw malformed(`no end of headers in the first ${MAX_HEAD_BYTES} bytes`);
      return undefined;
    }
    const [statusLine = '', ...lines] = joined.subarray(0, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!status) throw malformed(`status line ${JSON.stringify(statusLine.slice(0, 40))}`);
    const fields = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = fields.get('content-length');
    if (/\bchunked\b/i.test(fields.get('transfer-encoding') ?? '')) this.framing = { kind: 'chunked' };
    else if (length !== undefined) {
      const n = /^\d+$/.test(length) ? Number(length) : Number.NaN;
      if (!Number.isSafeInteger(n)) throw malformed('bad Content-Length');
      this.tooLarge(n);
      this.framing = { kind: 'length', length: n };
    } else this.framing = { kind: 'close' };
    this.statusCode = Number(status[1]);
    this.head = [];
    return joined.subarray(end + HEAD_END.length);
  }

  private dechunk(data: Buffer): PlainResponse | undefined {
    let at = 0;
    while (at < data.length) {
      const c = this.chunk;
      if (c.at === 'data') {
        const take = Math.min(c.left, data.length - at);
        this.keep(data.subarray(at, at + take));
        at += take;
        c.left -= take;
        if (c.left === 0) this.chunk = { at: 'crlf', left: 2 };
      } else if (c.at === 'crlf') {
        // The CRLF after a chunk's data, possibly split between two reads.
        if (data[at] !== (c.left === 2 ? 0x0d : 0x0a)) throw malformed('no CRLF after a chunk');
        at++;
        if (--c.left === 0) this.chunk = { at: 'size', line: '' };
      } else {
        const lf = data.indexOf(0x0a, at);
        c.line += data.toString('latin1', at, lf < 0 ? data.length : lf + 1);
        if (c.line.length > MAX_CHUNK_LINE_BYTES) throw malformed('chunk size line too long');
        if (lf < 0) return undefined;
        at = lf + 1;
        const digits = c.line.split(';')[0]!.trim();
        const size = /^[0-9a-f]+$/i.test(digits) ? Number.parseInt(digits, 16) : Number.NaN;
        if (!Number.isSafeInteger(size)) throw malformed('bad chunk size');
        // The last chunk (size 0) may carry trailers; netpeek reads none, so the answer is whole here.
        if (size === 0) return this.answer();
        this.tooLarge(this.bodyBytes + size);
        this.chunk = { at: 'data', left: size };
      }
    }
    return undefined;
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.tooLarge(this.bodyBytes + part.length);
    this.parts.push(part);
    this.bodyBytes += part.length;
  }

  private tooLarge(bytes: number): void {
    if (bytes > this.maxBodyBytes)
      // No `code`: the sources then show this message itself, not a code as for a transport failure.
      throw new Error(`GET ${this.shownPath()} answered a body of more than ${mib(this.maxBodyBytes)} (netpeek's limit): the answer was abandoned`);
  }

  private answer(): PlainResponse {
    return { statusCode: this.statusCode, body: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bodyBytes) };
  }
}

export function plainGet(target: PlainTarget, path: string, headers: Readonly<Record<string, string>>, o: PlainGetOptions = {}): Promise<PlainResponse> {
  const { signal } = o;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
    const socket = 'socketPath' in target ? connect(target.socketPath) : connect(target.port, target.host);
    // An IPv6 literal is the only host with a colon; net.isIPv6 would compile its pattern (~3.5 ms) to say so.
    const host = 'socketPath' in target ? 'localhost' : `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const reader = new AnswerReader(path, o.maxBodyBytes);
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
    /** Settles when `read` gives the answer or throws (a malformed or too large answer, a hang-up). */
    const step = (read: () => PlainResponse | undefined) => {
      try {
        const answer = read();
        if (answer) settle(() => resolve(answer));
      } catch (err) {
        settle(() => reject(err));
      }
    };

    socket.on('connect', () => {
      const lines = [`GET ${path} HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close', '', ''];
      socket.write(lines.join('\r\n'));
    });
    socket.on('data', (chunk: Buffer) => step(() => reader.push(chunk)));
    socket.on('end', () => step(() => reader.end()));
    socket.on('error', (err) => settle(() => reject(err)));
    socket.on('close', () => step(() => reader.end()));
  });
}
