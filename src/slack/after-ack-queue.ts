/**
 * Work that runs after a slash command has been acked (Bolt's parse, middleware and the listener), kept
 * out of the way of the next acks. Run in the same turn as the ack, Bolt's chain for one request holds
 * the event loop while the next requests' bytes wait in their sockets; in a burst of 50 that wait is
 * what made netpeek's ack p99 several times a bare node:http server's.
 *
 * So jobs wait for a quiet moment: one runs only once no request has arrived for `quietMs`, each in its
 * own event-loop turn (setImmediate: the poll phase takes in whatever arrived before the next one runs).
 * A burst is acked whole before its first answer starts, even when its requests trickle in a fraction
 * of a millisecond apart. While waiting, the queue sleeps on a timer rather than spinning through
 * event-loop turns, so it leaves the CPU to the client and everyone else on the machine.
 *
 * A flood that never pauses must still get its answers, but a burst is not a flood: while requests keep
 * arriving, the jobs are held back for up to `maxDeferMs` (long enough for a burst of 50 to be acked on
 * a loaded machine, where one takes 10–30 ms), and only past that does one job run anyway every
 * `floodIntervalMs`, so answers then progress at ≥ 1000 / floodIntervalMs a second and every one is
 * delivered. (With one job forced every 10 ms from the burst's first ack, as before 2026-12-08, a burst
 * that took longer than 10 ms had answers run between its acks: in a profile of bench:slack's bursts
 * that was ~4 % of the bot's CPU inside burst windows, all of it ahead of the burst's last acks.)
 *
 * Bounded: past `limit` waiting jobs, `push` refuses and the caller tells the user it is busy, so a
 * flood cannot grow the heap without end.
 */

export interface AfterAckQueueOptions {
  /** Most jobs waiting at once; `push` returns false past it. */
  limit: number;
  /** How long no request must have arrived before a job runs, ms. */
  quietMs: number;
  /** While requests keep arriving, jobs are held back at most this long before one runs anyway, ms. */
  maxDeferMs: number;
  /** Once held back that long, one job runs every this many ms while requests keep arriving (default maxDeferMs). */
  floodIntervalMs?: number;
  now?: () => number;
  /** Where a job's synchronous throw goes (jobs are expected to handle their own rejections). */
  onError?: (err: unknown) => void;
}

export class AfterAckQueue {
  private readonly jobs: Array<() => void> = [];
  private head = 0;
  /** A turn is scheduled (an immediate or a timer). */
  private scheduled = false;
  private lastArrivalAt = -Infinity;
  /** When arrivals began holding the jobs back (undefined once a quiet moment let one run, or none wait). */
  private heldSince: number | undefined;
  /** When the last job forced through a flood ran, since `heldSince`. */
  private lastForcedAt: number | undefined;
  private readonly now: () => number;
  private readonly turnNow = () => this.turn();

  constructor(private readonly o: AfterAckQueueOptions) {
    this.now = o.now ?? (() => performance.now());
  }

  /** Jobs waiting to run. */
  get waiting(): number {
    return this.jobs.length - this.head;
  }

  /** A request has arrived: jobs wait until `quietMs` after it (or until their turn under a flood). */
  noteArrival(): void {
    this.lastArrivalAt = this.now();
  }

  /** Queues a job; false when `limit` jobs are already waiting (nothing is queued then). */
  push(job: () => void): boolean {
    if (this.waiting >= this.o.limit) return false;
    this.jobs.push(job);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turnNow);
    }
    return true;
  }

  private turn(): void {
    this.scheduled = false;
    if (this.waiting === 0) {
      this.release();
      return;
    }
    const t = this.now();
    const quietFor = t - this.lastArrivalAt;
    if (quietFor >= this.o.quietMs) {
      this.release();
    } else {
      this.heldSince ??= t;
      const dueAt = this.lastForcedAt === undefined ? this.heldSince + this.o.maxDeferMs : this.lastForcedAt + (this.o.floodIntervalMs ?? this.o.maxDeferMs);
      if (t < dueAt) {
        // Requests are arriving: sleep until it has been quiet for quietMs, or until a job is due anyway.
        this.scheduled = true;
        setTimeout(this.turnNow, Math.max(1, Math.ceil(Math.min(this.o.quietMs - quietFor, dueAt - t))));
        return;
      }
      this.lastForcedAt = t;
    }
    this.runOne();
    if (this.waiting > 0) {
      this.scheduled = true;
      setImmediate(this.turnNow);
    } else this.release();
  }

  /** Nothing is held back any more: the next arrival starts a new maxDeferMs. */
  private release(): void {
    this.heldSince = this.lastForcedAt = undefined;
  }

  private runOne(): void {
    const job = this.jobs[this.head] as () => void;
    this.jobs[this.head++] = noop;
    if (this.head > 1024 && this.head * 2 > this.jobs.length) {
      this.jobs.splice(0, this.head);
      this.head = 0;
    }
    try {
      job();
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}

function noop(): void {}
