import { ALERT_GROUP_RETENTION_MS, decideBegin, type AlertBegin, type AlertGroupRow, type AlertGroups, type AlertThread } from './alert-groups.js';
import type { InTransaction, Query } from './postgres-history.js';

/**
 * Alert groups in PostgreSQL (table alert_groups, migration 3), the same rules as the SQLite table
 * (decideBegin): a group's row is locked (SELECT … FOR UPDATE) while one replica decides, so two
 * replicas receiving the same notification at once post it once.
 */
export class PostgresAlertGroups implements AlertGroups {
  constructor(
    private readonly sql: Query,
    private readonly transaction: InTransaction,
    private readonly now: () => number = Date.now,
  ) {}

  begin(groupKey: string, digest: string, holdMs: number): Promise<AlertBegin> {
    return this.transaction(async (c) => {
      const now = this.now();
      await c.query('DELETE FROM alert_groups WHERE updated_at < $1', [now - ALERT_GROUP_RETENTION_MS]);
      await c.query('INSERT INTO alert_groups (group_key, updated_at) VALUES ($1, $2) ON CONFLICT (group_key) DO NOTHING', [groupKey, now]);
      const { rows } = await c.query<Omit<AlertGroupRow, 'pending_until'> & { pending_until: string | null }>(
        'SELECT channel, thread_ts, posted_digest, pending_digest, pending_until FROM alert_groups WHERE group_key = $1 FOR UPDATE',
        [groupKey],
      );
      const r = rows[0];
      const decision = decideBegin(r ? { ...r, pending_until: r.pending_until === null ? null : Number(r.pending_until) } : undefined, digest, now);
      if (decision.kind === 'go') {
        await c.query('UPDATE alert_groups SET pending_digest = $2, pending_until = $3, updated_at = $4 WHERE group_key = $1', [groupKey, digest, now + holdMs, now]);
      }
      return decision;
    });
  }

  async done(groupKey: string, digest: string, thread: AlertThread): Promise<void> {
    await this.sql('UPDATE alert_groups SET channel = $2, thread_ts = $3, posted_digest = $4, pending_digest = NULL, pending_until = NULL, updated_at = $5 WHERE group_key = $1', [
      groupKey,
      thread.channel,
      thread.ts,
      digest,
      this.now(),
    ]);
  }

  async abandon(groupKey: string, digest: string): Promise<void> {
    await this.sql('UPDATE alert_groups SET pending_digest = NULL, pending_until = NULL, updated_at = $3 WHERE group_key = $1 AND pending_digest = $2', [groupKey, digest, this.now()]);
  }
}
