import { describe, expect, it } from 'vitest';
import { AfterAckQueue } from '../../../src/slack/after-ack-queue.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('AfterAckQueue: work after the ack, one job per event-loop turn', () => {
  it('runs every job in the order queued, one per turn', async () => {
    const q = new AfterAckQueue({ limit: 10, maxDeferMs: 20 });
    const ran: number[] = [];
    for (const n of [1, 2, 3]) expect(q.push(() => ran.push(n))).toBe(true);
    expect(ran).toEqual([]);
    await turn();
    expect(ran).toEqual([1]);
    await turn();
    await turn();
    expect(ran).toEqual([1, 2, 3]);
    expect(q.waiting).toBe(0);
  });

  it('holds jobs back while requests arrive, but no longer than maxDeferMs', async () => {
    let now = 0;
    const q = new AfterAckQueue({ limit: 10, maxDeferMs: 20, now: () => now });
    const ran: number[] = [];
    q.push(() => ran.push(1));
    q.push(() => ran.push(2));
    for (let i = 0; i < 5; i++) {
      q.noteArrival();
      now += 3;
      await turn();
    }
    expect(ran).toEqual([]); // 15 ms of arrivals: still yielding to them
    q.noteArrival();
    now += 10; // 25 ms since the first deferral: the budget is spent, arrivals no longer hold jobs back
    await turn();
    q.noteArrival();
    await turn();
    expect(ran).toEqual([1, 2]);
    // The queue was empty: the next job may be held back again.
    q.push(() => ran.push(3));
    q.noteArrival();
    await turn();
    expect(ran).toEqual([1, 2]);
    await turn();
    expect(ran).toEqual([1, 2, 3]);
  });

  it('refuses past its limit and takes jobs again once they have run', async () => {
    const q = new AfterAckQueue({ limit: 2, maxDeferMs: 20 });
    expect(q.push(() => undefined)).toBe(true);
    expect(q.push(() => undefined)).toBe(true);
    expect(q.push(() => undefined)).toBe(false);
    expect(q.waiting).toBe(2);
    await turn();
    expect(q.push(() => undefined)).toBe(true);
  });

  it('a job that throws is reported and the next jobs still run', async () => {
    const errors: unknown[] = [];
    const q = new AfterAckQueue({ limit: 10, maxDeferMs: 20, onError: (e) => errors.push(e) });
    const ran: string[] = [];
    q.push(() => {
      throw new Error('boom');
    });
    q.push(() => ran.push('after'));
    await turn();
    await turn();
    expect((errors[0] as Error).message).toBe('boom');
    expect(ran).toEqual(['after']);
  });
});
