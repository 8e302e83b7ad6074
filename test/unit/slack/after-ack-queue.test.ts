import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AfterAckQueue } from '../../../src/slack/after-ack-queue.js';

// Fake timers: the queue's immediates and timers run when the test says, never on their own; the queue
// reads the time from `clock`, which only `wait` moves.
let clock = 0;
beforeEach(() => {
  clock = 0;
  vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs the queue's next `n` scheduled turns without moving the clock. */
const turns = (n = 1) => {
  for (let i = 0; i < n; i++) vi.advanceTimersToNextTimer();
};
/** `ms` pass: the clock moves and whatever the queue scheduled in that time runs. */
const wait = (ms: number) => {
  clock += ms;
  vi.advanceTimersByTime(ms);
};
const queue = (o: { limit?: number; quietMs?: number; maxDeferMs?: number; floodIntervalMs?: number; onError?: (e: unknown) => void } = {}) =>
  new AfterAckQueue({
    limit: o.limit ?? 10,
    quietMs: o.quietMs ?? 2,
    maxDeferMs: o.maxDeferMs ?? 10,
    ...(o.floodIntervalMs !== undefined ? { floodIntervalMs: o.floodIntervalMs } : {}),
    now: () => clock,
    ...(o.onError ? { onError: o.onError } : {}),
  });

/** Requests arrive every millisecond for up to `ms` ms (or until `until`); the milliseconds at which a job ran. */
function flood(q: AfterAckQueue, ran: unknown[], ms: number, until: () => boolean): number[] {
  const runsAt: number[] = [];
  for (let t = 1; t <= ms && !until(); t++) {
    q.noteArrival();
    const before = ran.length;
    wait(1);
    if (ran.length > before) runsAt.push(t);
  }
  return runsAt;
}

describe('AfterAckQueue: work after the ack, once requests stop arriving', () => {
  it('with no requests arriving, runs every job in the order queued, one per turn', () => {
    const q = queue();
    const ran: number[] = [];
    for (const n of [1, 2, 3]) expect(q.push(() => ran.push(n))).toBe(true);
    expect(ran).toEqual([]);
    turns();
    expect(ran).toEqual([1]);
    turns(2);
    expect(ran).toEqual([1, 2, 3]);
    expect(q.waiting).toBe(0);
  });

  it('holds jobs back until no request has arrived for quietMs', () => {
    const q = queue({ quietMs: 2, maxDeferMs: 100 });
    const ran: number[] = [];
    q.noteArrival();
    q.push(() => ran.push(1));
    q.push(() => ran.push(2));
    // A burst: a request every millisecond for 8 ms; nothing runs while it lasts.
    for (let i = 0; i < 8; i++) {
      wait(1);
      q.noteArrival();
    }
    expect(ran).toEqual([]);
    wait(1); // 1 ms after the last arrival: not quiet yet
    expect(ran).toEqual([]);
    wait(1); // 2 ms: quiet, the first job runs, the next in the following turn
    expect(ran).toEqual([1]);
    turns();
    expect(ran).toEqual([1, 2]);
  });

  it('an arrival between two jobs holds the rest back again', () => {
    const q = queue({ quietMs: 2, maxDeferMs: 100 });
    const ran: number[] = [];
    for (const n of [1, 2, 3]) q.push(() => ran.push(n));
    turns();
    expect(ran).toEqual([1]);
    q.noteArrival();
    turns();
    expect(ran).toEqual([1]);
    wait(1);
    expect(ran).toEqual([1]);
    wait(1); // quiet for 2 ms: the next job runs, the last in the following turn
    expect(ran).toEqual([1, 2]);
    turns();
    expect(ran).toEqual([1, 2, 3]);
  });

  it('under a flood that never pauses, one job still runs every maxDeferMs until all have run', () => {
    const q = queue({ quietMs: 2, maxDeferMs: 10 });
    const ran: number[] = [];
    q.noteArrival();
    for (let n = 0; n < 5; n++) q.push(() => ran.push(n));
    turns(); // the first turn holds them back, at 0 ms
    const runsAt: number[] = [];
    for (let ms = 1; ms <= 60 && ran.length < 5; ms++) {
      q.noteArrival(); // a request every millisecond, all the way through
      const before = ran.length;
      wait(1);
      if (ran.length > before) runsAt.push(ms);
    }
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(runsAt).toEqual([10, 20, 30, 40, 50]);
  });

  it('a burst holds jobs back for maxDeferMs, and only a flood longer than that gets one every floodIntervalMs', () => {
    const q = queue({ quietMs: 2, maxDeferMs: 100, floodIntervalMs: 10 });
    const ran: number[] = [];
    q.noteArrival();
    for (let n = 0; n < 5; n++) q.push(() => ran.push(n));
    turns(); // held back from 0 ms
    expect(flood(q, ran, 200, () => ran.length === 5)).toEqual([100, 110, 120, 130, 140]);
  });

  it('a quiet moment ends the hold: the next burst is held back for the whole maxDeferMs again', () => {
    const q = queue({ quietMs: 2, maxDeferMs: 100, floodIntervalMs: 10 });
    const ran: number[] = [];
    q.noteArrival();
    for (let n = 0; n < 5; n++) {
      q.push(() => {
        ran.push(n);
        // A request arrives while job 2 runs: the next burst has begun.
        if (n === 2) q.noteArrival();
      });
    }
    turns();
    expect(flood(q, ran, 110, () => false)).toEqual([100, 110]);
    wait(2); // quiet: job 2 runs, and the request that came in meanwhile holds the rest back
    expect(ran).toEqual([0, 1, 2]);
    expect(flood(q, ran, 99, () => false)).toEqual([]);
    expect(flood(q, ran, 10, () => ran.length === 4)).toEqual([1]);
  });

  it('refuses past its limit and takes jobs again once they have run', () => {
    const q = queue({ limit: 2 });
    expect(q.push(() => undefined)).toBe(true);
    expect(q.push(() => undefined)).toBe(true);
    expect(q.push(() => undefined)).toBe(false);
    expect(q.waiting).toBe(2);
    turns();
    expect(q.push(() => undefined)).toBe(true);
  });

  it('a job that throws is reported and the next jobs still run', () => {
    const errors: unknown[] = [];
    const q = queue({ onError: (e) => errors.push(e) });
    const ran: string[] = [];
    q.push(() => {
      throw new Error('boom');
    });
    q.push(() => ran.push('after'));
    turns(2);
    expect((errors[0] as Error).message).toBe('boom');
    expect(ran).toEqual(['after']);
  });
});
