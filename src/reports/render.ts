import { newAnswer, type Answer, type Table } from '../core/answer.js';
import { escapeMrkdwn, SLACK_LIMITS, truncate, type Block, type SlackMessage } from '../render/blocks.js';
import { formatMs } from '../render/sections.js';
import { formatTable } from '../render/text.js';
import type { ReportListing, ReportView } from './catalog.js';
import { formatProblem, type ReportDefinition } from './definitions.js';
import { failuresFirst, nothingToReport, verdictLine, type RunDiff } from './diff.js';
import type { ReportRun, TargetResult } from './model.js';
import { localTime, shortTime } from './schedule.js';

/**
 * A report run → what people read: a Slack message that leads with the verdict and lists failures
 * first (always within Block Kit limits, the full table as thread replies when it does not fit), and an
 * Answer for `report <name>` in the terminal or as a slash command. Pure functions of the run and diff.
 */

export interface ReportMessage extends SlackMessage {
  /** Thread replies with the full table; empty when the main message shows everything. */
  thread: SlackMessage[];
  /** Slack message metadata: lets any replica find this tick's post in the channel. */
  metadata: { event_type: string; event_payload: Record<string, string> };
}

export const REPORT_EVENT_TYPE = 'netpeek_report';
/** Rows a section of the channel message lists before pointing at the thread. */
export const MAIN_ROWS = 15;
// Blocks per thread reply: Slack allows 50; one is kept for the "part n of m" context.
const THREAD_BLOCKS = SLACK_LIMITS.blocksPerMessage - 1;

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

function durationText(run: ReportRun): string {
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

// ---- Slack ----

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) }] });

function rowLine(r: TargetResult, tag?: string): string {
  const detail = r.status === 'failed' && r.reason !== 'loss' && r.detail ? ` — ${truncate(r.detail, 140)}` : '';
  return `• *${escapeMrkdwn(r.subject)}* ${escapeMrkdwn(probeLabel(r))} from ${escapeMrkdwn(r.from)}: ${escapeMrkdwn(outcomeText(r))}${tag ? ` _(${tag})_` : ''}${escapeMrkdwn(detail)}`;
}

/** A titled list within one section (3,000 characters), saying how many more rows are in the thread. */
function listSection(title: string, lines: string[], more: string): { block: Block; overflow: boolean } {
  const head = `*${title}*`;
  const kept: string[] = [];
  let size = head.length;
  for (const line of lines.slice(0, MAIN_ROWS)) {
    if (size + line.length + 1 > SLACK_LIMITS.sectionText - 80) break;
    kept.push(line);
    size += line.length + 1;
  }
  const rest = lines.length - kept.length;
  return { block: section([head, ...kept, ...(rest > 0 ? [`… and ${rest} more ${more}`] : [])].join('\n')), overflow: rest > 0 };
}

