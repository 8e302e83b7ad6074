import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding } from '../../support/backends.js';
import { POSTGRES, startPostgres, type PostgresServer } from '../../support/postgres.js';
import { type BotProcess, startBotProcess } from '../../support/slack/bot-process.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { appMention, blockActions, eventCallback, eventId, slackTs, slashCommand } from '../../support/slack/payloads.js';
import { type ResponseUrlServer, startResponseUrlServer } from '../../support/slack/response-url-server.js';
import { formBody, postSigned } from '../../support/slack/sign.js';

/**
 * Issue 16's finding: two replicas, each delivery of one Slack event reaching both at the same moment,
 * answered twice. Two `netpeek serve` processes sharing one real PostgreSQL: every event, slash command
 * and button click reaches both at once, and exactly one of them answers it.
 */

const SECRET = 'replica-signing-secret-71c2';
const ROUNDS = 200;

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Runs `fn` over 0..n-1, `width` at a time. */
async function inBatches(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < n; i += width) await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, k) => fn(i + k)));
}

describeNeeding(POSTGRES, 'two bot replicas sharing one PostgreSQL answer each Slack delivery once', () => {
  let server: PostgresServer;
  let url: string;
  let api: FakeSlackApi;
  let responses: ResponseUrlServer;
  let bots: BotProcess[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
    [api, responses] = await Promise.all([startFakeSlackApi(), startResponseUrlServer()]);
    bots = await Promise.all(['bot-a', 'bot-b'].map((name) => startBotProcess(api, SECRET, { NETPEEK_DATABASE_URL: url, NETPEEK_POD_NAME: name })));
    await until(() => bots.every((b) => b.logs().some((l) => typeof l.msg === 'string' && l.msg.startsWith('PostgreSQL store ready'))), 20_000, 'both stores ready');
  }, 90_000);

  afterAll(async () => {
    await Promise.all(bots.map((b) => b.stop()));
    await Promise.all([responses?.close(), api?.close()]);
    await server?.stop();
  });

  /** The same signed request to both replicas at the same moment; both must ack with 200. */
  async function toBoth(body: string, kind: 'json' | 'form'): Promise<void> {
    const res = await Promise.all(bots.map((b) => postSigned(b.eventsUrl, SECRET, body, kind)));
    expect(res.map((r) => r.status)).toEqual([200, 200]);
  }

  it(`${ROUNDS} app_mention events, each delivered to both replicas at once: exactly ${ROUNDS} answers, one per event`, async () => {
    const tss: string[] = [];
    await inBatches(ROUNDS, 10, async () => {
      const ts = slackTs();
      tss.push(ts);
      await toBoth(JSON.stringify(eventCallback(appMention('help', { ts }), eventId())), 'json');
    });
    const answersTo = (ts: string) => api.messages.filter((m) => m.thread_ts === ts);
    await until(() => tss.every((ts) => answersTo(ts).length >= 1), 60_000, 'an answer to every mention');
    // Give a second answer, if any replica were about to post one, time to arrive.
    await new Promise((r) => setTimeout(r, 1500));
    const counts = tss.map((ts) => answersTo(ts).length);
    expect(counts.filter((c) => c !== 1)).toEqual([]);
    expect(api.messages.filter((m) => m.thread_ts && tss.includes(m.thread_ts))).toHaveLength(ROUNDS);
    // Both replicas took part: each dropped the deliveries the other had claimed.
    const dropped = bots.map((b) => b.logs().filter((l) => l.msg === 'duplicate event delivery dropped').length);
    expect(dropped[0]! + dropped[1]!).toBe(ROUNDS);
  }, 180_000);

  it('slash commands and button clicks delivered to both at once: one reply each', async () => {
    const urls: string[] = [];
    await inBatches(20, 10, async () => {
      const responseUrl = responses.newUrl();
      urls.push(responseUrl);
      await toBoth(formBody(slashCommand('help', responseUrl)), 'form');
    });
    const clicks: string[] = [];
    await inBatches(20, 10, async () => {
      const responseUrl = responses.newUrl();
      clicks.push(responseUrl);
      // A button value that does not verify: the one replica that claims the click answers with the refusal.
      await toBoth(formBody({ payload: JSON.stringify(blockActions({ actionId: 'netpeek_probe', value: 'not-a-token', responseUrl })) }), 'form');
    });
    await until(() => [...urls, ...clicks].every((u) => responses.postsTo(u).length >= 1), 30_000, 'a reply to every command and click');
    await new Promise((r) => setTimeout(r, 1500));
    expect(urls.map((u) => responses.postsTo(u).length)).toEqual(urls.map(() => 1));
    expect(clicks.map((u) => responses.postsTo(u).length)).toEqual(clicks.map(() => 1));
    expect(String(responses.postsTo(clicks[0]!)[0]?.body.text)).toMatch(/button/i);
  }, 120_000);

  it('every answer of either replica is one audit row in the shared database', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ source: string; n: string; ids: string }>('SELECT source, count(*) AS n, count(DISTINCT request_id) AS ids FROM netpeek_audit GROUP BY source ORDER BY source');
      expect(rows).toEqual([
        { source: 'button', n: '20', ids: '20' },
        { source: 'mention', n: String(ROUNDS), ids: String(ROUNDS) },
        { source: 'slash', n: '20', ids: '20' },
      ]);
    } finally {
      await c.end();
    }
  });
});
