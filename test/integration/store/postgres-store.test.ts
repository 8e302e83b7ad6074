import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { StateUnavailableError } from '../../../src/reports/history.js';
import type { AuditEntry } from '../../../src/store/audit-log.js';
import { openStore } from '../../../src/store/open-store.js';
import { PostgresStore } from '../../../src/store/postgres-store.js';
import { describeNeeding } from '../../support/backends.js';
import { PG_PASSWORD, POSTGRES, startPostgres, type PostgresServer } from '../../support/postgres.js';
import { row, run, silent } from '../../unit/reports/helpers.js';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  requestId: 'req-1',
  source: 'slash',
  user: 'U0ALICE001',
  channel: 'C0OPS00001',
  command: 'pod',
  target: 'webserver-2 -n shop',
  outcome: 'ok',
  durationMs: 12.4,
  at: '2025-01-01T10:00:00.000Z',
  ...over,
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('info', new Writable({ write: (c: Buffer, _e, cb) => (c.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))), cb()) }));
  return { log, lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}

const storeConfig = (url: string, env: Record<string, string> = {}) => loadConfig({ NETPEEK_DATABASE_URL: url, ...env }).store;

async function open(url: string, o: { env?: Record<string, string>; log?: ReturnType<typeof capture>['log']; holder?: string } = {}): Promise<PostgresStore> {
  const s = (await openStore({ store: storeConfig(url, o.env), auditDb: ':memory:', reportsDb: ':memory:', retention: { maxAgeDays: 30, maxRunsPerReport: 3 }, holder: o.holder ?? 'bot-a/1/aaaa', log: o.log ?? silent, now: () => Date.parse('2024-05-03T15:00:00Z'), retryMs: { first: 100, max: 200 } })) as PostgresStore;
  return s;
}

