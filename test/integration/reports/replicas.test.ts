import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/reports/clock.js';
import { parseDefinitions } from '../../../src/reports/definitions.js';
import type { LeaseElector } from '../../../src/reports/leader.js';
import { ReplicatedState } from '../../../src/reports/replicated-state.js';
import { ReportScheduler, type TickEvent } from '../../../src/reports/scheduler.js';
import { SlackReportPoster } from '../../../src/slack/report-poster.js';
import { SqliteReportHistory } from '../../../src/reports/sqlite-history.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { FAKE_BOT, startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { ScriptedProbes, silent } from '../../unit/reports/helpers.js';
import { clusterState, elector, FAST_LEASE, until } from './helpers.js';

/**
 * Two bot replicas against one (test) API server and one (fake) Slack: the schedule runs on a fake clock,
 * the Lease on real time. Every tick must reach the channel exactly once, through a leader crash too.
 */

const DEFS = parseDefinitions(`reports:
  - name: minutely
    schedule: "* * * * *"
    channel: C0123ABCD
    targets:
      - address: 10.0.0.1:80
        from: docker-host
`);

interface Replica {
  name: string;
  scheduler: ReportScheduler;
  elector: LeaseElector;
  local: SqliteReportHistory;
  probes: ScriptedProbes;
  events: TickEvent[];
  alive: boolean;
}

describe('two replicas, one post per tick', () => {
  let api: KubeApiServer;
  let slack: FakeSlackApi;
  let dir: string;
  let clock: ManualClock;
  const replicas: Replica[] = [];

  beforeEach(async () => {
    [api, slack] = await Promise.all([startKubeApiServer(), startFakeSlackApi()]);
    dir = mkdtempSync(join(tmpdir(), 'netpeek-replicas-'));
    clock = new ManualClock('2024-05-03T09:59:30Z');
  });

  afterEach(async () => {
    for (const r of replicas.splice(0)) if (r.alive) await crash(r);
    await Promise.all([api.stop(), slack.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function replica(name: string): Replica {
    const el = elector(api, `${name}/1/abcd`);
    const local = new SqliteReportHistory(join(dir, `${name}.db`), { now: () => clock.now() });
    const state = new ReplicatedState(clusterState(api), local, () => el.validForMs() > 300, silent);
    const client = new webApi.WebClient(FAKE_BOT.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const probes = new ScriptedProbes();
    const events: TickEvent[] = [];
    const scheduler = new ReportScheduler({
      definitions: DEFS,
      sources: {},
      probes,
      history: state,
      ticks: state,
      poster: new SlackReportPoster(client, { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }, silent),
      leader: el,
      identity: el.identity,
      clock,
      log: silent,
      postMarginMs: 300,
      onTick: (e) => events.push(e),
    });
    const r: Replica = { name, scheduler, elector: el, local, probes, events, alive: true };
    replicas.push(r);
    scheduler.start();
    el.start();
    return r;
  }

  /** As if the process died: no lease release, nothing flushed. */
  async function crash(r: Replica): Promise<void> {
    r.alive = false;
    await r.elector.stop({ release: false });
    await r.scheduler.stop();
    r.local.close();
  }

  const postedTicks = () => slack.messages.filter((m) => !m.thread_ts).map((m) => String(m.metadata?.event_payload.tick));
  const countOf = (tick: string) => postedTicks().filter((t) => t === tick).length;
  const at = (hhmm: string) => `minutely@2024-05-03T${hhmm}:00.000Z`;
  const leaderOf = () => replicas.filter((r) => r.alive && r.elector.isLeader());
  const settle = async () => {
    await Promise.all(replicas.map((r) => r.scheduler.idle()));
  };

  it('exactly one post per tick; the leader killed → the other takes over within one lease period, no tick lost or doubled', async () => {
    const a = replica('bot-a');
    const b = replica('bot-b');
    await until(() => leaderOf().length === 1, 3000, 'one leader');
    await until(() => postedTicks().length === 1, 3000, 'the catch-up post of 09:59');
    await settle();
    for (const t of ['10:00', '10:01', '10:02']) {
      await clock.advanceTo(`2024-05-03T${t}:00Z`);
      await settle();
    }
    expect(postedTicks()).toEqual([at('09:59'), at('10:00'), at('10:01'), at('10:02')]);
    const first = leaderOf()[0] as Replica;
    const other = first === a ? b : a;
    expect(other.events.map((e) => e.outcome).every((o) => o === 'not-leader' || o === 'already-posted')).toBe(true);

    // The leader dies just before 10:03.
    const killedAt = Date.now();
    await crash(first);
    await clock.advanceTo('2024-05-03T10:03:00Z');
    await settle();
    expect(postedTicks()).not.toContain(at('10:03')); // nobody leads yet…
    await until(() => other.elector.isLeader(), 5000, 'the other replica to take over');
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThanOrEqual(FAST_LEASE.leaseDurationMs + 2 * FAST_LEASE.retryPeriodMs + 300);
    await until(() => countOf(at('10:03')) === 1, 3000, 'the missed tick'); // …then the new leader catches up
    await settle();
    await clock.advanceTo('2024-05-03T10:04:00Z');
    await settle();

    expect(postedTicks()).toEqual([at('09:59'), at('10:00'), at('10:01'), at('10:02'), at('10:03'), at('10:04')]);
    expect(other.events.find((e) => e.tickKey === at('10:03') && e.outcome === 'posted')).toMatchObject({ trigger: 'catch-up' });
    const late = slack.messages.find((m) => m.metadata?.event_payload.tick === at('10:03'));
    expect(JSON.stringify(late?.blocks)).toContain('(late)');
    // The new leader diffed 10:03 against the true previous run (10:02, posted by the dead replica).
    expect(late?.text).toBe('minutely: all 2 reachable');
    const stored = await other.scheduler.list();
    expect(stored.reports[0]?.last?.scheduledAt).toBe('2024-05-03T10:04:00.000Z');
  });

  it('a leader deposed in the middle of a run does not post; the new leader posts that tick once', async () => {
    const a = replica('bot-a');
    await until(() => a.elector.isLeader(), 3000, 'a to lead');
    await until(() => postedTicks().length === 1, 3000, 'the catch-up post');
    await a.scheduler.idle();
    let release!: () => void;
    a.probes.gate = () => new Promise<void>((r) => (release = r));
    await clock.advanceTo('2024-05-03T10:00:00Z'); // a claims 10:00 and hangs in probing
    await until(() => a.probes.calls.length >= 2, 2000, 'a to probe');
    await a.elector.stop({ release: false }); // a loses the lease (partitioned), but its run goes on
    const b = replica('bot-b');
    await until(() => countOf(at('10:00')) === 1, 5000, 'b to post 10:00');
    release();
    await a.scheduler.idle();
    expect(a.events.at(-1)).toMatchObject({ tickKey: at('10:00'), outcome: 'lost-leadership' });
    await b.scheduler.idle();
    expect(countOf(at('10:00'))).toBe(1);
    expect(b.events.find((e) => e.tickKey === at('10:00'))).toMatchObject({ outcome: 'posted', trigger: 'catch-up' });
  });
});
