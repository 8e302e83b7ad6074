import type { ReportHistory } from '../reports/history.js';

export { StateUnavailableError } from '../reports/history.js';
import type { TickLedger } from '../reports/tick-key.js';
import type { AlertGroups } from './alert-groups.js';
import type { AuditLog } from './audit-log.js';

/**
 * Everything netpeek keeps that must survive a request, behind one interface with two implementations:
 * SQLite files (sqlite-store.ts: one instance, the terminal, the default) and PostgreSQL
 * (postgres-store.ts: shared by every replica, chosen by NETPEEK_DATABASE_URL).
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** True when every replica reads and writes the same rows (PostgreSQL); SQLite is per process. */
  readonly shared: boolean;
  readonly audit: AuditLog;
  /** Report runs and results, and the tick keys that make each scheduled tick post once. Opened on first use. */
  reports(): ReportStore;
  /** The Alertmanager receiver's threads and what it posted in them (one row per groupKey). Opened on first use. */
  alertGroups(): AlertGroups;
  /** Answers held under Slack "Probe again" buttons, so any replica (and a restarted one) can rerun them. Opened on first use. */
  heldAnswers(): HeldAnswers;
  /** Cross-replica claims of Slack events, commands and button clicks; absent when the store is per process. */
  readonly claims?: EventClaims;
  /** Starts connecting in the background (PostgreSQL; a no-op for SQLite). Never waits, never throws. */
  start(): void;
  /** What `status` and the logs say about the store; asks the database when it can. */
  check(): Promise<StoreState>;
  close(): Promise<void>;
}

export type ReportStore = ReportHistory & TickLedger;

/**
 * Bodies held by id until they expire: the answers under "Probe again" buttons (JSON text, which the
 * store does not read). The id is the button's; whoever holds the button's signed token may read it.
 */
export interface HeldAnswers {
  put(id: string, body: string, ttlMs: number): Promise<void>;
  /** The body, or undefined when unknown or expired. Throws StateUnavailableError when the database cannot be asked. */
  get(id: string): Promise<string | undefined>;
}

/**
 * First come, first served across replicas: the replica whose claim of an id is stored answers, the
 * others drop it. A claim expires after `ttlMs`, so an id can be answered again only after that.
 */
export interface EventClaims {
  /**
   * True when this replica now holds every key (none was held by anyone, or only expired claims).
   * Throws StateUnavailableError when the database cannot be asked.
   */
  claim(keys: readonly string[], ttlMs: number): Promise<boolean>;
}

export interface StoreState {
  kind: 'sqlite' | 'postgres';
  ok: boolean;
  /** One sentence safe to show (never the URL or its password). */
  detail: string;
  /** Audit records written to the log but waiting for the database. */
  auditBuffered: number;
  /** Audit records that could not be kept (buffer full), since start; each one was also logged. */
  auditLost: number;
  schemaVersion?: number;
}
