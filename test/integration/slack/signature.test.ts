import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, eventCallback, slashCommand, urlVerification } from '../../support/slack/payloads.js';
import { formBody, postSigned } from '../../support/slack/sign.js';

/** Bolt's receiver checks every request; netpeek must run nothing for one that fails. */
describe('request signatures (real Bolt verification)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.fake.calls.length = 0;
  });

  async function settle(): Promise<void> {
    await new Promise((r) => setTimeout(r, 150));
  }

  const cases: [string, Parameters<Harness['slash']>[2]][] = [
    ['a signature made with another secret', { secret: 'not-the-signing-secret' }],
    ['a timestamp older than five minutes', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['a timestamp more than five minutes in the future', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }],
    ['a timestamp a day in the future', { timestamp: Math.floor(Date.now() / 1000) + 86_400 }],
    ['no signature header', { omit: ['signature'] }],
    ['no timestamp header', { omit: ['timestamp'] }],
    ['no headers at all', { omit: ['signature', 'timestamp'] }],
  ];

  for (const [what, sign] of cases) {
    it(`slash command with ${what} → 401 and nothing run`, async () => {
      const { res, responseUrl } = await h.slash('container webserver-1', {}, sign);
      expect(res.status).toBe(401);
      await settle();
      expect(h.fake.calls).toHaveLength(0);
      expect(h.responses.postsTo(responseUrl)).toHaveLength(0);
    });

    it(`event with ${what} → 401 and nothing posted`, async () => {
      const before = h.api.callsTo('chat.postMessage').length;
      const res = await h.event(appMention('container webserver-1'), { sign });
      expect(res.status).toBe(401);
      await settle();
      expect(h.fake.calls).toHaveLength(0);
      expect(h.api.callsTo('chat.postMessage')).toHaveLength(before);
    });
  }

  it('a body changed after signing → 401', async () => {
    const responseUrl = h.responses.newUrl();
    const signedBody = formBody(slashCommand('help', responseUrl));
    const res = await fetch(h.eventsUrl, {
      method: 'POST',
      headers: (await import('../../support/slack/sign.js')).signedHeaders(SIGNING_SECRET, signedBody, 'form'),
      body: formBody(slashCommand('container webserver-1', responseUrl)),
    });
    expect(res.status).toBe(401);
    await settle();
    expect(h.fake.calls).toHaveLength(0);
  });

  it('answers a signed url_verification with its challenge', async () => {
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, JSON.stringify(urlVerification('chal-123')), 'json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'chal-123' });
  });

  it('an unsigned url_verification is refused too', async () => {
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, JSON.stringify(urlVerification('chal-123')), 'json', { omit: ['signature'] });
    expect(res.status).toBe(401);
  });

  it('a correctly signed event is accepted (the control case)', async () => {
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, JSON.stringify(eventCallback(appMention('container webserver-1'))), 'json');
    expect(res.status).toBe(200);
    await h.api.waitFor(() => h.fake.calls.length === 1);
  });
});
