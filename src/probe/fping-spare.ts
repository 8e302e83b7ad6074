import { startProgram, type StartedProgram } from './exec.js';
import { fpingArgs, type IcmpRunOptions } from './icmp.js';

/**
 * One fping process started ahead of the batch that will use it, for a prober that lives long (the
 * node's agent). Starting fping is most of a small ICMP batch's time: a fork of the whole Node process
 * (which also stalls the agent's other work in flight, a socket read beside it) and fping's own start,
 * against a reply that takes a twentieth of a millisecond on a node. Given no address on its command
 * line, fping reads its targets from stdin, so the spare waits there with the options of the last batch,
 * and the next batch with the same options writes its addresses (checked by the prober's allow-list
 * like any other) and closes stdin. Nothing is sent before that. The next spare is started a moment
 * after a batch, not during it, so that its fork does not hold up the answers still in flight.
 */
export class FpingSpare {
  private spare?: { key: string; program: StartedProgram };
  private refill?: NodeJS.Timeout;
  private closed = false;
  /** Spares started so far: what tells a spare that is never started from one started and failing. */
  private starts = 0;

  constructor(
    private readonly fping: string,
    /** How long after a batch ended (batchDone) the next spare starts. */
    private readonly refillDelayMs = 50,
  ) {}

  /**
   * The waiting spare when it was started with exactly these options (its addresses then go to its
   * stdin), else undefined and the caller starts fping itself. Either way the caller says batchDone
   * when the batch has its answers.
   */
  take(o: Pick<IcmpRunOptions, 'count' | 'timeoutMs' | 'periodMs'>): StartedProgram | undefined {
    if (this.closed) return undefined;
    const key = spareKey(o);
    const spare = this.spare;
    this.spare = undefined;
    // No spare is started while this batch runs: a refill timed from the batch's start landed its fork
    // in the middle of any batch longer than the delay (a loaded node, a slow address).
    clearTimeout(this.refill);
    if (spare?.key === key && spare.program.waiting) return spare.program;
    spare?.program.kill();
    return undefined;
  }

  /** The batch that took (or missed) the spare is answered: a spare with its options starts `refillDelayMs` from now. */
  batchDone(o: Pick<IcmpRunOptions, 'count' | 'timeoutMs' | 'periodMs'>): void {
    if (!this.closed) this.scheduleRefill(o);
  }

  get started(): number {
    return this.starts;
  }

  /**
   * Ends the waiting spare and starts no other: the prober is going away, or fping is not installed (a
   * spare would then be a failing spawn, and a fork of the whole process, after every batch).
   */
  close(): void {
    this.closed = true;
    clearTimeout(this.refill);
    this.spare?.program.kill();
    this.spare = undefined;
  }

  private scheduleRefill(o: Pick<IcmpRunOptions, 'count' | 'timeoutMs' | 'periodMs'>): void {
    clearTimeout(this.refill);
    this.refill = setTimeout(() => {
      if (this.closed) return;
      this.spare?.program.kill();
      const program = startProgram(this.fping, fpingArgs([], o));
      this.starts++;
      // A spare never keeps the process alive, and dies with it: its stdin closes, and fping with no
      // target exits.
      program.unref();
      this.spare = { key: spareKey(o), program };
    }, this.refillDelayMs);
    this.refill.unref();
  }
}

function spareKey(o: Pick<IcmpRunOptions, 'count' | 'timeoutMs' | 'periodMs'>): string {
  return fpingArgs([], o).join(' ');
}
