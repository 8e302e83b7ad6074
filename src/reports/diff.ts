import type { ReportRun, RunDigest, StatusLetter, TargetResult } from './model.js';
import { statusLetter } from './model.js';

/**
 * What changed between two runs of a report, and which targets flap. Pure: runs and digests in, plain
 * data out.
 */

export interface LatencyRegression {
  result: TargetResult;
  beforeMs: number;
}

export interface Flapping {
  id: string;
  subject: string;
  /** ok↔failed changes within the window (newest run included). */
  changes: number;
  /** Runs looked at. */
  window: number;
}

export interface RunDiff {
  /** The run compared against; absent for a report's first run. */
  previous?: { tickKey: string; scheduledAt: string };
  /** Failed now, and was not failing in the previous run (ok, not probed, or not there). */
  newFailures: TargetResult[];
  /** Failed now and in the previous run. */
  stillFailing: TargetResult[];
  /** ok now, failed in the previous run. */
  recovered: TargetResult[];
  /** Nothing could be sent this time (agent down, API server unreachable…). */
  notProbed: TargetResult[];
  /** ok in both, but markedly slower now, or newly over latencyWarnMs. */
  latencyRegressions: LatencyRegression[];
  /** Targets that keep changing between ok and failed. */
  flapping: Flapping[];
  /** Targets present now but not in the previous run. */
  appeared: number;
  /** Ids present in the previous run and gone now (a pod replaced, a node removed). */
  disappeared: string[];
}

export interface DiffOptions {
  /** A regression is at least this many times slower… (default 2) */
  regressionFactor?: number;
  /** …and at least this many ms slower (default 10). */
  regressionMinMs?: number;
  /** ok targets over this are "slow"; crossing it counts as a regression. */
  latencyWarnMs?: number;
  /** Runs (including the current one) examined for flapping (default 6). */
  flapWindow?: number;
  /** ok↔failed changes within the window that make a target flapping (default 3). */
  flapChanges?: number;
}

function isRegression(now: number, before: number, o: Required<Omit<DiffOptions, 'latencyWarnMs'>> & { latencyWarnMs?: number }): boolean {
  if (o.latencyWarnMs !== undefined && before <= o.latencyWarnMs && now > o.latencyWarnMs) return true;
  return now >= before * o.regressionFactor && now - before >= o.regressionMinMs;
}

/** ok↔failed changes along a status sequence; "not probed" and absent runs are skipped. */
export function countChanges(seq: readonly (StatusLetter | undefined)[]): number {
  let changes = 0;
  let last: StatusLetter | undefined;
  for (const s of seq) {
    if (s !== 'o' && s !== 'f') continue;
    if (last !== undefined && s !== last) changes += 1;
    last = s;
  }
  return changes;
}

/**
 * Compares `current` with `previous` (the report's last stored run) and looks for flapping over
 * `history` (digests of earlier runs, newest first; `previous` may be among them).
 */
export function diffRuns(current: ReportRun, previous: ReportRun | undefined, history: readonly RunDigest[] = [], opts: DiffOptions = {}): RunDiff {
  const o = { regressionFactor: 2, regressionMinMs: 10, flapWindow: 6, flapChanges: 3, ...opts };
  const before = new Map((previous?.results ?? []).map((r) => [r.id, r]));
  const diff: RunDiff = {
    ...(previous ? { previous: { tickKey: previous.tickKey, scheduledAt: previous.scheduledAt } } : {}),
    newFailures: [],
    stillFailing: [],
    recovered: [],
    notProbed: [],
    latencyRegressions: [],
    flapping: [],
    appeared: 0,
    disappeared: [],
  };
  const nowIds = new Set<string>();
  for (const r of current.results) {
    nowIds.add(r.id);
    const was = before.get(r.id);
    if (previous && !was) diff.appeared += 1;
    if (r.status === 'not-probed') diff.notProbed.push(r);
    else if (r.status === 'failed') (was?.status === 'failed' ? diff.stillFailing : diff.newFailures).push(r);
    else if (was?.status === 'failed') diff.recovered.push(r);
    else if (was?.status === 'ok' && r.ms !== undefined && was.ms !== undefined && isRegression(r.ms, was.ms, o)) diff.latencyRegressions.push({ result: r, beforeMs: was.ms });
  }
  for (const id of before.keys()) if (!nowIds.has(id)) diff.disappeared.push(id);

  // Flapping: current run first, then earlier digests (skipping the current tick if it is among them).
  const earlier = history.filter((d) => d.tickKey !== current.tickKey).slice(0, o.flapWindow - 1);
  if (earlier.length > 0) {
    for (const r of current.results) {
      const seq = [statusLetter(r.status), ...earlier.map((d) => d.statuses[r.id])];
      const changes = countChanges(seq);
      if (changes >= o.flapChanges) diff.flapping.push({ id: r.id, subject: r.subject, changes, window: seq.length });
    }
  }
  return diff;
}

/** Failures in the order a message lists them: new ones first, then the ones that were failing already. */
export function failuresFirst(diff: RunDiff): TargetResult[] {
  return [...diff.newFailures, ...diff.stillFailing];
}

/** Nothing failed, nothing was left unprobed, nothing recovered or got slower: a quiet report stays silent. */
export function nothingToReport(run: ReportRun, diff: RunDiff): boolean {
  return run.counts.failed === 0 && run.counts.notProbed === 0 && diff.recovered.length === 0 && diff.latencyRegressions.length === 0 && diff.flapping.length === 0;
}

/**
 * The one-line verdict a message leads with: "3 of 412 targets unreachable; 2 new since 09:00", or
 * "all 412 reachable". `since` formats the previous run's time (in the report's time zone).
 */
export function verdictLine(run: ReportRun, diff: RunDiff, since: (iso: string) => string): string {
  const { total, failed, notProbed, slow } = run.counts;
  const parts: string[] = [];
  if (total === 0) parts.push('no targets matched');
  else if (failed === 0 && notProbed === 0) parts.push(total === 1 ? 'the 1 target is reachable' : `all ${total} reachable`);
  else if (failed > 0) {
    parts.push(`${failed} of ${total} target${total === 1 ? '' : 's'} unreachable`);
    if (diff.previous) parts.push(diff.newFailures.length ? `${diff.newFailures.length} new since ${since(diff.previous.scheduledAt)}` : `none new since ${since(diff.previous.scheduledAt)}`);
  } else parts.push(`${total - notProbed} of ${total} reachable`);
  if (notProbed > 0) parts.push(`${notProbed} not probed`);
  if (diff.recovered.length) parts.push(`${diff.recovered.length} recovered`);
  if (slow > 0) parts.push(`${slow} slow`);
  if (diff.flapping.length) parts.push(`${diff.flapping.length} flapping`);
  return parts.join('; ');
}
