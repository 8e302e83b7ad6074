import type { ReportLine } from '../core/report.js';
import { UserError } from '../core/errors.js';
import { closest } from '../core/similar-names.js';
import { systemClock, type Clock } from './clock.js';
import { formatProblem, type DefinitionProblem, type ReportDefinition } from './definitions.js';
import { diffRuns, verdictLine, type RunDiff } from './diff.js';
import type { ReportHistory } from './history.js';
import { digestOf, tickKeyOf, type ReportRun, type RunCounts, type RunDigest } from './model.js';
import { TREND_RUNS, withCurrent } from './trend.js';
import { runReport, type RunContext } from './run.js';
import { CronSchedule, shortTime } from './schedule.js';

/** One run of a report with its diff against the last stored run: what report answers and posts show. */
export interface ReportView {
  def: Pick<ReportDefinition, 'name' | 'timezone' | 'schedule' | 'channel' | 'description'>;
  run: ReportRun;
  diff: RunDiff;
  /** "Now" for short times ("09:00" today, "Mon 09:00"); default Date.now(). */
  now?: number;
  /** This run and the stored ones before it, newest first (the trend); absent without a history. */
  trend?: RunDigest[];
  /** Changes touching the ends of the targets that flipped to unreachable, since the last good run. */
  flip?: { lines: ReportLine[]; total: number };
}

/**
 * What `report` (list) and `report <name>` (run now) need, whoever provides it: the running scheduler
 * in `netpeek serve`, or OfflineReports in a terminal.
 */
export interface ReportCatalog {
  list(): Promise<ReportListing>;
  /** Runs a report now: probed and diffed against its last stored run, neither stored nor posted. */
  runNow(name: string, signal?: AbortSignal): Promise<ReportView>;
}

export interface ReportListingRow {
  def: ReportDefinition;
  nextRunAt?: string;
  last?: { scheduledAt: string; verdict?: string; late: boolean; counts: RunCounts };
  /** Why the last run could not be read (state store down). */
  lastError?: string;
}

export interface ReportListing {
  /** The definitions file, when there is one. */
  file?: string;
  reports: ReportListingRow[];
  /** Refused definitions, each naming the field and line. */
  problems: DefinitionProblem[];
  /** Where the schedules run: this process leads, another replica does, or nothing runs them here. */
  runner: 'leader' | 'follower' | 'single' | 'not-running';
}

/** The report called `name`, or a UserError that lists the reports (and says why one was refused). */
export function findDefinition(name: string, reports: readonly ReportDefinition[], problems: readonly DefinitionProblem[], file?: string): ReportDefinition {
  const def = reports.find((r) => r.name === name);
  if (def) return def;
  const refused = problems.filter((p) => p.report === name);
  if (refused.length) throw new UserError(`Report ${name} was refused when the definitions were loaded.`, refused.map(formatProblem));
  const near = closest(name, reports.map((r) => r.name));
  throw new UserError(`There is no report "${name}"${file ? ` in ${file}` : ''}.${near ? ` Did you mean "${near}"?` : ''}`, [
    reports.length ? `Reports: ${reports.map((r) => r.name).join(', ')}` : 'No report is defined (NETPEEK_REPORTS_FILE).',
    'Example: report cluster-reachability',
  ], 'not_found');
}

export async function listReports(reports: readonly ReportDefinition[], history: ReportHistory | undefined, clock: Clock = systemClock): Promise<ReportListingRow[]> {
  return Promise.all(
    reports.map(async (def): Promise<ReportListingRow> => {
      const next = new CronSchedule(def.schedule, def.timezone).next(clock.now());
      const row: ReportListingRow = { def, ...(next ? { nextRunAt: next.toISOString() } : {}) };
      if (!history) return row;
      try {
        const last = await history.latest(def.name);
        if (last) row.last = { scheduledAt: last.scheduledAt, ...(last.verdict ? { verdict: last.verdict } : {}), late: last.late, counts: last.counts };
      } catch (err) {
        row.lastError = err instanceof Error ? err.message : String(err);
      }
      return row;
    }),
  );
}

/** One unscheduled run, diffed against the last stored run (history may be absent: then nothing to compare). */
export async function runReportNow(def: ReportDefinition, ctx: RunContext, history: ReportHistory | undefined): Promise<ReportView> {
  const clock = ctx.clock ?? systemClock;
  const now = new Date(clock.now());
  const [previous, stored] = history ? await Promise.all([history.latest(def.name).catch(() => undefined), history.recent(def.name, TREND_RUNS).catch(() => [])]) : [undefined, []];
  const recent = stored.slice(0, 5);
  const run = await runReport(def, { tickKey: tickKeyOf(def.name, `manual-${now.toISOString()}`), scheduledAt: now, trigger: 'manual', late: false }, ctx, previous);
  const diff = diffRuns(run, previous, recent, { ...(def.thresholds.latencyWarnMs !== undefined ? { latencyWarnMs: def.thresholds.latencyWarnMs } : {}) });
  run.verdict = verdictLine(run, diff, (iso) => shortTime(iso, def.timezone, clock.now()));
  return { def, run, diff, now: clock.now(), trend: withCurrent(digestOf(run), stored) };
}
