import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { FAKE_BOT } from '../../support/slack/fake-slack-api.js';
import { appMention, CHANNEL, eventId, slackTs, USER } from '../../support/slack/payloads.js';

describe('delivery: Slack retries, duplicates and failing posts', () => {
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
  const quiet = () => new Promise((r) => setTimeout(r, 250));

  it('a retried delivery (x-slack-retry-num) of the same event_id gets exactly one reply', async () => {
    const id = eventId();
    const event = appMention('container webserver-1');
    expect((await h.event(event, { id })).status).toBe(200);
    expect((await h.event(event, { id, sign: { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } } })).status).toBe(200);
    expect((await h.event(event, { id, sign: { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } } })).status).toBe(200);
    await h.api.waitFor(() => answers().length >= 1);
    await quiet();
    expect(answers()).toHaveLength(1);
    expect(h.fake.calls).toHaveLength(1);
  });

  it('duplicate deliveries arriving at the same time get exactly one reply', async () => {
    const id = eventId();
    const event = appMention('container webserver-1');
    const results = await Promise.all(Array.from({ length: 5 }, () => h.event(event, { id })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await h.api.waitFor(() => answers().length >= 1);
    await quiet();
    expect(answers()).toHaveLength(1);
  });

  it('a retry landing on another replica is not answered again (the thread shows the event was answered)', async () => {
    const id = eventId();
    const ts = slackTs();
    h.api.seedMessage({ channel: CHANNEL, ts, user: USER, text: 'container webserver-1' });
    const event = appMention('container webserver-1', { ts });
    await h.event(event, { id });
    await h.api.waitFor(() => answers().length === 1);
    const other = await startHarness({ api: h.api, responses: h.responses, fake: h.fake });
    try {
      await other.event(event, { id, sign: { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } } });
      await h.api.waitFor(() => h.api.callsTo('conversations.replies').length === 1);
      await quiet();
      expect(answers()).toHaveLength(1);
      expect(h.fake.calls).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('a 500 from chat.postMessage is retried and the reply arrives once, not lost and not doubled', async () => {
    h.api.failNext('chat.postMessage', { status: 500 }, 2);
    const t0 = Date.now();
    await h.event(appMention('container webserver-1'));
    await h.api.waitFor(() => answers().length === 1);
    process.stdout.write(`[fault] Slack Web API 500 ×2 then 200: the reply arrived ${Date.now() - t0} ms after the mention\n`);
    await quiet();
    expect(answers()).toHaveLength(1);
    const tries = h.api.callsTo('chat.postMessage');
    expect(tries.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(messageText(answers()[0]!.args)).toContain('172.17.0.2');
    expect(h.logs.filter((l) => l.msg === 'slack delivery failed; retrying').length).toBeGreaterThanOrEqual(2);
  });

  it('a 429 with Retry-After is honoured, then the reply arrives once, not lost and not doubled', async () => {
    h.api.failNext('chat.postMessage', { status: 429, headers: { 'retry-after': '1' } });
    const t0 = Date.now();
    await h.event(appMention('container webserver-1'));
    await h.api.waitFor(() => answers().length === 1, 5000);
    const recovered = Date.now() - t0;
    process.stdout.write(`[fault] Slack Web API 429 (Retry-After: 1) then 200: the reply arrived ${recovered} ms after the mention\n`);
    expect(recovered).toBeGreaterThanOrEqual(950);
    await quiet();
    expect(answers()).toHaveLength(1);
    expect(h.api.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    const retry = h.logs.filter((l) => l.msg === 'slack delivery failed; retrying').at(-1);
    expect(retry?.waitMs).toBe(1000);
  });

  it('a failing response_url is retried too', async () => {
    h.responses.failNext(503, 1);
    const { responseUrl } = await h.slash('container webserver-1');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).filter((p) => p.status === 200).length === 1);
    expect(h.responses.postsTo(responseUrl).map((p) => p.status)).toEqual([503, 200]);
  });

  it('when every attempt fails it is logged and audited as undelivered, not lost silently', async () => {
    h.api.failNext('chat.postMessage', { status: 503 }, 5);
    await h.event(appMention('container webserver-1'));
    await h.api.waitFor(() => h.api.callsTo('chat.postMessage').length === 5);
    await h.api.waitFor(() => h.logs.some((l) => l.msg === 'slack delivery failed; the reply was not delivered'));
    await h.api.waitFor(() => h.audit.recent(1)[0]?.outcome === 'undelivered');
    expect(h.audit.recent(1)[0]).toMatchObject({ command: 'container', target: 'webserver-1', outcome: 'undelivered' });
    // Failing Web API calls carry the request (with the bot token) inside the error: never logged.
    expect(JSON.stringify(h.logs)).not.toContain(FAKE_BOT.token);
  });

  it('a permanent error (channel_not_found) is not retried', async () => {
    h.api.failNext('chat.postMessage', { status: 200, body: { ok: false, error: 'channel_not_found' } });
    await h.event(appMention('container webserver-1', { channel: 'C0GONE0001' }));
    await h.api.waitFor(() => h.logs.some((l) => l.msg === 'slack delivery failed; the reply was not delivered' && String(l.reason).includes('channel_not_found')));
    expect(h.api.callsTo('chat.postMessage')).toHaveLength(1);
  });
});