/** Not-probed rows grouped by where and why: "12 targets from node b: agent down". */
function notProbedLines(rows: TargetResult[]): string[] {
  const groups = new Map<string, TargetResult[]>();
  for (const r of rows) {
    const key = `${r.from}\u0000${r.reason ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0] as TargetResult;
    const where = first.from === '—' ? '' : ` from ${escapeMrkdwn(first.from)}`;
    const who = g.length === 1 ? `*${escapeMrkdwn(first.subject)}* ${escapeMrkdwn(probeLabel(first))}` : `${g.length} targets`;
    return `• ${who}${where}: not probed: ${escapeMrkdwn(first.reason ?? 'unknown')}${first.detail ? ` — ${escapeMrkdwn(truncate(first.detail, 200))}` : ''}`;
  });
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

/** The full table packed into thread replies: code blocks ≤ 3,000 characters, ≤ 49 blocks each. */
function threadMessages(view: ReportView): SlackMessage[] {
  const lines = formatTable(fullTable(view.run, view.diff), '').map(escapeMrkdwn);
  const budget = SLACK_LIMITS.sectionText - 6;
  const blocks: Block[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const raw of lines) {
    const line = truncate(raw, budget);
    if (chunk.length && size + line.length + 1 > budget) {
      blocks.push(section('```' + chunk.join('\n') + '```'));
      chunk = [];
      size = 0;
    }
    chunk.push(line);
    size += line.length + 1;
  }
  if (chunk.length) blocks.push(section('```' + chunk.join('\n') + '```'));
  const parts: Block[][] = [];
  for (let i = 0; i < blocks.length; i += THREAD_BLOCKS) parts.push(blocks.slice(i, i + THREAD_BLOCKS));
  return parts.map((p, i) => ({
    text: `Full results of ${view.def.name}${parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : ''}`,
    blocks: [context(`Full results of *${escapeMrkdwn(view.def.name)}*, failures first${parts.length > 1 ? ` — part ${i + 1} of ${parts.length}` : ''}`), ...p],
  }));
}

export function reportMetadata(run: ReportRun): ReportMessage['metadata'] {
  return { event_type: REPORT_EVENT_TYPE, event_payload: { report: run.report, tick: run.tickKey, scheduled_at: run.scheduledAt } };
}

/** The channel message (and thread replies) for a run. */
export function renderReportMessage(view: ReportView): ReportMessage {
  const { run, diff, def } = view;
  const verdict = verdictOf(view);
  const metadata = reportMetadata(run);
  const icon = run.counts.failed > 0 ? ':red_circle:' : run.counts.notProbed > 0 ? ':large_yellow_circle:' : ':large_green_circle:';
  const text = truncate(`${def.name}: ${verdict}`, SLACK_LIMITS.sectionText);
  if (nothingToReport(run, diff)) {
    return { text, blocks: [section(`${icon} *${escapeMrkdwn(def.name)}*: ${escapeMrkdwn(verdict)}${run.late ? ' _(late)_' : ''}`)], thread: [], metadata };
  }
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Reachability report: ${def.name}${run.late ? ' (late)' : ''}`, SLACK_LIMITS.headerText), emoji: false } },
    section(`${icon} *${escapeMrkdwn(verdict)}*`),
    context(escapeMrkdwn(whenLine(view))),
  ];
  let overflow = false;
  const flapping = new Set(diff.flapping.map((f) => f.id));
  const tag = (r: TargetResult, isNew: boolean) => [isNew ? 'new' : 'still failing', flapping.has(r.id) ? 'flapping' : ''].filter(Boolean).join(', ');
  const failures = failuresFirst(diff);
  const newIds = new Set(diff.newFailures.map((r) => r.id));
  const add = (title: string, lines: string[], more: string) => {
    if (!lines.length) return;
    const s = listSection(title, lines, more);
    blocks.push(s.block);
    overflow ||= s.overflow;
  };
  add(`Unreachable (${failures.length})`, failures.map((r) => rowLine(r, tag(r, newIds.has(r.id)))), 'in the thread');
  add(`Not probed (${diff.notProbed.length})`, notProbedLines(diff.notProbed), 'groups in the thread');
  add(`Recovered (${diff.recovered.length})`, diff.recovered.map((r) => rowLine(r)), 'in the thread');
  add(
    `Slower than before (${diff.latencyRegressions.length})`,
    diff.latencyRegressions.map((l) => `• *${escapeMrkdwn(l.result.subject)}* ${escapeMrkdwn(probeLabel(l.result))}: ${formatMs(l.beforeMs)} → ${formatMs(l.result.ms ?? 0)}`),
    'in the thread',
  );
  add(`Flapping (${diff.flapping.length})`, diff.flapping.map((f) => `• *${escapeMrkdwn(f.subject)}*: ${f.changes} changes in the last ${f.window} runs`), 'in the thread');
  const slow = run.results.filter((r) => r.slow);
  if (slow.length && !diff.latencyRegressions.length) add(`Slow (${slow.length})`, slow.map((r) => rowLine(r)), 'in the thread');
  if (run.notes.length) blocks.push(context(escapeMrkdwn(run.notes.slice(0, 5).join(' ')) + (run.notes.length > 5 ? ` … and ${run.notes.length - 5} more notes` : '')));
  const long = overflow || run.results.length > MAIN_ROWS;
  const thread = long ? threadMessages(view) : [];
  if (thread.length) blocks.push(context(`Full table of all ${run.counts.total} results in the thread${thread.length > 1 ? ` (${thread.length} replies)` : ''}.`));
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage), thread, metadata };
}

// ---- Answer (terminal, slash command) ----

function rowsTable(title: string, rows: TargetResult[], extra?: (r: TargetResult) => string): Table {
  return {
    title,
    columns: ['target', 'probe', 'address', 'from', 'result', ...(extra ? ['note'] : [])],
    rows: rows.map((r) => [r.subject, probeLabel(r), r.ip ?? '', r.from, outcomeText(r), ...(extra ? [extra(r)] : [])]),
  };
}

/** A run as an Answer: the verdict, the failures first, then every result. */
export function renderReportAnswer(view: ReportView, opts: { posted?: boolean } = {}): Answer {
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
    ],
    tables,
    warnings: run.notes,
    hints: opts.posted === false ? [`This run was not posted or stored; the scheduled runs post to channel ${def.channel}.`] : [],
  });
}

/** `report` with no name: every definition with its next run and last verdict, and refused ones with why. */
export function renderListingAnswer(listing: ReportListing, now: number = Date.now()): Answer {
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
