import { request } from 'node:http';

export interface StreamPostResult {
  /** HTTP status, or 0 when no response arrived. */
  status: number;
  body: string;
  /** Bytes the server took before it closed the connection (or the whole body). */
  bytesSent: number;
  /** The server closed the connection before the whole body was sent. */
  cutOff: boolean;
  /** The response said `Connection: close`. */
  connectionClose: boolean;
}

/**
 * POSTs `totalBytes` of filler as a chunked body (no Content-Length, so the server cannot refuse it from
 * the headers alone), as fast as the socket takes it, and reports how the server ended it.
 */
export function streamPost(url: string, headers: Record<string, string>, totalBytes: number, chunkBytes = 64 * 1024): Promise<StreamPostResult> {
  const chunk = Buffer.alloc(chunkBytes, 'a');
  return new Promise((resolve) => {
    let bytesSent = 0;
    let status = 0;
    let body = '';
    let connectionClose = false;
    let done = false;
    let responded = false;
    const finish = (cutOff: boolean) => {
      if (done) return;
      done = true;
      resolve({ status, body, bytesSent, cutOff, connectionClose });
    };
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      responded = true;
      status = res.statusCode ?? 0;
      connectionClose = String(res.headers.connection ?? '').toLowerCase() === 'close';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => setTimeout(() => finish(bytesSent < totalBytes), 50));
      res.on('error', () => finish(bytesSent < totalBytes));
    });
    req.on('error', () => {
      // The server closed the socket while the body was still being sent.
      if (responded) setTimeout(() => finish(true), 50);
      else finish(true);
    });
    const pump = () => {
      while (bytesSent < totalBytes && !done && !req.destroyed) {
        const n = Math.min(chunkBytes, totalBytes - bytesSent);
        const ok = req.write(n === chunkBytes ? chunk : chunk.subarray(0, n));
        bytesSent += n;
        if (!ok) {
          req.once('drain', pump);
          return;
        }
      }
      if (bytesSent >= totalBytes && !req.destroyed) req.end();
    };
    pump();
  });
}