const until = async (cond: () => boolean | Promise<boolean>, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describeNeeding(POSTGRES, 'PostgreSQL store (a real server)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('is what NETPEEK_DATABASE_URL selects, migrates at start and records the schema version', async () => {
    const url = await server.createDatabase();
    const s = await open(url);
    expect(s.kind).toBe('postgres');
    await s.whenReady();
    const state = await s.check();
    expect(state).toMatchObject({ kind: 'postgres', ok: true, schemaVersion: 4 });
    expect(state.detail).toMatch(/^PostgreSQL 15\.\d+ at 127\.0\.0\.1:\d+\/netpeek_\w+, schema 4: audit, report history and Slack claims are shared by every replica\.$/);
    expect(state.detail).not.toContain(PG_PASSWORD);
    await s.close();
  });

  it('two replicas applying migrations at the same moment: each migration applied once, both ready', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all(['a', 'b', 'c', 'd'].map((n) => open(url, { holder: `bot-${n}/1/x` })));
    await Promise.all(stores.map((s) => s.whenReady()));
    for (const s of stores) expect(await s.check()).toMatchObject({ ok: true, schemaVersion: 4 });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query('SELECT version FROM netpeek_schema ORDER BY version');
    await c.end();
    expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('audit rows from two replicas are visible to both, filtered by user, command and time, newest first', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([open(url), open(url, { holder: 'bot-b/1/b' })]);
    a!.audit.record(entry({ requestId: 'r1', at: '2025-01-01T10:00:00.000Z' }));
    b!.audit.record(entry({ requestId: 'r2', user: 'U0BOB00001', command: 'ping', outcome: 'refused', reason: 'probe_channel', at: '2025-01-01T11:00:00.000Z' }));
    a!.audit.record(entry({ requestId: 'r3', at: '2025-01-01T12:00:00.000Z' }));
    await until(async () => (await a!.audit.query()).length === 3, 5000, 'three rows');
    expect((await b!.audit.query()).map((e) => e.requestId)).toEqual(['r3', 'r2', 'r1']);
    expect(await b!.audit.query({ user: 'U0BOB00001' })).toEqual([entry({ requestId: 'r2', user: 'U0BOB00001', command: 'ping', outcome: 'refused', reason: 'probe_channel', at: '2025-01-01T11:00:00.000Z', durationMs: 12 })]);
    expect((await a!.audit.query({ command: 'pod', since: '2025-01-01T11:30:00.000Z' })).map((e) => e.requestId)).toEqual(['r3']);
    expect((await a!.audit.query({ limit: 1 })).map((e) => e.requestId)).toEqual(['r3']);
    await Promise.all([a!.close(), b!.close()]);
  });

  it('claims: of two replicas claiming the same ids at once exactly one wins; an expired claim can be taken again', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([open(url, { holder: 'a' }), open(url, { holder: 'b' })]);
    await Promise.all([a!.whenReady(), b!.whenReady()]);
    for (let i = 0; i < 50; i += 1) {
      const keys = [`event:Ev${i}`, `msg:C1:${i}.000`];
      const won = await Promise.all([a!.claim(keys, 60_000), b!.claim([...keys].reverse(), 60_000)]);
      expect(won.filter(Boolean)).toHaveLength(1);
    }
    // The same message seen as another event id: its channel+ts key is already held.
    expect(await a!.claim(['event:Other', 'msg:C1:3.000'], 60_000)).toBe(false);
    // A 1.5 s claim: long enough that a loaded machine cannot let it expire between the two calls.
    expect(await a!.claim(['short'], 1500)).toBe(true);
    expect(await b!.claim(['short'], 1500)).toBe(false);
    await new Promise((r) => setTimeout(r, 1700));
    expect(await b!.claim(['short'], 1500)).toBe(true);
    // Claims that expired over an hour ago are deleted; live ones stay.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query("UPDATE netpeek_claims SET expires_at = now() - interval '2 hours' WHERE key = 'short'");
    expect(await a!.pruneClaims()).toBe(1);
    expect((await c.query("SELECT count(*)::int AS n FROM netpeek_claims WHERE key LIKE 'event:Ev%'")).rows[0].n).toBe(50);
    await c.end();
    await Promise.all([a!.close(), b!.close()]);
  });

  it('report history and tick keys: shared by replicas, replaced per tick, retention by count, one claim per tick', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    const ha = a!.reports();
    const hb = b!.reports();
    await ha.save(run('2024-05-03T09:00:00Z', [row('b icmp', 'ok', { ms: 1.5, slow: true }), row('a tcp/80', 'failed', { kind: 'tcp', port: 80, detail: 'refused' })], { verdict: 'v9', notes: ['n'] }));
    await hb.save(run('2024-05-03T10:00:00Z', [row('a tcp/80', 'ok', { kind: 'tcp', port: 80 })], { late: true, trigger: 'catch-up' }));
    expect(await ha.latest('web')).toMatchObject({ scheduledAt: '2024-05-03T10:00:00.000Z', late: true, trigger: 'catch-up', counts: { total: 1, ok: 1 } });
    const earlier = await hb.latest('web', { before: '2024-05-03T10:00:00.000Z' });
    expect(earlier?.results).toEqual([row('b icmp', 'ok', { ms: 1.5, slow: true }), row('a tcp/80', 'failed', { kind: 'tcp', port: 80, detail: 'refused' })]);
    expect(earlier).toMatchObject({ verdict: 'v9', notes: ['n'], counts: { failed: 1, slow: 1 } });
    expect((await ha.recent('web', 5)).map((d) => [d.scheduledAt.slice(11, 13), d.statuses])).toEqual([
      ['10', { 'a tcp/80': 'o' }],
      ['09', { 'b icmp': 'o', 'a tcp/80': 'f' }],
    ]);
    await ha.save(run('2024-05-03T10:00:00Z', [row('a tcp/80', 'failed', { kind: 'tcp', port: 80 })]));
    expect((await hb.latest('web'))?.counts.failed).toBe(1);
    for (const h of ['11', '12', '13']) await ha.save(run(`2024-05-03T${h}:00:00Z`, [row('a icmp', 'ok')]));
    expect(await ha.runCount('web')).toBe(3);

    const claim = (holder: string) => ({ report: 'web', key: 'web@2024-05-03T14:00:00.000Z', scheduledAt: '2024-05-03T14:00:00.000Z', holder, late: false, at: '2024-05-03T14:00:00.000Z' });
    const results = await Promise.all([ha.claim(claim('a')), hb.claim(claim('b'))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const winner = results.find((r) => r.ok)!.record.holder;
    expect(await hb.advance('web', 'web@2024-05-03T14:00:00.000Z', winner === 'a' ? 'b' : 'a', 'posting')).toBe(false);
    expect(await ha.advance('web', 'web@2024-05-03T14:00:00.000Z', winner, 'posted', { channel: 'C1', messageTs: '1.2' })).toBe(true);
    expect(await hb.get('web', 'web@2024-05-03T14:00:00.000Z')).toMatchObject({ state: 'posted', holder: winner, channel: 'C1', messageTs: '1.2' });
    await Promise.all([a!.close(), b!.close()]);
  });

  it('reads the password from NETPEEK_DATABASE_PASSWORD_FILE and never logs the URL or the password', async () => {
    const url = await server.createDatabase();
    const file = join(server.dir, 'netpeek-password');
    writeFileSync(file, `${PG_PASSWORD}\n`);
    const withoutPassword = url.replace(`:${PG_PASSWORD}@`, '@');
    const cap = capture();
    const s = await open(withoutPassword, { env: { NETPEEK_DATABASE_PASSWORD_FILE: file }, log: cap.log });
    await s.whenReady();
    expect((await s.check()).ok).toBe(true);
    await s.close();

    writeFileSync(file, 'wrong-password\n');
    const bad = capture();
    const t = await open(withoutPassword, { env: { NETPEEK_DATABASE_PASSWORD_FILE: file }, log: bad.log });
    const state = await t.check();
    expect(state.ok).toBe(false);
    expect(state.detail).toMatch(/password authentication failed for user "postgres"/);
    await t.close();
    for (const c of [cap, bad]) {
      expect(c.text()).not.toContain(PG_PASSWORD);
      expect(c.text()).not.toContain('postgres://');
    }
  });

  it('database down at start: the store opens, audit records wait (bounded, the overflow counted and logged), check() says so; all written when it returns', async () => {
    const url = await server.createDatabase();
    await server.kill();
    const cap = capture();
    try {
      const s = await open(url, { log: cap.log, env: { NETPEEK_AUDIT_BUFFER: '2' } });
      s.audit.record(entry({ requestId: 'down-1' }));
      s.audit.record(entry({ requestId: 'down-2' }));
      s.audit.record(entry({ requestId: 'down-3' }));
      const down = await s.check();
      expect(down).toMatchObject({ ok: false, auditBuffered: 2, auditLost: 1 });
      expect(down.detail).toMatch(/^PostgreSQL at 127\.0\.0\.1:\d+\/netpeek_\w+ is unavailable since \S+: .*ECONNREFUSED.*2 waiting, 1 lost \(only in the logs\)/);
      await expect(s.reports().latest('web')).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(s.audit.query()).rejects.toThrow(/PostgreSQL at 127\.0\.0\.1:\d+\/netpeek_\w+ is unavailable/);
      expect(cap.lines.some((l) => String(l.msg).startsWith('PostgreSQL is unreachable at start'))).toBe(true);
      expect(cap.lines.filter((l) => String(l.msg).startsWith('audit record not stored')).map((l) => l.requestId)).toEqual(['down-3']);
      // Every record, stored or not, is a log line.
      expect(cap.lines.filter((l) => l.msg === 'audit')).toHaveLength(3);

      await server.restart();
      await s.whenReady();
      await until(async () => (await s.audit.query().catch(() => [])).length === 2, 10_000, 'the buffered records');
      expect((await s.audit.query()).map((e) => e.requestId).sort()).toEqual(['down-1', 'down-2']);
      expect(await s.check()).toMatchObject({ ok: true, auditBuffered: 0, auditLost: 1 });
      await s.close();
    } finally {
      await server.restart().catch(() => undefined);
    }
  });

  it('database killed mid-run and restarted: operations fail as unavailable, records wait, then everything resumes', async () => {
    const url = await server.createDatabase();
    const cap = capture();
    const s = await open(url, { log: cap.log });
    await s.whenReady();
    s.audit.record(entry({ requestId: 'before' }));
    await until(async () => (await s.audit.query()).length === 1, 5000, 'the first record');
    await server.kill();
    try {
      await expect(s.reports().save(run('2024-05-03T09:00:00Z', [row('a icmp', 'ok')]))).rejects.toBeInstanceOf(StateUnavailableError);
      await expect(s.claim(['event:E1'], 60_000)).rejects.toBeInstanceOf(StateUnavailableError);
      s.audit.record(entry({ requestId: 'during' }));
      const down = await s.check();
      expect(down.ok).toBe(false);
      expect(cap.lines.some((l) => l.msg === 'PostgreSQL stopped answering')).toBe(true);
    } finally {
      await server.restart();
    }
    await until(async () => (await s.audit.query().catch(() => [])).length === 2, 10_000, 'the record written while down');
    await s.reports().save(run('2024-05-03T09:00:00Z', [row('a icmp', 'ok')]));
    expect(await s.reports().runCount('web')).toBe(1);
    expect(await s.claim(['event:E1'], 60_000)).toBe(true);
    expect(await s.check()).toMatchObject({ ok: true, auditBuffered: 0, auditLost: 0 });
    await s.close();
  });
});

