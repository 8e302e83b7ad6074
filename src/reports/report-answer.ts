import { newAnswer, type Answer, type Table } from '../core/answer.js';
import { formatMs } from '../render/outline.js';
import { sparkline } from '../render/sparkline.js';
import type { ReportListing, ReportView } from './catalog.js';
import { formatProblem } from './definitions.js';
import { failuresFirst } from './diff.js';
import type { TargetResult } from './model.js';
import { durationText, fullTable, outcomeText, probeLabel, trendOf, verdictOf } from './report-digest.js';
import { localTime, shortTime } from './schedule.js';

/**
 * `report` and `report <name>` as Answers (terminal, slash command, --json): the verdict, the failures
 * first, then every result; the listing with next runs and refused definitions.
 */

function rowsTable(title: string, rows: TargetResult[], extra?: (r: TargetResult) => string): Table {
  return {
    title,
    columns: ['target', 'probe', 'address', 'from', 'result', ...(extra ? ['note'] : [])],
    rows: rows.map((r) => [r.subject, probeLabel(r), r.ip ?? '', r.from, outcomeText(r), ...(extra ? [extra(r)] : [])]),
  };
}

/** A run as an Answer: the verdict, the failures first, then every result. */
export function reportAnswer(view: ReportView, opts: { posted?: boolean } = {}): Answer {
  const { run, diff, def } = view;
  const newIds = new Set(diff.newFailures.map((r) => r.id));
  const tables: Table[] = [];
  const failures = failuresFirst(diff);
  if (failures.length) tables.push(rowsTable('Unreachable', failures, (r) => (newIds.has(r.id) ? 'new' : 'still failing')));
  if (diff.notProbed.length) tables.push(rowsTable('Not probed', diff.notProbed, (r) => r.detail ?? ''));
  if (diff.recovered.length) tables.push(rowsTable('Recovered', diff.recovered));
  if (diff.latencyRegressions.length) {
    tables.push({ title: 'Slower than before', columns: ['target', 'probe', 'before', 'now'], rows: diff.latencyRegressions.map((l) => [l.result.subject, probeLabel(l.result), formatMs(l.beforeMs), formatMs(l.result.ms ?? 0)]) });
  }
  if (diff.flapping.length) tables.push({ title: 'Flapping', columns: ['target', 'changes'], rows: diff.flapping.map((f) => [f.subject, `${f.changes} in ${f.window} runs`]) });
  tables.push(fullTable(run, diff));
  const c = run.counts;
  return newAnswer('report', `report ${def.name}`, {
    subject: { kind: 'report', name: def.name },
    summary: verdictOf(view),
    facts: [
      { label: 'Schedule', value: `${def.schedule} (${def.timezone})` },
      { label: 'Channel', value: def.channel },
      { label: 'Run', value: `${localTime(run.startedAt, def.timezone)}, took ${durationText(run)}` },
      { label: 'Targets', value: `${c.total}: ${c.ok} ok, ${c.failed} unreachable, ${c.notProbed} not probed${c.slow ? `, ${c.slow} slow` : ''}` },
      { label: 'Compared with', value: diff.previous ? `the run of ${localTime(diff.previous.scheduledAt, def.timezone)}` : 'nothing (no earlier run stored)' },
      ...trendFact(view),
    ],
    tables,
    warnings: run.notes,
    hints: opts.posted === false ? [`This run was not posted or stored; the scheduled runs post to channel ${def.channel}.`] : [],
  });
}

/** `report` with no name: every definition with its next run and last verdict, and refused ones with why. */
export function listingAnswer(listing: ReportListing, now: number = Date.now()): Answer {
  const rows = listing.reports.map((r) => [
    r.def.name,
    `${r.def.schedule} (${r.def.timezone})`,
    r.def.channel + (r.def.quiet ? ' (quiet)' : ''),
    r.nextRunAt ? shortTime(r.nextRunAt, r.def.timezone, now) : '—',
    r.last ? `${shortTime(r.last.scheduledAt, r.def.timezone, now)}${r.last.late ? ' (late)' : ''}` : r.lastError ? 'unknown' : 'never',
    r.last?.verdict ?? (r.lastError ? `state unavailable: ${r.lastError}` : '—'),
  ]);
  const runner = {
    leader: 'this replica runs the schedules (it holds the lease)',
    follower: 'another replica runs the schedules (it holds the lease)',
    single: 'this process runs the schedules',
    'not-running': 'the schedules run in `netpeek serve`, not here',
  }[listing.runner];
  const n = listing.reports.length;
  const refused = listing.problems.length ? `; ${new Set(listing.problems.map((p) => p.report ?? p.field)).size} refused` : '';
  return newAnswer('report', 'reports', {
    subject: { kind: 'report', name: 'reports' },
    summary: `${n} report${n === 1 ? '' : 's'}${refused}; ${runner}.`,
    facts: listing.file ? [{ label: 'Definitions', value: listing.file }] : [],
    tables: [{ title: 'Reports', columns: ['report', 'schedule', 'channel', 'next run', 'last run', 'last verdict'], rows }],
    warnings: listing.problems.map((p) => `Refused: ${formatProblem(p)}`),
    hints: ['`report <name>` runs one now and shows it here (it is not posted or stored).'],
  });
}

/** "reachable ▅▆██ 80% → 100% · p95 ▁▂▁█ 12 ms", oldest run first: the terminal's picture of the trend. */
function trendFact(view: ReportView): { label: string; value: string }[] {
  const t = trendOf(view);
  if (!t) return [];
  const pct = t.reachablePct.map((v) => v ?? undefined);
  const ms = t.p95Ms.map((v) => v ?? undefined);
  const known = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
  const kp = known(pct);
  const km = known(ms);
  const share = kp.length ? ` ${kp[0]}% → ${kp[kp.length - 1]}%` : '';
  const p95 = km.length ? ` ${formatMs(km[km.length - 1] as number)}` : '';
  return [{ label: `Trend (${t.labels.length} runs)`, value: `reachable ${sparkline(pct, { min: 0, max: 100 })}${share} · p95 ${sparkline(ms, { min: 0 })}${p95}` }];
}
