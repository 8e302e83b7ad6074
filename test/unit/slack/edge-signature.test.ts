import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { checkSlackSignature, signingKey } from '../../../src/slack/edge-signature.js';
import { slackSignature } from '../../support/slack/sign.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = 1_764_000_000_000;
const ts = Math.floor(NOW / 1000);
const body = 'token=x&team_id=T0001&command=%2Fnetpeek&text=pod+webserver-2';

/** Bolt's own verdict on the same request, for comparison. */
function bolt(signature: string, timestamp: number, b: string): boolean {
  try {
    verifySlackRequest({ signingSecret: SECRET, body: b, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp }, nowMilliseconds: NOW });
    return true;
  } catch {
    return false;
  }
}

describe("edge signature check: Slack's v0 HMAC, the same verdicts as Bolt's verifySlackRequest", () => {
  const good = slackSignature(SECRET, ts, body);
  const cases: Array<[string, string, string, string | null]> = [
    ['a request signed with the secret', good, body, null],
    ['a body changed after signing', good, body.replace('webserver-2', 'webserver-3'), 'signature mismatch'],
    ['another secret', slackSignature('another-secret', ts, body), body, 'signature mismatch'],
    ['one hex digit changed', good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'), body, 'signature mismatch'],
    ['upper-case hex', good.toUpperCase().replace('V0=', 'v0='), body, 'x-slack-signature must be v0= and 64 hex digits'],
    ['a v1 signature', good.replace('v0=', 'v1='), body, 'x-slack-signature must be v0= and 64 hex digits'],
    ['a truncated signature', good.slice(0, 40), body, 'x-slack-signature must be v0= and 64 hex digits'],
  ];
  for (const [name, signature, b, reason] of cases) {
    it(name, () => {
      const got = checkSlackSignature(SECRET, { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(ts) }, b, NOW);
      expect(got).toEqual(reason === null ? { ok: true } : { ok: false, reason });
      // The edge's way: the key prepared once, the HMAC over the body's raw bytes.
      expect(checkSlackSignature(signingKey(SECRET), { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(ts) }, Buffer.from(b, 'utf8'), NOW)).toEqual(got);
      expect(bolt(signature, ts, b)).toBe(reason === null);
    });
  }

  it('a body with raw UTF-8 bytes: the HMAC over the bytes as they arrived matches the signature over the text', () => {
    const text = 'token=x&command=%2Fnetpeek&text=pod caf\u00e9-\u2603';
    const signature = slackSignature(SECRET, ts, text);
    const headers = { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(ts) };
    expect(checkSlackSignature(signingKey(SECRET), headers, Buffer.from(text, 'utf8'), NOW)).toEqual({ ok: true });
    expect(checkSlackSignature(signingKey(SECRET), headers, Buffer.from(text.replace('\u2603', '\u2604'), 'utf8'), NOW)).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('a timestamp outside ±5 minutes is refused whatever the signature (Bolt accepts the future one)', () => {
    const future = ts + 600;
    const got = checkSlackSignature(SECRET, { 'x-slack-signature': slackSignature(SECRET, future, body), 'x-slack-request-timestamp': String(future) }, body, NOW);
    expect(got).toEqual({ ok: false, reason: 'x-slack-request-timestamp is 600 s in the future (at most 300 s either way)' });
    const old = ts - 301;
    expect(checkSlackSignature(SECRET, { 'x-slack-signature': slackSignature(SECRET, old, body), 'x-slack-request-timestamp': String(old) }, body, NOW)).toEqual({
      ok: false,
      reason: 'x-slack-request-timestamp is 301 s old (at most 300 s either way)',
    });
  });
});
