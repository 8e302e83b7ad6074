/**
 * Where a question came from; `payload` is a signed request netpeek could not read as any of the others,
 * `home` the App Home tab, `alertmanager` a diagnosis for an Alertmanager notification, `shortcut` the
 * "Diagnose with netpeek" message action.
 */
export type AuditSource = 'slash' | 'mention' | 'dm' | 'button' | 'home' | 'payload' | 'alertmanager' | 'shortcut';

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

/** Which audit records to read back (`netpeek audit`); every field narrows, none is required. */
export interface AuditFilter {
  user?: string;
  /** ISO time: records that arrived at or after it. */
  since?: string;
  command?: string;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/**
 * The audit trail. `record` never throws and never waits: every record is a pino line (`msg: "audit"`)
 * at once, and is stored by the implementation as soon as it can.
 */
export interface AuditLog {
  record(entry: AuditEntry): void;
  /** Newest first. Throws StateUnavailableError when the store cannot be read. */
  query(filter?: AuditFilter): Promise<AuditEntry[]>;
  close(): void | Promise<void>;
}

/** Rows as both SQL stores keep them. */
export interface AuditRow {
  request_id: string;
  source: AuditSource;
  user_id: string;
  channel_id: string;
  command: string;
  target: string;
  outcome: AuditOutcome;
  reason: string | null;
  duration_ms: number;
  at: string | Date;
}

export function auditFromRow(r: AuditRow): AuditEntry {
  return {
    requestId: r.request_id,
    source: r.source,
    user: r.user_id,
    channel: r.channel_id,
    command: r.command,
    target: r.target,
    outcome: r.outcome,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    durationMs: r.duration_ms,
    at: r.at instanceof Date ? r.at.toISOString() : r.at,
  };
}
