import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { auditFromRow, type AuditEntry, type AuditFilter, type AuditLog, type AuditRow } from './audit-log.js';

/** SQLite (better-sqlite3) audit log of one instance; every record is also one pino line (`msg: "audit"`). */
export class SqliteAuditLog implements AuditLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
    } catch (err) {
      throw new Error(
        `netpeek cannot open its audit log at ${path} (NETPEEK_SLACK_AUDIT_DB): ${err instanceof Error ? err.message : String(err)}. Point it at a writable volume, or ":memory:" to keep it in the logs only.`,
      );
    }
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS slack_audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      request_id TEXT NOT NULL,
      source TEXT NOT NULL,
      user_id TEXT NOT NULL,
      channel_id TEXT NOT NULL,
      command TEXT NOT NULL,
      target TEXT NOT NULL,
      outcome TEXT NOT NULL,
      reason TEXT,
      duration_ms INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS slack_audit_at ON slack_audit (at);`);
    this.insert = this.db.prepare(
      `INSERT INTO slack_audit (at, request_id, source, user_id, channel_id, command, target, outcome, reason, duration_ms)
       VALUES (@at, @requestId, @source, @user, @channel, @command, @target, @outcome, @reason, @durationMs)`,
    );
  }

  record(entry: AuditEntry): void {
    this.log.info({ audit: entry }, 'audit');
    try {
      this.insert.run({ ...entry, reason: entry.reason ?? null, durationMs: Math.round(entry.durationMs) });
    } catch (err) {
      this.log.error({ err, requestId: entry.requestId }, 'could not write the audit record to SQLite (it is in the log line above)');
    }
  }

  /** Newest first, synchronously (SQLite is in-process). */
  recent(limit = 100): AuditEntry[] {
    return this.select({ limit });
  }

  async query(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.select(filter);
  }

  private select(f: AuditFilter): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.user) (where.push('user_id = ?'), args.push(f.user));
    if (f.command) (where.push('command = ?'), args.push(f.command));
    // ISO strings of one format sort as time.
    if (f.since) (where.push('at >= ?'), args.push(new Date(f.since).toISOString()));
    const sql = `SELECT * FROM slack_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit ?? 100) as AuditRow[]).map(auditFromRow);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
