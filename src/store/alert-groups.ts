/**
 * What the Alertmanager receiver remembers per alert group (Alertmanager's `groupKey`): the Slack thread
 * the group lives in, and the digest of the last notification posted there, so that a repeat of the same
 * notification (repeat_interval, a retry after a timeout) is not posted twice. Kept in the store (SQLite
 * or PostgreSQL) so that it survives a restart and, with PostgreSQL, is shared by every replica.
 */

/** A group nothing was posted about for this long is forgotten: its next notification starts a new thread. */
export const ALERT_GROUP_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface AlertThread {
  channel: string;
  ts: string;
}

export type AlertBegin =
  /** This exact notification was posted already. */
  | { kind: 'duplicate' }
  /** Another request (or replica) is posting a notification of this group right now; try again shortly. */
  | { kind: 'busy' }
  /** Post it: in `thread` when the group has one, else start one. The group is held until done/abandon (or `holdMs` passes). */
  | { kind: 'go'; thread?: AlertThread };

export interface AlertGroups {
  begin(groupKey: string, digest: string, holdMs: number): Promise<AlertBegin>;
  /** The notification was posted: remember its digest and the group's thread; releases the hold. */
  done(groupKey: string, digest: string, thread: AlertThread): Promise<void>;
  /** The post failed: release the hold so that Alertmanager's retry is posted. */
  abandon(groupKey: string, digest: string): Promise<void>;
}

/** The decision both stores make from a group's row, so SQLite and PostgreSQL behave the same. */
export interface AlertGroupRow {
  channel: string | null;
  thread_ts: string | null;
  posted_digest: string | null;
  pending_digest: string | null;
  /** Epoch ms. */
  pending_until: number | null;
}

export function decideBegin(row: AlertGroupRow | undefined, digest: string, nowMs: number): AlertBegin {
  if (!row) return { kind: 'go' };
  if (row.posted_digest === digest) return { kind: 'duplicate' };
  if (row.pending_digest !== null && (row.pending_until ?? 0) > nowMs) return { kind: 'busy' };
  return row.channel && row.thread_ts ? { kind: 'go', thread: { channel: row.channel, ts: row.thread_ts } } : { kind: 'go' };
}
