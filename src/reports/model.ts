import type { ProbeKind } from '../core/kinds.js';

/**
 * The plain, JSON-safe data of scheduled reports: what one run found, how it is stored, and the tick
 * records that keep a tick from being posted twice. No Slack, Kubernetes or SQLite types here.
 */

/** ok: the probe answered; failed: it did not (or broke a threshold); not-probed: nothing could be sent. */
export type TargetStatus = 'ok' | 'failed' | 'not-probed';

/** One probe of one target in one run. */
export interface TargetResult {
  /** Stable across runs, the key diffs compare by, e.g. "pod default/web-1 tcp/80". */
  id: string;
  /** The definition's target entry it came from, e.g. "pods default app=web". */
  group: string;
  /** What the user would call it: "pod default/web-1", "container web-1", "node a → node b". */
  subject: string;
  kind: ProbeKind;
  ip?: string;
  port?: number;
  /** Where the probe ran from: "node node-a", "the Docker host". */
  from: string;
  status: TargetStatus;
  /** Round trip / connect time, ms. */
  ms?: number;
  /** ICMP loss, 0–100. */
  lossPct?: number;
  /**
   * failed: refused, timeout, unreachable, denied, loss or error. not-probed: a short cause such as
   * "agent down" or "API server unreachable".
   */
  reason?: string;
  /** One sentence, safe to show. */
  detail?: string;
  /** ok, but slower than the definition's latencyWarnMs. */
  slow?: boolean;
}

export type RunTrigger = 'schedule' | 'catch-up' | 'manual';

export interface RunCounts {
  total: number;
  ok: number;
  failed: number;
  notProbed: number;
  slow: number;
}

export interface ReportRun {
  report: string;
  /** Idempotency key of the tick: `<report>@<scheduled time ISO>`. */
  tickKey: string;
  /** The tick's scheduled time (ISO). */
  scheduledAt: string;
  startedAt: string;
  finishedAt: string;
  trigger: RunTrigger;
  /** Run after its time because no replica was leading then (catch-up on start or takeover). */
  late: boolean;
  results: TargetResult[];
  counts: RunCounts;
  /** The one-line verdict as posted ("3 of 412 targets unreachable; 2 new since 09:00"). */
  verdict?: string;
  /** Things that went wrong while resolving targets (a selector matched nothing, the API server was down…). */
  notes: string[];
}

/** One letter per target and run: enough to find flapping targets without keeping every full run. */
export type StatusLetter = 'o' | 'f' | 'n';

export interface RunDigest {
  tickKey: string;
  scheduledAt: string;
  statuses: Record<string, StatusLetter>;
  /** 95th percentile of the answering probes' times (ms), for the trend chart; absent without one. */
  p95Ms?: number;
}

/**
 * A tick's progress. `running` is claimed; `posting` is written before the message goes out (the
 * idempotency key); `posted` and `skipped` (quiet report, nothing to say) are final.
 */
export type TickState = 'running' | 'posting' | 'posted' | 'skipped';

export interface TickRecord {
  report: string;
  key: string;
  scheduledAt: string;
  state: TickState;
  /** Instance that claimed it (pod name + process id + random suffix). */
  holder: string;
  updatedAt: string;
  channel?: string;
  /** Slack ts of the posted message. */
  messageTs?: string;
  late?: boolean;
}

export function tickKeyOf(report: string, scheduledAt: Date | string): string {
  const iso = typeof scheduledAt === 'string' ? scheduledAt : scheduledAt.toISOString();
  return `${report}@${iso}`;
}

export function countResults(results: readonly TargetResult[]): RunCounts {
  const c: RunCounts = { total: results.length, ok: 0, failed: 0, notProbed: 0, slow: 0 };
  for (const r of results) {
    if (r.status === 'ok') c.ok += 1;
    else if (r.status === 'failed') c.failed += 1;
    else c.notProbed += 1;
    if (r.slow) c.slow += 1;
  }
  return c;
}

export function statusLetter(s: TargetStatus): StatusLetter {
  return s === 'ok' ? 'o' : s === 'failed' ? 'f' : 'n';
}

/** Nearest-rank 95th percentile (no interpolation: a shown figure is always one a probe measured). */
export function p95(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)];
}

export function digestOf(run: Pick<ReportRun, 'tickKey' | 'scheduledAt' | 'results'>): RunDigest {
  const p95Ms = p95(run.results.filter((r) => r.status === 'ok' && r.ms !== undefined).map((r) => r.ms as number));
  return { tickKey: run.tickKey, scheduledAt: run.scheduledAt, statuses: Object.fromEntries(run.results.map((r) => [r.id, statusLetter(r.status)])), ...(p95Ms !== undefined ? { p95Ms } : {}) };
}
