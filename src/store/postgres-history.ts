import type pg from 'pg';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../reports/history.js';
import { countResults, p95, statusLetter, type ReportRun, type RunDigest, type StatusLetter, type TargetResult, type TickRecord, type TickState } from '../reports/model.js';
import { decideAdvance, decideClaim, type TickClaim } from '../reports/tick-key.js';
import type { ReportStore } from './store.js';

/**
 * Report history and tick keys in PostgreSQL, the same tables and rules as sqlite-history.ts: one
 * transaction per run, retention by age and count after every save. A tick's claim and advance run
 * under a transaction-scoped advisory lock of that tick, so replicas decide one after the other.
 */

interface RunRow {
  id: string;
  report: string;
  tick_key: string;
  scheduled_at: string;
  started_at: string;
  finished_at: string;
  trigger: ReportRun['trigger'];
  late: boolean;
  verdict: string | null;
  notes: string[];
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
  slow: boolean;
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
  late: boolean;
}

/** Runs `fn` on one pooled connection inside BEGIN … COMMIT (ROLLBACK on error). */
export type InTransaction = <T>(fn: (c: pg.ClientBase) => Promise<T>) => Promise<T>;
/** A query on any pooled connection. */
export type Query = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;

export class PostgresReportHistory implements ReportStore {
  constructor(
    private readonly q: Query,
    private readonly tx: InTransaction,
    private readonly retention: RetentionPolicy = DEFAULT_RETENTION,
    private readonly now: () => number = Date.now,
  ) {}

