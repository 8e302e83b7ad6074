import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import type { Logger } from '../log.js';
import { DEFAULT_RETENTION, StateUnavailableError, type RetentionPolicy } from '../reports/history.js';
import { AuditBuffer } from './audit-buffer.js';
import { auditFromRow, type AuditEntry, type AuditFilter, type AuditLog, type AuditRow } from './audit-log.js';
import { migrate, PG_MIGRATIONS } from './postgres-migrations.js';
import { PostgresReportHistory } from './postgres-history.js';
import { PostgresAlertGroups } from './postgres-alert-groups.js';
import { PostgresHeldAnswers } from './postgres-held-answers.js';
import { describeDatabase, type SslMode, type StoreConfig } from './store-config.js';
import type { EventClaims, Store, StoreState } from './store.js';

/**
 * PostgreSQL shared by every replica. Opening never waits for the database: migrations run in the
 * background (retried with backoff until they succeed), so a bot whose database is down still starts and
 * answers; until then audit records wait in a bounded buffer, history and claims report the store as
 * unavailable, and `check()` says why.
 */

export interface PostgresStoreOptions {
  config: StoreConfig & { databaseUrl: string };
  log: Logger;
  retention?: RetentionPolicy;
  /** Who holds claims: the instance identity (pod, pid, random). */
  holder: string;
  now?: () => number;
  /** First and longest wait between connection attempts (ms); tests shorten them. */
  retryMs?: { first: number; max: number };
}

/** Audit rows written per INSERT when the buffer drains. */
const AUDIT_BATCH = 500;

/** node-postgres options from the URL and the TLS/password variables; the URL string itself goes no further. */
export function poolOptions(c: StoreConfig & { databaseUrl: string }): pg.PoolConfig {
  const u = new URL(c.databaseUrl);
  const mode: SslMode = c.ssl ?? urlSslMode(u.searchParams.get('sslmode'));
  const ca = c.caFile ? readFileSync(c.caFile, 'utf8') : undefined;
  const ssl: false | ConnectionOptions =
    mode === 'disable'
      ? false
      : mode === 'require'
        ? { rejectUnauthorized: false }
        : mode === 'verify-ca'
          ? { rejectUnauthorized: true, ...(ca ? { ca } : {}), checkServerIdentity: () => undefined }
          : { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  const passwordFile = c.passwordFile;
  const urlPassword = decodeURIComponent(u.password);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 5432,
    database: decodeURIComponent(u.pathname.slice(1)) || undefined,
    user: decodeURIComponent(u.username) || undefined,
    // Read at every new connection, so a rotated Secret is picked up without a restart.
    password: passwordFile ? async () => readFileSync(passwordFile, 'utf8').trim() : urlPassword || undefined,
    ssl,
    max: c.poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: 'netpeek',
  };
}

function urlSslMode(v: string | null): SslMode {
  if (v === 'require' || v === 'verify-ca' || v === 'verify-full') return v;
  if (v === 'prefer' || v === 'allow' || v === 'disable' || v === null) return 'disable';
  return 'verify-full';
}

/** One sentence from a pg/network error: what failed, never a URL. */
function reasonOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = (e?.message ?? String(err)).replace(/postgres(ql)?:\/\/\S+/g, 'postgres://[Redacted]');
  return e?.code && !msg.includes(e.code) ? `${msg} (${e.code})` : msg;
}

