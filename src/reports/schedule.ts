import { Cron } from 'croner';

/**
 * A report's cron schedule in its time zone (croner computes the times; nothing here arms a timer).
 * Five fields (minute hour day-of-month month day-of-week) or six with seconds first, plus croner's
 * nicknames (@hourly, @daily…). Day-of-month and day-of-week combine with OR, like Vixie cron.
 */

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

/** Undefined when the IANA time zone exists, else a sentence saying it does not. */
export function checkTimezone(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `"${tz}" is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`;
  }
}

function cronMessage(err: unknown, pattern: string): string {
  const msg = err instanceof Error ? err.message.replace(/^CronPattern:\s*/, '') : String(err);
  return `"${pattern}" is not a cron schedule: ${msg.replace(/\.$/, '')} (e.g. "0 * * * *" hourly, "0 8 * * 1-5" weekdays at 08:00)`;
}

// How far back `previous` looks for a tick before giving up (a yearly schedule still has one).
const MAX_LOOKBACK_MS = 400 * 24 * 3600_000;

export class CronSchedule {
  private readonly cron: Cron;

  constructor(
    readonly pattern: string,
    readonly timezone: string = 'UTC',
  ) {
    const tzProblem = checkTimezone(timezone);
    if (tzProblem) throw new ScheduleError(tzProblem);
    try {
      this.cron = new Cron(pattern, { timezone, paused: true });
    } catch (err) {
      throw new ScheduleError(cronMessage(err, pattern));
    }
    if (!this.cron.nextRun(new Date())) throw new ScheduleError(`"${pattern}" never fires (no future time matches it)`);
  }

  /** The first tick strictly after `after`. */
  next(after: Date | number): Date | undefined {
    return this.cron.nextRun(new Date(after)) ?? undefined;
  }

  /** The latest tick at or before `at`. */
  previous(at: Date | number): Date | undefined {
    const end = new Date(at).getTime();
    for (let window = 60_000; window <= MAX_LOOKBACK_MS * 2; window *= 4) {
      let t = this.cron.nextRun(new Date(end - Math.min(window, MAX_LOOKBACK_MS) - 1));
      if (t && t.getTime() <= end) {
        let last = t;
        while (t && t.getTime() <= end) {
          last = t;
          t = this.cron.nextRun(t);
        }
        return last;
      }
      if (window >= MAX_LOOKBACK_MS) break;
    }
    return undefined;
  }

  /**
   * The length of "one period" at a tick: the shorter of the intervals on either side of it, so a
   * weekday schedule's Friday tick has a period of one day, not the weekend.
   */
  periodAt(tick: Date): number {
    const after = this.next(tick);
    const before = this.previous(new Date(tick.getTime() - 1));
    const gaps = [after && after.getTime() - tick.getTime(), before && tick.getTime() - before.getTime()].filter((g): g is number => typeof g === 'number' && g > 0);
    return gaps.length ? Math.min(...gaps) : Number.POSITIVE_INFINITY;
  }
}

/** "09:00" today, "Mon 09:00" this week, "3 Mar 09:00" otherwise — in the report's time zone. */
export function shortTime(at: Date | string, tz: string, now: Date | number = Date.now()): string {
  const d = new Date(at);
  const parts = (date: Date, opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...opts }).format(date);
  const hm = parts(d, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = (date: Date) => parts(date, { year: 'numeric', month: '2-digit', day: '2-digit' });
  const ref = new Date(now);
  if (day(d) === day(ref)) return hm;
  if (Math.abs(ref.getTime() - d.getTime()) < 6 * 24 * 3600_000) return `${parts(d, { weekday: 'short' })} ${hm}`;
  return `${parts(d, { day: 'numeric', month: 'short' })} ${hm}`;
}

/** "2024-05-03 09:00 Europe/Berlin" for tables. */
export function localTime(at: Date | string, tz: string): string {
  const d = new Date(at);
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${f.format(d)} ${tz}`;
}
