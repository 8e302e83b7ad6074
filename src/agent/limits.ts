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
