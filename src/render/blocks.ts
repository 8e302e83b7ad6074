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
} as const;

/** Rows of one table shown in Slack before "… and N more"; the terminal and --json show all. */
export const SLACK_TABLE_ROWS = 40;

export type Block =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'divider' };

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
  for (const t of o.tables) blocks.push(...tableBlocks(t));
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
