import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ALERT_GROUP_RETENTION_MS, decideBegin, type AlertBegin, type AlertGroupRow, type AlertGroups, type AlertThread } from './alert-groups.js';

/** Alert groups in SQLite: one table next to the report history (NETPEEK_REPORTS_DB), decided in one transaction. */
export class SqliteAlertGroups implements AlertGroups {
  private readonly db: Database.Database;

  constructor(
    path: string,
    private readonly now: () => number = Date.now,
  ) {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
    } catch (err) {
      throw new Error(`netpeek cannot open ${path} (NETPEEK_REPORTS_DB) to remember Alertmanager threads: ${err instanceof Error ? err.message : String(err)}. Point it at a writable volume.`);
    }
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS alert_groups (
      group_key TEXT PRIMARY KEY,
      channel TEXT,
      thread_ts TEXT,
      posted_digest TEXT,
      pending_digest TEXT,
      pending_until INTEGER,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alert_groups_updated ON alert_groups (updated_at);`);
  }

  async begin(groupKey: string, digest: string, holdMs: number): Promise<AlertBegin> {
    const run = this.db.transaction((): AlertBegin => {
      const now = this.now();
      this.db.prepare('DELETE FROM alert_groups WHERE updated_at < ?').run(now - ALERT_GROUP_RETENTION_MS);
      const row = this.db.prepare('SELECT channel, thread_ts, posted_digest, pending_digest, pending_until FROM alert_groups WHERE group_key = ?').get(groupKey) as AlertGroupRow | undefined;
      const decision = decideBegin(row, digest, now);
      if (decision.kind === 'go') {
        this.db
          .prepare(
            `INSERT INTO alert_groups (group_key, pending_digest, pending_until, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (group_key) DO UPDATE SET pending_digest = excluded.pending_digest, pending_until = excluded.pending_until, updated_at = excluded.updated_at`,
          )
          .run(groupKey, digest, now + holdMs, now);
      }
      return decision;
    });
    return run.immediate();
  }

  async done(groupKey: string, digest: string, thread: AlertThread): Promise<void> {
    this.db
      .prepare('UPDATE alert_groups SET channel = ?, thread_ts = ?, posted_digest = ?, pending_digest = NULL, pending_until = NULL, updated_at = ? WHERE group_key = ?')
      .run(thread.channel, thread.ts, digest, this.now(), groupKey);
  }

  async abandon(groupKey: string, digest: string): Promise<void> {
    this.db.prepare('UPDATE alert_groups SET pending_digest = NULL, pending_until = NULL, updated_at = ? WHERE group_key = ? AND pending_digest = ?').run(this.now(), groupKey, digest);
  }

  close(): void {
    this.db.close();
  }
}
