import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProbeRouter } from '../../src/probe/probe-router.js';
import { ManualClock } from '../../src/reports/clock.js';
import { parseDefinitions } from '../../src/reports/definitions.js';
import { ReportScheduler } from '../../src/reports/scheduler.js';
import { SqliteReportHistory } from '../../src/reports/sqlite-history.js';
import { describeNeeding, DOCKER } from '../support/backends.js';
import { netpeek } from '../support/cli.js';
import { BUSYBOX_IMAGE, docker, DockerFixtures, ensureBusyboxImages, inspect } from '../support/docker-fixtures.js';
import { silent } from '../unit/reports/helpers.js';

/**
 * `netpeek report <name> --once` (the binary) shows the trend as a sparkline over the runs `netpeek serve`
 * stored and this one: the runs are made by the real scheduler into the SQLite history file, probing a
 * container on a Docker network of the test's own (an httpd on port 80); then the container stops
 * listening and the binary, reading the same file, probes again.
 */
describeNeeding(DOCKER, 'netpeek report <name> --once (the binary): a sparkline over the stored runs', () => {
  const fx = new DockerFixtures();
  let dir: string;
  let env: Record<string, string>;
  let web: string;

  beforeAll(async () => {
    await ensureBusyboxImages();
    const lab = await fx.createNetwork('reportonce');
    web = await fx.runContainer('reportweb', ['--network', lab.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '80']);
    const ip = (await inspect<{ NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }>(web)).NetworkSettings.Networks[lab.name]!.IPAddress;
    dir = mkdtempSync(join(tmpdir(), 'netpeek-report-once-'));
    const file = join(dir, 'reports.yaml');
    const db = join(dir, 'netpeek.db');
    const yaml = `reports:\n  - name: web\n    schedule: "0 * * * *"\n    channel: C0123ABCD\n    targets:\n      - address: ${ip}:80\n        from: docker-host\n    probes: [tcp]\n    timeoutMs: 1000\n`;
    writeFileSync(file, yaml);
    // Two hourly runs by the scheduler, as `netpeek serve` would have stored them (nothing posted).
    const clock = new ManualClock('2026-12-04T09:00:30Z');
    const history = new SqliteReportHistory(db, { now: () => clock.now() });
    const scheduler = new ReportScheduler({ definitions: parseDefinitions(yaml), sources: {}, probes: new ProbeRouter({ localAllowedCidrs: async () => [lab.subnet] }), history, ticks: history, identity: 'once/1', clock, log: silent });
    scheduler.start();
    await scheduler.idle();
    await clock.advanceTo('2026-12-04T10:00:30Z');
    await scheduler.idle();
    await scheduler.stop();
    expect((await history.recent('web', 10)).length).toBe(2);
    history.close();
    env = { NETPEEK_REPORTS_FILE: file, NETPEEK_REPORTS_DB: db };
  }, 120_000);

  afterAll(async () => {
    await fx.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('all reachable, then the server stops: the sparkline drops on this run', async () => {
    const ok = await netpeek(['report', 'web', '--once'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Trend \(3 runs\)/);
    expect(ok.stdout).toContain('reachable ███ 100% → 100%');

    await docker('stop', '-t', '0', web);
    const bad = await netpeek(['report', 'web', '--once'], env);
    expect(bad.stdout).toMatch(/Trend \(3 runs\)/);
    expect(bad.stdout).toMatch(/reachable ██▁ 100% → 0%/);
    // This run has no answering probe, so no p95: a dot, not a bar.
    expect(bad.stdout).toMatch(/p95 [▁-█]{2}· /);
  }, 60_000);
});
