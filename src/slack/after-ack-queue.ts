/**
 * Work that runs after a slash command has been acked (Bolt's parse, middleware and the listener), kept
 * out of the way of the next acks. Run in the same turn as the ack, Bolt's chain for one request holds
 * the event loop while the next requests' bytes wait in their sockets; in a burst of 50 that wait is
 * what made netpeek's ack p99 twice a bare node:http server's. So each job is its own event-loop turn
 * (setImmediate: after the poll phase has taken in whatever arrived), and while requests keep arriving
 * the jobs wait for them, for at most `maxDeferMs` from the first time they were held back until the queue is next empty — a flood that
 * never pauses must still get its answers.
 *
 * Bounded: past `limit` waiting jobs, `push` refuses and the caller tells the user it is busy, so a
 * flood cannot grow the heap without end.
 */

export interface AfterAckQueueOptions {
  /** Most jobs waiting at once; `push` returns false past it. */
  limit: number;
  /** How long, in all, jobs may be held back for arriving requests before they run regardless, ms. */
  maxDeferMs: number;
  now?: () => number;
  /** Where a job's synchronous throw goes (jobs are expected to handle their own rejections). */
  onError?: (err: unknown) => void;
}

export class AfterAckQueue {
  private readonly jobs: Array<() => void> = [];
  private head = 0;
  private scheduled = false;
  private arrivals = 0;
  private seenArrivals = 0;
  /** When the current run of deferrals began; undefined when jobs are not being held back. */
  private deferringSince: number | undefined;
  /** Set once the budget is spent: no more deferring until the queue has been empty. */
  private budgetSpent = false;
  private readonly now: () => number;

  constructor(private readonly o: AfterAckQueueOptions) {
    this.now = o.now ?? (() => performance.now());
  }

  /** Jobs waiting to run. */
  get waiting(): number {
    return this.jobs.length - this.head;
  }

  /** A request has arrived: jobs yield to it for a turn. */
  noteArrival(): void {
    this.arrivals++;
  }

  /** Queues a job; false when `limit` jobs are already waiting (nothing is queued then). */
  push(job: () => void): boolean {
    if (this.waiting >= this.o.limit) return false;
    this.jobs.push(job);
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    if (this.waiting === 0) return;
    if (this.shouldDefer()) return this.schedule();
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
    if (this.waiting > 0) this.schedule();
    else {
      this.budgetSpent = false;
      this.deferringSince = undefined;
    }
  }

  private shouldDefer(): boolean {
    const arrived = this.arrivals !== this.seenArrivals;
    this.seenArrivals = this.arrivals;
    if (!arrived || this.budgetSpent) return false;
    const t = this.now();
    this.deferringSince ??= t;
    if (t - this.deferringSince >= this.o.maxDeferMs) {
      this.budgetSpent = true;
      return false;
    }
    return true;
  }
}

function noop(): void {}
