import type { Logger } from '../log.js';
import type { ProbeService } from '../probe/vantage.js';
import { findDefinition, listReports, runReportNow, type ReportCatalog, type ReportListing, type ReportView } from './catalog.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { formatProblem, type LoadedDefinitions, type ReportDefinition } from './definitions.js';
import { diffRuns, nothingToReport, verdictLine } from './diff.js';
import { flipChanges } from './flip-changes.js';
import type { ChangeLog } from '../sources/kube-recent-changes.js';
import { StateUnavailableError, type ReportHistory } from './history.js';
import { digestOf, tickKeyOf, type ReportRun, type RunCounts, type RunTrigger } from './model.js';
import { TREND_RUNS, withCurrent } from './trend.js';
import { toReportMessage } from '../render/report-blocks.js';
import { reportDigest } from './report-digest.js';
import { runReport, type ProbeCaps } from './run.js';
import { CronSchedule, shortTime } from './schedule.js';
import type { ReportPoster } from './report-poster.js';
import type { TargetSources } from './targets.js';
import { isFinal, type TickLedger } from './tick-key.js';

/**
 * Ties the reports together: a timer per report at its next cron time; at each tick the leader
 * claims the tick key, runs, stores, diffs and posts — the key moves to `posting` before the message is
 * sent and to `posted` after. Ticks of one report run one after another.
 *
 * On start, and whenever this replica becomes leader, the latest tick of each report runs once (marked
 * late) if it is less than one period old and was not posted: ticks missed while no replica led are not
 * lost, and a tick another replica posted is never posted again. A tick found in `posting` (its poster
 * died between sending and recording) is looked up in the channel by its message metadata first.
 */

/** Who may run schedules now. LeaseElector implements it; without one this process always leads. */
export interface Leadership {
  isLeader(): boolean;
  /** How long nobody else can take over (ms); posting needs a margin of it. */
  validForMs(): number;
  onChange(fn: (leading: boolean) => void): () => void;
}

export type TickOutcome =
  | 'posted'
  | 'quiet'
  | 'already-posted'
  | 'not-leader'
  | 'claimed-elsewhere'
  | 'lost-leadership'
  | 'fenced'
  | 'post-failed'
  | 'unverifiable'
  | 'no-poster'
  | 'failed'
  | 'aborted';

/** The store went away after the tick was claimed: what still happened. */
export interface TickStorage {
  /** The run is not in the history (posted with a note saying so). */
  runStored: boolean;
  /** The tick's posting/posted state is not recorded; kept in memory and written when the store returns. */
  tickRecorded: boolean;
}

export interface TickEvent {
  report: string;
  tickKey: string;
  trigger: RunTrigger;
  outcome: TickOutcome;
  /** Slack ts when posted. */
  ts?: string;
  error?: string;
  /** Set when the store went away mid-run: what was not kept. */
  storage?: TickStorage;
  /** The targets of the run this tick made or reused (absent when it ran nothing). */
  counts?: RunCounts;
}

export interface SchedulerOptions {
  definitions: LoadedDefinitions & { file?: string };
  sources: TargetSources;
  probes?: ProbeService;
  history: ReportHistory;
  ticks: TickLedger;
  /** Absent: runs are stored but posted nowhere (logged). */
  poster?: ReportPoster;
  leader?: Leadership;
  /** Holder identity of this process in tick claims (and the Lease). */
  identity: string;
  clock?: Clock;
  log: Logger;
  caps?: Partial<ProbeCaps>;
  /** Lease validity (ms) a post needs; default 2000. */
  postMarginMs?: number;
  /** Called after every tick attempt (tests, metrics). */
  onTick?: (e: TickEvent) => void;
  /** The change history of a report's cluster (its `cluster`, else the default context), for "what changed" under a flip. */
  changes?: (cluster?: string) => ChangeLog | undefined;
}

interface Armed {
  def: ReportDefinition;
  schedule: CronSchedule;
  timer?: TimerHandle;
  chain: Promise<void>;
}

