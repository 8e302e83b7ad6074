import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, SIGNING_SECRET, startHarness } from '../../support/slack/bot-harness.js';
import { slashCommand } from '../../support/slack/payloads.js';
import { formBody, signedHeaders } from '../../support/slack/sign.js';
import { streamPost } from '../../support/http/stream-post.js';

/** NETPEEK_SLACK_MAX_BODY_BYTES sets the cap of the real Bolt receiver's edge guard. */
describe('Slack request body cap is configurable (NETPEEK_SLACK_MAX_BODY_BYTES)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { NETPEEK_SLACK_MAX_BODY_BYTES: '16384' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a signed slash command of 20 KB → 413 naming the cap, connection closed, nothing run', async () => {
    const responseUrl = h.responses.newUrl();
    const body = formBody(slashCommand(`container ${'a'.repeat(20_000)}`, responseUrl));
    const r = await streamPost(h.eventsUrl, signedHeaders(SIGNING_SECRET, body, 'form'), Buffer.byteLength(body));
    expect(r.status).toBe(413);
    expect(r.body).toMatch(/larger than 16384 bytes/);
    expect(r.connectionClose).toBe(true);
    await new Promise((res) => setTimeout(res, 150));
    expect(h.fake.calls).toHaveLength(0);
    expect(h.responses.postsTo(responseUrl)).toHaveLength(0);
  });

  it('a signed slash command under the cap is answered', async () => {
    const { res, responseUrl } = await h.slash(`container ${'a'.repeat(4000)}`);
    expect(res.status).toBe(200);
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length > 0);
  });
});
