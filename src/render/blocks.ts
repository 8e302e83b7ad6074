import type { ContextBlock, DividerBlock, HeaderBlock, RawTextElement, SectionBlock, TableBlock } from '@slack/types';
import type { Answer, Table } from '../core/answer.js';
import { outline } from './outline.js';
import { formatTable } from './text.js';

/** Slack's documented Block Kit limits (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  /** Table block: rows (the header row included), cells per row, and one table per message. */
  tableRows: 100,
  tableColumns: 20,
  tableCellText: 2000,
} as const;

/** Rows of one table shown in Slack before "… and N more"; the terminal and --json show all. */
export const SLACK_TABLE_ROWS = 40;

/** The Block Kit blocks the renderer makes, typed by Slack's own definitions (@slack/types). */
export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | TableBlock;

export interface SlackMessage {
  /** Notification and screen-reader fallback. */
  text: string;
  blocks: Block[];
}

/** Slack mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** A mrkdwn section, cut to Slack's limit. */
export const sectionBlock = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } });
/** A small grey mrkdwn line, cut to Slack's limit. */
export const contextBlock = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) }] });
/** A plain-text header, cut to Slack's limit. */
export const headerBlock = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: false } });

/** Lines packed into as few sections as fit, each within the section text limit. */
export function packLines(lines: string[], wrap: (body: string) => string, budget = SLACK_LIMITS.sectionText): Block[] {
  const overhead = wrap('').length;
  const blocks: Block[] = [];
  let current: string[] = [];
  let size = 0;
  for (const raw of lines) {
    const line = truncate(raw, budget - overhead);
    if (current.length && size + line.length + 1 > budget - overhead) {
      blocks.push(sectionBlock(wrap(current.join('\n'))));
      current = [];
      size = 0;
    }
    current.push(line);
    size += line.length + 1;
  }
  if (current.length) blocks.push(sectionBlock(wrap(current.join('\n'))));
  return blocks;
}

function tableBlocks(table: Table): Block[] {
  const shown = table.rows.slice(0, SLACK_TABLE_ROWS);
  const more = table.rows.length - shown.length;
  const lines = shown.length ? formatTable({ ...table, rows: shown }, '') : ['(none)'];
  const blocks = [sectionBlock(`*${escapeMrkdwn(table.title)}*`), ...packLines(lines.map(escapeMrkdwn), (b) => '```' + b + '```')];
  if (more > 0) blocks.push(contextBlock(`… and ${more} more ${table.title.toLowerCase()} (the terminal and --json show all of them)`));
  return blocks;
}

const cell = (text: string): RawTextElement => ({ type: 'raw_text', text: truncate(text || '—', SLACK_LIMITS.tableCellText) });

/**
 * A table as Block Kit's table block (one per message: the answer's first table), its title above it
 * and "… and N more" below when rows were left out. Slack draws real columns; the terminal and --json
 * still show every row.
 */
function nativeTableBlocks(table: Table): Block[] {
  const shown = table.rows.slice(0, Math.min(SLACK_TABLE_ROWS, SLACK_LIMITS.tableRows - 1));
  const more = table.rows.length - shown.length;
  // Like the monospaced rendering, a column empty in every row shown is left out.
  const used = table.columns.map((_, i) => i).filter((i) => shown.some((r) => (r[i] ?? '') !== ''));
  const cols = used.length ? used : table.columns.map((_, i) => i);
  const rows = [cols.map((i) => cell(table.columns[i] ?? '')), ...shown.map((r) => cols.map((i) => cell(r[i] ?? '')))];
  const blocks: Block[] = [sectionBlock(`*${escapeMrkdwn(table.title)}*`), { type: 'table', rows }];
  if (more > 0) blocks.push(contextBlock(`… and ${more} more ${table.title.toLowerCase()} (the terminal and --json show all of them)`));
  return blocks;
}

/** Slack takes one table block per message: the first table that fits one gets it, the others stay monospaced text. */
function tablesBlocks(tables: readonly Table[]): Block[] {
  const native = tables.findIndex((t) => t.rows.length > 0 && t.columns.length <= SLACK_LIMITS.tableColumns);
  return tables.flatMap((t, i) => (i === native ? nativeTableBlocks(t) : tableBlocks(t)));
}

function factBlocks(facts: [string, string][]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < facts.length; i += SLACK_LIMITS.fieldsPerSection) {
    blocks.push({
      type: 'section',
      fields: facts.slice(i, i + SLACK_LIMITS.fieldsPerSection).map(([k, v]) => ({
        type: 'mrkdwn' as const,
        text: truncate(`*${escapeMrkdwn(k)}*\n${escapeMrkdwn(v)}`, SLACK_LIMITS.fieldText),
      })),
    });
  }
  return blocks;
}

/** Block Kit rendering of an Answer that always fits Slack's limits. */
export function toBlocks(answer: Answer): SlackMessage {
  const o = outline(answer);
  const blocks: Block[] = [headerBlock(o.title)];
  if (o.summary) blocks.push(sectionBlock(escapeMrkdwn(o.summary)));
  if (o.checklist.length) blocks.push(...packLines(o.checklist.map(escapeMrkdwn), (b) => `*Checks*\n${b}`));
  blocks.push(...factBlocks(o.facts));
  blocks.push(...tablesBlocks(o.tables));
  if (o.sharing) blocks.push(sectionBlock(`*Network namespace*\n${escapeMrkdwn(o.sharing)}`));
  if (o.probes.length) blocks.push(...packLines(o.probes.map((p) => `• ${escapeMrkdwn(p)}`), (b) => `*Probes*\n${b}`));
  if (o.warnings.length) blocks.push(...packLines(o.warnings.map((w) => `:warning: ${escapeMrkdwn(w)}`), (b) => b));
  if (o.explanations.length) blocks.push(...packLines(o.explanations.map((e) => `• ${escapeMrkdwn(e)}`), (b) => `*Why*\n${b}`));
  if (o.hints.length) blocks.push(contextBlock(o.hints.map(escapeMrkdwn).join('  ·  ')));
  if (o.dot) blocks.push(contextBlock(':frame_with_picture: The picture is posted as a PNG in the thread (or, for /netpeek, in the channel with --public); the terminal and --json give its Graphviz DOT.'));
  return { text: truncate(o.summary ? `${o.title}: ${o.summary}` : o.title, SLACK_LIMITS.sectionText), blocks: capBlocks(blocks) };
}

/** Keeps the message within the block limit, saying how much was left out instead of failing. */
function capBlocks(blocks: Block[]): Block[] {
  if (blocks.length <= SLACK_LIMITS.blocksPerMessage) return blocks;
  const kept = blocks.slice(0, SLACK_LIMITS.blocksPerMessage - 1);
  const dropped = blocks.length - kept.length;
  return [...kept, contextBlock(`… and ${dropped} more sections not shown in Slack; run the same question in the terminal or with --json for everything.`)];
}

/** A failure as Slack shows it (ephemeral): the reason, then usage and examples. */
export function errorToBlocks(message: string, details: string[]): SlackMessage {
  const blocks: Block[] = [sectionBlock(`:no_entry: ${escapeMrkdwn(message)}`)];
  if (details.length) blocks.push(contextBlock(details.map(escapeMrkdwn).join('\n')));
  return { text: truncate(message, SLACK_LIMITS.sectionText), blocks };
}
