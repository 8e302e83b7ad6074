import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { CommandRegistry } from '../../../src/core/registry.js';
import { buttonsOf, messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, dmMessage, slackTs } from '../../support/slack/payloads.js';

/**
 * Slash command, mention, DM and button all go through one answer flow (src/slack/answer-flow.ts): the
 * same question gets the same answer on every surface, and the command is resolved once per question.
 */
describe('one answer flow for every Slack surface', () => {
  let h: Harness;
  let resolves: MockInstance<CommandRegistry<never>['resolve']>;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.fake.calls.length = 0;
    h.api.reset();
    resolves = vi.spyOn(CommandRegistry.prototype, 'resolve');
  });
  afterEach(() => {
    resolves.mockRestore();
  });

  /** The answer without the buttons row (button values are signed per channel and expiry). */
  const withoutButtons = (msg: { blocks?: unknown }): unknown[] => ((msg.blocks ?? []) as { type: string }[]).filter((b) => b.type !== 'actions');

  it('slash command, mention and DM answer alike, and a button runs through the same flow, each resolving its command once', async () => {
    const { responseUrl } = await h.slash('container webserver-1');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const slash = h.responses.postsTo(responseUrl)[0]!.body;
    expect(resolves).toHaveBeenCalledTimes(1);

    await h.event(appMention('<@U0BOT> container webserver-1', { ts: slackTs() }));
    await h.api.waitFor(() => h.api.messages.length === 1);
    const mention = structuredClone(h.api.messages[0]!);
    expect(resolves).toHaveBeenCalledTimes(2);

    await h.event(dmMessage('container webserver-1', { ts: slackTs() }));
    await h.api.waitFor(() => h.api.messages.length === 2);
    const dm = structuredClone(h.api.messages[1]!);
    expect(resolves).toHaveBeenCalledTimes(3);

    // "Probe now" asks the same lookup with --probe: the same flow, the probe result added.
    const click = await h.click({ actionId: 'netpeek_probe', value: buttonsOf(mention).netpeek_probe!, messageTs: mention.ts });
    expect(click.res.status).toBe(200);
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1);
    const button = h.api.okCallsTo('chat.update')[0]!.args;
    expect(resolves).toHaveBeenCalledTimes(4);

    expect(messageText(slash)).toContain('172.17.0.2/16');
    expect(withoutButtons(mention)).toEqual(withoutButtons(slash));
    expect(withoutButtons(dm)).toEqual(withoutButtons(slash));
    expect(messageText(button)).toContain('ICMP 172.17.0.2 from this host: ok');
    expect(h.fake.calls.map((c) => [c.command, c.flags])).toEqual([
      ['container', {}],
      ['container', {}],
      ['container', {}],
      ['container', { probe: true }],
    ]);
  });

  it('a probe gets the "probing" notice and then the answer in its place, on the slash command and in a thread', async () => {
    const { responseUrl } = await h.slash('ping webserver-2 --port 8080');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 2);
    const [probing, answer] = h.responses.postsTo(responseUrl).map((p) => p.body);
    expect(messageText(probing!)).toContain('Probing: `ping webserver-2 --port 8080`');
    expect(answer!.replace_original).toBe(true);
    expect(messageText(answer!)).toContain('refused the connection: nothing listens on 8080');

    await h.event(appMention('<@U0BOT> ping webserver-2 --port 8080', { ts: slackTs() }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1);
    const posted = h.api.okCallsTo('chat.postMessage')[0]!.args;
    const updated = h.api.okCallsTo('chat.update')[0]!.args;
    expect(messageText(posted)).toContain('Probing: `ping webserver-2 --port 8080`');
    expect(updated.ts).toBe(h.api.messages[0]!.ts);
    expect(messageText(updated)).toContain('refused the connection: nothing listens on 8080');
    expect(resolves).toHaveBeenCalledTimes(2);
  });
});
