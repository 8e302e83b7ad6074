import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../log.js';

/** Where a question came from; `payload` is a signed request netpeek could not read as any of the others. */
export type AuditSource = 'slash' | 'mention' | 'dm' | 'button' | 'payload';

/**
 * How it ended: answered, refused by policy, a mistake in the question, a backend or internal failure,
 * or answered but the reply could not be delivered to Slack.
 */
export type AuditOutcome = 'ok' | 'refused' | 'user_error' | 'failed' | 'undelivered';

/** One question netpeek was asked. */
export interface AuditEntry {
  /** Correlates with the pino lines of the same request. */
  requestId: string;
  source: AuditSource;
  /** Slack user ID. */
  user: string;
  /** Slack channel ID (D… for DMs). */
  channel: string;
  /** Resolved command name, or what was typed when it did not resolve. */
  command: string;
  /** What it was about: arguments and namespace. */
  target: string;
  outcome: AuditOutcome;
  /** Refusal reason or error code, when not ok. */
  reason?: string;
  durationMs: number;
  /** ISO time the question arrived. */
  at: string;
}

/** The audit trail. Implementations must not throw: a failing audit store is logged, never user-visible. */
export interface AuditLog {
  record(entry: AuditEntry): void;
  /** Newest first. */
  recent(limit?: number): AuditEntry[];
  close(): void;
}

interface Row {
  request_id: string;
  source: AuditSource;
  user_id: string;
  channel_id: string;
  command: string;
  target: string;
  outcome: AuditOutcome;
  reason: string | null;
  duration_ms: number;
  at: string;
}

/** SQLite (better-sqlite3) audit log; every record is also one pino line (`msg: "audit"`). */
export class SqliteAuditLog implements AuditLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(
    path: string,
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

  recent(limit = 100): AuditEntry[] {
    const rows = this.db.prepare('SELECT * FROM slack_audit ORDER BY id DESC LIMIT ?').all(limit) as Row[];
    return rows.map((r) => ({
      requestId: r.request_id,
      source: r.source,
      user: r.user_id,
      channel: r.channel_id,
      command: r.command,
      target: r.target,
      outcome: r.outcome,
      ...(r.reason !== null ? { reason: r.reason } : {}),
      durationMs: r.duration_ms,
      at: r.at,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
