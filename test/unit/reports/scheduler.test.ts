import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/reports/clock.js';
import { parseDefinitions, type LoadedDefinitions } from '../../../src/reports/definitions.js';
import { ReportScheduler, type Leadership, type TickEvent } from '../../../src/reports/scheduler.js';
import { SqliteReportHistory } from '../../../src/reports/sqlite-history.js';
import { FakePoster, ScriptedProbes, silent } from './helpers.js';
import { BotMetrics } from '../../../src/slack/bot-metrics.js';
import { parseMetrics, sample } from '../../support/prometheus-text.js';

const DEFS = `reports:
  - name: hourly
    schedule: "0 * * * *"
    channel: C0123ABCD
    targets:
      - address: 10.0.0.1:80
        from: docker-host
      - address: 10.0.0.2:80
        from: node-b
`;

class FakeLeader implements Leadership {
  leading = true;
  valid = 60_000;
  private fns = new Set<(l: boolean) => void>();
  isLeader = () => this.leading;
  validForMs = () => (this.leading ? this.valid : 0);
  onChange(fn: (l: boolean) => void) {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  set(v: boolean) {
    this.leading = v;
    for (const fn of this.fns) fn(v);
  }
}

describe('report scheduler (fake clock)', () => {
  let dir: string;
  let db: string;
  let clock: ManualClock;
  let poster: FakePoster;
  let probes: ScriptedProbes;
  let events: TickEvent[];
  const open: Array<{ s: ReportScheduler; h: SqliteReportHistory }> = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netpeek-sched-'));
    db = join(dir, 'netpeek.db');
    clock = new ManualClock('2024-05-03T09:59:00Z');
    poster = new FakePoster();
    probes = new ScriptedProbes();
    events = [];
  });

