import { describe, expect, it } from 'vitest';
import { errorToBlocks, SLACK_LIMITS, toBlocks, type Block } from '../../../src/render/blocks.js';
import { hugeAnswer, webserverAnswer } from '../../support/answers.js';
import { expectGolden } from '../../support/golden.js';

function assertWithinSlackLimits(blocks: Block[]): void {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  expect(blocks.filter((b) => b.type === 'table').length).toBeLessThanOrEqual(1);
  for (const b of blocks) {
    if (b.type === 'table') {
      expect(b.rows.length).toBeLessThanOrEqual(SLACK_LIMITS.tableRows);
      for (const r of b.rows) expect(r.length).toBeLessThanOrEqual(SLACK_LIMITS.tableColumns);
    }
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (b.type === 'section') {
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (b.fields) {
        expect(b.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldsPerSection);
        for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      }
      expect(b.text ?? b.fields).toBeDefined();
    }
    if (b.type === 'context') {
      expect(b.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const e of b.elements) expect(textOf(e).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  }
}

/** netpeek's context elements are all mrkdwn text (the type also allows images). */
const textOf = (e: object): string => ('text' in e && typeof e.text === 'string' ? e.text : '');

const allText = (blocks: Block[]): string =>
  blocks
    .map((b) =>
      b.type === 'header'
        ? b.text.text
        : b.type === 'section'
          ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)].join('\n')
          : b.type === 'context'
            ? b.elements.map(textOf).join('\n')
            : b.type === 'table'
              ? b.rows.map((r) => r.map(textOf).join('  ')).join('\n')
              : '',
    )
    .join('\n');

describe('toBlocks', () => {
  it("draws the answer's first table as a Block Kit table (header row first) and keeps the others monospaced: one table block per message", () => {
    const a = webserverAnswer();
    a.tables.push({ title: 'Second table', columns: ['a', 'b'], rows: [['x', '']] });
    const msg = toBlocks(a);
    const tables = msg.blocks.filter((b) => b.type === 'table');
    expect(tables).toHaveLength(1);
    const t = tables[0] as Extract<Block, { type: 'table' }>;
    // The first table of the answer is its addresses.
    expect(t.rows.map((r) => r.map(textOf))).toEqual([
      ['network', 'driver', 'address', 'subnet', 'gateway', 'broadcast', 'mac'],
      ['bridge', 'bridge', '172.17.0.2/16', '172.17.0.0/16', '172.17.0.1', '172.17.255.255', '02:42:ac:11:00:02'],
    ]);
    // An empty cell is drawn as a dash (Slack refuses empty raw_text); a column empty in every row is left out.
    const second = toBlocks({ ...a, addresses: [], ports: [], tables: [{ title: 'Only', columns: ['a', 'b', 'c'], rows: [['x', '', 'z'], ['', '', 'w']] }] });
    expect((second.blocks.find((b) => b.type === 'table') as Extract<Block, { type: 'table' }>).rows.map((r) => r.map(textOf))).toEqual([['a', 'c'], ['x', 'z'], ['—', 'w']]);
    expect(allText(msg.blocks)).toMatch(/\*Second table\*\n```/);
    // The notification text is unchanged: title and verdict.
    expect(msg.text).toBe(`${a.title}: ${a.summary}`);
  });

  it('shows the IP, subnet, ports and explanation of a container answer', () => {
    const msg = toBlocks(webserverAnswer());
    const text = allText(msg.blocks);
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'container webserver-1', emoji: false } });
    expect(text).toContain('172.17.0.2/16');
    expect(text).toContain('172.17.0.0/16');
    expect(text).toContain('127.0.0.1:8080');
    expect(text).toContain('EXPOSE only documents the port');
    expect(msg.text).toMatch(/^container webserver-1: webserver-1 is at 172.17.0.2/);
    assertWithinSlackLimits(msg.blocks);
  });

  it('matches the golden rendering', async () => {
    await expectGolden(new URL('./__golden__/container-webserver-1.blocks.json', import.meta.url), JSON.stringify(toBlocks(webserverAnswer()), null, 2) + '\n');
  });

  it('keeps every Slack limit for a 300-port answer and says what was left out', () => {
    const msg = toBlocks(hugeAnswer(300));
    assertWithinSlackLimits(msg.blocks);
    const text = allText(msg.blocks);
    expect(text).toContain('… and 260 more ports');
    expect(text).toMatch(/… and \d+ more sections not shown in Slack/);
    expect(msg.blocks.at(-1)?.type).toBe('context');
  });

  it('a 300-port answer with nothing else fits, listing the first ports and counting the rest', () => {
    const a = hugeAnswer(300);
    const msg = toBlocks({ ...a, facts: [], explanations: [], warnings: [], tables: [], hints: [], summary: 'ok' });
    assertWithinSlackLimits(msg.blocks);
    const text = allText(msg.blocks);
    expect(text).toContain('10000/tcp');
    expect(text).toContain('10039/tcp');
    expect(text).not.toContain('10040/tcp');
    expect(text).toContain('… and 260 more ports');
    expect(text).not.toMatch(/more sections not shown/);
  });

  it('escapes Slack control characters in user-supplied text', () => {
    const a = webserverAnswer();
    a.summary = 'a <script> & <!channel>';
    expect(allText(toBlocks(a).blocks)).toContain('a &lt;script&gt; &amp; &lt;!channel&gt;');
  });

  it('renders an error as a short message with usage', () => {
    const msg = errorToBlocks('"contaner" is not a netpeek command.', ['Example: container webserver-1']);
    expect(allText(msg.blocks)).toContain('"contaner" is not a netpeek command.');
    expect(allText(msg.blocks)).toContain('Example: container webserver-1');
    assertWithinSlackLimits(msg.blocks);
  });
});
