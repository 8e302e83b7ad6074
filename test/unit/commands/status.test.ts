import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { DockerEngine } from '../../../src/sources/docker.js';
import { dockerDesktopFake } from '../../support/docker-desktop-fake.js';

const registry = new CommandRegistry(COMMANDS);
const base: Deps = assembleDeps({ config: loadConfig({}), log: createLogger('silent') });

describe('status', () => {
  it('answers when the engine is down, with the reason as a fact', async () => {
    const docker = new DockerEngine({ host: 'unix:///nonexistent/docker.sock', timeoutMs: 1000 });
    const answer = await ask('status', registry, { ...base, docker });
    const reason = 'The Docker engine at unix:///nonexistent/docker.sock did not answer: no socket there';
    expect(answer.facts).toEqual([{ label: 'Docker', value: reason }]);
    expect(answer.tables[0]!.rows).toEqual([['Docker', 'does not answer', reason]]);
    expect(answer.summary).toBe(`No backend answers: ${reason}`);
    expect(answer.hints.join(' ')).toMatch(/Start the Docker engine/);
  });

  it('answers when no engine is configured', async () => {
    const answer = await ask('status', registry, base);
    expect(answer.tables[0]!.rows).toEqual([['Docker', 'does not answer', 'No Docker engine is configured.']]);
  });

  it('recognises Docker Desktop', async () => {
    const answer = await ask('status', registry, { ...base, docker: dockerDesktopFake() });
    expect(answer.facts).toContainEqual({ label: 'Docker Desktop', value: 'yes — the engine runs in a VM' });
    expect(answer.facts).toContainEqual({ label: 'Docker engine', value: '27.3.1 (API 1.47)' });
    expect(answer.facts).toContainEqual({ label: 'Docker host OS', value: 'Docker Desktop, linux/aarch64' });
    expect(answer.explanations.join(' ')).toMatch(/Linux VM/);
  });
});

describe('status: the store', () => {
  it('SQLite: answers, and says it is per process', async () => {
    const { SqliteStore } = await import('../../../src/store/sqlite-store.js');
    const store = new SqliteStore({ auditDb: ':memory:', reportsDb: ':memory:', retention: { maxAgeDays: 30, maxRunsPerReport: 10 }, log: base.log });
    const answer = await ask('status', registry, { ...base, store });
    const row = answer.tables[0]!.rows.find((r) => r[0] === 'store (SQLite)');
    expect(row?.[1]).toBe('answers');
    expect(row?.[2]).toMatch(/not shared with other replicas/);
    expect(answer.hints.join(' ')).toMatch(/set NETPEEK_DATABASE_URL \(PostgreSQL\)/);
    await store.close();
  });

  it('PostgreSQL down: does not answer, says why and that audit records wait, and never shows the password', async () => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const { openStore } = await import('../../../src/store/open-store.js');
    const store = await openStore({
      store: loadConfig({ NETPEEK_DATABASE_URL: `postgres://netpeek:hunter2@127.0.0.1:${port}/netpeek` }).store,
      auditDb: ':memory:',
      reportsDb: ':memory:',
      retention: { maxAgeDays: 30, maxRunsPerReport: 10 },
      holder: 'h',
      log: base.log,
    });
    store.audit.record({ requestId: 'r', source: 'slash', user: 'U0ALICE001', channel: 'C0OPS00001', command: 'pod', target: 'web', outcome: 'ok', durationMs: 1, at: new Date().toISOString() });
    const answer = await ask('status', registry, { ...base, store });
    const row = answer.tables[0]!.rows.find((r) => r[0] === 'store (PostgreSQL)');
    expect(row?.[1]).toBe('does not answer');
    expect(row?.[2]).toMatch(new RegExp(`^PostgreSQL at 127\\.0\\.0\\.1:${port}/netpeek is unavailable since .*ECONNREFUSED.*Audit records are logged and wait in memory \\(1 waiting\\)`));
    expect(answer.facts).toContainEqual({ label: 'store (PostgreSQL)', value: row?.[2] });
    expect(answer.hints.join(' ')).toMatch(/Check that PostgreSQL runs/);
    expect(JSON.stringify(answer)).not.toContain('hunter2');
    await store.close();
  });
});
