import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectValidMessage, messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { FAKE_BOT } from '../../support/slack/fake-slack-api.js';
import { appMention, CHANNEL, DM_CHANNEL, dmMessage, slackTs, USER } from '../../support/slack/payloads.js';

describe('@mentions, threads and DMs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.fake.calls.length = 0;
    h.api.reset();
  });

  const answers = () => h.api.okCallsTo('chat.postMessage');

  it('a mention in a channel is answered in a thread under it, with subject metadata', async () => {
    const ts = slackTs();
    const res = await h.event(appMention('container webserver-1', { ts }));
    expect(res.status).toBe(200);
    await h.api.waitFor(() => answers().length === 1);
    const args = answers()[0]!.args;
    expect(args.channel).toBe(CHANNEL);
    expect(args.thread_ts).toBe(ts);
    expect(args.metadata).toMatchObject({ event_type: 'netpeek_answer', event_payload: { subject_kind: 'container', subject_name: 'webserver-1' } });
    const text = messageText(args);
    expect(text).toContain('172.17.0.2/16');
    expect(text).toContain('127.0.0.1:8080');
    expect(text).toContain('Containers on a bridge network');
    expectValidMessage(args);
  });

  it('a mention inside a thread is answered in that thread', async () => {
    const root = slackTs();
    h.api.seedMessage({ channel: CHANNEL, ts: root, user: USER, text: 'webserver is flaky' });
    await h.event(appMention('container webserver-1', { threadTs: root }));
    await h.api.waitFor(() => answers().length === 1);
    expect(answers()[0]!.args.thread_ts).toBe(root);
  });

  it('reads a plain question: "why can\'t I reach webserver-2 on 8080?" → ping webserver-2 --port 8080', async () => {
    const ts = slackTs();
    await h.event(appMention("why can\u2019t I reach webserver-2 on 8080?", { ts }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1);
    expect(h.fake.calls).toEqual([{ command: 'ping', args: ['webserver-2'], flags: { port: 8080 } }]);
    // "probing …" is posted in the thread, then replaced by the answer (keeping the metadata).
    const [probing] = answers();
    expect(probing!.args.thread_ts).toBe(ts);
    expect(messageText(probing!.args)).toContain('Probing: ping webserver-2 --port 8080');
    const update = h.api.okCallsTo('chat.update')[0]!.args;
    expect(update.ts).toBe(h.api.messages.find((m) => m.thread_ts === ts)?.ts);
    expect(messageText(update)).toContain('Read as `ping webserver-2 --port 8080`');
    expect(messageText(update)).toContain('refused the connection');
    expect(update.metadata).toMatchObject({ event_payload: { subject_kind: 'container', subject_name: 'webserver-2' } });
  });

  it('"what\'s the IP of webserver-1" → container lookup', async () => {
    await h.event(appMention("what's the IP of webserver-1"));
    await h.api.waitFor(() => answers().length === 1);
    expect(h.fake.calls).toEqual([{ command: 'container', args: ['webserver-1'], flags: {} }]);
    expect(messageText(answers()[0]!.args)).toContain('172.17.0.2');
  });

  it('"ping it" in a thread acts on the subject a FRESH replica recovers from conversations.replies metadata', async () => {
    const root = slackTs();
    h.api.seedMessage({ channel: CHANNEL, ts: root, user: USER, text: `<@${FAKE_BOT.userId}> pod webserver-2 -n shop` });
    // Replica A answers the first mention in the thread.
    await h.event(appMention('pod webserver-2 -n shop', { ts: root }));
    await h.api.waitFor(() => answers().length === 1);
    expect(answers()[0]!.args.metadata).toEqual({
      event_type: 'netpeek_answer',
      event_payload: { subject_kind: 'pod', subject_name: 'webserver-2', namespace: 'shop', event_id: expect.any(String) },
    });

    // Replica B: a new bot with an empty cache, same Slack workspace.
    const b = await startHarness({ api: h.api, responses: h.responses, fake: h.fake });
    try {
      const repliesBefore = h.api.callsTo('conversations.replies').length;
      await b.event(appMention('ping it', { threadTs: root }));
      await h.api.waitFor(() => h.fake.calls.length === 2);
      expect(h.fake.calls[1]).toEqual({ command: 'ping', args: ['webserver-2'], flags: { namespace: 'shop' } });
      const replies = h.api.callsTo('conversations.replies').slice(repliesBefore);
      expect(replies.length).toBeGreaterThanOrEqual(1);
      expect(replies[0]!.args).toMatchObject({ channel: CHANNEL, ts: root, include_all_metadata: true });
      await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1);
      const update = h.api.okCallsTo('chat.update')[0]!.args;
      expect(messageText(update)).toContain('ping webserver-2');
      expect(update.metadata).toMatchObject({ event_payload: { subject_kind: 'pod', subject_name: 'webserver-2', namespace: 'shop' } });
      // "ports?" on the same replica now comes from its cache: no further thread read.
      const readsAfterPing = h.api.callsTo('conversations.replies').length;
      await b.event(appMention('ports?', { threadTs: root }));
      await h.api.waitFor(() => h.fake.calls.length === 3);
      expect(h.fake.calls[2]).toEqual({ command: 'pod', args: ['webserver-2'], flags: { namespace: 'shop' } });
      expect(h.api.callsTo('conversations.replies').length).toBe(readsAfterPing);
      await h.api.waitFor(() => answers().length === 3);
      const ports = answers()[2]!.args;
      expect(ports.thread_ts).toBe(root);
      expect(messageText(ports)).toContain('8080/tcp');
      expect(messageText(ports)).not.toContain('10.244.1.7/24'); // just the ports
    } finally {
      await b.close();
    }
  });

  it('"ping it" with no subject in the thread asks which one (ephemeral) and runs nothing', async () => {
    const root = slackTs();
    h.api.seedMessage({ channel: CHANNEL, ts: root, user: USER, text: 'something is down' });
    await h.event(appMention('ping it', { threadTs: root }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.postEphemeral').length === 1);
    const eph = h.api.okCallsTo('chat.postEphemeral')[0]!.args;
    expect(eph).toMatchObject({ channel: CHANNEL, user: USER, thread_ts: root });
    expect(messageText(eph)).toContain('Which pod or container do you mean?');
    expect(h.fake.calls).toHaveLength(0);
    expect(answers()).toHaveLength(0);
  });

  it('a mistake in a mention is told to the asker only', async () => {
    await h.event(appMention('container'));
    await h.api.waitFor(() => h.api.okCallsTo('chat.postEphemeral').length === 1);
    expect(messageText(h.api.okCallsTo('chat.postEphemeral')[0]!.args)).toContain('container needs <name>');
    expect(answers()).toHaveLength(0);
  });

  it('DMs work the same way, with memory at the DM top level', async () => {
    await h.event(dmMessage('container webserver-1'));
    await h.api.waitFor(() => answers().length === 1);
    const first = answers()[0]!.args;
    expect(first.channel).toBe(DM_CHANNEL);
    expect(first.thread_ts).toBeUndefined();
    expect(first.metadata).toMatchObject({ event_payload: { subject_kind: 'container', subject_name: 'webserver-1' } });

    const other = await startHarness({ api: h.api, responses: h.responses, fake: h.fake });
    try {
      await other.event(dmMessage('ports?'));
      await h.api.waitFor(() => answers().length === 2);
      expect(h.api.callsTo('conversations.history').at(-1)?.args).toMatchObject({ channel: DM_CHANNEL, include_all_metadata: true });
      expect(h.fake.calls[1]).toEqual({ command: 'container', args: ['webserver-1'], flags: {} });
      expect(messageText(answers()[1]!.args)).toContain('127.0.0.1:8080');
    } finally {
      await other.close();
    }
  });

  it('ignores its own messages and message edits in DMs', async () => {
    await h.event({ ...dmMessage('container webserver-1'), user: FAKE_BOT.userId, bot_id: FAKE_BOT.botId, subtype: 'bot_message' });
    await h.event({ ...dmMessage('container webserver-1'), subtype: 'message_changed' });
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.calls).toHaveLength(0);
    expect(answers()).toHaveLength(0);
  });
});
