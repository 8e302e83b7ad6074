import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_RETENTION, StateUnavailableError, type ReportHistory, type RetentionPolicy } from './history.js';
import { countResults, p95, statusLetter, type ReportRun, type RunDigest, type StatusLetter, type TargetResult, type TickRecord, type TickState } from './model.js';
import { DEFAULT_REPORTS_DB } from './report-config.js';
import { decideAdvance, decideClaim, type TickClaim, type TickLedger } from './tick-key.js';

/**
 * Report history and tick keys in SQLite (better-sqlite3): WAL, numbered migrations (PRAGMA
 * user_version), retention by age and count applied after every save. One row per target and run, in
 * one transaction per run.
 */


/** Each entry moves the schema from version i to i + 1. Never edit one that shipped; add another. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE report_runs (
     id INTEGER PRIMARY KEY,
     report TEXT NOT NULL,
     tick_key TEXT NOT NULL,
     scheduled_at INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     finished_at INTEGER NOT NULL,
     trigger TEXT NOT NULL,
     late INTEGER NOT NULL,
     verdict TEXT,
     notes TEXT NOT NULL DEFAULT '[]',
     UNIQUE (report, tick_key)
   );
   CREATE INDEX report_runs_by_time ON report_runs (report, scheduled_at DESC);
   CREATE TABLE report_results (
     run_id INTEGER NOT NULL REFERENCES report_runs (id) ON DELETE CASCADE,
     target TEXT NOT NULL,
     seq INTEGER NOT NULL,
     grp TEXT NOT NULL,
     subject TEXT NOT NULL,
     kind TEXT NOT NULL,
     ip TEXT,
     port INTEGER,
     vantage TEXT NOT NULL,
     status TEXT NOT NULL,
     ms REAL,
     loss_pct REAL,
     reason TEXT,
     detail TEXT,
     slow INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (run_id, target)
   ) WITHOUT ROWID;
   CREATE TABLE report_ticks (
     report TEXT NOT NULL,
     tick_key TEXT NOT NULL,
     scheduled_at TEXT NOT NULL,
     state TEXT NOT NULL,
     holder TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     channel TEXT,
     message_ts TEXT,
     late INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (report, tick_key)
   );`,
];

interface RunRow {
  id: number;
  report: string;
  tick_key: string;
  scheduled_at: number;
  started_at: number;
  finished_at: number;
  trigger: ReportRun['trigger'];
  late: number;
  verdict: string | null;
  notes: string;
}

interface ResultRow {
  target: string;
  grp: string;
  subject: string;
  kind: TargetResult['kind'];
  ip: string | null;
  port: number | null;
  vantage: string;
  status: TargetResult['status'];
  ms: number | null;
  loss_pct: number | null;
  reason: string | null;
  detail: string | null;
  slow: number;
}

interface TickRow {
  report: string;
  tick_key: string;
  scheduled_at: string;
  state: TickState;
  holder: string;
  updated_at: string;
  channel: string | null;
  message_ts: string | null;
  late: number;
}

export interface SqliteHistoryOptions {
  retention?: RetentionPolicy;
  /** For updatedAt and retention; default Date.now. */
  now?: () => number;
}

export class SqliteReportHistory implements ReportHistory, TickLedger {
  private readonly db: Database.Database;
  private readonly retention: RetentionPolicy;
  private readonly now: () => number;
  private readonly stmts: ReturnType<SqliteReportHistory['prepare']>;

