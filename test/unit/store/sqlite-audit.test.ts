import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import type { AuditEntry } from '../../../src/store/audit-log.js';
import { SqliteAuditLog } from '../../../src/store/sqlite-audit.js';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  requestId: '6f1c1c8e-0d4e-4bb8-9d0e-1d3f3c2b1a00',
  source: 'slash',
  user: 'U0ALICE001',
  channel: 'C0OPS00001',
  command: 'pod',
  target: 'webserver-2 -n shop',
  outcome: 'ok',
  durationMs: 12.6,
  at: '2025-01-01T00:00:00.000Z',
  ...over,
});

describe('SqliteAuditLog', () => {
  it('stores entries (newest first) and writes one log line each', () => {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    const dir = mkdtempSync(join(tmpdir(), 'netpeek-audit-'));
    try {
      const a = new SqliteAuditLog(join(dir, 'nested', 'audit.db'), log);
      a.record(entry());
      a.record(entry({ outcome: 'refused', reason: 'namespace', command: 'ping' }));
      expect(a.recent()).toEqual([entry({ outcome: 'refused', reason: 'namespace', command: 'ping', durationMs: 13 }), entry({ durationMs: 13 })]);
      expect(lines.filter((l) => l.includes('"msg":"audit"'))).toHaveLength(2);
      a.close();
      // Reopening the file keeps the history.
      const b = new SqliteAuditLog(join(dir, 'nested', 'audit.db'), log);
      expect(b.recent()).toHaveLength(2);
      b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works in memory', () => {
    const a = new SqliteAuditLog(':memory:', createLogger('silent'));
    a.record(entry());
    expect(a.recent(1)).toHaveLength(1);
    a.close();
  });

  it('says which variable to fix when the file cannot be opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpeek-audit-'));
    try {
      writeFileSync(join(dir, 'a-file'), '');
      expect(() => new SqliteAuditLog(join(dir, 'a-file', 'audit.db'), createLogger('silent'))).toThrow(/cannot open its audit log .* \(NETPEEK_SLACK_AUDIT_DB\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
