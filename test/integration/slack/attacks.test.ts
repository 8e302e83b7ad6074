import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotProcess, startBotProcess } from '../../support/slack/bot-process.js';
import { FAKE_BOT, type FakeSlackApi, startFakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { blockActions, CHANNEL, eventCallback, slashCommand, USER } from '../../support/slack/payloads.js';
import { type ResponseUrlServer, startResponseUrlServer } from '../../support/slack/response-url-server.js';
import { formBody, postSigned, signedHeaders } from '../../support/slack/sign.js';
import { streamPost } from '../../support/http/stream-post.js';

/**
 * Issue 10's outside attack on the Slack receiver, replayed against `netpeek serve` as its own process
 * (src/main.ts, the real Bolt HTTP receiver, the real commands). Each case used to crash the process,
 * answer 500, throw a TypeError in a handler or leave the asker without an answer. After every case the
 * process must still be running and still answer a valid slash command.
 */

const SECRET = 'attack-signing-secret-5e1d';

interface AuditRow {
  source: string;
  user_id: string;
  channel_id: string;
  command: string;
  target: string;
  outcome: string;
  reason: string | null;
}

describe('outside attack on the Slack HTTP receiver (netpeek serve as a process)', () => {
  let api: FakeSlackApi;
  let responses: ResponseUrlServer;
  let bot: BotProcess;

  beforeAll(async () => {
    api = await startFakeSlackApi();
    responses = await startResponseUrlServer();
    bot = await startBotProcess(api, SECRET);
  }, 40_000);

  afterAll(async () => {
    await bot?.stop();
    await responses?.close();
    await api?.close();
  });

  const postJson = (body: string, sign = {}) => postSigned(bot.eventsUrl, SECRET, body, 'json', sign);
  const postForm = (fields: Record<string, string>) => postSigned(bot.eventsUrl, SECRET, formBody(fields), 'form');
  const postPayload = (payload: unknown) => postForm({ payload: JSON.stringify(payload) });

  function auditRows(): AuditRow[] {
    const db = new Database(bot.auditDb, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT * FROM slack_audit ORDER BY id').all() as AuditRow[];
    } finally {
      db.close();
    }
  }

  let helpAnswers = 0;

  /** The process is still there and still answers `/netpeek help` through response_url. */
  async function stillServing(): Promise<void> {
    expect(bot.exitCode()).toBeNull();
    const health = await fetch(`${bot.base}/healthz`);
    expect(health.status).toBe(200);
    const responseUrl = responses.newUrl();
    const res = await postSigned(bot.eventsUrl, SECRET, formBody(slashCommand('help', responseUrl)), 'form');
    expect(res.status).toBe(200);
    await responses.waitFor(() => responses.postsTo(responseUrl).length > 0, 10_000);
    expect(JSON.stringify(responses.postsTo(responseUrl)[0]?.body)).toMatch(/netpeek/);
    // Its audit record comes right after the answer; wait for it so the next case counts only its own.
    const until = Date.now() + 5000;
    while (auditRows().filter((r) => r.command === 'help' && r.outcome === 'ok').length < helpAnswers + 1) {
      if (Date.now() > until) throw new Error('the help answer was never audited');
      await new Promise((r) => setTimeout(r, 20));
    }
    helpAnswers++;
    expect(bot.exitCode()).toBeNull();
  }

  const block = (over: Record<string, unknown>) => ({ ...blockActions({ actionId: 'netpeek_probe', value: 'x', responseUrl: responses.newUrl() }), ...over });

  const badShapes: [string, () => Promise<Response>, RegExp][] = [
    ['a signed JSON body `null` (used to end the process from inside Bolt)', () => postJson('null'), /must be an object.*got null/],
    ['a signed form body `payload=null` (used to end the process from inside Bolt)', () => postForm({ payload: 'null' }), /`payload` field must be a JSON object \(got null\)/],
    ['an event_callback with `"event":null`', () => postJson(JSON.stringify({ ...eventCallback({}), event: null })), /`event` /],
    ['an event_callback with `"event":"x"`', () => postJson(JSON.stringify({ ...eventCallback({}), event: 'x' })), /`event` expected object/],
    ['an app_mention without channel', () => postJson(JSON.stringify(eventCallback({ type: 'app_mention', user: USER, ts: '1750000000.000100', text: 'hi' }))), /`event.channel` is missing/],
    ['block_actions without `user`', () => postPayload({ ...block({}), user: undefined }), /`payload.user` is missing/],
    ['block_actions with `"user":null`', () => postPayload(block({ user: null })), /`payload.user` expected object, received null/],
    ['block_actions with `"actions":"x"`', () => postPayload(block({ actions: 'x' })), /`payload.actions` expected array/],
    ['a view_submission with `"view":null`', () => postPayload({ type: 'view_submission', user: { id: USER }, team: { id: FAKE_BOT.teamId }, view: null }), /no handler for `view_submission` payloads/],
    ['a shortcut with a numeric callback_id', () => postPayload({ type: 'shortcut', callback_id: 42, user: { id: USER }, team: { id: FAKE_BOT.teamId }, trigger_id: '1.2.3' }), /no handler for `shortcut` payloads/],
    ['a form body that is neither a command nor a payload', () => postForm({ hello: 'world' }), /slash command \(a `command` field\) or an interactivity `payload`/],
    ['a body that is not JSON', () => postJson('{"type":'), /not valid JSON/],
  ];

  for (const [what, send, message] of badShapes) {
    it(`${what} → 400 naming what is wrong, audited, and the process keeps serving`, async () => {
      const before = auditRows().length;
      const res = await send();
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(message);
      const rows = auditRows().slice(before);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: 'refused', reason: 'bad_payload' });
      await stillServing();
    });
  }

  it('a slash command with the `text` field twice → an ephemeral answer naming the field, the audit record written', async () => {
    const responseUrl = responses.newUrl();
    const fields = slashCommand('pod webserver-2', responseUrl);
    const body = `${formBody(fields)}&${new URLSearchParams({ text: 'container webserver-1' }).toString()}`;
    const before = auditRows().length;
    const res = await postSigned(bot.eventsUrl, SECRET, body, 'form');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/`text` \(2 times\) arrived more than once/);
    expect(answer.text).not.toMatch(/Something went wrong/);
    const rows = auditRows().slice(before);
    expect(rows).toEqual([expect.objectContaining({ source: 'slash', user_id: USER, channel_id: CHANNEL, outcome: 'refused', reason: 'bad_payload' })]);
    expect(rows[0]?.target).toMatch(/duplicate fields: `text` \(2 times\)/);
    expect(bot.logs().some((l) => /could not write the audit record/.test(String(l.msg)))).toBe(false);
    // Nothing ran: no answer to the response_url.
    await new Promise((r) => setTimeout(r, 200));
    expect(responses.postsTo(responseUrl)).toHaveLength(0);
    await stillServing();
  });

  it('a slash command without channel_id → an ephemeral answer saying channel_id is missing, audited, no TypeError', async () => {
    const responseUrl = responses.newUrl();
    const before = auditRows().length;
    const res = await postSigned(bot.eventsUrl, SECRET, formBody(slashCommand('pod webserver-2', responseUrl, { channel_id: undefined })), 'form');
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { response_type: string; text: string };
    expect(answer).toMatchObject({ response_type: 'ephemeral' });
    expect(answer.text).toMatch(/`channel_id` is missing/);
    expect(auditRows().slice(before)).toEqual([expect.objectContaining({ source: 'slash', user_id: USER, channel_id: '', outcome: 'refused', reason: 'bad_payload' })]);
    expect(bot.logs().some((l) => /Cannot read properties/.test(JSON.stringify(l)))).toBe(false);
    await stillServing();
  });

  it('a signed request stamped a day in the future → 401 like a stale one, nothing run', async () => {
    const responseUrl = responses.newUrl();
    const res = await postSigned(bot.eventsUrl, SECRET, formBody(slashCommand('help', responseUrl)), 'form', { timestamp: Math.floor(Date.now() / 1000) + 86_400 });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/864(00|99) s in the future/); // a second may tick between stamping and checking
    const sixMinutes = await postSigned(bot.eventsUrl, SECRET, formBody(slashCommand('help', responseUrl)), 'form', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
    expect(sixMinutes.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(responses.postsTo(responseUrl)).toHaveLength(0);
    await stillServing();
  });

  it('an unsigned 300 MB body → 413 and the connection closed long before the body was sent', async () => {
    const r = await streamPost(bot.eventsUrl, { 'content-type': 'application/x-www-form-urlencoded' }, 300 * 1024 * 1024);
    expect(r.status).toBe(413);
    expect(r.body).toMatch(/larger than 1048576 bytes/);
    expect(r.connectionClose).toBe(true);
    expect(r.cutOff).toBe(true);
    expect(r.bytesSent).toBeLessThan(50 * 1024 * 1024);
    expect(bot.logs().some((l) => l.msg === 'refused a Slack request body over the size cap (NETPEEK_SLACK_MAX_BODY_BYTES)')).toBe(true);
    await stillServing();
  });

  it('a signed body over the cap with a Content-Length → 413 before a byte of it is read', async () => {
    const body = formBody(slashCommand('x'.repeat(2 * 1024 * 1024), responses.newUrl()));
    const res = await fetch(bot.eventsUrl, { method: 'POST', headers: signedHeaders(SECRET, body, 'form'), body });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    await stillServing();
  });

  it('after all of it, the process has not exited and logged no unhandled rejection', async () => {
    await stillServing();
    expect(bot.logs().filter((l) => /unhandled promise rejection|uncaught exception/.test(String(l.msg)))).toEqual([]);
  });
});