export class PostgresStore implements Store, EventClaims {
  readonly kind = 'postgres';
  readonly shared = true;
  private readonly buffer: AuditBuffer;
  private readonly history: PostgresReportHistory;
  private readonly alerts: PostgresAlertGroups;
  private readonly held: PostgresHeldAnswers;
  private readonly where: string;
  private ready = false;
  private lastError?: { reason: string; since: string };
  private schemaVersion?: number;
  private retryTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  /** Ends the wait between connection attempts (close). */
  private wake?: () => void;
  private flushing?: Promise<void>;
  private closed = false;
  private opening?: Promise<void>;
  private firstAttempt?: Promise<void>;
  private attempted?: () => void;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly o: PostgresStoreOptions,
  ) {
    this.buffer = new AuditBuffer(o.config.auditBuffer);
    this.where = describeDatabase(o.config.databaseUrl);
    // An idle connection whose server went away must not crash the process: the next query reconnects.
    pool.on('error', (err) => o.log.warn({ err: { message: reasonOf(err) } }, 'a PostgreSQL connection was lost'));
    this.history = new PostgresReportHistory((text, params) => this.sql(text, params), (fn) => this.transaction(fn), o.retention ?? DEFAULT_RETENTION, o.now);
    this.alerts = new PostgresAlertGroups((text, params) => this.sql(text, params), (fn) => this.transaction(fn), o.now);
    this.held = new PostgresHeldAnswers((text, params) => this.sql(text, params), o.now);
  }

  /**
   * Starts connecting and migrating in the background, retried until it works (idempotent). `netpeek
   * serve` calls it at start; anything else that needs the database starts it on first use.
   */
  start(): void {
    if (this.opening || this.closed) return;
    this.firstAttempt = new Promise((r) => (this.attempted = r));
    this.opening = this.connect(this.o.retryMs?.first ?? 1000);
  }

  /** Loads `pg` (only now: SQLite-only installs never import it) and starts connecting in the background. */
  static async open(o: PostgresStoreOptions): Promise<PostgresStore> {
    const { default: pgModule } = await import('pg');
    return new PostgresStore(new pgModule.Pool(poolOptions(o.config)), o);
  }

  readonly audit: AuditLog = {
    record: (entry) => this.record(entry),
    query: (filter) => this.queryAudit(filter),
    // The pool is the store's; close() of the store ends it.
    close: () => undefined,
  };

  get claims(): EventClaims {
    return this;
  }

  reports(): PostgresReportHistory {
    return this.history;
  }

  alertGroups(): PostgresAlertGroups {
    return this.alerts;
  }

  heldAnswers(): PostgresHeldAnswers {
    return this.held;
  }

  /** Resolves once the schema is migrated (or the store closed); tests and benchmarks wait on it. */
  whenReady(): Promise<void> {
    this.start();
    return this.opening ?? Promise.resolve();
  }

  /** Ready, or the first connection attempt has failed (then StateUnavailableError). */
  private async usable(): Promise<void> {
    if (this.ready) return;
    this.start();
    await this.firstAttempt;
    if (!this.ready) throw this.unavailable();
  }

  private async connect(delayMs: number): Promise<void> {
    while (!this.closed) {
      try {
        const client = await this.pool.connect();
        try {
          const { version, applied } = await migrate(client);
          this.schemaVersion = version;
        if (applied) this.o.log.info({ database: this.where, schemaVersion: version, applied }, 'PostgreSQL schema migrated');
        } finally {
          client.release();
        }
        this.ready = true;
        this.healthy();
        this.o.log.info({ database: this.where, schemaVersion: this.schemaVersion }, 'PostgreSQL store ready: audit, report history and Slack claims are shared by every replica');
        this.attempted?.();
        this.flushSoon();
        // Expired claims are dead weight: cleared every 10 minutes by whichever replicas are up.
        this.pruneTimer = setInterval(() => void this.pruneClaims().catch(() => undefined), 600_000);
        this.pruneTimer.unref?.();
        return;
      } catch (err) {
        this.failed(err, 'PostgreSQL is unreachable at start; netpeek answers questions, audit records wait in memory and report history is not kept until it returns');
        this.attempted?.();
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, delayMs).unref?.();
        });
        delayMs = Math.min(delayMs * 2, this.o.retryMs?.max ?? 30_000);
      }
    }
  }

  private healthy(): void {
    if (this.lastError) this.o.log.info({ database: this.where, downSince: this.lastError.since }, 'PostgreSQL answers again');
    this.lastError = undefined;
  }

  private failed(err: unknown, what: string): void {
    const reason = reasonOf(err);
    if (!this.lastError) this.o.log.error({ database: this.where, err: { message: reason } }, what);
    this.lastError = { reason, since: this.lastError?.since ?? new Date().toISOString() };
  }

  private unavailable(err?: unknown): StateUnavailableError {
    const why = err !== undefined ? reasonOf(err) : (this.lastError?.reason ?? 'not connected yet');
    return new StateUnavailableError(`PostgreSQL at ${this.where} is unavailable: ${why}`, err);
  }

  private async sql<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    await this.usable();
    try {
      const res = await this.pool.query<R>(sql, params);
      this.healthy();
      return res;
    } catch (err) {
      if (isConnectionError(err)) {
        this.failed(err, 'PostgreSQL stopped answering');
        throw this.unavailable(err);
      }
      throw err;
    }
  }

  private async transaction<T>(fn: (c: pg.ClientBase) => Promise<T>): Promise<T> {
    await this.usable();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.failed(err, 'PostgreSQL stopped answering');
      throw this.unavailable(err);
    }
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      this.healthy();
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (isConnectionError(err)) {
        broken = err;
        this.failed(err, 'PostgreSQL stopped answering');
        throw this.unavailable(err);
      }
      throw err;
    } finally {
      // A connection that broke mid-transaction is discarded, not returned to the pool.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  // ---- audit ----

  record(entry: AuditEntry): void {
    this.o.log.info({ audit: entry }, 'audit');
    if (!this.buffer.push(entry)) {
      this.o.log.error({ requestId: entry.requestId, auditLost: this.buffer.lost, buffered: this.buffer.size }, 'audit record not stored: PostgreSQL is unavailable and the audit buffer (NETPEEK_AUDIT_BUFFER) is full; it is only in the log line above');
      return;
    }
    this.start();
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.flushing || !this.ready || this.closed) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // Records that arrived while a batch was written go in the next one.
      if (this.buffer.size && !this.lastError) this.flushSoon();
    });
  }

  private async flush(): Promise<void> {
    while (this.buffer.size && !this.closed) {
      const batch = this.buffer.peek(AUDIT_BATCH);
      try {
        await this.sql(
          `INSERT INTO netpeek_audit (at, request_id, source, user_id, channel_id, command, target, outcome, reason, duration_ms)
           SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[])`,
          [
            batch.map((e) => e.at),
            batch.map((e) => e.requestId),
            batch.map((e) => e.source),
            batch.map((e) => e.user),
            batch.map((e) => e.channel),
            batch.map((e) => e.command),
            batch.map((e) => e.target),
            batch.map((e) => e.outcome),
            batch.map((e) => e.reason ?? null),
            batch.map((e) => Math.round(e.durationMs)),
          ],
        );
        this.buffer.drop(batch.length);
      } catch (err) {
        if (!(err instanceof StateUnavailableError)) {
          // Not the connection: these rows would never go in; drop them rather than block the rest.
          this.buffer.drop(batch.length);
          this.buffer.lost += batch.length;
          this.o.log.error({ err: { message: reasonOf(err) }, auditLost: this.buffer.lost }, 'audit records rejected by PostgreSQL; they are only in the log lines');
          continue;
        }
        this.retryFlushLater();
        return;
      }
    }
  }

  private retryFlushLater(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.lastError = undefined;
      this.flushSoon();
    }, 1000);
    this.retryTimer.unref?.();
  }

  /** Waits until every buffered record is written (or the database is found down). */
  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async queryAudit(f: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (cond: string, v: unknown) => {
      args.push(v);
      where.push(cond.replace('?', `$${args.length}`));
    };
    if (f.user) add('user_id = ?', f.user);
    if (f.command) add('command = ?', f.command);
    if (f.since) add('at >= ?', f.since);
    args.push(f.limit ?? 100);
    const { rows } = await this.sql<AuditRow>(
      `SELECT * FROM netpeek_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT $${args.length}`,
      args,
    );
    return rows.map(auditFromRow);
  }

  // ---- claims ----

  async claim(keys: readonly string[], ttlMs: number): Promise<boolean> {
    const unique = [...new Set(keys)].sort();
    if (!unique.length) return true;
    // Keys in one order for every replica: two claims of the same keys wait on the first key, never deadlock.
    const { rowCount } = await this.sql(
      `INSERT INTO netpeek_claims (key, holder, expires_at)
       SELECT k, $2, now() + $3 * interval '1 millisecond' FROM unnest($1::text[]) AS k ORDER BY k
       ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE netpeek_claims.expires_at <= now()`,
      [unique, this.o.holder, ttlMs],
    );
    return rowCount === unique.length;
  }

  /** Deletes claims that expired more than an hour ago. */
  async pruneClaims(): Promise<number> {
    const { rowCount } = await this.sql("DELETE FROM netpeek_claims WHERE expires_at < now() - interval '1 hour'");
    return rowCount ?? 0;
  }

  // ---- state ----

  async check(): Promise<StoreState> {
    await this.usable().catch(() => undefined);
    const counts = { auditBuffered: this.buffer.size, auditLost: this.buffer.lost };
    if (this.ready) {
      try {
        const { rows } = await this.sql<{ v: string }>("SELECT current_setting('server_version') AS v");
        return {
          kind: 'postgres',
          ok: true,
          detail: `PostgreSQL ${(rows[0]?.v ?? '').split(' ')[0]} at ${this.where}, schema ${this.schemaVersion}: audit, report history and Slack claims are shared by every replica.`,
          ...counts,
          ...(this.schemaVersion !== undefined ? { schemaVersion: this.schemaVersion } : {}),
        };
      } catch {
        // fall through: described below
      }
    }
    const lost = counts.auditLost ? `, ${counts.auditLost} lost (only in the logs)` : '';
    return {
      kind: 'postgres',
      ok: false,
      detail: `PostgreSQL at ${this.where} is unavailable${this.lastError ? ` since ${this.lastError.since}: ${this.lastError.reason}` : ''}. Audit records are logged and wait in memory (${counts.auditBuffered} waiting${lost}); report history is not stored and Slack duplicates are only dropped per replica until it returns.`,
      ...counts,
      ...(this.schemaVersion !== undefined ? { schemaVersion: this.schemaVersion } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.ready) await this.drained().catch(() => undefined);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.attempted?.();
    this.wake?.();
    await this.pool.end().catch(() => undefined);
  }
}

/** Errors that mean "the database is not there" rather than "this statement is wrong". */
function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|57P0[123]|08\w{3}|53300)$/.test(e.code)) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(e?.message ?? '');
}
