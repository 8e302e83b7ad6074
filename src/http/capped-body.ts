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
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading and drop what was buffered; the caller answers 413 and closes the connection.
        req.off('data', onData);
        req.pause();
        chunks.length = 0;
        reject(new BodyTooLarge(limit));
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * 413 with `Connection: close`, then the socket is destroyed once the answer is written: the rest of an
 * oversized body is never read.
 */
export function refuseTooLarge(res: ServerResponse, limit: number, contentType: 'json' | 'text' = 'json'): void {
  const message = `request body is larger than ${limit} bytes`;
  const text = contentType === 'json' ? JSON.stringify({ error: message }) : `${message}\n`;
  if (!res.headersSent) {
    res.writeHead(413, {
      'content-type': contentType === 'json' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      connection: 'close',
    });
  }
  res.end(text, () => res.socket?.destroy());
  // A client that never reads its answer must not keep the socket open either.
  setTimeout(() => res.socket?.destroy(), 2000).unref();
}
