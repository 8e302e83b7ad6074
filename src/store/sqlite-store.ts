import type { Logger } from '../log.js';
import type { RetentionPolicy } from '../reports/history.js';
import { SqliteReportHistory } from '../reports/sqlite-history.js';
import { SqliteAlertGroups } from './sqlite-alert-groups.js';
import { SqliteAuditLog } from './sqlite-audit.js';
import { SqliteHeldAnswers } from './sqlite-held-answers.js';
import type { Store, StoreState } from './store.js';

export interface SqliteStoreOptions {
  /** NETPEEK_SLACK_AUDIT_DB */
  auditDb: string;
  /** NETPEEK_REPORTS_DB */
  reportsDb: string;
  retention: RetentionPolicy;
  log: Logger;
  /** For report retention and tick times; default Date.now. */
  now?: () => number;
}

/**
 * The embedded default: two SQLite files of this one process (audit, report history). Nothing is shared
 * with other replicas, so Slack duplicates are dropped in-process (no `claims`).
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly shared = false;
  private auditLog?: SqliteAuditLog;
  private history?: SqliteReportHistory;
  private alerts?: SqliteAlertGroups;
  private held?: SqliteHeldAnswers;

  constructor(private readonly o: SqliteStoreOptions) {}

  get audit(): SqliteAuditLog {
    return (this.auditLog ??= new SqliteAuditLog(this.o.auditDb, this.o.log));
  }

  reports(): SqliteReportHistory {
    return (this.history ??= new SqliteReportHistory(this.o.reportsDb, { retention: this.o.retention, ...(this.o.now ? { now: this.o.now } : {}) }));
  }

  /** In the report history's file: both are this instance's state, on the same volume. */
  alertGroups(): SqliteAlertGroups {
    return (this.alerts ??= new SqliteAlertGroups(this.o.reportsDb, this.o.now));
  }

  /** In the report history's file too: a restarted bot still reruns the answers under its buttons. */
  heldAnswers(): SqliteHeldAnswers {
    return (this.held ??= new SqliteHeldAnswers(this.o.reportsDb, this.o.now));
  }

  start(): void {}

  async check(): Promise<StoreState> {
    const where = [this.o.auditDb, this.o.reportsDb].map((p) => (p === ':memory:' ? 'memory' : p));
    return {
      kind: 'sqlite',
      ok: true,
      detail: `SQLite files of this process (audit ${where[0]}, reports ${where[1]}): not shared with other replicas, and lost with the pod's volume.`,
      auditBuffered: 0,
      auditLost: 0,
      ...(this.history ? { schemaVersion: this.history.schemaVersion } : {}),
    };
  }

  async close(): Promise<void> {
    this.auditLog?.close();
    this.history?.close();
    this.alerts?.close();
    this.held?.close();
  }
}
