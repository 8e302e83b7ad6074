import { LRUCache } from 'lru-cache';

/**
 * Remembers keys (event ids, button triggers, channel+ts of a message) for a while so that Slack's
 * retries (`x-slack-retry-num`) and duplicate deliveries are answered once. Bounded in size and time.
 */
export class Dedupe {
  private readonly seen: LRUCache<string, true>;

  constructor(ttlMs: number, max = 10_000) {
    this.seen = new LRUCache<string, true>({ max, ttl: ttlMs, ttlAutopurge: false });
  }

  /**
   * True the first time any of `keys` is offered (and marks all of them seen); false when one of them
   * was seen within the TTL. Empty or undefined keys are ignored; with no usable key it returns true.
   */
  first(...keys: (string | undefined)[]): boolean {
    const usable = keys.filter((k): k is string => typeof k === 'string' && k !== '');
    if (usable.some((k) => this.seen.has(k))) return false;
    for (const k of usable) this.seen.set(k, true);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
