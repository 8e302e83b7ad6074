import { describe, expect, it } from 'vitest';
import { InflightGate, TokenBucket } from '../../../src/agent/limits.js';
import { deadlineFor } from '../../../src/agent/handlers.js';

describe('TokenBucket', () => {
  it('allows a burst of rps, then one per 1/rps seconds, with a Retry-After', () => {
    let t = 0;
    const bucket = new TokenBucket(2, undefined, () => t);
    expect(bucket.take()).toEqual({ ok: true });
    expect(bucket.take()).toEqual({ ok: true });
    expect(bucket.take()).toEqual({ ok: false, retryAfterSec: 1 });
    t += 500;
    expect(bucket.take()).toEqual({ ok: true });
    expect(bucket.take().ok).toBe(false);
    t += 10_000;
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take().ok).toBe(false);
  });

  it('says how long to wait when the rate is below one per second', () => {
    let t = 0;
    const slow = new TokenBucket(0.25, 1, () => t);
    expect(slow.take().ok).toBe(true);
    expect(slow.take()).toEqual({ ok: false, retryAfterSec: 4 });
  });
});

describe('InflightGate', () => {
  it('gives a batch all its slots or none, and releases once', () => {
    const gate = new InflightGate(10);
    const a = gate.tryAcquire(6);
    expect(a).toBeTypeOf('function');
    expect(gate.tryAcquire(5)).toBeUndefined();
    const b = gate.tryAcquire(4);
    expect(gate.inFlight).toBe(10);
    a?.();
    a?.();
    expect(gate.inFlight).toBe(4);
    b?.();
    expect(gate.inFlight).toBe(0);
    expect(gate.tryAcquire(11)).toBeUndefined();
  });
});

describe('batch deadline', () => {
  it('covers every echo request plus a margin, capped by the agent', () => {
    expect(deadlineFor({ timeoutMs: 1000, count: 3 }, { maxDeadlineMs: 30_000 })).toBe(5000);
    expect(deadlineFor({ timeoutMs: 10_000, count: 10 }, { maxDeadlineMs: 30_000 })).toBe(30_000);
    expect(deadlineFor({ timeoutMs: 1000, count: 1, deadlineMs: 1500 }, { maxDeadlineMs: 30_000 })).toBe(1500);
  });
});
