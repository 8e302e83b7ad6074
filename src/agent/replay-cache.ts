/**
 * Nonces of requests the agent has accepted. Each is kept only until its own timestamp leaves the
 * signature window — after that the window check refuses the request anyway — so the cache is bounded
 * by time. The handler stores a nonce only after the signature, the rate limit and every cap have
 * passed, so at most `burst + rps × 2 × window` nonces are live at once; the capacity is that number,
 * which is why nothing a caller does can fill the cache and refuse the next valid request (the old cache
 * recorded nonces before the rate limit and, once full of them, refused everyone for a minute).
 */
export class ReplayCache {
  /** nonce → when it may be forgotten (ms since the epoch). */
  private readonly expiries = new Map<string, number>();
  private nextSweepMs = 0;
  readonly capacity: number;
  private readonly windowMs: number;

  constructor(
    o: { capacity: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {
    this.capacity = Math.max(1, Math.ceil(o.capacity));
    this.windowMs = o.windowMs;
  }

  /** The count bound for an agent taking `rps` requests per second with bursts of `burst`. */
  static capacityFor(rps: number, burst: number, windowMs: number): number {
    return Math.ceil(burst + (rps * 2 * windowMs) / 1000) + 1;
  }

  /** True when this nonce was accepted and its window has not passed. Stores nothing. */
  seen(nonce: string): boolean {
    const until = this.expiries.get(nonce);
    return until !== undefined && until > this.now();
  }

  /** Remembers an accepted request's nonce until `timestampSec` + window; `replayed` if it is already there. */
  remember(nonce: string, timestampSec: number): 'fresh' | 'replayed' {
    if (this.seen(nonce)) return 'replayed';
    const now = this.now();
    if (this.expiries.size >= this.capacity || now >= this.nextSweepMs) this.sweep(now);
    if (this.expiries.size >= this.capacity) {
      // Only reachable if the wall clock jumped back: make room from the oldest entry rather than
      // refusing callers (availability over a replay of one request whose window is nearly over).
      const oldest = this.expiries.keys().next().value;
      if (oldest !== undefined) this.expiries.delete(oldest);
    }
    this.expiries.delete(nonce);
    this.expiries.set(nonce, timestampSec * 1000 + this.windowMs + 1000);
    return 'fresh';
  }

  private sweep(now: number): void {
    for (const [nonce, until] of this.expiries) if (until <= now) this.expiries.delete(nonce);
    this.nextSweepMs = now + 1000;
  }

  get size(): number {
    return this.expiries.size;
  }
}
