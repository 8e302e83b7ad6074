import { LRUCache } from 'lru-cache';
import { SIGNATURE_WINDOW_MS } from '../probe/request-signature.js';

/**
 * Nonces of accepted requests, remembered long enough to cover the whole signature window either side
 * (a request stamped 30 s in the future stays acceptable for 60 s). Bounded: when full of nonces that are
 * still live it refuses new requests rather than forgetting one that could then be replayed.
 */
export class ReplayCache {
  private readonly cache: LRUCache<string, true>;
  readonly max: number;

  constructor(o: { max?: number; ttlMs?: number } = {}) {
    this.max = o.max ?? 10_000;
    this.cache = new LRUCache<string, true>({ max: this.max, ttl: o.ttlMs ?? 2 * SIGNATURE_WINDOW_MS + 1000, ttlAutopurge: false });
  }

  /** `fresh` the first time (and remembers it), `replayed` after that, `full` when nothing can be remembered. */
  firstUse(nonce: string): 'fresh' | 'replayed' | 'full' {
    if (this.cache.has(nonce)) return 'replayed';
    if (this.cache.size >= this.max) {
      this.cache.purgeStale();
      if (this.cache.size >= this.max) return 'full';
    }
    this.cache.set(nonce, true);
    return 'fresh';
  }

  get size(): number {
    return this.cache.size;
  }
}
