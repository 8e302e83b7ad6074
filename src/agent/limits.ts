import type { IncomingMessage } from 'node:http';

/**
 * The agent's caps. None of them queues: over a cap the request is answered at once (429/413) and the
 * caller decides when to retry.
 */

/** Requests per second with a burst of the same size. `now` is injectable for tests. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly burst: number;

  constructor(
    readonly ratePerSec: number,
    burst?: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = Math.max(1, burst ?? Math.ceil(ratePerSec));
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Takes one token, or says how many whole seconds until one is there. */
  take(): { ok: true } | { ok: false; retryAfterSec: number } {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerSec)) };
  }
}

/** Counts probes in flight across requests; a batch gets all its slots or none. */
export class InflightGate {
  private used = 0;

  constructor(readonly max: number) {}

  /** A release function, or undefined when `n` more would pass the cap. */
  tryAcquire(n: number): (() => void) | undefined {
    if (this.used + n > this.max) return undefined;
    this.used += n;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= n;
    };
  }

  get inFlight(): number {
    return this.used;
  }
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
  }
}

/** Reads a request body, stopping (and rejecting) as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLarge(limit));
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
