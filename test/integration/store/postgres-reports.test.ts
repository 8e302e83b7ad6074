import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/reports/clock.js';
import { parseDefinitions } from '../../../src/reports/definitions.js';
import type { LeaseElector } from '../../../src/reports/leader.js';
import { ReportScheduler, type TickEvent } from '../../../src/reports/scheduler.js';
import { SlackReportPoster } from '../../../src/slack/report-poster.js';
import { openStore } from '../../../src/store/open-store.js';
import type { PostgresStore } from '../../../src/store/postgres-store.js';
import { loadConfig } from '../../../src/config.js';
import { describeNeeding } from '../../support/backends.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { POSTGRES, startPostgres, type PostgresServer } from '../../support/postgres.js';
import { FAKE_BOT, startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { ScriptedProbes, silent } from '../../unit/reports/helpers.js';
import { elector, until } from '../reports/helpers.js';

/**
 * Scheduled reports on the shared PostgreSQL store: the history a new leader diffs against is the one the
 * old leader wrote (no ConfigMaps involved), and a database that dies in the middle of a run does not stop
 * the post — it goes out marked as not stored, and the tick is recorded once the database is back.
 */

const DEFS = parseDefinitions(`reports:
  - name: minutely
    schedule: "* * * * *"
    channel: C0123ABCD
    targets:
      - address: 10.0.0.1:80
        from: docker-host
      - address: 10.0.0.2:80
        from: docker-host
`);

interface Replica {
  scheduler: ReportScheduler;
  elector?: LeaseElector;
  store: PostgresStore;
  probes: ScriptedProbes;
  events: TickEvent[];
  alive: boolean;
}

describeNeeding(POSTGRES, 'scheduled reports on PostgreSQL', () => {
  let pgServer: PostgresServer;
  let api: KubeApiServer;
  let slack: FakeSlackApi;
  let clock: ManualClock;
  let url: string;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    pgServer = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pgServer?.stop();
  });
  beforeEach(async () => {
    [api, slack] = await Promise.all([startKubeApiServer(), startFakeSlackApi()]);
    clock = new ManualClock('2024-05-03T09:59:30Z');
    url = await pgServer.createDatabase();
  });
  afterEach(async () => {
    for (const r of replicas.splice(0)) if (r.alive) await crash(r);
    await Promise.all([api.stop(), slack.close()]);
  });

  async function replica(name: string, o: { lease?: boolean } = {}): Promise<Replica> {
    const store = (await openStore({
      store: loadConfig({ NETPEEK_DATABASE_URL: url }).store,
      auditDb: ':memory:',
      reportsDb: ':memory:',
      retention: { maxAgeDays: 3650, maxRunsPerReport: 100 },
      holder: `${name}/1/abcd`,
      log: silent,
      now: () => clock.now(),
      retryMs: { first: 100, max: 200 },
    })) as PostgresStore;
    await store.whenReady();
    const el = o.lease === false ? undefined : elector(api, `${name}/1/abcd`);
    const probes = new ScriptedProbes();
    probes.outcome = outcome;
    const events: TickEvent[] = [];
    const client = new webApi.WebClient(FAKE_BOT.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
    const scheduler = new ReportScheduler({
      definitions: DEFS,
      sources: {},
      probes,
      history: store.reports(),
      ticks: store.reports(),
      poster: new SlackReportPoster(client, { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }, silent),
      ...(el ? { leader: el } : {}),
      identity: `${name}/1/abcd`,
      clock,
      log: silent,
      postMarginMs: 300,
      onTick: (e) => events.push(e),
    });
    const r: Replica = { scheduler, ...(el ? { elector: el } : {}), store, probes, events, alive: true };
    replicas.push(r);
    scheduler.start();
    el?.start();
    return r;
  }

  async function crash(r: Replica): Promise<void> {
    r.alive = false;
    await r.elector?.stop({ release: false });
    await r.scheduler.stop();
    await r.store.close();
  }

  const posts = () => slack.messages.filter((m) => !m.thread_ts);
  const postOf = (hhmm: string) => posts().filter((m) => m.metadata?.event_payload.tick === `minutely@2024-05-03T${hhmm}:00.000Z`);
  const settle = () => Promise.all(replicas.filter((r) => r.alive).map((r) => r.scheduler.idle()));
  /** What every replica's probes find: 10.0.0.2 refuses during the 10:00 run only. */
  const outcome: ScriptedProbes['outcome'] = (t) =>
    t.ip === '10.0.0.2' && clock.now() >= Date.parse('2024-05-03T10:00:00Z') && clock.now() < Date.parse('2024-05-03T10:01:00Z') ? { ok: false, error: 'refused' } : { ok: true, ms: 1 };

  it('the leader moves: the new leader diffs against the runs the old one stored, and every tick is posted once', async () => {
    const a = await replica('bot-a');
    const b = await replica('bot-b');
    await until(() => replicas.filter((r) => r.elector?.isLeader()).length === 1, 3000, 'one leader');
    await until(() => posts().length === 1, 3000, 'the catch-up post of 09:59');
    await settle();
    await clock.advanceTo('2024-05-03T10:00:00Z');
    await settle();
    const leader = a.elector!.isLeader() ? a : b;
    const other = leader === a ? b : a;
    expect(postOf('09:59')[0]?.text).toBe('minutely: all 4 reachable');
    expect(postOf('10:00')[0]?.text).toBe('minutely: 2 of 4 targets unreachable; 2 new since 09:59');
    await crash(leader);
    await until(() => other.elector!.isLeader(), 5000, 'the other replica to take over');
    await clock.advanceTo('2024-05-03T10:01:00Z');
    await settle();
    await until(() => postOf('10:01').length === 1, 3000, 'the 10:01 post by the new leader');
    expect(posts().map((m) => m.metadata?.event_payload.tick)).toEqual(['09:59', '10:00', '10:01'].map((t) => `minutely@2024-05-03T${t}:00.000Z`));
    // 10.0.0.2 failed at 10:00 in the run the dead leader stored: the new leader sees it recover.
    expect(postOf('10:01')[0]?.text).toBe('minutely: all 4 reachable; 2 recovered');
    expect(JSON.stringify(postOf('10:01')[0]?.blocks)).toContain('*Recovered (2)*');
    const digests = await other.store.reports().recent('minutely', 10);
    expect(digests.map((d) => d.scheduledAt.slice(11, 16))).toEqual(['10:01', '10:00', '09:59']);
    // The database holds the state: no report ConfigMaps were written.
    const cms = (await (await fetch(`${api.url}/api/v1/namespaces/default/configmaps`)).json()) as { items: unknown[] };
    expect(cms.items).toEqual([]);
  });

  it('the database dies mid-run: the run is still posted, marked as not stored; the tick is recorded when it returns', async () => {
    const a = await replica('bot-a', { lease: false });
    await until(() => posts().length === 1, 3000, 'the catch-up post');
    await a.scheduler.idle();
    let release!: () => void;
    a.probes.gate = () => new Promise<void>((r) => (release = r));
    await clock.advanceTo('2024-05-03T10:00:00Z');
    await until(() => a.probes.calls.length >= 2, 3000, 'the 10:00 run to probe');
    await pgServer.kill();
    try {
      release();
      await a.scheduler.idle();
      expect(a.events.at(-1)).toMatchObject({ tickKey: 'minutely@2024-05-03T10:00:00.000Z', outcome: 'posted', storage: { runStored: false, tickRecorded: false } });
      expect(postOf('10:00')).toHaveLength(1);
      expect(JSON.stringify(postOf('10:00')[0]?.blocks)).toContain('This run is not stored: the report history was unavailable');
    } finally {
      await pgServer.restart();
    }
    a.probes.gate = undefined;
    await clock.advanceTo('2024-05-03T10:01:00Z');
    await a.scheduler.idle();
    expect(a.events.at(-1)).toMatchObject({ tickKey: 'minutely@2024-05-03T10:01:00.000Z', outcome: 'posted' });
    expect(a.events.at(-1)?.storage).toBeUndefined();
    expect(await a.store.reports().get('minutely', 'minutely@2024-05-03T10:00:00.000Z')).toMatchObject({ state: 'posted', messageTs: postOf('10:00')[0]?.ts });
    expect(postOf('10:00')).toHaveLength(1);
    expect((await a.store.reports().recent('minutely', 10)).map((d) => d.scheduledAt.slice(11, 16))).toEqual(['10:01', '09:59']);
  });
});
