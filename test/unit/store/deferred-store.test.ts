import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { ask } from '../../../src/core/ask.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { assembleDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { deferredStore, openStore } from '../../../src/store/open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'netpeek-deferred-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger('silent');
const registry = new CommandRegistry(COMMANDS);

function options(name: string) {
  const config = loadConfig({});
  return { store: config.store, auditDb: join(dir, `${name}-audit.db`), reportsDb: join(dir, `${name}-reports.db`), retention: config.reports.retention, holder: 'test', log };
}

describe('DeferredStore: a terminal opens its store only for a command that needs state', () => {
  it('`explain expose` answers without opening (or creating) the SQLite files', async () => {
    const o = options('explain');
    const store = deferredStore(o);
    const deps = assembleDeps({ config: loadConfig({}), log, store });
    const answer = await ask('explain expose', registry, deps);
    expect(answer.title.toLowerCase()).toContain('expose');
    await store.close();
    expect(existsSync(o.auditDb)).toBe(false);
    expect(existsSync(o.reportsDb)).toBe(false);
  });

  it('`audit` opens the audit log on first use and reads what the real store wrote', async () => {
    const o = options('audit');
    const writer = await openStore(o);
    writer.audit.record({ requestId: 'r1', source: 'slash', user: 'U0ALICE001', channel: 'C0OPS00001', command: 'pod', target: 'webserver-2', outcome: 'ok', durationMs: 12, at: new Date().toISOString() });
    await writer.close();
    const store = deferredStore(o);
    expect(store.kind).toBe('sqlite');
    expect(store.shared).toBe(false);
    const rows = await store.audit.query({ limit: 10 });
    expect(rows.map((r) => [r.user, r.command, r.target])).toEqual([['U0ALICE001', 'pod', 'webserver-2']]);
    expect((await store.check()).detail).toContain(o.auditDb);
    await store.close();
  });
});
