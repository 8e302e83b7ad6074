import type { Logger } from '../log.js';
import { StateUnavailableError, type ReportHistory } from './history.js';
import type { ReportRun, RunDigest, TickRecord, TickState } from './model.js';
import type { SqliteReportHistory } from './sqlite-history.js';
import type { TickClaim, TickLedger } from './tick-key.js';

/**
 * Several replicas: the cluster's ConfigMaps are the truth for diffs and tick keys; the local SQLite file
 * keeps the full history (and mirrors every tick record). When the API server cannot be reached, the
 * leader may go on alone only while its Lease is still valid — nobody else can acquire it before it
 * expires, so a tick key kept locally is enough for that window; the Slack-side check (scheduler) covers
 * a leader that dies before the cluster hears about its post.
 */
export class ReplicatedState implements ReportHistory, TickLedger {
  constructor(
    private readonly cluster: ReportHistory & TickLedger,
    private readonly local: SqliteReportHistory,
    /** True while this process may act without the cluster (its lease is valid for a while yet). */
    private readonly mayActAlone: () => boolean,
    private readonly log?: Logger,
  ) {}

  private fallback<T>(what: string, err: unknown, alone: () => Promise<T>): Promise<T> {
    if (!(err instanceof StateUnavailableError)) throw err;
    if (!this.mayActAlone()) throw err;
    this.log?.warn({ err: err.message, what }, 'report state in the cluster is unreachable; using the local copy while the lease is valid');
    return alone();
  }

  async save(run: ReportRun): Promise<void> {
    await this.local.save(run);
    try {
      await this.cluster.save(run);
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      this.log?.warn({ err: err.message, report: run.report, tick: run.tickKey }, 'run stored locally only; the cluster copy is written with the next run');
    }
  }

  async latest(report: string, opts: { before?: string } = {}): Promise<ReportRun | undefined> {
    try {
      return (await this.cluster.latest(report, opts)) ?? (await this.local.latest(report, opts));
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      return this.local.latest(report, opts);
    }
  }

  async recent(report: string, limit: number): Promise<RunDigest[]> {
    try {
      return await this.cluster.recent(report, limit);
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      return this.local.recent(report, limit);
    }
  }

  async get(report: string, key: string): Promise<TickRecord | undefined> {
    try {
      return await this.cluster.get(report, key);
    } catch (err) {
      return this.fallback('read a tick key', err, () => this.local.get(report, key));
    }
  }

  async claim(claim: TickClaim, takeOver: readonly TickState[] = []): Promise<{ ok: boolean; record: TickRecord }> {
    try {
      const decision = await this.cluster.claim(claim, takeOver);
      if (decision.ok) this.local.putTick(decision.record);
      return decision;
    } catch (err) {
      return this.fallback('claim a tick', err, () => this.local.claim(claim, takeOver));
    }
  }

  async advance(report: string, key: string, holder: string, state: TickState, extra: Pick<TickRecord, 'channel' | 'messageTs'> = {}): Promise<boolean> {
    try {
      const ok = await this.cluster.advance(report, key, holder, state, extra);
      if (ok) await this.local.advance(report, key, holder, state, extra).catch(() => false);
      return ok;
    } catch (err) {
      return this.fallback(`mark a tick ${state}`, err, () => this.local.advance(report, key, holder, state, extra));
    }
  }
}
