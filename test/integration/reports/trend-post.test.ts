import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/reports/clock.js';
import { parseDefinitions } from '../../../src/reports/definitions.js';
import { reportAnswer } from '../../../src/reports/report-answer.js';
import { ReportScheduler } from '../../../src/reports/scheduler.js';
import { SqliteReportHistory } from '../../../src/reports/sqlite-history.js';
import { toText } from '../../../src/render/text.js';
import { TREND_HEIGHT, TREND_WIDTH } from '../../../src/render/trend-chart.js';
import { createWebClient } from '../../../src/slack/app.js';
import { SlackReportPoster } from '../../../src/slack/report-poster.js';
import { FAKE_BOT, startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { ScriptedProbes, silent } from '../../unit/reports/helpers.js';

// Fixture addresses: the scripted prober answers for them; nothing is sent.
const DEFS = parseDefinitions(`reports:
  - name: hourly
    schedule: "0 * * * *"
    channel: C0123ABCD
    targets:
      - address: 10.0.0.1:80
        from: docker-host
      - address: 10.0.0.2:80
        from: docker-host
`);

/**
 * The scheduler with its real SQLite history posts through the real SlackReportPoster and WebClient to
 * the fake Slack Web API: from the second run on, each post gets its trend PNG in its thread
 * (files.uploadV2: getUploadURLExternal, the bytes, completeUploadExternal); the PNG is decoded here.
 */
describe('report posts carry a trend picture; the terminal answer a sparkline', () => {
  let dir: string;
  let api: FakeSlackApi;
  let history: SqliteReportHistory;
  let scheduler: ReportScheduler;
  // Started just after 09:00: the 09:00 tick runs at once (catch-up), as after a deploy.
  const clock = new ManualClock('2026-12-03T09:00:30Z');
  const probes = new ScriptedProbes();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netpeek-trend-'));
    api = await startFakeSlackApi();
    history = new SqliteReportHistory(join(dir, 'reports.db'), { now: () => clock.now() });
    // 10.0.0.2 stops answering at 11:00, and gets slower before that.
    probes.outcome = (t) => {
      const h = new Date(clock.now()).getUTCHours();
      if (t.ip === '10.0.0.2' && h >= 11) return { ok: false, error: 'refused' };
      return { ok: true, ms: t.ip === '10.0.0.2' ? 5 * (h - 7) : 1 };
    };
    const poster = new SlackReportPoster(createWebClient({ botToken: FAKE_BOT.token, port: 0 }, {}, undefined, { slackApiUrl: api.url }), { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }, silent);
    scheduler = new ReportScheduler({ definitions: DEFS, sources: {}, probes, history, ticks: history, poster, identity: 'test/1', clock, log: silent });
    scheduler.start();
  });

  afterAll(async () => {
    await scheduler?.stop();
    history?.close();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first run has no trend; every later post has its chart in its own thread', async () => {
    await scheduler.idle();
    expect(api.okCallsTo('chat.postMessage').filter((c) => !c.args.thread_ts)).toHaveLength(1);
    expect(api.files).toHaveLength(0);

    await clock.advanceTo('2026-12-03T11:00:30Z');
    await scheduler.idle();
    const posts = api.okCallsTo('chat.postMessage').filter((c) => !c.args.thread_ts);
    expect(posts).toHaveLength(3);
    await api.waitFor(() => api.files.length === 2);
    const tsOf = (i: number) => api.messages.filter((m) => !m.thread_ts)[i]!.ts;
    expect(api.files.map((f) => [f.thread_ts, f.channel_id, f.filename])).toEqual([
      [tsOf(1), 'C0123ABCD', 'hourly-trend.png'],
      [tsOf(2), 'C0123ABCD', 'hourly-trend.png'],
    ]);
    expect(api.files[1]!.title).toBe('hourly: the last 3 runs');
    expect(api.files[1]!.alt_text).toContain('latest: 50% reachable');

    const png = PNG.sync.read(api.files[1]!.bytes);
    expect([png.width, png.height]).toEqual([TREND_WIDTH, TREND_HEIGHT]);
    let ink = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 240 || png.data[i + 1]! < 240 || png.data[i + 2]! < 240) ink++;
    expect(ink).toBeGreaterThan(png.width * png.height * 0.02);
  }, 60_000);

  it('report <name> (run now) shows the trend as a sparkline over the stored runs and this one', async () => {
    const view = await scheduler.runNow('hourly');
    const text = toText(reportAnswer(view, { posted: false }));
    // 09:00 and 10:00 all reachable, 11:00 and now half: full bars, then half bars.
    expect(text).toMatch(/Trend \(4 runs\)/);
    expect(text).toContain('reachable ██▅▅ 100% → 50%');
    expect(text).toMatch(/p95 [▁-█]{4} /);
  }, 30_000);
});
