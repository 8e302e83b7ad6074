import type pg from 'pg';

/**
 * PostgreSQL schema, versioned: entry i moves the schema from version i to i + 1 and is recorded in
 * netpeek_schema. Never edit one that shipped; add another. Applied at start under a session advisory
 * lock, so replicas starting at the same moment apply each migration once, one after the other.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE netpeek_audit (
     id BIGSERIAL PRIMARY KEY,
     at TIMESTAMPTZ NOT NULL,
     request_id TEXT NOT NULL,
     source TEXT NOT NULL,
     user_id TEXT NOT NULL,
     channel_id TEXT NOT NULL,
     command TEXT NOT NULL,
     target TEXT NOT NULL,
     outcome TEXT NOT NULL,
     reason TEXT,
     duration_ms INTEGER NOT NULL
   );
   CREATE INDEX netpeek_audit_at ON netpeek_audit (at DESC);
   CREATE INDEX netpeek_audit_user_at ON netpeek_audit (user_id, at DESC);
   CREATE TABLE netpeek_claims (
     key TEXT PRIMARY KEY,
     holder TEXT NOT NULL,
     expires_at TIMESTAMPTZ NOT NULL
   );
   CREATE INDEX netpeek_claims_expiry ON netpeek_claims (expires_at);`,
  `CREATE TABLE report_runs (
     id BIGSERIAL PRIMARY KEY,
     report TEXT NOT NULL,
     tick_key TEXT NOT NULL,
     scheduled_at BIGINT NOT NULL,
     started_at BIGINT NOT NULL,
     finished_at BIGINT NOT NULL,
     trigger TEXT NOT NULL,
     late BOOLEAN NOT NULL,
     verdict TEXT,
     notes JSONB NOT NULL DEFAULT '[]',
     UNIQUE (report, tick_key)
   );
   CREATE INDEX report_runs_by_time ON report_runs (report, scheduled_at DESC);
   CREATE TABLE report_results (
     run_id BIGINT NOT NULL REFERENCES report_runs (id) ON DELETE CASCADE,
     target TEXT NOT NULL,
     seq INTEGER NOT NULL,
     grp TEXT NOT NULL,
     subject TEXT NOT NULL,
     kind TEXT NOT NULL,
     ip TEXT,
     port INTEGER,
     vantage TEXT NOT NULL,
     status TEXT NOT NULL,
     ms DOUBLE PRECISION,
     loss_pct DOUBLE PRECISION,
     reason TEXT,
     detail TEXT,
     slow BOOLEAN NOT NULL DEFAULT false,
     PRIMARY KEY (run_id, target)
   );
   CREATE TABLE report_ticks (
     report TEXT NOT NULL,
     tick_key TEXT NOT NULL,
     scheduled_at TEXT NOT NULL,
     state TEXT NOT NULL,
     holder TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     channel TEXT,
     message_ts TEXT,
     late BOOLEAN NOT NULL DEFAULT false,
     PRIMARY KEY (report, tick_key)
   );`,
  `CREATE TABLE alert_groups (
     group_key TEXT PRIMARY KEY,
     channel TEXT,
     thread_ts TEXT,
     posted_digest TEXT,
     pending_digest TEXT,
     pending_until BIGINT,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX alert_groups_updated ON alert_groups (updated_at);`,
  `CREATE TABLE held_answers (
     id TEXT PRIMARY KEY,
     body TEXT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX held_answers_expiry ON held_answers (expires_at);`,
];

/** Arbitrary but fixed: the advisory lock every netpeek replica takes while migrating. */
export const MIGRATION_LOCK = 0x6e657470; // "netp"

/**
 * Applies the missing migrations; returns the schema version. Runs on one dedicated connection, since a
 * session advisory lock belongs to the connection that took it.
 */
export async function migrate(client: pg.ClientBase, migrations: readonly string[] = PG_MIGRATIONS): Promise<{ version: number; applied: number }> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS netpeek_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM netpeek_schema');
    const from = rows[0]?.v ?? 0;
    if (from > migrations.length) throw new Error(`the database has netpeek schema version ${from}, newer than this netpeek knows (${migrations.length}); run a newer netpeek or use another database`);
    for (let v = from; v < migrations.length; v += 1) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[v] as string);
        await client.query('INSERT INTO netpeek_schema (version) VALUES ($1)', [v + 1]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
    return { version: migrations.length, applied: migrations.length - from };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}
