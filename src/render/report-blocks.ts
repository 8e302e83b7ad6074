import type { ReportDigest, ReportLine, ReportSection } from '../core/report.js';
import { contextBlock, escapeMrkdwn, headerBlock, packLines, sectionBlock, SLACK_LIMITS, truncate, type Block, type SlackMessage } from './blocks.js';
import { formatTable } from './text.js';

/**
 * A report digest → the channel message: the verdict first, failures first, always within Block Kit
 * limits, and the full table as thread replies when the message cannot show everything.
 */

export interface ReportMessage extends SlackMessage {
  /** Thread replies with the full table; empty when the main message shows everything. */
  thread: SlackMessage[];
  /** Slack message metadata: lets any replica find this tick's post in the channel. */
  metadata: ReportDigest['metadata'];
  /** The trend picture to post with it (a PNG, src/render/trend-chart.ts), when there are two runs or more. */
  trend?: ReportDigest['trend'];
}

/** Lines a section of the channel message lists before pointing at the thread. */
export const MAIN_ROWS = 15;
// Blocks per thread reply: Slack allows 50; one is kept for the "part n of m" context.
const THREAD_BLOCKS = SLACK_LIMITS.blocksPerMessage - 1;

const ICONS: Readonly<Record<ReportDigest['state'], string>> = { failed: ':red_circle:', 'not-probed': ':large_yellow_circle:', ok: ':large_green_circle:' };

function lineText(l: ReportLine): string {
  const e = escapeMrkdwn;
  switch (l.kind) {
    case 'result':
      return `• *${e(l.subject)}* ${e(l.probe)} from ${e(l.from)}: ${e(l.outcome)}${l.tag ? ` _(${l.tag})_` : ''}${l.detail ? e(` — ${l.detail}`) : ''}`;
    case 'not-probed': {
      const who = l.count === 1 ? `*${e(l.subject)}* ${e(l.probe)}` : `${l.count} targets`;
      return `• ${who}${l.from ? ` from ${e(l.from)}` : ''}: not probed: ${e(l.reason)}${l.detail ? ` — ${e(l.detail)}` : ''}`;
    }
    case 'change':
      return `• *${e(l.subject)}*${l.probe ? ` ${e(l.probe)}` : ''}: ${l.text}`;
  }
}

/** A titled list within one section (3,000 characters), saying how many more lines are in the thread. */
function listSection(s: ReportSection): { block: Block; overflow: boolean } {
  const head = `*${s.title}*`;
  const kept: string[] = [];
  let size = head.length;
  for (const line of s.lines.slice(0, MAIN_ROWS).map(lineText)) {
    if (size + line.length + 1 > SLACK_LIMITS.sectionText - 80) break;
    kept.push(line);
    size += line.length + 1;
  }
  const rest = s.lines.length - kept.length;
  return { block: sectionBlock([head, ...kept, ...(rest > 0 ? [`… and ${rest} more ${s.more}`] : [])].join('\n')), overflow: rest > 0 };
}

/** The full table packed into thread replies: code blocks ≤ 3,000 characters, ≤ 49 blocks each. */
function threadMessages(d: ReportDigest): SlackMessage[] {
  const blocks = packLines(formatTable(d.table, '').map(escapeMrkdwn), (b) => '```' + b + '```');
  const parts: Block[][] = [];
  for (let i = 0; i < blocks.length; i += THREAD_BLOCKS) parts.push(blocks.slice(i, i + THREAD_BLOCKS));
  return parts.map((p, i) => ({
    text: `Full results of ${d.name}${parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : ''}`,
    blocks: [contextBlock(`Full results of *${escapeMrkdwn(d.name)}*, failures first${parts.length > 1 ? ` — part ${i + 1} of ${parts.length}` : ''}`), ...p],
  }));
}

function notesBlock(notes: readonly string[]): Block {
  return contextBlock(escapeMrkdwn(notes.slice(0, 5).join(' ')) + (notes.length > 5 ? ` … and ${notes.length - 5} more notes` : ''));
}

/** The channel message (and thread replies) for a report run. */
export function toReportMessage(d: ReportDigest): ReportMessage {
  const icon = ICONS[d.state];
  const text = truncate(`${d.name}: ${d.verdict}`, SLACK_LIMITS.sectionText);
  if (d.brief) {
    const line = sectionBlock(`${icon} *${escapeMrkdwn(d.name)}*: ${escapeMrkdwn(d.verdict)}${d.late ? ' _(late)_' : ''}`);
    // Notes (a selector that matched nothing, a run that could not be stored) are worth saying even then.
    return { text, blocks: d.notes.length ? [line, notesBlock(d.notes)] : [line], thread: [], metadata: d.metadata, ...(d.trend ? { trend: d.trend } : {}) };
  }
  const blocks: Block[] = [headerBlock(`Reachability report: ${d.name}${d.late ? ' (late)' : ''}`), sectionBlock(`${icon} *${escapeMrkdwn(d.verdict)}*`), contextBlock(escapeMrkdwn(d.when))];
  let overflow = false;
  for (const s of d.sections.filter((x) => x.lines.length)) {
    const listed = listSection(s);
    blocks.push(listed.block);
    overflow ||= listed.overflow;
  }
  if (d.notes.length) blocks.push(notesBlock(d.notes));
  const thread = overflow || d.total > MAIN_ROWS ? threadMessages(d) : [];
  if (thread.length) blocks.push(contextBlock(`Full table of all ${d.total} results in the thread${thread.length > 1 ? ` (${thread.length} replies)` : ''}.`));
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage), thread, metadata: d.metadata, ...(d.trend ? { trend: d.trend } : {}) };
}
