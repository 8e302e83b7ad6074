import type { RunDigest, StatusLetter } from './model.js';

/** One run of a report as the trend chart and sparkline show it. */
export interface TrendPoint {
  /** The tick's scheduled time (ISO). */
  at: string;
  /** Targets that answered, of those probed (0–1); undefined when nothing could be probed. */
  reachableShare?: number;
  /** 95th percentile of the answering probes' times, ms; undefined without one. */
  p95Ms?: number;
}

export function reachableShare(statuses: Readonly<Record<string, StatusLetter>>): number | undefined {
  const letters = Object.values(statuses);
  const probed = letters.filter((s) => s !== 'n').length;
  return probed ? letters.filter((s) => s === 'o').length / probed : undefined;
}

/** Newest-first digests (as the history returns them) → oldest-first points, as a chart reads left to right. */
export function trendPoints(recent: readonly RunDigest[]): TrendPoint[] {
  return [...recent].reverse().map((d) => {
    const share = reachableShare(d.statuses);
    return { at: d.scheduledAt, ...(share !== undefined ? { reachableShare: share } : {}), ...(d.p95Ms !== undefined ? { p95Ms: d.p95Ms } : {}) };
  });
}

/** Runs the chart and sparkline show: a day of hourly runs. */
export const TREND_RUNS = 24;

/** The current run first, then the stored ones before it (newest first), at most TREND_RUNS. */
export function withCurrent(current: RunDigest, stored: readonly RunDigest[]): RunDigest[] {
  return [current, ...stored.filter((d) => d.tickKey !== current.tickKey)].sort((a, b) => b.scheduledAt.localeCompare(a.scheduledAt)).slice(0, TREND_RUNS);
}
