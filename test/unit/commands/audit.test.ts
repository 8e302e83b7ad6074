import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { parseSince } from '../../../commands/audit.js';
import { loadConfig } from '../../../src/config.js';
import { ask } from '../../../src/core/ask.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { decideAccess } from '../../../src/slack/authorization.js';
import { loadSlackConfig } from '../../../src/slack/slack-config.js';
import type { AuditEntry } from '../../../src/store/audit-log.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { parseQuery } from '../../../src/core/query.js';

const registry = new CommandRegistry(COMMANDS);
const log = createLogger('silent');
const base: Deps = assembleDeps({ config: loadConfig({}), log });
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  requestId: 'r',
  source: 'slash',
  user: 'U0ALICE001',
  channel: 'C0OPS00001',
  command: 'pod',
  target: 'webserver-2',
  outcome: 'ok',
  durationMs: 12,
  at: minutesAgo(5),
  ...over,
});

function withLog(entries: AuditEntry[]): Deps {
  const store = new SqliteStore({ auditDb: ':memory:', reportsDb: ':memory:', retention: { maxAgeDays: 30, maxRunsPerReport: 10 }, log });
  stores.push(store);
  for (const e of entries) store.audit.record(e);
  return { ...base, store };
}

describe('audit', () => {
  const deps = () =>
    withLog([
      entry({ requestId: 'old', at: minutesAgo(180), command: 'ping', target: 'web-1 --port 80' }),
      entry({ requestId: 'bob', user: 'U0BOB00001', outcome: 'refused', reason: 'probe_channel', command: 'ping', at: minutesAgo(30) }),
      entry({ requestId: 'new', at: minutesAgo(2) }),
    ]);

  it('lists every question, newest first, with who, where, what and how it ended', async () => {
    const a = await ask('audit', registry, deps());
    expect(a.summary).toBe('3 questions, newest first.');
    expect(a.tables[0]!.rows.map((r) => [r[1], r[4], r[6]])).toEqual([
      ['U0ALICE001', 'pod', 'ok'],
      ['U0BOB00001', 'ping', 'refused (probe_channel)'],
      ['U0ALICE001', 'ping', 'ok'],
    ]);
    expect(a.facts).toEqual([{ label: 'Audit log', value: 'SQLite file of this host (other replicas keep their own)' }]);
  });

  it('filters by --user, --since and --command (aliases resolved)', async () => {
    const d = deps();
    expect((await ask('audit --user U0BOB00001', registry, d)).tables[0]!.rows.map((r) => r[1])).toEqual(['U0BOB00001']);
    expect((await ask('audit --since 1h', registry, d)).tables[0]!.rows).toHaveLength(2);
    const pings = await ask('audit --command ping --since 4h', registry, d);
    expect(pings.tables[0]!.rows.map((r) => r[5])).toEqual(['webserver-2', 'web-1 --port 80']);
    expect(pings.summary).toMatch(/^2 questions running ping, since \d{4}-\d\d-\d\dT[\d:.]+Z, newest first\.$/);
    expect((await ask('audit --user U0NOBODY01', registry, d)).summary).toBe('No questions by U0NOBODY01 in the audit log of this host.');
  });

  it('says what is wrong with a bad --since, --user or --command, with an example', async () => {
    const d = deps();
    await expect(ask('audit --since yesterday', registry, d)).rejects.toThrow('--since takes a duration back from now or a time; "yesterday" is neither.');
    await expect(ask('audit --since 1y', registry, d)).rejects.toMatchObject({ code: 'bad_input', details: expect.arrayContaining([expect.stringMatching(/30m, 1h, 7d/)]) });
    await expect(ask('audit --since 2999-01-01', registry, d)).rejects.toThrow('--since 2999-01-01 is in the future');
    await expect(ask('audit --user alice', registry, d)).rejects.toThrow('--user takes a Slack user ID like U0123ABCD; "alice" is not one.');
    await expect(ask('audit --command bogus', registry, d)).rejects.toThrow('--command bogus: netpeek has no command of that name.');
    await expect(ask('audit everything', registry, d)).rejects.toThrow('audit takes no arguments; "everything" is extra.');
    await expect(ask('pod web --since 1h', registry, d)).rejects.toThrow(/since/);
  });

  it('reads durations and times', () => {
    const now = Date.parse('2025-01-31T12:00:00Z');
    expect(parseSince('90m', now)).toBe('2025-01-31T10:30:00.000Z');
    expect(parseSince('7d', now)).toBe('2025-01-24T12:00:00.000Z');
    expect(parseSince('2025-01-31T09:00Z', now)).toBe('2025-01-31T09:00:00.000Z');
  });

  it('without a store says so instead of answering empty', async () => {
    await expect(ask('audit', registry, base)).rejects.toMatchObject({ code: 'backend_unavailable', message: 'No audit log is open here.' });
  });

  it('in Slack only NETPEEK_SLACK_AUDIT_USERS may read it (empty: nobody); other commands are unaffected', () => {
    const cmd = registry.find('audit')!;
    const ask = (env: Record<string, string>, user: string) => decideAccess(loadSlackConfig(env).access, { user, channel: 'C0OPS00001', isDm: false, command: cmd, query: parseQuery('audit') });
    expect(ask({}, 'U0ALICE001')).toMatchObject({ allowed: false, reason: 'audit_user', message: "You (U0ALICE001) may not read netpeek's audit log in Slack." });
    expect(ask({ NETPEEK_SLACK_AUDIT_USERS: 'U0ALICE001' }, 'U0ALICE001')).toMatchObject({ allowed: true });
    expect(ask({ NETPEEK_SLACK_AUDIT_USERS: 'U0ALICE001' }, 'U0BOB00001')).toMatchObject({ allowed: false, reason: 'audit_user' });
    const pod = registry.find('pod')!;
    expect(decideAccess(loadSlackConfig({}).access, { user: 'U0BOB00001', channel: 'C0OPS00001', isDm: false, command: pod, query: parseQuery('pod web') })).toMatchObject({ allowed: true });
  });
});
