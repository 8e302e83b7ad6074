import { describe, expect, it } from 'vitest';
import { errorToBlocks, SLACK_LIMITS, toBlocks, type Block } from '../../../src/render/blocks.js';
import { hugeAnswer, webserverAnswer } from '../../support/answers.js';
import { expectGolden } from '../../support/golden.js';

function assertWithinSlackLimits(blocks: Block[]): void {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  for (const b of blocks) {
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
      for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  }
}

const allText = (blocks: Block[]): string =>
  blocks
    .map((b) => (b.type === 'header' ? b.text.text : b.type === 'section' ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)].join('\n') : b.type === 'context' ? b.elements.map((e) => e.text).join('\n') : ''))
    .join('\n');

describe('toBlocks', () => {
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
