import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { EXPOSE_IS_DOCUMENTATION } from '../../../src/net/explain-docker.js';
import { buttonsOf, expectValidMessage, messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, slackTs } from '../../support/slack/payloads.js';

/** The adapter is command-agnostic: the real registry works through it unchanged (commands that need no backend). */
describe('Slack with the real command registry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ commands: COMMANDS });
  });
  afterAll(async () => {
    await h.close();
  });

  it('/netpeek explain expose', async () => {
    const { responseUrl } = await h.slash('explain expose');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body).replace(/&lt;|&gt;|&amp;/g, '')).toContain(EXPOSE_IS_DOCUMENTATION.slice(0, 60));
    expect(buttonsOf(body)).toEqual({}); // a topic has no address or ports
    expectValidMessage(body);
  });

  it('@netpeek help lists every registered command, in a thread, without a subject in its metadata', async () => {
    const ts = slackTs();
    await h.event(appMention('help', { ts }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.postMessage').length === 1);
    const args = h.api.okCallsTo('chat.postMessage')[0]!.args;
    expect(args.thread_ts).toBe(ts);
    for (const c of COMMANDS) expect(messageText(args)).toContain(c.name);
    expect(args.metadata).toMatchObject({ event_type: 'netpeek_answer', event_payload: { event_id: expect.any(String) } });
    expect((args.metadata as { event_payload: object }).event_payload).not.toHaveProperty('subject_name');
    expectValidMessage(args);
  });
});