  async save(run: ReportRun): Promise<void> {
    await this.tx(async (c) => {
      await c.query('DELETE FROM report_runs WHERE report = $1 AND tick_key = $2', [run.report, run.tickKey]);
      const { rows } = await c.query<{ id: string }>(
        `INSERT INTO report_runs (report, tick_key, scheduled_at, started_at, finished_at, trigger, late, verdict, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [run.report, run.tickKey, Date.parse(run.scheduledAt), Date.parse(run.startedAt), Date.parse(run.finishedAt), run.trigger, run.late, run.verdict ?? null, JSON.stringify(run.notes)],
      );
      const id = rows[0]?.id;
      if (run.results.length) {
        // One statement for every result: arrays per column, unnested side by side.
        const cols = (f: (r: TargetResult, i: number) => unknown) => run.results.map(f);
        await c.query(
          `INSERT INTO report_results (run_id, target, seq, grp, subject, kind, ip, port, vantage, status, ms, loss_pct, reason, detail, slow)
           SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::text[], $11::float8[], $12::float8[], $13::text[], $14::text[], $15::bool[])`,
          [
            id,
            cols((r) => r.id),
            cols((_r, i) => i),
            cols((r) => r.group),
            cols((r) => r.subject),
            cols((r) => r.kind),
            cols((r) => r.ip ?? null),
            cols((r) => r.port ?? null),
            cols((r) => r.from),
            cols((r) => r.status),
            cols((r) => r.ms ?? null),
            cols((r) => r.lossPct ?? null),
            cols((r) => r.reason ?? null),
            cols((r) => r.detail ?? null),
            cols((r) => r.slow === true),
          ],
        );
      }
      await this.pruneReport(c, run.report);
    });
  }

  private async pruneReport(c: pg.ClientBase, report: string): Promise<void> {
    const cutoff = this.now() - this.retention.maxAgeDays * 86_400_000;
    await c.query('DELETE FROM report_runs WHERE report = $1 AND scheduled_at < $2', [report, cutoff]);
    await c.query(
      'DELETE FROM report_runs WHERE report = $1 AND id NOT IN (SELECT id FROM report_runs WHERE report = $1 ORDER BY scheduled_at DESC, id DESC LIMIT $2)',
      [report, this.retention.maxRunsPerReport],
    );
    await c.query('DELETE FROM report_ticks WHERE report = $1 AND updated_at < $2', [report, new Date(cutoff).toISOString()]);
  }

  async runCount(report: string): Promise<number> {
    const { rows } = await this.q<{ n: string }>('SELECT count(*) AS n FROM report_runs WHERE report = $1', [report]);
    return Number(rows[0]?.n ?? 0);
  }

  async latest(report: string, opts: { before?: string } = {}): Promise<ReportRun | undefined> {
    const before = opts.before !== undefined ? Date.parse(opts.before) : Number.MAX_SAFE_INTEGER;
    const { rows } = await this.q<RunRow>('SELECT * FROM report_runs WHERE report = $1 AND scheduled_at < $2 ORDER BY scheduled_at DESC, id DESC LIMIT 1', [report, before]);
    const row = rows[0];
    if (!row) return undefined;
    const results = await this.q<ResultRow>('SELECT * FROM report_results WHERE run_id = $1 ORDER BY seq', [row.id]);
    return toRun(row, results.rows);
  }

  async recent(report: string, limit: number): Promise<RunDigest[]> {
    const { rows } = await this.q<RunRow>('SELECT * FROM report_runs WHERE report = $1 ORDER BY scheduled_at DESC, id DESC LIMIT $2', [report, limit]);
    if (!rows.length) return [];
    const statuses = await this.q<{ run_id: string; target: string; status: TargetResult['status']; ms: number | null }>('SELECT run_id, target, status, ms FROM report_results WHERE run_id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
    const byRun = new Map<string, Record<string, StatusLetter>>();
    const timesByRun = new Map<string, number[]>();
    for (const s of statuses.rows) {
      const m = byRun.get(s.run_id) ?? {};
      m[s.target] = statusLetter(s.status);
      byRun.set(s.run_id, m);
      if (s.status === 'ok' && s.ms !== null) timesByRun.set(s.run_id, [...(timesByRun.get(s.run_id) ?? []), Number(s.ms)]);
    }
    return rows.map((row) => {
      const p95Ms = p95(timesByRun.get(row.id) ?? []);
      return { tickKey: row.tick_key, scheduledAt: new Date(Number(row.scheduled_at)).toISOString(), statuses: byRun.get(row.id) ?? {}, ...(p95Ms !== undefined ? { p95Ms } : {}) };
    });
  }

  // ---- tick keys ----

  async get(report: string, key: string): Promise<TickRecord | undefined> {
    const { rows } = await this.q<TickRow>('SELECT * FROM report_ticks WHERE report = $1 AND tick_key = $2', [report, key]);
    return rows[0] ? toTick(rows[0]) : undefined;
  }

  async claim(claim: TickClaim, takeOver: readonly TickState[] = []): Promise<{ ok: boolean; record: TickRecord }> {
    return this.tx(async (c) => {
      const existing = await lockedTick(c, claim.report, claim.key);
      const decision = decideClaim(existing, claim, takeOver);
      if (decision.ok) await putTick(c, decision.record);
      return decision;
    });
  }

  async advance(report: string, key: string, holder: string, state: TickState, extra: Pick<TickRecord, 'channel' | 'messageTs'> = {}): Promise<boolean> {
    return this.tx(async (c) => {
      const existing = await lockedTick(c, report, key);
      const next = decideAdvance(existing, holder, state, new Date(this.now()).toISOString(), extra);
      if (next) await putTick(c, next);
      return next !== undefined;
    });
  }
}

/** The tick's record, read after taking the tick's advisory lock (held until the transaction ends). */
async function lockedTick(c: pg.ClientBase, report: string, key: string): Promise<TickRecord | undefined> {
  await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`tick:${report}:${key}`]);
  const { rows } = await c.query<TickRow>('SELECT * FROM report_ticks WHERE report = $1 AND tick_key = $2', [report, key]);
  return rows[0] ? toTick(rows[0]) : undefined;
}

async function putTick(c: pg.ClientBase, t: TickRecord): Promise<void> {
  await c.query(
    `INSERT INTO report_ticks (report, tick_key, scheduled_at, state, holder, updated_at, channel, message_ts, late)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (report, tick_key) DO UPDATE SET state = excluded.state, holder = excluded.holder, updated_at = excluded.updated_at,
       channel = excluded.channel, message_ts = excluded.message_ts, late = excluded.late`,
    [t.report, t.key, t.scheduledAt, t.state, t.holder, t.updatedAt, t.channel ?? null, t.messageTs ?? null, t.late === true],
  );
}

function toRun(row: RunRow, resultRows: ResultRow[]): ReportRun {
  const results = resultRows.map(
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
    scheduledAt: new Date(Number(row.scheduled_at)).toISOString(),
    startedAt: new Date(Number(row.started_at)).toISOString(),
    finishedAt: new Date(Number(row.finished_at)).toISOString(),
    trigger: row.trigger,
    late: row.late,
    results,
    counts: countResults(results),
    ...(row.verdict !== null ? { verdict: row.verdict } : {}),
    notes: row.notes,
  };
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
