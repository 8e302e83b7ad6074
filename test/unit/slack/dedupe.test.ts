import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Dedupe } from '../../../src/slack/dedupe.js';

describe('Dedupe', () => {
  it('lets a key through once', () => {
    const d = new Dedupe(60_000);
    expect(d.first('event:Ev1')).toBe(true);
    expect(d.first('event:Ev1')).toBe(false);
    expect(d.first('event:Ev2')).toBe(true);
  });

  it('drops a message seen under any of its keys (event id or channel+ts)', () => {
    const d = new Dedupe(60_000);
    expect(d.first('event:Ev1', 'msg:C1:1.1')).toBe(true);
    expect(d.first('event:Ev9', 'msg:C1:1.1')).toBe(false); // same message, other event (app_mention + message.im)
    expect(d.first('event:Ev1', 'msg:C1:2.2')).toBe(false);
  });

  it('ignores missing keys', () => {
    const d = new Dedupe(60_000);
    expect(d.first(undefined, '')).toBe(true);
    expect(d.first(undefined, '')).toBe(true);
    expect(d.size).toBe(0);
  });

  it('forgets after the TTL', async () => {
    const d = new Dedupe(40);
    expect(d.first('k')).toBe(true);
    expect(d.first('k')).toBe(false);
    await sleep(80);
    expect(d.first('k')).toBe(true);
  });

  it('is bounded in size', () => {
    const d = new Dedupe(60_000, 100);
    for (let i = 0; i < 1000; i += 1) d.first(`k${i}`);
    expect(d.size).toBe(100);
    expect(d.first('k999')).toBe(false);
    expect(d.first('k0')).toBe(true);
  });
});
