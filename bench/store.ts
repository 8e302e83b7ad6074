/**
 * `npm run bench:store` — the store's two hot paths, PostgreSQL on loopback beside SQLite in the same run:
 *  - audit write throughput: records/s from `record()` until every record is in the database
 *    (PostgreSQL: buffered and written in batches; SQLite: one INSERT per record, WAL);
 *  - claim latency: what a Slack delivery waits, after its ack, before it is answered — PostgreSQL's
 *    INSERT … ON CONFLICT claim of the delivery's ids (alone, and two replicas racing for the same ids),
 *    beside the in-process dedupe SQLite installs use.
 * Needs root (initdb runs as the `postgres` user) and Debian's postgresql package.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { EventGate } from '../src/slack/event-gate.js';
import type { AuditEntry } from '../src/store/audit-log.js';
import { openStore } from '../src/store/open-store.js';
import type { PostgresStore } from '../src/store/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { postgresAvailable, startPostgres } from '../test/support/postgres.js';
import { machineLine, percentile, writeSection } from './results-file.js';

const AUDIT_RECORDS = 20_000;
const CLAIMS = 2_000;
const log = createLogger('silent');

const entry = (i: number): AuditEntry => ({
  requestId: `bench-${i}`,
  source: i % 3 === 0 ? 'mention' : 'slash',
  user: `U0BENCH${String(i % 50).padStart(3, '0')}`,
  channel: 'C0BENCH001',
  command: i % 2 ? 'pod' : 'container',
  target: `webserver-${i % 100} -n shop`,
  outcome: 'ok',
  durationMs: 3 + (i % 40),
  at: new Date(Date.now() - (AUDIT_RECORDS - i) * 10).toISOString(),
});

const ms = (n: number) => `${n.toFixed(n < 1 ? 3 : 2)} ms`;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
};

async function main(): Promise<void> {
  if (!postgresAvailable()) throw new Error('bench:store needs root and PostgreSQL (apt-get install -y postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-bench-store-'));
  const server = await startPostgres();
  try {
    const url = await server.createDatabase();
    const open = async (holder: string) => {
      const s = (await openStore({ store: loadConfig({ NETPEEK_DATABASE_URL: url, NETPEEK_AUDIT_BUFFER: String(AUDIT_RECORDS) }).store, auditDb: ':memory:', reportsDb: ':memory:', retention: { maxAgeDays: 30, maxRunsPerReport: 100 }, holder, log })) as PostgresStore;
      await s.whenReady();
      return s;
    };
    const pgA = await open('bench-a');
    const pgB = await open('bench-b');
    const sqlite = new SqliteStore({ auditDb: join(dir, 'audit.db'), reportsDb: join(dir, 'reports.db'), retention: { maxAgeDays: 30, maxRunsPerReport: 100 }, log });

    // ---- audit writes ----
    let t = performance.now();
    for (let i = 0; i < AUDIT_RECORDS; i += 1) sqlite.audit.record(entry(i));
    const sqliteMs = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < AUDIT_RECORDS; i += 1) pgA.audit.record(entry(i));
    const recordReturnedMs = performance.now() - t;
    await pgA.drained();
    const pgMs = performance.now() - t;
    const stored = (await pgA.check()).auditLost === 0 && (await pgA.audit.query({ limit: AUDIT_RECORDS + 1 })).length === AUDIT_RECORDS;
    if (!stored) throw new Error('not every audit record reached PostgreSQL');
    const sqliteRows = sqlite.audit.recent(AUDIT_RECORDS + 1).length;
    if (sqliteRows !== AUDIT_RECORDS) throw new Error(`SQLite holds ${sqliteRows} audit rows, expected ${AUDIT_RECORDS}`);

    // ---- claims ----
    const gate = new EventGate(900_000, undefined, log);
    const local: number[] = [];
    for (let i = 0; i < CLAIMS; i += 1) {
      const s = performance.now();
      await gate.first(`event:EvL${i}`, `msg:C1:${i}.000`);
      local.push(performance.now() - s);
    }
    const alone: number[] = [];
    for (let i = 0; i < CLAIMS; i += 1) {
      const s = performance.now();
      if (!(await pgA.claim([`event:EvA${i}`, `msg:C1:${i}.100`], 900_000))) throw new Error('a fresh claim was refused');
      alone.push(performance.now() - s);
    }
    const raced: number[] = [];
    let winners = 0;
    for (let i = 0; i < CLAIMS; i += 1) {
      const keys = [`event:EvR${i}`, `msg:C1:${i}.200`];
      const s = performance.now();
      const won = await Promise.all([pgA.claim(keys, 900_000), pgB.claim(keys, 900_000)]);
      raced.push(performance.now() - s);
      winners += won.filter(Boolean).length;
    }
    if (winners !== CLAIMS) throw new Error(`racing claims: ${winners} winners for ${CLAIMS} deliveries`);

    await Promise.all([pgA.close(), pgB.close(), sqlite.close()]);
    const [l, a, r] = [stats(local), stats(alone), stats(raced)];
    const uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
    const md = `## Store: audit writes and Slack claims (\`npm run bench:store\`)

Run ${new Date().toISOString()} on ${machineLine()}. \`uptime\`: ${uptime}.
PostgreSQL 15 from Debian on loopback (initdb'd by the benchmark, fsync off as in the tests); SQLite files in a temp dir (WAL). Same run, same machine.

### Audit writes (${AUDIT_RECORDS.toLocaleString('en-US')} records)

| store | records/s | total | note |
| --- | --- | --- | --- |
| SQLite (one INSERT per record, in the request's turn) | **${Math.round(AUDIT_RECORDS / (sqliteMs / 1000)).toLocaleString('en-US')}** | ${ms(sqliteMs)} | blocks the event loop for every record |
| PostgreSQL (buffered, batches of up to 500) | **${Math.round(AUDIT_RECORDS / (pgMs / 1000)).toLocaleString('en-US')}** | ${ms(pgMs)} until all stored | \`record()\` itself returned after ${ms(recordReturnedMs)} for all of them |

### Claim of a Slack delivery (event id + channel/ts, ${CLAIMS.toLocaleString('en-US')} deliveries)

Waited after the ack and before answering; the ack never waits for it (\`bench:slack\`'s ack figures are measured without a database in the path).

| what | p50 | p99 | max |
| --- | --- | --- | --- |
| in-process dedupe (SQLite / one instance) | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} |
| PostgreSQL claim, one replica | ${ms(a.p50)} | ${ms(a.p99)} | ${ms(a.max)} |
| PostgreSQL claim, two replicas racing for the same delivery (both answers back) | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} |

Every raced delivery had exactly one winner (${winners} of ${CLAIMS}).
`;
    writeSection('store', md);
    process.stdout.write(md);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:store failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
