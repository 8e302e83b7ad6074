import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/reports/clock.js';
import { CronSchedule, ScheduleError, shortTime } from '../../../src/reports/schedule.js';

const d = (s: string) => new Date(s);

describe('cron schedules with time zones', () => {
  it('computes the next and previous tick', () => {
    const s = new CronSchedule('0 * * * *', 'UTC');
    expect(s.next(d('2024-05-03T09:00:00Z'))?.toISOString()).toBe('2024-05-03T10:00:00.000Z');
    expect(s.previous(d('2024-05-03T09:59:59Z'))?.toISOString()).toBe('2024-05-03T09:00:00.000Z');
    expect(s.previous(d('2024-05-03T09:00:00Z'))?.toISOString()).toBe('2024-05-03T09:00:00.000Z');
  });

  it('reads the schedule in its time zone, across a DST change', () => {
    const s = new CronSchedule('0 8 * * 1-5', 'Europe/Berlin');
    // Friday 29 March 2024 08:00 CET = 07:00Z; the next is Monday 1 April 08:00 CEST = 06:00Z.
    expect(s.next(d('2024-03-29T07:00:00Z'))?.toISOString()).toBe('2024-04-01T06:00:00.000Z');
    expect(s.previous(d('2024-03-31T12:00:00Z'))?.toISOString()).toBe('2024-03-29T07:00:00.000Z');
  });

  it('a period is the shorter interval next to a tick (weekdays: one day, even on Friday)', () => {
    const s = new CronSchedule('0 8 * * 1-5', 'UTC');
    expect(s.periodAt(d('2024-05-03T08:00:00Z'))).toBe(24 * 3600_000);
    expect(new CronSchedule('*/15 * * * *').periodAt(d('2024-05-03T08:15:00Z'))).toBe(15 * 60_000);
  });

  it.each([
    ['0 25 * * *', 'UTC', 'Invalid value for hour: 25'],
    ['*/5 * * *', 'UTC', 'exactly five or six space separated parts'],
    ['0 * * * *', 'Mars/Olympus', 'not an IANA time zone'],
  ])('refuses %j in %s', (pattern, tz, reason) => {
    expect(() => new CronSchedule(pattern, tz)).toThrow(ScheduleError);
    expect(() => new CronSchedule(pattern, tz)).toThrow(reason);
  });

  it('short times are local to the report', () => {
    const now = Date.parse('2024-05-03T12:00:00Z');
    expect(shortTime('2024-05-03T09:00:00Z', 'Europe/Berlin', now)).toBe('11:00');
    expect(shortTime('2024-05-01T09:00:00Z', 'UTC', now)).toBe('Wed 09:00');
    expect(shortTime('2024-04-01T09:00:00Z', 'UTC', now)).toBe('1 Apr 09:00');
  });
});

describe('ManualClock', () => {
  it('fires timers in time order only when advanced, and lets them arm the next', async () => {
    const clock = new ManualClock('2024-05-03T09:00:00Z');
    const fired: string[] = [];
    const every = (ms: number) => {
      clock.setTimer(() => {
        fired.push(new Date(clock.now()).toISOString().slice(11, 19));
        every(ms);
      }, ms);
    };
    every(60_000);
    const cancelled = clock.setTimer(() => fired.push('never'), 30_000);
    cancelled.cancel();
    await clock.advance(59_999);
    expect(fired).toEqual([]);
    await clock.advance(2 * 60_000 + 1);
    expect(fired).toEqual(['09:01:00', '09:02:00', '09:03:00']);
    expect(clock.pending()).toBe(1);
  });
});
