import type { Logger } from '../log.js';
import type { EventClaims } from '../store/store.js';
import { Dedupe } from './dedupe.js';

/**
 * Decides whether this replica answers an event, command or click: first the in-process dedupe (Slack's
 * retries to this process), then, when the store is shared, a claim of the same ids in the database, so
 * that of several replicas receiving one delivery exactly one answers. Runs after the ack, never before.
 * When the database cannot be asked, the replica answers (a possible duplicate beats silence) and says so.
 */
export class EventGate {
  private readonly dedupe: Dedupe;

  constructor(
    private readonly ttlMs: number,
    private readonly claims: EventClaims | undefined,
    private readonly log: Logger,
    /** Counts claims that could not be asked (for status / tests). */
    readonly stats = { claimed: 0, lostToOther: 0, unclaimed: 0 },
  ) {
    this.dedupe = new Dedupe(ttlMs);
  }

  /** True when this replica should answer; empty or undefined keys are ignored. */
  async first(...keys: (string | undefined)[]): Promise<boolean> {
    if (!this.dedupe.first(...keys)) return false;
    if (!this.claims) return true;
    const usable = keys.filter((k): k is string => typeof k === 'string' && k !== '');
    try {
      const mine = await this.claims.claim(usable, this.ttlMs);
      if (mine) this.stats.claimed += 1;
      else this.stats.lostToOther += 1;
      return mine;
    } catch (err) {
      this.stats.unclaimed += 1;
      this.log.warn({ err: { message: err instanceof Error ? err.message : String(err) }, keys: usable }, 'could not claim this Slack delivery in the database; answering it here (another replica may answer it too)');
      return true;
    }
  }
}
