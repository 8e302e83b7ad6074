import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deriveButtonKey, signButtonToken } from '../../../src/slack/button-token.js';
import { buttonsOf, expectValidMessage, messageText } from '../../support/slack/block-kit.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL, OTHER_CHANNEL, slackTs } from '../../support/slack/payloads.js';

describe('answer buttons: Probe now, Show ports, Explain', () => {
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

  /** Posts a mention, returns the answer's ts and its buttons. */
  async function answerInThread(text = 'container webserver-1'): Promise<{ ts: string; buttons: Record<string, string> }> {
    await h.event(appMention(text, { ts: slackTs() }));
    await h.api.waitFor(() => h.api.messages.length === 1);
    const m = h.api.messages[0]!;
    h.fake.calls.length = 0;
    return { ts: m.ts, buttons: buttonsOf(m) };
  }

  it('each button value is an opaque signed reference, not a command line', async () => {
    const { buttons } = await answerInThread();
    for (const value of Object.values(buttons)) {
      expect(value).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(value).not.toContain('container');
    }
  });

  it('"Show ports" runs once and updates the message in place, keeping the thread metadata', async () => {
    const { ts, buttons } = await answerInThread();
    const click = { actionId: 'netpeek_ports', value: buttons.netpeek_ports!, messageTs: ts, triggerId: '111.222.dup' };
    const first = await h.click(click);
    expect(first.res.status).toBe(200);
    await h.click(click); // the same click delivered twice
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.api.okCallsTo('chat.update')).toHaveLength(1);
    expect(h.fake.calls).toEqual([{ command: 'container', args: ['webserver-1'], flags: {} }]);
    const update = h.api.okCallsTo('chat.update')[0]!.args;
    expect(update).toMatchObject({ channel: CHANNEL, ts, metadata: { event_type: 'netpeek_answer', event_payload: { subject_kind: 'container', subject_name: 'webserver-1' } } });
    const text = messageText(update);
    expect(text).toContain('container webserver-1: ports');
    expect(text).toContain('127.0.0.1:8080');
    expect(text).not.toContain('172.17.0.0/16'); // addresses left out
    expectValidMessage(update);
  });

  it('"Explain" shows the why', async () => {
    const { ts, buttons } = await answerInThread();
    await h.click({ actionId: 'netpeek_explain', value: buttons.netpeek_explain!, messageTs: ts });
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1);
    const text = messageText(h.api.okCallsTo('chat.update')[0]!.args);
    expect(text).toContain('Containers on a bridge network get a private address');
    expect(text).toContain('own network namespace');
  });

  it('"Probe now" on an ephemeral slash-command answer replaces it through response_url', async () => {
    const { responseUrl } = await h.slash('container webserver-1');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const buttons = buttonsOf(h.responses.postsTo(responseUrl)[0]!.body);
    h.fake.calls.length = 0;
    const click = await h.click({ actionId: 'netpeek_probe', value: buttons.netpeek_probe!, isEphemeral: true });
    await h.responses.waitFor(() => h.responses.postsTo(click.responseUrl).length === 1);
    const body = h.responses.postsTo(click.responseUrl)[0]!.body;
    expect(body.replace_original).toBe(true);
    expect(messageText(body)).toContain('ICMP 172.17.0.2 from this host: ok');
    expect(h.fake.calls).toEqual([{ command: 'container', args: ['webserver-1'], flags: { probe: true } }]);
  });

  async function expectRefused(value: string, sentence: string, opts: { channel?: string } = {}): Promise<void> {
    const { res, responseUrl } = await h.click({ actionId: 'netpeek_probe', value, ...opts });
    expect(res.status).toBe(200);
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(body.replace_original).toBe(false);
    expect(messageText(body)).toContain(sentence);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.calls).toHaveLength(0);
    expect(h.api.okCallsTo('chat.update')).toHaveLength(0);
  }

  it('a forged value (payload changed, old signature) is refused and nothing runs', async () => {
    const { buttons } = await answerInThread();
    const [, sig] = buttons.netpeek_probe!.split('.');
    const evil = Buffer.from(JSON.stringify({ c: 'probe', k: 'container', n: 'db-0', ch: CHANNEL, exp: 9_999_999_999 })).toString('base64url');
    await expectRefused(`${evil}.${sig}`, 'was not issued by netpeek');
  });

  it('a value signed with another key is refused', async () => {
    const token = signButtonToken({ c: 'probe', k: 'container', n: 'webserver-1', ch: CHANNEL, exp: 9_999_999_999 }, deriveButtonKey('some-other-secret-entirely'));
    await expectRefused(token, 'was not issued by netpeek');
  });

  it('garbage is refused', async () => {
    await expectRefused('ping 10.0.0.1; rm -rf /', 'was not issued by netpeek');
  });

  it('an expired value is refused', async () => {
    const token = signButtonToken({ c: 'probe', k: 'container', n: 'webserver-1', ch: CHANNEL, exp: Math.floor(Date.now() / 1000) - 1 }, deriveButtonKey(SIGNING_SECRET));
    await expectRefused(token, 'This button has expired');
  });

  it('a value issued for another channel is refused', async () => {
    const token = signButtonToken({ c: 'probe', k: 'container', n: 'webserver-1', ch: CHANNEL, exp: 9_999_999_999 }, deriveButtonKey(SIGNING_SECRET));
    await expectRefused(token, 'belongs to an answer in another conversation', { channel: OTHER_CHANNEL });
  });

  it('refusals are audited', async () => {
    await expectRefused('nonsense.value', 'was not issued by netpeek');
    expect(h.audit.recent(1)[0]).toMatchObject({ source: 'button', outcome: 'refused', reason: 'button_forged' });
  });
});
