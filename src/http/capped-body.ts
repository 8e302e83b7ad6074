import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Inbound bodies are read under a byte cap while they stream in, before any parsing or signature work,
 * so an unauthenticated sender can make a server hold at most `limit` bytes per request.
 */

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** Reads a request body, rejecting with BodyTooLarge as soon as it (or its Content-Length) passes `limit`. */
export function readCappedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => onCappedBody(req, limit, resolve, reject));
}

/**
 * The same with callbacks: `done` with the body, else `failed` once (BodyTooLarge, or the stream's
 * error). For a path that answers in the turn the body's last byte arrives in, without the promise's
 * extra microtask (the Slack ack).
 */
export function onCappedBody(req: IncomingMessage, limit: number, done: (body: Buffer) => void, failed: (err: unknown) => void): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return failed(new BodyTooLarge(limit));
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      // Stop reading and drop what was buffered; the caller answers 413 and closes the connection.
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      settled = true;
      failed(new BodyTooLarge(limit));
    } else chunks.push(chunk);
  };
  req.on('data', onData);
  req.once('end', () => {
    if (settled) return;
    settled = true;
    done(Buffer.concat(chunks));
  });
  req.once('error', (err) => {
    if (settled) return;
    settled = true;
    failed(err);
  });
}

/** How long an answer sent before the body was read stays on the wire before the socket is destroyed. */
const CLOSE_DELAY_MS = 250;

/**
 * Sends a complete answer with `Connection: close` while the rest of the request body is left unread,
 * then destroys the socket. Destroying it at once would reset the connection while the client is still
 * sending, and a reset can reach the client before it has read the answer; so the answer goes out first
 * and the socket is destroyed a moment later. Meanwhile nothing is read: the sender just waits.
 */
export function answerAndClose(res: ServerResponse, status: number, contentType: string, text: string): void {
  if (res.headersSent) {
    res.socket?.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', connection: 'close' });
  res.write(text);
  setTimeout(() => {
    res.end();
    res.socket?.destroy();
  }, CLOSE_DELAY_MS);
}

/** 413 naming the cap, and the connection closed without reading the rest of the body. */
export function refuseTooLarge(res: ServerResponse, limit: number): void {
  answerAndClose(res, 413, 'application/json; charset=utf-8', JSON.stringify({ error: `request body is larger than ${limit} bytes` }));
}
