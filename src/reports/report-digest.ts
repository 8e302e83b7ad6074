import type { Table } from '../core/answer.js';
import { REPORT_EVENT_TYPE, type ReportDigest, type ReportLine, type ReportTrend } from '../core/report.js';
import { trendPoints } from './trend.js';
import { truncate } from '../render/blocks.js';
import { formatMs } from '../render/outline.js';
import type { ReportView } from './catalog.js';
import { failuresFirst, nothingToReport, verdictLine, type RunDiff } from './diff.js';
import type { ReportRun, TargetResult } from './model.js';
import { localTime, shortTime } from './schedule.js';

/**
 * A report run and its diff → the words people read: the verdict, the outcome of each row, the full
 * table, and the digest the channel post is rendered from (src/render/report-blocks.ts).
 */

export function probeLabel(r: Pick<TargetResult, 'kind' | 'port'>): string {
  return r.port !== undefined ? `${r.kind}/${r.port}` : r.kind;
}

/** "refused", "timeout", "loss 40%", "not probed: agent down", or the time for an ok row. */
export function outcomeText(r: TargetResult): string {
  if (r.status === 'not-probed') return `not probed: ${r.reason ?? 'unknown'}`;
  if (r.status === 'failed') return r.reason === 'loss' && r.lossPct !== undefined ? `loss ${r.lossPct}%` : (r.reason ?? 'failed');
  return `${r.ms !== undefined ? formatMs(r.ms) : 'ok'}${r.slow ? ' (slow)' : ''}`;
}

export function verdictOf(view: ReportView): string {
  return view.run.verdict ?? verdictLine(view.run, view.diff, (iso) => shortTime(iso, view.def.timezone, view.now ?? Date.now()));
}

export function durationText(run: ReportRun): string {
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function whenLine(view: ReportView): string {
  const { run, def } = view;
  const at = localTime(run.scheduledAt, def.timezone);
  const late = run.late ? ` · late: ran ${shortTime(run.startedAt, def.timezone, view.now ?? Date.now())} because no replica was running the schedule at its time` : '';
  const trigger = run.trigger === 'manual' ? ' · run by hand' : '';
  return `Scheduled ${at} · ${run.counts.total} targets probed in ${durationText(run)}${trigger}${late}`;
}

/** Every row, failures first, as fixed-width text lines (thread replies and the terminal). */
export function fullTable(run: ReportRun, diff?: RunDiff): Table {
  const isNew = new Set(diff?.newFailures.map((r) => r.id));
  const rank = (r: TargetResult) => (r.status === 'failed' ? (isNew.has(r.id) ? 0 : 1) : r.status === 'not-probed' ? 2 : r.slow ? 3 : 4);
  const rows = [...run.results].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
  return {
    title: 'All results',
    columns: ['status', 'target', 'probe', 'address', 'from', 'result'],
    rows: rows.map((r) => [r.status === 'failed' ? (isNew.has(r.id) ? 'FAILED (new)' : 'FAILED') : r.status === 'not-probed' ? 'NOT PROBED' : r.slow ? 'SLOW' : 'ok', r.subject, probeLabel(r), r.ip ?? '', r.from, outcomeText(r)]),
  };
}

export function reportMetadata(run: ReportRun): ReportDigest['metadata'] {
  return { event_type: REPORT_EVENT_TYPE, event_payload: { report: run.report, tick: run.tickKey, scheduled_at: run.scheduledAt } };
}

function resultLine(r: TargetResult, tag?: string): ReportLine {
  const detail = r.status === 'failed' && r.reason !== 'loss' && r.detail ? truncate(r.detail, 140) : undefined;
  return { kind: 'result', subject: r.subject, probe: probeLabel(r), from: r.from, outcome: outcomeText(r), ...(tag ? { tag } : {}), ...(detail ? { detail } : {}) };
}

/** Not-probed rows grouped by where and why: "12 targets from node b: agent down". */
function notProbedLines(rows: TargetResult[]): ReportLine[] {
  const groups = new Map<string, TargetResult[]>();
  for (const r of rows) {
    const key = `${r.from}\u0000${r.reason ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0] as TargetResult;
    return {
      kind: 'not-probed',
      count: g.length,
      subject: first.subject,
      probe: probeLabel(first),
      ...(first.from === '—' ? {} : { from: first.from }),
      reason: first.reason ?? 'unknown',
      ...(first.detail ? { detail: truncate(first.detail, 200) } : {}),
    };
  });
}

/** The digest of a run: what its channel post shows. */
export function reportDigest(view: ReportView): ReportDigest {
  const { run, diff, def } = view;
  const flapping = new Set(diff.flapping.map((f) => f.id));
  const newIds = new Set(diff.newFailures.map((r) => r.id));
  const tag = (r: TargetResult) => [newIds.has(r.id) ? 'new' : 'still failing', flapping.has(r.id) ? 'flapping' : ''].filter(Boolean).join(', ');
  const slow = run.results.filter((r) => r.slow);
  return {
    name: def.name,
    verdict: verdictOf(view),
    state: run.counts.failed > 0 ? 'failed' : run.counts.notProbed > 0 ? 'not-probed' : 'ok',
    late: run.late,
    brief: nothingToReport(run, diff),
    when: whenLine(view),
    sections: [
      { title: `Unreachable (${failuresFirst(diff).length})`, lines: failuresFirst(diff).map((r) => resultLine(r, tag(r))), more: 'in the thread' },
      ...(view.flip ? [{ title: `Changed since the last good run, at either end of what became unreachable (${view.flip.total})`, lines: view.flip.lines, more: 'with `changes` in Slack or a terminal' }] : []),
      { title: `Not probed (${diff.notProbed.length})`, lines: notProbedLines(diff.notProbed), more: 'groups in the thread' },
      { title: `Recovered (${diff.recovered.length})`, lines: diff.recovered.map((r) => resultLine(r)), more: 'in the thread' },
      {
        title: `Slower than before (${diff.latencyRegressions.length})`,
        lines: diff.latencyRegressions.map((l) => ({ kind: 'change', subject: l.result.subject, probe: probeLabel(l.result), text: `${formatMs(l.beforeMs)} → ${formatMs(l.result.ms ?? 0)}` })),
        more: 'in the thread',
      },
      { title: `Flapping (${diff.flapping.length})`, lines: diff.flapping.map((f) => ({ kind: 'change', subject: f.subject, text: `${f.changes} changes in the last ${f.window} runs` })), more: 'in the thread' },
      ...(slow.length && !diff.latencyRegressions.length ? [{ title: `Slow (${slow.length})`, lines: slow.map((r) => resultLine(r)), more: 'in the thread' }] : []),
    ],
    notes: run.notes,
    total: run.counts.total,
    table: fullTable(run, diff),
    metadata: reportMetadata(run),
    ...(trendOf(view) ? { trend: trendOf(view) } : {}),
  };
}

/** The trend of a view with two runs or more, its times in the report's time zone. */
export function trendOf(view: ReportView): ReportTrend | undefined {
  const points = trendPoints(view.trend ?? []);
  if (points.length < 2) return undefined;
  const now = view.now ?? Date.now();
  return {
    title: `${view.def.name}: the last ${points.length} runs`,
    labels: points.map((p) => shortTime(p.at, view.def.timezone, now)),
    reachablePct: points.map((p) => (p.reachableShare === undefined ? null : Math.round(p.reachableShare * 1000) / 10)),
    p95Ms: points.map((p) => (p.p95Ms === undefined ? null : Math.round(p.p95Ms * 10) / 10)),
  };
}
