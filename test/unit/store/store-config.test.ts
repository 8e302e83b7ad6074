import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { openStore } from '../../../src/store/open-store.js';
import { poolOptions } from '../../../src/store/postgres-store.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'netpeek-store-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const pw = join(dir, 'pw');
writeFileSync(pw, 's3cret-from-file\n');

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('store configuration', () => {
  it('no URL: SQLite files, nothing to connect to', async () => {
    const c = loadConfig({});
    expect(c.store).toEqual({ poolSize: 10, auditBuffer: 10_000 });
    const s = await openStore({ store: c.store, auditDb: ':memory:', reportsDb: ':memory:', retention: c.reports.retention, holder: 'h', log: createLogger('silent') });
    expect(s).toBeInstanceOf(SqliteStore);
    expect(s.shared).toBe(false);
    expect(s.claims).toBeUndefined();
    expect(await s.check()).toMatchObject({ kind: 'sqlite', ok: true, detail: expect.stringMatching(/not shared with other replicas/) });
    await s.close();
  });

  it('a URL that is not PostgreSQL is refused, and never echoed (it may hold a password)', () => {
    const msg = problems({ NETPEEK_DATABASE_URL: 'mysql://root:hunter2@db/netpeek' });
    expect(msg).toMatch(/NETPEEK_DATABASE_URL=\(hidden\): must be a PostgreSQL URL like postgres:\/\/netpeek@db\.example:5432\/netpeek/);
    expect(msg).not.toContain('hunter2');
  });

  it('names unreadable files, bad TLS modes and TLS settings without a URL', () => {
    const msg = problems({ NETPEEK_DATABASE_URL: 'postgres://netpeek@db:5432/netpeek', NETPEEK_DATABASE_PASSWORD_FILE: join(dir, 'missing'), NETPEEK_DATABASE_SSL: 'on' });
    expect(msg).toMatch(/NETPEEK_DATABASE_SSL="on": must be one of disable, require, verify-ca, verify-full/);
    expect(problems({ NETPEEK_DATABASE_URL: 'postgres://netpeek@db:5432/netpeek', NETPEEK_DATABASE_PASSWORD_FILE: join(dir, 'missing') })).toMatch(
      /NETPEEK_DATABASE_PASSWORD_FILE=".*missing": the file cannot be read/,
    );
    expect(problems({ NETPEEK_DATABASE_SSL: 'require' })).toMatch(/NETPEEK_DATABASE_SSL is set but NETPEEK_DATABASE_URL is not/);
    expect(problems({ NETPEEK_DATABASE_URL: 'postgres://db/x', NETPEEK_DATABASE_POOL: '0' })).toMatch(/NETPEEK_DATABASE_POOL="0": must be at least 1/);
  });

  it('TLS: the variable wins over the URL\'s sslmode; verify-full checks the CA file and the host name', async () => {
    const base = (env: Record<string, string>) => poolOptions(loadConfig(env).store as never);
    expect(base({ NETPEEK_DATABASE_URL: 'postgres://u:p@db.example:6543/np' })).toMatchObject({ host: 'db.example', port: 6543, database: 'np', user: 'u', password: 'p', ssl: false });
    expect(base({ NETPEEK_DATABASE_URL: 'postgres://u@db/np?sslmode=require' }).ssl).toEqual({ rejectUnauthorized: false });
    const full = base({ NETPEEK_DATABASE_URL: 'postgres://u@db/np?sslmode=require', NETPEEK_DATABASE_SSL: 'verify-full', NETPEEK_DATABASE_CA_FILE: ca }).ssl as Record<string, unknown>;
    expect(full).toEqual({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE') });
    const vca = base({ NETPEEK_DATABASE_URL: 'postgres://u@db/np', NETPEEK_DATABASE_SSL: 'verify-ca', NETPEEK_DATABASE_CA_FILE: ca }).ssl as Record<string, unknown>;
    expect(vca).toMatchObject({ rejectUnauthorized: true, checkServerIdentity: expect.any(Function) });
    const withFile = base({ NETPEEK_DATABASE_URL: 'postgres://u:in-url@db/np', NETPEEK_DATABASE_PASSWORD_FILE: pw });
    expect(await (withFile.password as () => Promise<string>)()).toBe('s3cret-from-file');
  });

  it('the URL never reaches a log line: neither as a config field nor inside a message or an error', () => {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    const url = 'postgres://netpeek:hunter2@db.internal:5432/netpeek';
    const config = loadConfig({ NETPEEK_DATABASE_URL: url });
    log.info({ config }, 'started');
    log.info({ store: config.store }, 'store');
    log.warn(`could not reach ${url}`);
    log.error({ err: new Error(`connect to ${url} failed`) }, 'boom');
    const out = lines.join('');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('db.internal');
    expect(out).toContain('[Redacted]');
  });
});
