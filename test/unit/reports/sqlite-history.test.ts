import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteReportHistory } from '../../../src/reports/sqlite-history.js';
import { row, run } from './helpers.js';

const at = { now: () => Date.parse('2024-05-03T12:00:00Z') };

describe('SQLite report history', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netpeek-reports-'));
    file = join(dir, 'data', 'netpeek.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates its directory, uses WAL and migrates to the current schema', () => {
    const h = new SqliteReportHistory(file);
    expect(h.schemaVersion).toBe(1);
    h.close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()).toEqual([{ name: 'report_results' }, { name: 'report_runs' }, { name: 'report_ticks' }]);
    db.close();
  });

  it('refuses a database from a newer netpeek', () => {
    const db = new Database(file.replace('/data/', '/')); // parent exists
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteReportHistory(file.replace('/data/', '/'))).toThrow('schema version 99, newer than this netpeek knows');
  });

  it('keeps runs across restarts, results in order, and returns the newest (or the newest before a time)', async () => {
    const a = new SqliteReportHistory(file, at);
    await a.save(run('2024-05-03T09:00:00Z', [row('b icmp', 'ok', { ms: 1.5, slow: true }), row('a tcp/80', 'failed', { kind: 'tcp', port: 80, detail: 'refused' })], { verdict: 'v9', notes: ['n'] }));
    await a.save(run('2024-05-03T10:00:00Z', [row('a tcp/80', 'ok', { kind: 'tcp', port: 80 })], { late: true, trigger: 'catch-up' }));
    a.close();
    const b = new SqliteReportHistory(file, at);
    const latest = await b.latest('web');
    expect(latest).toMatchObject({ scheduledAt: '2024-05-03T10:00:00.000Z', late: true, trigger: 'catch-up', counts: { total: 1, ok: 1 } });
    const earlier = await b.latest('web', { before: '2024-05-03T10:00:00.000Z' });
    expect(earlier?.results.map((r) => r.id)).toEqual(['b icmp', 'a tcp/80']);
    expect(earlier?.results[0]).toEqual(row('b icmp', 'ok', { ms: 1.5, slow: true }));
    expect(earlier).toMatchObject({ verdict: 'v9', notes: ['n'], counts: { failed: 1, slow: 1 } });
    expect((await b.recent('web', 5)).map((d) => [d.scheduledAt.slice(11, 13), d.statuses])).toEqual([
      ['10', { 'a tcp/80': 'o' }],
      ['09', { 'b icmp': 'o', 'a tcp/80': 'f' }],
    ]);
    expect(await b.latest('other')).toBeUndefined();
    b.close();
  });

  it('saving the same tick again replaces it', async () => {
    const h = new SqliteReportHistory(file, at);
    await h.save(run('2024-05-03T09:00:00Z', [row('a icmp', 'failed')]));
    await h.save(run('2024-05-03T09:00:00Z', [row('a icmp', 'ok')]));
    expect(h.runCount('web')).toBe(1);
    expect((await h.latest('web'))?.counts.ok).toBe(1);
    h.close();
  });

  it('trims old runs by count and by age', async () => {
    let now = Date.parse('2024-05-10T00:00:00Z');
    const h = new SqliteReportHistory(file, { retention: { maxAgeDays: 3, maxRunsPerReport: 5 }, now: () => now });
    for (let i = 0; i < 8; i += 1) await h.save(run(`2024-05-09T0${i}:00:00Z`, [row('a icmp', 'ok')]));
    expect(h.runCount('web')).toBe(5);
    expect((await h.recent('web', 10)).map((d) => d.scheduledAt.slice(11, 13))).toEqual(['07', '06', '05', '04', '03']);
    await h.save(run('2024-05-01T00:00:00Z', [row('a icmp', 'ok')])); // older than 3 days: gone at once
    expect(h.runCount('web')).toBe(5);
    now = Date.parse('2024-05-13T00:00:00Z');
    h.prune();
    expect(h.runCount('web')).toBe(0);
    const db = new Database(file);
    expect(db.prepare('SELECT COUNT(*) AS n FROM report_results').get()).toEqual({ n: 0 }); // cascade
    db.close();
    h.close();
  });

  it('tick keys: one claim wins, only the holder advances, final states stay final', async () => {
    const h = new SqliteReportHistory(file);
    const claim = (holder: string) => ({ report: 'web', key: 'web@t1', scheduledAt: '2024-05-03T09:00:00.000Z', holder, late: false, at: '2024-05-03T09:00:00.000Z' });
    expect((await h.claim(claim('A'))).ok).toBe(true);
    expect(await h.claim(claim('B'))).toMatchObject({ ok: false, record: { holder: 'A', state: 'running' } });
    expect(await h.advance('web', 'web@t1', 'B', 'posting')).toBe(false);
    expect(await h.advance('web', 'web@t1', 'A', 'posting', { channel: 'C1' })).toBe(true);
    // B takes over an abandoned claim only when told to, and then A is fenced out.
    expect((await h.claim(claim('B'), ['posting'])).ok).toBe(true);
    expect(await h.advance('web', 'web@t1', 'A', 'posted')).toBe(false);
    expect(await h.advance('web', 'web@t1', 'B', 'posted', { messageTs: '1.2' })).toBe(true);
    expect(await h.get('web', 'web@t1')).toMatchObject({ state: 'posted', holder: 'B', channel: 'C1', messageTs: '1.2' });
    expect((await h.claim(claim('C'), ['running', 'posting'])).ok).toBe(false);
    h.close();
  });
});