export class ReportScheduler implements ReportCatalog {
  private readonly clock: Clock;
  private readonly armed = new Map<string, Armed>();
  private readonly aborter = new AbortController();
  private unsubscribe?: () => void;
  private running = false;
  /** Ticks posted while the store was down: their `posted` record is written once it is back. */
  private readonly unrecorded = new Map<string, { report: string; channel: string; ts: string }>();

  constructor(private readonly o: SchedulerOptions) {
    this.clock = o.clock ?? systemClock;
    for (const def of o.definitions.reports) this.armed.set(def.name, { def, schedule: new CronSchedule(def.schedule, def.timezone), chain: Promise.resolve() });
  }

  get reports(): ReportDefinition[] {
    return [...this.armed.values()].map((a) => a.def);
  }

  /** Arms every report's timer; catches up now when leading, and again whenever leadership is gained. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const p of this.o.definitions.problems) this.o.log.error({ problem: formatProblem(p) }, 'report definition refused');
    for (const a of this.armed.values()) this.arm(a);
    this.unsubscribe = this.o.leader?.onChange((leading) => {
      if (leading && this.running) this.catchUp();
    });
    this.o.log.info({ reports: this.reports.map((r) => r.name), refused: this.o.definitions.problems.length }, 'report scheduler started');
    if (!this.o.leader || this.o.leader.isLeader()) this.catchUp();
  }

  /** Stops the timers, aborts runs in progress (their ticks stay claimed, and run late after a restart) and waits for them. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    for (const a of this.armed.values()) a.timer?.cancel();
    this.aborter.abort(new Error('netpeek is stopping'));
    await this.idle();
  }

  /** Resolves when no tick is queued or running. */
  async idle(): Promise<void> {
    for (;;) {
      const chains = [...this.armed.values()].map((a) => a.chain);
      await Promise.all(chains);
      if ([...this.armed.values()].every((a, i) => a.chain === chains[i])) return;
    }
  }

  private arm(a: Armed): void {
    if (!this.running) return;
    const next = a.schedule.next(this.clock.now());
    if (!next) return;
    a.timer = this.clock.setTimer(() => {
      this.enqueue(a, next, 'schedule', false);
      this.arm(a);
    }, next.getTime() - this.clock.now());
  }

  /** Runs the latest due tick of each report once, late, if it is less than one period old. */
  catchUp(): void {
    const now = this.clock.now();
    for (const a of this.armed.values()) {
      const prev = a.schedule.previous(now);
      if (!prev) continue;
      if (now - prev.getTime() >= a.schedule.periodAt(prev)) continue;
      this.enqueue(a, prev, 'catch-up', true);
    }
  }

  private enqueue(a: Armed, scheduledAt: Date, trigger: RunTrigger, late: boolean): void {
    a.chain = a.chain.then(() => this.tick(a.def, scheduledAt, trigger, late));
  }

  private async tick(def: ReportDefinition, scheduledAt: Date, trigger: RunTrigger, late: boolean): Promise<void> {
    const tickKey = tickKeyOf(def.name, scheduledAt);
    const log = this.o.log.child({ report: def.name, tick: tickKey, trigger });
    let event: TickEvent;
    try {
      event = await this.execute(def, scheduledAt, trigger, late, tickKey, log);
    } catch (err) {
      const aborted = this.aborter.signal.aborted;
      event = { report: def.name, tickKey, trigger, outcome: aborted ? 'aborted' : 'failed', error: (err as Error).message };
      if (aborted) log.warn({ err: (err as Error).message }, 'report run stopped before it finished; the tick runs again (late) after a restart');
      else log.error({ err }, 'report tick failed');
    }
    if (!['not-leader', 'already-posted', 'claimed-elsewhere'].includes(event.outcome)) log.info({ outcome: event.outcome, ...(event.ts ? { ts: event.ts } : {}) }, 'report tick');
    this.o.onTick?.(event);
  }

