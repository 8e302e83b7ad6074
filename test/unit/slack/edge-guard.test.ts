import { execFile } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { guardBoltListener } from '../../../src/slack/edge-guard.js';
import type { AuditLog } from '../../../src/store/audit-log.js';
import { eventCallback, appMention, slashCommand } from '../../support/slack/payloads.js';
import { formBody, postSigned, signedHeaders } from '../../support/slack/sign.js';

const SECRET = 'edge-guard-test-secret';
const records: Array<Record<string, unknown>> = [];
const audit: AuditLog = { record: (r: Record<string, unknown>) => void records.push(r) } as unknown as AuditLog;

/** A stand-in for Bolt that records what reached it and never answers: whatever the client gets came from the edge. */
function silentBolt(): { listener: RequestListener; seen: string[] } {
  const seen: string[] = [];
  return { seen, listener: (req) => void seen.push(String((req as { rawBody?: Buffer }).rawBody?.length ?? 0)) };
}

describe('edge guard: the slash command is acked at the edge, after the signature check', () => {
  let server: Server | undefined;
  afterEach(async () => {
    // The requests Bolt never answered are still open: close them with the server.
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  async function start(bolt: RequestListener, extra: { maxWaitingAnswers?: number; maxAnswerDeferMs?: number } = {}): Promise<string> {
    const guard = guardBoltListener(bolt, { signingSecret: SECRET, maxBodyBytes: 1 << 20, endpoints: ['/slack/events'], audit, log: createLogger('silent'), ackSlashCommand: '/netpeek', ...extra });
    server = createServer(guard);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  }

  it('a signed /netpeek gets its empty 200 from the edge, and Bolt still gets the request to run', async () => {
    const bolt = silentBolt();
    const url = await start(bolt.listener);
    const res = await postSigned(url, SECRET, formBody(slashCommand('container web-1', 'http://127.0.0.1:9/r')), 'form');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Bolt runs after the ack, in a later turn of the event loop.
    await vi.waitFor(() => expect(bolt.seen).toHaveLength(1));
  });

  it('past maxWaitingAnswers the user is told netpeek is busy, nothing runs, and the refusal is audited', async () => {
    const bolt = silentBolt();
    const url = await start(bolt.listener, { maxWaitingAnswers: 0 });
    records.length = 0;
    const res = await postSigned(url, SECRET, formBody(slashCommand('container web-1', 'http://127.0.0.1:9/r', { user_id: 'U0BUSY1', channel_id: 'C0BUSY1' })), 'form');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toBe('netpeek is busy: 0 questions are waiting for an answer. Nothing was run; ask again in a minute.');
    await new Promise((r) => setTimeout(r, 50));
    expect(bolt.seen).toHaveLength(0);
    expect(records).toEqual([expect.objectContaining({ source: 'slash', user: 'U0BUSY1', channel: 'C0BUSY1', command: 'container', target: 'container web-1', outcome: 'refused', reason: 'busy' })]);
  });

  it('while Bolt holds the event loop, commands beyond the limit are answered busy and the rest all reach Bolt', async () => {
    const seen: number[] = [];
    // Bolt holds the loop for 300 ms on its first request; a client in another process sends 8 more meanwhile.
    const slowBolt: RequestListener = () => {
      if (seen.push(seen.length) === 1) {
        const until = Date.now() + 300;
        while (Date.now() < until);
      }
    };
    const url = await start(slowBolt, { maxWaitingAnswers: 2, maxAnswerDeferMs: 5000 });
    records.length = 0;
    const signed = Array.from({ length: 9 }, () => {
      const body = formBody(slashCommand('explain expose', 'http://127.0.0.1:9/r'));
      return { headers: signedHeaders(SECRET, body, 'form'), body };
    });
    const client = [
      'const [url, json] = process.argv.slice(1); const reqs = JSON.parse(json);',
      'const post = async (r) => { const res = await fetch(url, { method: "POST", headers: r.headers, body: r.body }); return { status: res.status, text: await res.text() }; };',
      'const first = await post(reqs[0]); const rest = await Promise.all(reqs.slice(1).map(post));',
      'console.log(JSON.stringify([first, ...rest]));',
    ].join('\n');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', client, url, JSON.stringify(signed)], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const answers = JSON.parse(out) as Array<{ status: number; text: string }>;
    expect(answers.map((a) => a.status)).toEqual(Array(9).fill(200));
    const busy = answers.filter((a) => a.text.includes('netpeek is busy'));
    expect(busy.length).toBeGreaterThan(0);
    expect(JSON.parse(busy[0]!.text).text).toMatch(/^netpeek is busy: 2 questions are waiting for an answer\. Nothing was run; ask again in a minute\.$/);
    await vi.waitFor(() => expect(seen).toHaveLength(answers.length - busy.length));
    expect(records.filter((r) => r.reason === 'busy')).toHaveLength(busy.length);
  });

  it('a bad signature is refused (401) before any ack, and Bolt never sees it', async () => {
    const bolt = silentBolt();
    const url = await start(bolt.listener);
    const res = await postSigned(url, 'another-secret', formBody(slashCommand('container web-1', 'http://127.0.0.1:9/r')), 'form');
    expect(res.status).toBe(401);
    expect(bolt.seen).toHaveLength(0);
  });

  it("Slack's unsigned ssl_check reaches Bolt (which answers it); any other unsigned form is refused (401)", async () => {
    const bolt = silentBolt();
    const url = await start(bolt.listener);
    const check = fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=x' });
    check.catch(() => undefined);
    await vi.waitFor(() => expect(bolt.seen).toEqual(['19']));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(slashCommand('container web-1', 'http://127.0.0.1:9/r')) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/not signed/);
    expect(bolt.seen).toHaveLength(1);
  });

  it('another slash command and events are left to Bolt to answer', async () => {
    const bolt = silentBolt();
    const url = await start(bolt.listener);
    for (const [body, kind] of [
      [formBody(slashCommand('x', 'http://127.0.0.1:9/r', { command: '/other' })), 'form'],
      [JSON.stringify(eventCallback(appMention('container web-1'))), 'json'],
    ] as const) {
      const pending = postSigned(url, SECRET, body, kind, {});
      pending.catch(() => undefined);
      const answered = await Promise.race([pending.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
      expect(answered).toBe(false);
    }
    expect(bolt.seen).toHaveLength(2);
  });
});