describeNeeding(POSTGRES, 'PostgreSQL store over TLS (a real server with a certificate from a test CA)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres({ tls: true });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  /** Whether netpeek's own connections to the server are encrypted, as the server sees them. */
  async function netpeekUsesTls(url: string): Promise<boolean[]> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ ssl: boolean }>("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'netpeek'");
      return rows.map((r) => r.ssl);
    } finally {
      await c.end();
    }
  }

  it('verify-full with NETPEEK_DATABASE_CA_FILE: connects encrypted, to 127.0.0.1 and to localhost', async () => {
    const url = await server.createDatabase();
    for (const host of ['127.0.0.1', 'localhost']) {
      const s = await open(url.replace('127.0.0.1', host), { env: { NETPEEK_DATABASE_SSL: 'verify-full', NETPEEK_DATABASE_CA_FILE: server.caFile! } });
      expect(await s.check(), host).toMatchObject({ ok: true });
      expect(await netpeekUsesTls(url)).toEqual(expect.arrayContaining([true]));
      expect((await netpeekUsesTls(url)).every(Boolean)).toBe(true);
      await s.close();
    }
  });

  it('verify-full against a certificate its CA did not sign is refused, and status says why', async () => {
    const url = await server.createDatabase();
    // The system CAs, which never signed the test CA's certificate.
    const s = await open(url, { env: { NETPEEK_DATABASE_SSL: 'verify-full' } });
    const state = await s.check();
    expect(state.ok).toBe(false);
    expect(state.detail).toMatch(/self[- ]signed certificate|unable to (get|verify)/i);
    await s.close();
  });

  it('require: encrypted without checking the certificate; disable: plain', async () => {
    const url = await server.createDatabase();
    const s = await open(`${url}?sslmode=require`);
    expect((await s.check()).ok).toBe(true);
    expect((await netpeekUsesTls(url)).every(Boolean)).toBe(true);
    await s.close();
    const plain = await open(url, { env: { NETPEEK_DATABASE_SSL: 'disable' } });
    expect((await plain.check()).ok).toBe(true);
    expect(await netpeekUsesTls(url)).toEqual(expect.arrayContaining([false]));
    await plain.close();
  });
});