  private async execute(def: ReportDefinition, scheduledAt: Date, trigger: RunTrigger, late: boolean, tickKey: string, log: Logger): Promise<TickEvent> {
    const { history, ticks, leader, poster } = this.o;
    let counts: RunCounts | undefined;
    const ev = (outcome: TickOutcome, extra: Partial<TickEvent> = {}): TickEvent => ({ report: def.name, tickKey, trigger, outcome, ...(counts ? { counts } : {}), ...extra });
    if (leader && !leader.isLeader()) return ev('not-leader');
    for (const [key, p] of this.unrecorded) if (p.report === def.name && key !== tickKey) await this.recordPosted(p.report, key, p.channel, p.ts, log);
    const pending = this.unrecorded.get(tickKey);
    if (pending) {
      await this.recordPosted(def.name, tickKey, pending.channel, pending.ts, log);
      return ev('already-posted', { ts: pending.ts });
    }
    const existing = await ticks.get(def.name, tickKey);
    if (existing && isFinal(existing.state)) return ev('already-posted');

    // A post may have gone out without being recorded: the channel knows.
    if (existing?.state === 'posting') {
      if (!poster) return ev('no-poster');
      let found: string | undefined;
      try {
        found = await poster.findPosted(existing.channel ?? def.channel, tickKey, new Date(scheduledAt.getTime() - 60_000));
      } catch (err) {
        log.error({ err: (err as Error).message }, 'a post of this tick may have reached Slack, and the channel could not be read to check; not posting it again');
        return ev('unverifiable', { error: (err as Error).message });
      }
      const claim = await ticks.claim({ report: def.name, key: tickKey, scheduledAt: scheduledAt.toISOString(), holder: this.o.identity, late, at: this.iso() }, ['running', 'posting']);
      if (!claim.ok) return ev('claimed-elsewhere');
      if (found) {
        await ticks.advance(def.name, tickKey, this.o.identity, 'posted', { channel: def.channel, messageTs: found });
        log.info({ ts: found }, 'found this tick already posted in the channel; recorded it');
        return ev('already-posted', { ts: found });
      }
    } else {
      const claim = await ticks.claim({ report: def.name, key: tickKey, scheduledAt: scheduledAt.toISOString(), holder: this.o.identity, late, at: this.iso() }, ['running']);
      if (!claim.ok) return ev(isFinal(claim.record.state) ? 'already-posted' : 'claimed-elsewhere');
    }

    // Run (or reuse the run an interrupted attempt of this tick stored), store, diff.
    const stored = await history.latest(def.name);
    const previous = await history.latest(def.name, { before: scheduledAt.toISOString() });
    let run: ReportRun;
    if (stored?.tickKey === tickKey) run = stored;
    else {
      run = await runReport(def, { tickKey, scheduledAt, trigger, late }, { sources: this.o.sources, ...(this.o.probes ? { probes: this.o.probes } : {}), clock: this.clock, ...(this.o.caps ? { caps: this.o.caps } : {}), signal: this.aborter.signal }, previous);
    }
    counts = run.counts;
    const storage: TickStorage = { runStored: true, tickRecorded: true };
    // The store may have gone away while the targets were probed: the run is still posted (flapping
    // needs the recent runs; without them nothing is called flapping).
    // One read serves both: the last 6 for flapping, up to TREND_RUNS for the trend picture.
    const earlier = await history.recent(def.name, TREND_RUNS).catch((err: unknown) => {
      if (!(err instanceof StateUnavailableError)) throw err;
      return [];
    });
    const recent = earlier.slice(0, 6);
    const diff = diffRuns(run, previous, recent, def.thresholds.latencyWarnMs !== undefined ? { latencyWarnMs: def.thresholds.latencyWarnMs } : {});
    run.verdict = verdictLine(run, diff, (iso) => shortTime(iso, def.timezone, scheduledAt.getTime()));
    if (this.aborter.signal.aborted) throw new Error('stopping');
    if (run !== stored) {
      try {
        await history.save(run);
      } catch (err) {
        if (!(err instanceof StateUnavailableError)) throw err;
        // The store went away during the run: post it anyway, saying it is not kept.
        storage.runStored = false;
        run.notes.push('This run is not stored: the report history was unavailable when it finished, so the next run compares with the last stored one.');
        log.error({ err: err.message }, 'report run not stored: the history is unavailable; posting it marked as not stored');
      }
    }

    if (def.quiet && nothingToReport(run, diff)) {
      await ticks.advance(def.name, tickKey, this.o.identity, 'skipped');
      return ev('quiet');
    }
    if (!poster) {
      log.warn({ verdict: run.verdict }, 'report run stored but not posted: Slack is not configured');
      return ev('no-poster');
    }
    const margin = this.o.postMarginMs ?? 2000;
    if (leader && (!leader.isLeader() || leader.validForMs() < margin)) {
      log.warn({ validForMs: leader.validForMs() }, 'lost the lease during the run; the new leader runs this tick');
      return ev('lost-leadership');
    }
    // The idempotency key is stored before anything is sent. This instance holds the tick's claim, so when
    // the store has gone away since, it still posts (once: the claim stays ours) and records it later.
    try {
      if (!(await ticks.advance(def.name, tickKey, this.o.identity, 'posting', { channel: def.channel }))) return ev('fenced');
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      storage.tickRecorded = false;
      log.warn({ err: err.message }, 'the tick key could not be marked "posting" (store unavailable); this instance holds the claim and posts once');
    }
    // The trend picture: this run and the stored ones before it (none when the store is away).
    const flip = flipChanges(run, previous, diff, this.changeLog(def.cluster, log));
    const view: ReportView = { def, run, diff, now: this.clock.now(), trend: withCurrent(digestOf(run), earlier), ...(flip.total ? { flip } : {}) };
    let ts: string;
    try {
      ts = (await poster.post(def.channel, toReportMessage(reportDigest(view)))).ts;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'the report could not be posted; the tick stays in "posting" and is checked against the channel on the next start or takeover');
      return ev('post-failed', { error: (err as Error).message });
    }
    if (!(await this.recordPosted(def.name, tickKey, def.channel, ts, log))) storage.tickRecorded = false;
    return ev('posted', { ts, ...(storage.runStored && storage.tickRecorded ? {} : { storage }) });
  }

  /** The change history for a flip, when there is one; a cluster that cannot be asked means none. */
  private changeLog(cluster: string | undefined, log: Logger): ChangeLog | undefined {
    try {
      return this.o.changes?.(cluster);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'no change history for this report\'s cluster; the post lists no changes');
      return undefined;
    }
  }

  /** Marks a tick posted; while the store is down, remembers it and retries on the tick's next turn. */
  private async recordPosted(report: string, tickKey: string, channel: string, ts: string, log: Logger): Promise<boolean> {
    try {
      await this.o.ticks.advance(report, tickKey, this.o.identity, 'posted', { channel, messageTs: ts });
      this.unrecorded.delete(tickKey);
      return true;
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      this.unrecorded.set(tickKey, { report, channel, ts });
      log.warn({ err: err.message, ts }, 'posted, but the tick key could not be marked posted (store unavailable); kept in memory until it returns');
      return false;
    }
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  // ---- catalog ----

  async list(): Promise<ReportListing> {
    return {
      ...(this.o.definitions.file ? { file: this.o.definitions.file } : {}),
      reports: await listReports(this.reports, this.o.history, this.clock),
      problems: this.o.definitions.problems,
      runner: !this.running ? 'not-running' : !this.o.leader ? 'single' : this.o.leader.isLeader() ? 'leader' : 'follower',
    };
  }

  async runNow(name: string, signal?: AbortSignal): Promise<ReportView> {
    const def = findDefinition(name, this.reports, this.o.definitions.problems, this.o.definitions.file);
    return runReportNow(def, { sources: this.o.sources, ...(this.o.probes ? { probes: this.o.probes } : {}), clock: this.clock, ...(this.o.caps ? { caps: this.o.caps } : {}), ...(signal ? { signal } : {}) }, this.o.history);
  }
}