  afterEach(async () => {
    for (const { s, h } of open.splice(0)) {
      await s.stop();
      h.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function start(o: { defs?: LoadedDefinitions; leader?: Leadership; identity?: string } = {}) {
    const h = new SqliteReportHistory(db, { now: () => clock.now() });
    const s = new ReportScheduler({
      definitions: o.defs ?? parseDefinitions(DEFS),
      sources: {},
      probes,
      history: h,
      ticks: h,
      poster,
      ...(o.leader ? { leader: o.leader } : {}),
      identity: o.identity ?? 'replica-a/1/x',
      clock,
      log: silent,
      onTick: (e) => events.push(e),
    });
    open.push({ s, h });
    s.start();
    return { s, h };
  }

  /** Stops a scheduler as a crash would leave things (no graceful anything beyond closing the file). */
  async function kill(x: { s: ReportScheduler; h: SqliteReportHistory }) {
    open.splice(open.indexOf(x), 1);
    await x.s.stop();
    x.h.close();
  }

  const ticksPosted = () => poster.posts.map((p) => p.message.metadata.event_payload.tick);

  it('posts once per tick at the cron times, each diffed against the previous run', async () => {
    probes.outcome = (t) => (t.ip === '10.0.0.2' && t.kind === 'tcp' && clock.now() >= Date.parse('2024-05-03T11:00:00Z') ? { ok: false, error: 'refused' } : { ok: true, ms: 1 });
    const { s } = start();
    await s.idle();
    expect(poster.posts).toHaveLength(1); // catch-up of 09:00 (first start, less than one period old)
    await clock.advanceTo('2024-05-03T12:00:30Z');
    await s.idle();
    expect(ticksPosted()).toEqual(['hourly@2024-05-03T09:00:00.000Z', 'hourly@2024-05-03T10:00:00.000Z', 'hourly@2024-05-03T11:00:00.000Z', 'hourly@2024-05-03T12:00:00.000Z']);
    expect(poster.posts.map((p) => p.message.text)).toEqual([
      'hourly: all 4 reachable',
      'hourly: all 4 reachable',
      'hourly: 1 of 4 targets unreachable; 1 new since 10:00',
      'hourly: 1 of 4 targets unreachable; none new since 11:00',
    ]);
    expect(events.map((e) => [e.trigger, e.outcome])).toEqual([
      ['catch-up', 'posted'],
      ['schedule', 'posted'],
      ['schedule', 'posted'],
      ['schedule', 'posted'],
    ]);
  });

  it("each tick event carries its run's target counts, which the bot's /metrics counts by report and state", async () => {
    probes.outcome = (t) => (t.ip === '10.0.0.2' && t.kind === 'tcp' && clock.now() >= Date.parse('2024-05-03T11:00:00Z') ? { ok: false, error: 'refused' } : { ok: true, ms: 1 });
    const { s } = start();
    await clock.advanceTo('2024-05-03T11:00:30Z');
    await s.idle();
    expect(events.map((e) => [e.outcome, e.counts?.total, e.counts?.failed])).toEqual([
      ['posted', 4, 0],
      ['posted', 4, 0],
      ['posted', 4, 1],
    ]);
    const metrics = new BotMetrics({ commands: [], defaultMetrics: false });
    for (const e of events) metrics.reportTick(e);
    const families = parseMetrics(await metrics.registry.metrics());
    expect(sample(families, 'netpeek_report_runs_total', { report: 'hourly', outcome: 'posted' })?.value).toBe('3');
    expect(sample(families, 'netpeek_report_targets_total', { report: 'hourly', state: 'ok' })?.value).toBe('11');
    expect(sample(families, 'netpeek_report_targets_total', { report: 'hourly', state: 'failed' })?.value).toBe('1');
  });

  it('a missed tick less than one period old runs once on start, marked late; history survives restarts', async () => {
    clock = new ManualClock('2024-05-03T10:20:00Z');
    const first = start();
    await first.s.idle();
    expect(ticksPosted()).toEqual(['hourly@2024-05-03T10:00:00.000Z']);
    expect(poster.posts[0]?.message.blocks[0]).toMatchObject({ text: { text: expect.stringContaining('_(late)_') } });
    await kill(first);

    await clock.advanceTo('2024-05-03T10:40:00Z'); // restart within the same period: already posted
    const second = start({ identity: 'replica-a/2/y' });
    await second.s.idle();
    expect(poster.posts).toHaveLength(1);
    await kill(second);

    await clock.advanceTo('2024-05-03T11:59:00Z'); // down over 11:00: it runs late, diffed against 10:00
    const third = start({ identity: 'replica-a/3/z' });
    await third.s.idle();
    expect(ticksPosted()).toEqual(['hourly@2024-05-03T10:00:00.000Z', 'hourly@2024-05-03T11:00:00.000Z']);
    expect((await third.h.latest('hourly'))?.late).toBe(true);
    expect((await third.h.latest('hourly', { before: '2024-05-03T11:00:00.000Z' }))?.tickKey).toBe('hourly@2024-05-03T10:00:00.000Z');
  });

  it('a tick more than one period old is not run on start', async () => {
    const weekdays = parseDefinitions(DEFS.replace('"0 * * * *"', '"0 8 * * 1-5"'));
    clock = new ManualClock('2024-05-04T10:00:00Z'); // Saturday: Friday 08:00 is 26 h old, the period is 24 h
    const { s } = start({ defs: weekdays });
    await s.idle();
    expect(poster.posts).toEqual([]);
    await clock.advanceTo('2024-05-06T08:00:01Z'); // Monday
    await s.idle();
    expect(ticksPosted()).toEqual(['hourly@2024-05-06T08:00:00.000Z']);
  });

  it('a restart in the middle of a run does not post twice; the tick runs again, late', async () => {
    clock = new ManualClock('2024-05-03T09:59:59Z');
    const first = start();
    await first.s.idle(); // 09:00 catch-up posted
    let release!: () => void;
    probes.gate = () => new Promise<void>((r) => (release = r));
    await clock.advance(2000); // 10:00 tick starts and hangs in probing
    await new Promise((r) => setTimeout(r, 20));
    expect(probes.calls.length).toBeGreaterThan(2);
    await kill(first); // aborted mid-run
    release();
    probes.gate = undefined;
    expect(events.at(-1)).toMatchObject({ tickKey: 'hourly@2024-05-03T10:00:00.000Z', outcome: 'aborted' });
    const second = start({ identity: 'replica-a/2/y' });
    await second.s.idle();
    expect(poster.postsFor('hourly@2024-05-03T10:00:00.000Z')).toBe(1);
    expect(events.at(-1)).toMatchObject({ tickKey: 'hourly@2024-05-03T10:00:00.000Z', trigger: 'catch-up', outcome: 'posted' });
  });

  it('a process that died right after Slack got the post: the next start finds it in the channel and does not post again', async () => {
    poster.crashAfterPostNext = 1;
    const first = start();
    await first.s.idle();
    expect(events.at(-1)?.outcome).toBe('post-failed');
    await kill(first);
    const second = start({ identity: 'replica-a/2/y' });
    await second.s.idle();
    expect(poster.postsFor('hourly@2024-05-03T09:00:00.000Z')).toBe(1);
    expect(events.at(-1)).toMatchObject({ outcome: 'already-posted', ts: poster.posts[0]?.ts });
    expect(await second.h.get('hourly', 'hourly@2024-05-03T09:00:00.000Z')).toMatchObject({ state: 'posted', messageTs: poster.posts[0]?.ts });
  });

  it('a post that never reached Slack is posted on the next start; an unreadable channel is never posted twice', async () => {
    poster.failNext = 1;
    const first = start();
    await first.s.idle();
    await kill(first);
    expect(poster.posts).toHaveLength(0);
    poster.unreadable = true;
    const second = start({ identity: 'b' });
    await second.s.idle();
    expect(events.at(-1)?.outcome).toBe('unverifiable');
    await kill(second);
    poster.unreadable = false;
    const third = start({ identity: 'c' });
    await third.s.idle();
    expect(poster.postsFor('hourly@2024-05-03T09:00:00.000Z')).toBe(1);
  });

  it('quiet reports post only when there is something to say', async () => {
    const quiet = parseDefinitions(DEFS.replace('channel: C0123ABCD', 'channel: C0123ABCD\n    quiet: true'));
    const { s, h } = start({ defs: quiet });
    await s.idle();
    expect(poster.posts).toEqual([]);
    expect(await h.get('hourly', 'hourly@2024-05-03T09:00:00.000Z')).toMatchObject({ state: 'skipped' });
    probes.outcome = (t) => (t.ip === '10.0.0.1' ? { ok: false, error: 'timeout' } : { ok: true, ms: 1 });
    await clock.advanceTo('2024-05-03T10:00:01Z');
    await s.idle();
    expect(poster.posts.map((p) => p.message.text)).toEqual(['hourly: 2 of 4 targets unreachable; 2 new since 09:00']);
  });

  it('only the leader runs ticks; becoming leader catches up the tick it missed', async () => {
    const leader = new FakeLeader();
    leader.leading = false;
    const { s } = start({ leader });
    await clock.advanceTo('2024-05-03T10:00:05Z');
    await s.idle();
    expect(poster.posts).toEqual([]);
    expect(events.map((e) => e.outcome)).toEqual(['not-leader']);
    leader.set(true);
    await s.idle();
    expect(ticksPosted()).toEqual(['hourly@2024-05-03T10:00:00.000Z']);
    expect(events.at(-1)).toMatchObject({ trigger: 'catch-up', outcome: 'posted' });
  });

  it('does not post when the lease ran out during the run', async () => {
    const leader = new FakeLeader();
    probes.gate = async () => {
      leader.valid = 500;
    };
    const { s } = start({ leader });
    await s.idle();
    expect(poster.posts).toEqual([]);
    expect(events.at(-1)?.outcome).toBe('lost-leadership');
  });

  it('an agent that is down leaves its targets "not probed: agent down"; the run is still stored and posted', async () => {
    probes.outcome = (_, v) =>
      v.kind === 'node' ? { ok: false, error: 'error', unavailable: { agent: 'http://10.0.0.12:7070', node: 'node-b', reason: 'refused', message: 'agent http://10.0.0.12:7070 (node node-b) refused the connection (ECONNREFUSED): is netpeek agent running there?' } } : { ok: true, ms: 1 };
    const { s, h } = start();
    await s.idle();
    expect(poster.posts[0]?.message.text).toBe('hourly: 2 of 4 reachable; 2 not probed');
    expect(JSON.stringify(poster.posts[0]?.message.blocks)).toContain('2 targets from node node-b: not probed: agent down');
    expect((await h.latest('hourly'))?.counts).toMatchObject({ total: 4, ok: 2, notProbed: 2 });
  });

  it('refuses bad definitions at load with the reason; the other reports keep running', async () => {
    const defs = parseDefinitions(`${DEFS}  - name: broken
    schedule: "0 25 * * *"
    channel: C0123ABCD
    targets: [{ address: 10.0.0.3 }]
  - name: bad-selector
    schedule: "0 * * * *"
    channel: C0123ABCD
    targets: [{ pods: { namespace: default, selector: "app in (x" } }]
`);
    const { s } = start({ defs });
    await s.idle();
    expect(ticksPosted()).toEqual(['hourly@2024-05-03T09:00:00.000Z']);
    const listing = await s.list();
    expect(listing.reports.map((r) => r.def.name)).toEqual(['hourly']);
    expect(listing.reports[0]).toMatchObject({ nextRunAt: '2024-05-03T10:00:00.000Z', last: { verdict: 'all 4 reachable' } });
    expect(listing.problems.map((p) => [p.report, p.line, p.field])).toEqual([
      ['broken', 11, 'reports[1].schedule'],
      ['bad-selector', 17, 'reports[2].targets[0].pods.selector'],
    ]);
    await expect(s.runNow('broken')).rejects.toThrow('Report broken was refused when the definitions were loaded.');
    await expect(s.runNow('hourli')).rejects.toThrow('Did you mean "hourly"?');
  });

  it('runNow probes now, diffs against the last stored run, and neither stores nor posts', async () => {
    const { s, h } = start();
    await s.idle();
    probes.outcome = () => ({ ok: false, error: 'timeout' });
    const view = await s.runNow('hourly');
    expect(view.run.trigger).toBe('manual');
    expect(view.run.verdict).toBe('4 of 4 targets unreachable; 4 new since 09:00');
    expect(poster.posts).toHaveLength(1);
    expect(h.runCount('hourly')).toBe(1);
  });
});
