import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, signedHeaders } from '../../support/slack/sign.js';
import { urlVerification } from '../../support/slack/payloads.js';

/**
 * The process-level handler (src/unhandled-rejections.ts) against the crash inside Bolt itself: a
 * process running Bolt's HTTPReceiver without netpeek's edge guard gets the signed `null` body of
 * issue 10. Without the handler Node exits with code 1; with it the rejection is logged with the
 * request id and the next request is answered.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SECRET = 'rejection-signing-secret-77';

describe('unhandled rejection inside Bolt (signed `null` body, no edge guard)', () => {
  let child: ChildProcess;
  let stderr = '';
  let url = '';

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href, join(repo, 'test/support/process/bolt-without-edge.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, SIGNING_SECRET: SECRET },
    });
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const line = await new Promise<string>((ok, fail) => {
      createInterface({ input: child.stdout! }).once('line', ok);
      child.once('exit', (code) => fail(new Error(`fixture exited (${code}): ${stderr}`)));
    });
    url = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}/slack/events`;
  }, 30_000);

  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGTERM');
  });

  it('is logged with the request id, and the process keeps answering', async () => {
    // Bolt never answers this request (its closure died); give up on it after a moment.
    await fetch(url, { method: 'POST', headers: signedHeaders(SECRET, 'null', 'json', { headers: { 'x-request-id': 'req-null-body-1' } }), body: 'null', signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    const deadline = Date.now() + 5000;
    while (!stderr.includes('unhandled promise rejection') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const logged = lines.find((l) => l.msg === 'unhandled promise rejection (netpeek keeps serving)');
    expect(logged).toMatchObject({ level: 50, requestId: 'req-null-body-1', err: { message: expect.stringMatching(/null/) } });
    expect(child.exitCode).toBeNull();
    const res = await postSigned(url, SECRET, JSON.stringify(urlVerification('still-here')), 'json');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'still-here' });
    expect(child.exitCode).toBeNull();
  }, 20_000);
});
