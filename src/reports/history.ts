import type { ReportRun, RunDigest } from './model.js';

/**
 * Where runs are kept, behind one interface: SQLite on one host (sqlite-history.ts), a ConfigMap per
 * report in Kubernetes (cluster-state.ts) so that a new leader diffs against the true previous run, or
 * both (replicated-state.ts).
 */
export interface ReportHistory {
  /** Stores a run; saving the same (report, tickKey) again replaces it. */
  save(run: ReportRun): Promise<void>;
  /** The newest stored run of a report (or the newest scheduled before `before`, ISO), with all its results. */
  latest(report: string, opts?: { before?: string }): Promise<ReportRun | undefined>;
  /** Status digests of the newest `limit` runs, newest first (for flapping). */
  recent(report: string, limit: number): Promise<RunDigest[]>;
}

/** How much history SQLite keeps: runs older than maxAgeDays go, and beyond maxRunsPerReport the oldest go. */
export interface RetentionPolicy {
  maxAgeDays: number;
  maxRunsPerReport: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { maxAgeDays: 30, maxRunsPerReport: 1000 };

/** The state store (ConfigMap, SQLite) could not be read or written; the message says which and why. */
export class StateUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'StateUnavailableError';
  }
}