  constructor(
    readonly path: string = DEFAULT_REPORTS_DB,
    opts: SqliteHistoryOptions = {},
  ) {
    this.retention = opts.retention ?? DEFAULT_RETENTION;
    this.now = opts.now ?? Date.now;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
    } catch (err) {
      throw new StateUnavailableError(`netpeek cannot open its report history at ${path} (NETPEEK_REPORTS_DB): ${err instanceof Error ? err.message : String(err)}. Point it at a writable volume.`, err);
    }
    this.stmts = this.prepare();
  }

  /** The schema version after migrations (for tests and `status`). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const from = this.db.pragma('user_version', { simple: true }) as number;
    if (from > MIGRATIONS.length) throw new Error(`the database has schema version ${from}, newer than this netpeek knows (${MIGRATIONS.length}); use a newer netpeek or another file`);
    for (let v = from; v < MIGRATIONS.length; v += 1) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  private prepare() {
    return {
      deleteRun: this.db.prepare('DELETE FROM report_runs WHERE report = ? AND tick_key = ?'),
      insertRun: this.db.prepare(
        `INSERT INTO report_runs (report, tick_key, scheduled_at, started_at, finished_at, trigger, late, verdict, notes)
         VALUES (@report, @tickKey, @scheduledAt, @startedAt, @finishedAt, @trigger, @late, @verdict, @notes)`,
      ),
      insertResult: this.db.prepare(
        `INSERT INTO report_results (run_id, target, seq, grp, subject, kind, ip, port, vantage, status, ms, loss_pct, reason, detail, slow)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      latestRun: this.db.prepare('SELECT * FROM report_runs WHERE report = ? AND scheduled_at < ? ORDER BY scheduled_at DESC, id DESC LIMIT 1'),
      recentRuns: this.db.prepare('SELECT * FROM report_runs WHERE report = ? ORDER BY scheduled_at DESC, id DESC LIMIT ?'),
      results: this.db.prepare('SELECT * FROM report_results WHERE run_id = ? ORDER BY seq'),
      statuses: this.db.prepare('SELECT target, status, ms FROM report_results WHERE run_id = ?'),
      pruneAge: this.db.prepare('DELETE FROM report_runs WHERE report = ? AND scheduled_at < ?'),
      pruneCount: this.db.prepare(
        'DELETE FROM report_runs WHERE report = ? AND id NOT IN (SELECT id FROM report_runs WHERE report = ? ORDER BY scheduled_at DESC, id DESC LIMIT ?)',
      ),
      pruneTicks: this.db.prepare('DELETE FROM report_ticks WHERE report = ? AND updated_at < ?'),
      getTick: this.db.prepare('SELECT * FROM report_ticks WHERE report = ? AND tick_key = ?'),
      putTick: this.db.prepare(
        `INSERT INTO report_ticks (report, tick_key, scheduled_at, state, holder, updated_at, channel, message_ts, late)
         VALUES (@report, @key, @scheduledAt, @state, @holder, @updatedAt, @channel, @messageTs, @late)
         ON CONFLICT (report, tick_key) DO UPDATE SET state = excluded.state, holder = excluded.holder, updated_at = excluded.updated_at,
           channel = excluded.channel, message_ts = excluded.message_ts, late = excluded.late`,
      ),
      countRuns: this.db.prepare('SELECT COUNT(*) AS n FROM report_runs WHERE report = ?'),
    };
  }

  async save(run: ReportRun): Promise<void> {
    this.saveSync(run);
  }

  /** Synchronous save (one transaction); returns the number of result rows written. */
  saveSync(run: ReportRun): number {
    const s = this.stmts;
    this.db.transaction(() => {
      s.deleteRun.run(run.report, run.tickKey);
      const { lastInsertRowid } = s.insertRun.run({
        report: run.report,
        tickKey: run.tickKey,
        scheduledAt: Date.parse(run.scheduledAt),
        startedAt: Date.parse(run.startedAt),
        finishedAt: Date.parse(run.finishedAt),
        trigger: run.trigger,
        late: run.late ? 1 : 0,
        verdict: run.verdict ?? null,
        notes: JSON.stringify(run.notes),
      });
      for (const [seq, r] of run.results.entries()) {
        s.insertResult.run(lastInsertRowid, r.id, seq, r.group, r.subject, r.kind, r.ip ?? null, r.port ?? null, r.from, r.status, r.ms ?? null, r.lossPct ?? null, r.reason ?? null, r.detail ?? null, r.slow ? 1 : 0);
      }
      this.pruneReport(run.report);
    }).immediate();
    return run.results.length;
  }

  private pruneReport(report: string): void {
    const cutoff = this.now() - this.retention.maxAgeDays * 86_400_000;
    this.stmts.pruneAge.run(report, cutoff);
    this.stmts.pruneCount.run(report, report, this.retention.maxRunsPerReport);
    this.stmts.pruneTicks.run(report, new Date(cutoff).toISOString());
  }

  /** Applies retention to every report now (also done on each save). */
  prune(): void {
    const reports = this.db.prepare('SELECT DISTINCT report FROM report_runs UNION SELECT DISTINCT report FROM report_ticks').all() as { report: string }[];
    this.db.transaction(() => reports.forEach((r) => this.pruneReport(r.report))).immediate();
  }

  runCount(report: string): number {
    return (this.stmts.countRuns.get(report) as { n: number }).n;
  }

  async latest(report: string, opts: { before?: string } = {}): Promise<ReportRun | undefined> {
    const before = opts.before !== undefined ? Date.parse(opts.before) : Number.MAX_SAFE_INTEGER;
    const row = this.stmts.latestRun.get(report, before) as RunRow | undefined;
    return row ? this.toRun(row) : undefined;
  }

  async recent(report: string, limit: number): Promise<RunDigest[]> {
    const rows = this.stmts.recentRuns.all(report, limit) as RunRow[];
    return rows.map((row) => {
      const statuses: Record<string, StatusLetter> = {};
      const times: number[] = [];
      for (const r of this.stmts.statuses.all(row.id) as Pick<ResultRow, 'target' | 'status' | 'ms'>[]) {
        statuses[r.target] = statusLetter(r.status);
        if (r.status === 'ok' && r.ms !== null) times.push(r.ms);
      }
      const p95Ms = p95(times);
      return { tickKey: row.tick_key, scheduledAt: new Date(row.scheduled_at).toISOString(), statuses, ...(p95Ms !== undefined ? { p95Ms } : {}) };
    });
  }

  private toRun(row: RunRow): ReportRun {
    const results = (this.stmts.results.all(row.id) as ResultRow[]).map(
      (r): TargetResult => ({
        id: r.target,
        group: r.grp,
        subject: r.subject,
        kind: r.kind,
        ...(r.ip !== null ? { ip: r.ip } : {}),
        ...(r.port !== null ? { port: r.port } : {}),
        from: r.vantage,
        status: r.status,
        ...(r.ms !== null ? { ms: r.ms } : {}),
        ...(r.loss_pct !== null ? { lossPct: r.loss_pct } : {}),
        ...(r.reason !== null ? { reason: r.reason } : {}),
        ...(r.detail !== null ? { detail: r.detail } : {}),
        ...(r.slow ? { slow: true } : {}),
      }),
    );
    return {
      report: row.report,
      tickKey: row.tick_key,
      scheduledAt: new Date(row.scheduled_at).toISOString(),
      startedAt: new Date(row.started_at).toISOString(),
      finishedAt: new Date(row.finished_at).toISOString(),
      trigger: row.trigger,
      late: row.late === 1,
      results,
      counts: countResults(results),
      ...(row.verdict !== null ? { verdict: row.verdict } : {}),
      notes: JSON.parse(row.notes) as string[],
    };
  }

  // ---- tick keys ----

  async get(report: string, key: string): Promise<TickRecord | undefined> {
    const row = this.stmts.getTick.get(report, key) as TickRow | undefined;
    return row ? toTick(row) : undefined;
  }

  async claim(claim: TickClaim, takeOver: readonly TickState[] = []): Promise<{ ok: boolean; record: TickRecord }> {
    return this.db.transaction(() => {
      const existing = this.stmts.getTick.get(claim.report, claim.key) as TickRow | undefined;
      const decision = decideClaim(existing ? toTick(existing) : undefined, claim, takeOver);
      if (decision.ok) this.putTick(decision.record);
      return decision;
    }).immediate();
  }

  async advance(report: string, key: string, holder: string, state: TickState, extra: Pick<TickRecord, 'channel' | 'messageTs'> = {}): Promise<boolean> {
    return this.db.transaction(() => {
      const existing = this.stmts.getTick.get(report, key) as TickRow | undefined;
      const next = decideAdvance(existing ? toTick(existing) : undefined, holder, state, new Date(this.now()).toISOString(), extra);
      if (next) this.putTick(next);
      return next !== undefined;
    }).immediate();
  }

  /** Writes a tick record as given (used to mirror the cluster's record locally). */
  putTick(t: TickRecord): void {
    this.stmts.putTick.run({ ...t, channel: t.channel ?? null, messageTs: t.messageTs ?? null, late: t.late ? 1 : 0 });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toTick(r: TickRow): TickRecord {
  return {
    report: r.report,
    key: r.tick_key,
    scheduledAt: r.scheduled_at,
    state: r.state,
    holder: r.holder,
    updatedAt: r.updated_at,
    ...(r.channel !== null ? { channel: r.channel } : {}),
    ...(r.message_ts !== null ? { messageTs: r.message_ts } : {}),
    ...(r.late ? { late: true } : {}),
  };
}
