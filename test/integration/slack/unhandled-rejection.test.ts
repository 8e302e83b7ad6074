import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, signedHeaders } from '../../support/slack/sign.js';
import { urlVerification } from '../../support/slack/payloads.js';

/**
 * The process-level handler (src/unhandled-rejections.ts) against the crash inside Bolt itself: a
 * process running Bolt's HTTPReceiver without netpeek's edge guard gets the signed `null` body of
 * issue 10. Without the handler Node exits with code 1; with it the rejection is logged and the next
 * request is answered. Which request it came from is not carried through async calls (no
 * AsyncLocalStorage, issue 19): the line names the request in flight when only one is, and lists the
 * requests in flight when several are.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SECRET = 'rejection-signing-secret-77';

describe('unhandled rejection inside Bolt (signed `null` body, no edge guard)', () => {
  let child: ChildProcess;
  let stderr = '';
  let url = '';
  /** x-request-id of each request the fixture counted in flight, in order. */
  const opened: string[] = [];

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href, join(repo, 'test/support/process/bolt-without-edge.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, SIGNING_SECRET: SECRET },
    });
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const lines = createInterface({ input: child.stdout! });
    const line = await new Promise<string>((ok, fail) => {
      lines.once('line', ok);
      child.once('exit', (code) => fail(new Error(`fixture exited (${code}): ${stderr}`)));
    });
    lines.on('line', (l) => opened.push(String((JSON.parse(l) as { opened?: string }).opened)));
    url = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}/slack/events`;
  }, 30_000);

  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGTERM');
  });

  const rejectionLines = () =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'unhandled promise rejection (netpeek keeps serving)');

  it('is logged with the request id when it is the one request in flight, and the process keeps answering', async () => {
    // Bolt never answers this request (its closure died); give up on it after a moment.
    await fetch(url, { method: 'POST', headers: signedHeaders(SECRET, 'null', 'json', { headers: { 'x-request-id': 'req-null-body-1' } }), body: 'null', signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    const deadline = Date.now() + 5000;
    while (rejectionLines().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const logged = rejectionLines()[0];
    expect(logged).toMatchObject({ level: 50, requestId: 'req-null-body-1', err: { message: expect.stringMatching(/null/) } });
    expect(child.exitCode).toBeNull();
    const res = await postSigned(url, SECRET, JSON.stringify(urlVerification('still-here')), 'json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'still-here' });
    expect(child.exitCode).toBeNull();
  }, 20_000);

  it('lists the requests in flight when several are, instead of guessing which one it was', async () => {
    // A request whose body never finishes stays in flight for as long as its socket is open.
    const { port, pathname } = new URL(url);
    const slow: Socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => slow.once('connect', r));
    slow.write(`POST ${pathname} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nx-request-id: req-slow-body-2\r\n\r\n{"type":`);
    try {
      // Connected is not yet counted: the crashing request must not overtake it.
      const until = Date.now() + 5000;
      while (!opened.includes('req-slow-body-2') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(opened).toContain('req-slow-body-2');
      const before = rejectionLines().length;
      await fetch(url, { method: 'POST', headers: signedHeaders(SECRET, 'null', 'json', { headers: { 'x-request-id': 'req-null-body-2' } }), body: 'null', signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      const deadline = Date.now() + 5000;
      while (rejectionLines().length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const logged = rejectionLines()[before];
      expect(logged).toMatchObject({ level: 50, requestId: null, err: { message: expect.stringMatching(/null/) } });
      // The first test's request may still be open too (until its client gives up).
      expect(logged?.requestsInFlight).toEqual(expect.arrayContaining(['req-slow-body-2', 'req-null-body-2']));
      expect(logged?.requestsInFlightCount).toBe((logged?.requestsInFlight as string[]).length);
      expect(child.exitCode).toBeNull();
    } finally {
      slow.destroy();
    }
  }, 20_000);
});
