import { describe, expect, it } from 'vitest';
import { type ButtonPayload, deriveButtonKey, signButtonToken, tokenRefusal, verifyButtonToken } from '../../../src/slack/button-token.js';

const key = deriveButtonKey('signing-secret-for-tests');
const NOW = 1_760_000_000_000;
const payload: ButtonPayload = { c: 'probe', k: 'pod', n: 'webserver-2', ns: 'shop', ch: 'C0NETPEEK1', exp: NOW / 1000 + 900 };

describe('button tokens', () => {
  it('round-trips a payload for the same channel before expiry', () => {
    const token = signButtonToken(payload, key);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyButtonToken(token, key, { channel: 'C0NETPEEK1', nowMs: NOW })).toEqual({ ok: true, payload });
  });

  it('"Probe again" carries only the id of the held answer; anything else in that field is malformed', () => {
    const reprobe: ButtonPayload = { ...payload, c: 'reprobe', k: 'container', n: 'db', r: 'AbC123_-xyz0' };
    delete reprobe.ns;
    expect(verifyButtonToken(signButtonToken(reprobe, key), key, { channel: 'C0NETPEEK1', nowMs: NOW })).toEqual({ ok: true, payload: reprobe });
    expect(verifyButtonToken(signButtonToken({ ...reprobe, r: 'why web-1 db' }, key), key, { channel: 'C0NETPEEK1', nowMs: NOW })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('is refused after its expiry (exactly at exp too)', () => {
    const token = signButtonToken(payload, key);
    expect(verifyButtonToken(token, key, { channel: 'C0NETPEEK1', nowMs: NOW + 899_000 }).ok).toBe(true);
    expect(verifyButtonToken(token, key, { channel: 'C0NETPEEK1', nowMs: NOW + 900_000 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('is refused with a changed payload, a changed signature, or another key', () => {
    const token = signButtonToken(payload, key);
    const [body, sig] = token.split('.') as [string, string];
    const changed = Buffer.from(JSON.stringify({ ...payload, n: 'db-0' })).toString('base64url');
    expect(verifyButtonToken(`${changed}.${sig}`, key, { channel: 'C0NETPEEK1', nowMs: NOW })).toEqual({ ok: false, reason: 'forged' });
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'AB' : 'AA');
    expect(verifyButtonToken(`${body}.${flipped}`, key, { channel: 'C0NETPEEK1', nowMs: NOW })).toEqual({ ok: false, reason: 'forged' });
    expect(verifyButtonToken(token, deriveButtonKey('another-secret'), { channel: 'C0NETPEEK1', nowMs: NOW })).toEqual({ ok: false, reason: 'forged' });
  });

  it('is refused in another channel', () => {
    expect(verifyButtonToken(signButtonToken(payload, key), key, { channel: 'C0OTHER001', nowMs: NOW })).toEqual({ ok: false, reason: 'wrong_channel' });
  });

  it('refuses malformed values without throwing', () => {
    for (const v of ['', '.', 'abc', 'a.b.c', 'container webserver-1', 'x'.repeat(3000)]) {
      expect(verifyButtonToken(v, key, { channel: 'C0NETPEEK1', nowMs: NOW }).ok).toBe(false);
    }
  });

  it('refuses a correctly signed payload of the wrong shape (unknown action, extra fields)', () => {
    const bad = (p: object) => signButtonToken(p as ButtonPayload, key);
    expect(verifyButtonToken(bad({ ...payload, c: 'exec' }), key, { channel: 'C0NETPEEK1', nowMs: NOW })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyButtonToken(bad({ ...payload, cmd: 'rm' }), key, { channel: 'C0NETPEEK1', nowMs: NOW })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('derives different keys from different secrets, and never uses the secret itself', () => {
    expect(deriveButtonKey('a').equals(deriveButtonKey('b'))).toBe(false);
    expect(deriveButtonKey('a')).toHaveLength(32);
    expect(deriveButtonKey('signing-secret-for-tests').toString('utf8')).not.toContain('signing-secret');
  });

  it('explains each refusal in a sentence', () => {
    expect(tokenRefusal('expired')).toMatch(/expired/);
    expect(tokenRefusal('forged')).toMatch(/nothing was run/);
    expect(tokenRefusal('wrong_channel')).toMatch(/another conversation/);
  });
});
