import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../../src/agent/replay-cache.js';
import { verifyRequest } from '../../../src/agent/signing.js';
import { SIGNATURE_HEADERS, canonicalString, signRequest } from '../../../src/probe/request-signature.js';

const secret = 'a-shared-secret-of-32-characters';
const req = { method: 'POST', path: '/v1/probe', body: '{"probes":[{"kind":"icmp","ip":"10.0.0.1"}]}' };
const now = 1_750_000_000_000;

describe('request signing', () => {
  it('signs method, path, body hash, timestamp and nonce', () => {
    const c = canonicalString(req, '1750000000', 'nonce-0123456789ab');
    expect(c.split('\n')).toEqual(['POST', '/v1/probe', expect.stringMatching(/^[0-9a-f]{64}$/), '1750000000', 'nonce-0123456789ab']);
    const h = signRequest(secret, req, { now, nonce: 'nonce-0123456789ab' });
    expect(h[SIGNATURE_HEADERS.timestamp]).toBe('1750000000');
    expect(h[SIGNATURE_HEADERS.signature]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a good signature once', () => {
    const replay = new ReplayCache();
    const headers = signRequest(secret, req, { now });
    expect(verifyRequest(req, { secret, headers, now, replay })).toEqual({ ok: true });
    expect(verifyRequest(req, { secret, headers, now, replay })).toEqual({ ok: false, reason: 'nonce was already used (replayed request)' });
  });

  it('refuses a wrong secret, and any change to method, path or body', () => {
    const headers = signRequest(secret, req, { now });
    const bad = { ok: false, reason: 'signature does not match (wrong secret?)' };
    expect(verifyRequest(req, { secret: 'another-secret-of-32-characters!', headers, now })).toEqual(bad);
    expect(verifyRequest({ ...req, body: req.body.replace('10.0.0.1', '10.0.0.2') }, { secret, headers, now })).toEqual(bad);
    expect(verifyRequest({ ...req, path: '/v1/probe?x=1' }, { secret, headers, now })).toEqual(bad);
    expect(verifyRequest({ ...req, method: 'PUT' }, { secret, headers, now })).toEqual(bad);
    expect(verifyRequest(req, { secret, headers: { ...headers, [SIGNATURE_HEADERS.signature]: 'zz' }, now })).toEqual(bad);
  });

  it('refuses stale and future timestamps outside the 30 s window', () => {
    const old = signRequest(secret, req, { now: now - 31_000 });
    const future = signRequest(secret, req, { now: now + 31_000 });
    const edge = signRequest(secret, req, { now: now - 29_000 });
    expect(verifyRequest(req, { secret, headers: old, now })).toMatchObject({ ok: false, reason: expect.stringContaining("away from the agent's clock") });
    expect(verifyRequest(req, { secret, headers: future, now })).toMatchObject({ ok: false });
    expect(verifyRequest(req, { secret, headers: edge, now })).toEqual({ ok: true });
  });

  it('refuses unsigned and malformed requests before computing anything', () => {
    expect(verifyRequest(req, { secret, headers: {}, now })).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') });
    const h = signRequest(secret, req, { now });
    expect(verifyRequest(req, { secret, headers: { ...h, [SIGNATURE_HEADERS.nonce]: 'short' }, now })).toMatchObject({ ok: false, reason: expect.stringContaining('nonce') });
    expect(verifyRequest(req, { secret, headers: { ...h, [SIGNATURE_HEADERS.timestamp]: 'yesterday' }, now })).toMatchObject({ ok: false });
  });

  it('does not remember nonces of requests that fail verification', () => {
    const replay = new ReplayCache();
    const headers = signRequest(secret, req, { now, nonce: 'the-same-nonce-123' });
    expect(verifyRequest(req, { secret: 'wrong-secret-wrong-secret', headers, now, replay }).ok).toBe(false);
    expect(replay.size).toBe(0);
    expect(verifyRequest(req, { secret, headers, now, replay }).ok).toBe(true);
  });
});

describe('ReplayCache', () => {
  it('is bounded and refuses (rather than forgets) when full of live nonces', () => {
    const cache = new ReplayCache({ max: 2, ttlMs: 60_000 });
    expect(cache.firstUse('nonce-aaaaaaaaaaaaaaaa')).toBe('fresh');
    expect(cache.firstUse('nonce-bbbbbbbbbbbbbbbb')).toBe('fresh');
    expect(cache.firstUse('nonce-cccccccccccccccc')).toBe('full');
    expect(cache.firstUse('nonce-aaaaaaaaaaaaaaaa')).toBe('replayed');
  });

  it('forgets nonces after their TTL', async () => {
    const cache = new ReplayCache({ max: 1, ttlMs: 30 });
    expect(cache.firstUse('nonce-aaaaaaaaaaaaaaaa')).toBe('fresh');
    await new Promise((r) => setTimeout(r, 60));
    expect(cache.firstUse('nonce-bbbbbbbbbbbbbbbb')).toBe('fresh');
  });
});
