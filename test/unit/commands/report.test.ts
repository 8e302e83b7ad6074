import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { toText } from '../../../src/render/text.js';
import { loadReportsConfig } from '../../../src/reports/report-config.js';
import { SqliteReportHistory } from '../../../src/reports/sqlite-history.js';
import { row, run, ScriptedProbes, silent } from '../reports/helpers.js';

const registry = new CommandRegistry(COMMANDS);

describe('the report command (terminal, no scheduler)', () => {
  let dir: string;
  let deps: Deps;
  const probes = new ScriptedProbes();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netpeek-report-cmd-'));
    const file = join(dir, 'reports.yaml');
    writeFileSync(
      file,
      `reports:
  - name: web
    schedule: "0 * * * *"
    timezone: Europe/Berlin
    channel: C0123ABCD
    targets:
      - address: 10.0.0.1:80
        from: docker-host
  - name: broken
    schedule: "every hour"
    channel: C0123ABCD
    targets: [{ address: 10.0.0.2 }]
`,
    );
    const db = join(dir, 'netpeek.db');
    const h = new SqliteReportHistory(db, { now: () => Date.now() });
    await h.save(run(new Date(Date.now() - 3600_000).toISOString(), [row('address 10.0.0.1:80 icmp', 'ok'), row('address 10.0.0.1:80 tcp/80', 'ok', { kind: 'tcp', port: 80 })], { report: 'web', verdict: 'all 2 reachable' }));
    h.close();
    const reports = loadReportsConfig({ NETPEEK_REPORTS_FILE: file, NETPEEK_REPORTS_DB: db });
    deps = assembleDeps({ config: { ...loadConfig({}), reports }, log: silent, probes });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`report` lists definitions with next run and last verdict, and the refused ones with why', async () => {
    const a = await ask('report', registry, deps);
    expect(a.summary).toBe('1 report; 1 refused; the schedules run in `netpeek serve`, not here.');
    expect(a.tables[0]?.rows[0]).toEqual(['web', '0 * * * * (Europe/Berlin)', 'C0123ABCD', expect.stringMatching(/^\d\d:00$|^\w{3} \d\d:00$/), expect.any(String), 'all 2 reachable']);
    expect(a.warnings).toEqual([expect.stringMatching(/reports\.yaml:10:15: report broken: reports\[1\]\.schedule: "every hour" is not a cron schedule/)]);
  });

  it('`report <name> --once` runs it now and prints it, diffed against the stored run', async () => {
    probes.outcome = (t) => (t.kind === 'tcp' ? { ok: false, error: 'refused' } : { ok: true, ms: 0.3 });
    const a = await ask('report web --once', registry, deps);
    expect(a.summary).toMatch(/^1 of 2 targets unreachable; 1 new since /);
    expect(toText(a)).toContain('address 10.0.0.1:80  tcp/80  10.0.0.1  the Docker host  refused  new');
    expect(a.hints[0]).toContain('not posted or stored');
    const same = await ask('report web', registry, deps);
    expect(same.summary).toBe(a.summary);
  });

  it('explains what is wrong', async () => {
    await expect(ask('report broken', registry, deps)).rejects.toThrow('Report broken was refused when the definitions were loaded.');
    await expect(ask('report wbe', registry, deps)).rejects.toThrow('There is no report "wbe"');
    await expect(ask('report --once', registry, deps)).rejects.toThrow('--once runs one report: name it.');
    await expect(ask('ping x --once', registry, deps)).rejects.toThrow('ping does not take --once.');
    const none = assembleDeps({ config: { ...deps.config, reports: loadReportsConfig({}) }, log: silent, probes });
    await expect(ask('report', registry, none)).rejects.toThrow('NETPEEK_REPORTS_FILE is not set');
  });

  it('uses the running scheduler when `netpeek serve` put it in deps', async () => {
    const live = { list: async () => ({ reports: [], problems: [], runner: 'leader' as const }), runNow: async () => { throw new Error('unused'); } };
    const a = await ask('report', registry, assembleDeps({ config: deps.config, log: silent, probes, reports: live }));
    expect(a.summary).toBe('0 reports; this replica runs the schedules (it holds the lease).');
  });
});
