import type { ChangeRef, ObjectChange } from '../net/reachability-changes.js';
import { changeTouches } from '../net/reachability-changes.js';

/**
 * The reachability-relevant changes one cluster's watches saw, newest last, in a ring bounded by
 * count and by age (NETPEEK_CHANGE_HISTORY_MAX / NETPEEK_CHANGE_HISTORY_MAX_AGE): an incident asks
 * about the last hours, and 10k pods with churn must not grow the bot without bound.
 * It is memory only: a restarted replica starts with an empty history (its first list is the baseline,
 * not a burst of "created").
 */

export interface RecordedChange extends ObjectChange {
  /** When netpeek saw it (ms since epoch). A change found by a relist is dated at the relist. */
  at: number;
  /** The field manager of the write, from metadata.managedFields (the newest entry) when present. */
  manager?: string;
  /** True when a relist after a 410 found it (the watch event itself was lost). */
  viaRelist?: boolean;
}

export interface ChangeHistoryLimits {
  maxEntries: number;
  maxAgeMs: number;
}

export interface ChangeFilter {
  /** Only changes at or after this time (ms). */
  since?: number;
  /** Only changes in this namespace (cluster-scoped node changes are kept when they touch the subject). */
  namespace?: string;
  /** Only changes touching this object (and, for a pod, its node). */
  subject?: ChangeRef & { nodeName?: string };
  /** Among several namespaces (Slack's namespace scoping). */
  namespaces?: readonly string[];
}

export const DEFAULT_CHANGE_LIMITS: ChangeHistoryLimits = { maxEntries: 5000, maxAgeMs: 24 * 3_600_000 };

export class ChangeHistory {
  private ring: (RecordedChange | undefined)[];
  private head = 0;
  private count = 0;

  constructor(
    readonly limits: ChangeHistoryLimits = DEFAULT_CHANGE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.ring = new Array(Math.max(0, limits.maxEntries));
  }

  record(change: RecordedChange): void {
    if (this.ring.length === 0) return;
    this.ring[(this.head + this.count) % this.ring.length] = change;
    if (this.count < this.ring.length) this.count++;
    else this.head = (this.head + 1) % this.ring.length;
    this.expire();
  }

  get size(): number {
    this.expire();
    return this.count;
  }

  /** Matching changes, oldest first. */
  list(filter: ChangeFilter = {}): RecordedChange[] {
    this.expire();
    const out: RecordedChange[] = [];
    for (let i = 0; i < this.count; i++) {
      const c = this.ring[(this.head + i) % this.ring.length]!;
      if (filter.since !== undefined && c.at < filter.since) continue;
      if (filter.subject && !changeTouches(c, filter.subject)) continue;
      if (filter.namespace !== undefined && c.namespace !== undefined && c.namespace !== filter.namespace) continue;
      if (filter.namespace !== undefined && c.namespace === undefined && !filter.subject) continue;
      if (filter.namespaces && c.namespace !== undefined && !filter.namespaces.includes(c.namespace)) continue;
      out.push(c);
    }
    return out;
  }

  /** Drops entries older than maxAgeMs from the front (entries are in time order). */
  private expire(): void {
    const oldest = this.now() - this.limits.maxAgeMs;
    while (this.count > 0 && this.ring[this.head]!.at < oldest) {
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.ring.length;
      this.count--;
    }
  }
}

/** The writer of an object's latest change: the managedFields entry with the newest time (the last on a tie). */
export function latestManager(raw: unknown): string | undefined {
  const entries = (raw as { metadata?: { managedFields?: { manager?: string; time?: string }[] } } | undefined)?.metadata?.managedFields;
  if (!Array.isArray(entries) || entries.length === 0) return undefined;
  let best: { manager?: string; time?: string } | undefined;
  for (const e of entries) {
    if (!e || typeof e.manager !== 'string') continue;
    if (!best || (e.time ?? '') >= (best.time ?? '')) best = e;
  }
  return best?.manager;
}
