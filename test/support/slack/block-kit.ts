import { expect } from 'vitest';
import { SLACK_LIMITS } from '../../../src/render/blocks.js';

/**
 * Block Kit checks for everything netpeek posts (https://api.slack.com/reference/block-kit/blocks):
 * block count, text lengths, fields, context elements, buttons (≤ 25 per actions block, value ≤ 2000,
 * label ≤ 75, action_id ≤ 255), and the fallback `text`.
 */
interface AnyBlock {
  type: string;
  rows?: { type: string; text: string }[][];
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { type: string; text: string | { text: string }; value?: string; action_id?: string }[];
  block_id?: string;
}

export function expectValidMessage(msg: { text?: unknown; blocks?: unknown }): void {
  expect(typeof msg.text).toBe('string');
  expect((msg.text as string).length).toBeGreaterThan(0);
  const blocks = msg.blocks as AnyBlock[];
  expect(Array.isArray(blocks)).toBe(true);
  expect(blocks.length).toBeGreaterThan(0);
  // Slack refuses a message with more than one table block.
  expect(blocks.filter((b) => b.type === 'table').length).toBeLessThanOrEqual(1);
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  for (const b of blocks) {
    if (b.block_id !== undefined) expect(b.block_id.length).toBeLessThanOrEqual(255);
    switch (b.type) {
      case 'header':
        expect(b.text?.type).toBe('plain_text');
        expect(b.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
        break;
      case 'section':
        expect(b.text ?? b.fields).toBeDefined();
        if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        if (b.fields) {
          expect(b.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldsPerSection);
          for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
        }
        break;
      case 'context':
        expect(b.elements?.length).toBeGreaterThan(0);
        expect(b.elements?.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
        for (const e of b.elements ?? []) expect(String(e.text).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        break;
      case 'actions':
        expect(b.elements?.length).toBeGreaterThan(0);
        expect(b.elements?.length).toBeLessThanOrEqual(25);
        for (const e of b.elements ?? []) {
          expect(e.type).toBe('button');
          expect(typeof e.text === 'object' && e.text.text.length <= 75).toBe(true);
          expect((e.value ?? '').length).toBeLessThanOrEqual(2000);
          expect((e.action_id ?? '').length).toBeLessThanOrEqual(255);
        }
        break;
      case 'divider':
        break;
      case 'table':
        expect(b.rows?.length).toBeGreaterThan(0);
        expect(b.rows!.length).toBeLessThanOrEqual(SLACK_LIMITS.tableRows);
        for (const row of b.rows!) {
          expect(row.length).toBeLessThanOrEqual(SLACK_LIMITS.tableColumns);
          for (const c of row) {
            expect(c.type).toBe('raw_text');
            expect(c.text.length).toBeGreaterThan(0);
            expect(c.text.length).toBeLessThanOrEqual(SLACK_LIMITS.tableCellText);
          }
        }
        break;
      default:
        throw new Error(`unexpected block type ${b.type}`);
    }
  }
}

/** All visible text of a message, for "contains the IP / the port / the explanation" assertions. */
export function messageText(msg: { text?: unknown; blocks?: unknown }): string {
  const blocks = (msg.blocks ?? []) as AnyBlock[];
  return [
    String(msg.text ?? ''),
    ...blocks.flatMap((b) => [
      b.text?.text ?? '',
      ...(b.fields ?? []).map((f) => f.text),
      ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : (e.text?.text ?? ''))),
      ...(b.rows ?? []).map((r) => r.map((c) => c.text).join('  ')),
    ]),
  ].join('\n');
}

/** The buttons of a message: action_id → value. */
export function buttonsOf(msg: { blocks?: unknown }): Record<string, string> {
  const blocks = (msg.blocks ?? []) as AnyBlock[];
  return Object.fromEntries(blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).map((e) => [e.action_id ?? '', e.value ?? ''])));
}
