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

  it('accepts a good signature and hands back its nonce and timestamp (storing nothing)', () => {
    const headers = signRequest(secret, req, { now, nonce: 'nonce-0123456789ab' });
    expect(verifyRequest(req, { secret, headers, now })).toEqual({ ok: true, nonce: 'nonce-0123456789ab', timestampSec: 1_750_000_000 });
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
    expect(verifyRequest(req, { secret, headers: edge, now })).toMatchObject({ ok: true });
  });

  it('refuses unsigned and malformed requests before computing anything', () => {
    expect(verifyRequest(req, { secret, headers: {}, now })).toMatchObject({ ok: false, reason: expect.stringContaining('not signed') });
    const h = signRequest(secret, req, { now });
    expect(verifyRequest(req, { secret, headers: { ...h, [SIGNATURE_HEADERS.nonce]: 'short' }, now })).toMatchObject({ ok: false, reason: expect.stringContaining('nonce') });
    expect(verifyRequest(req, { secret, headers: { ...h, [SIGNATURE_HEADERS.timestamp]: 'yesterday' }, now })).toMatchObject({ ok: false });
  });

});

describe('ReplayCache', () => {
  const window = 30_000;

  it('refuses a nonce it has accepted while its window lasts, and forgets it after', () => {
    let t = now;
    const cache = new ReplayCache({ capacity: 10, windowMs: window }, () => t);
    expect(cache.seen('nonce-aaaaaaaaaaaaaaaa')).toBe(false);
    expect(cache.remember('nonce-aaaaaaaaaaaaaaaa', now / 1000)).toBe('fresh');
    expect(cache.seen('nonce-aaaaaaaaaaaaaaaa')).toBe(true);
    expect(cache.remember('nonce-aaaaaaaaaaaaaaaa', now / 1000)).toBe('replayed');
    t = now + window + 1001;
    expect(cache.seen('nonce-aaaaaaaaaaaaaaaa')).toBe(false);
  });

  it('keeps a nonce stamped in the future until that timestamp leaves the window', () => {
    let t = now;
    const cache = new ReplayCache({ capacity: 10, windowMs: window }, () => t);
    cache.remember('nonce-ffffffffffffffff', (now + 25_000) / 1000);
    t = now + 50_000;
    expect(cache.seen('nonce-ffffffffffffffff')).toBe(true);
    t = now + 25_000 + window + 1001;
    expect(cache.seen('nonce-ffffffffffffffff')).toBe(false);
  });

  it('never holds more than its capacity and never refuses a fresh nonce', () => {
    let t = now;
    const cache = new ReplayCache({ capacity: 3, windowMs: window }, () => t);
    for (let i = 0; i < 100; i++) {
      t += 10;
      expect(cache.remember(`nonce-${String(i).padStart(16, '0')}`, t / 1000)).toBe('fresh');
      expect(cache.size).toBeLessThanOrEqual(3);
    }
  });

  it('is sized from the rate limit: burst plus rps over twice the window', () => {
    expect(ReplayCache.capacityFor(50, 50, 30_000)).toBe(50 + 3000 + 1);
  });
});
