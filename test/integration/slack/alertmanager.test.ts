/**
 * POST /alertmanager on the real bot (Bolt's HTTP receiver on 127.0.0.1:0), fed Alertmanager webhook
 * notifications (version 4) in its documented shape. Slack is the local fake Web API; the diagnosis is
 * the real `pod` command answering from the test API server; the dedupe state is the real store (SQLite
 * files, and a real PostgreSQL shared by two bots).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { createKubeSource, type KubeSource } from '../../../src/sources/kubernetes.js';
import { openStore } from '../../../src/store/open-store.js';
import type { PostgresStore } from '../../../src/store/postgres-store.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import type { AuditEntry } from '../../../src/store/audit-log.js';
import { crashLooping, notification, postAlert } from '../../support/alertmanager.js';
import { describeNeeding } from '../../support/backends.js';
import { namespace, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { POSTGRES, startPostgres, type PostgresServer } from '../../support/postgres.js';
import { expectValidMessage, messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { CHANNEL, OTHER_CHANNEL } from '../../support/slack/payloads.js';

const TOKEN = 'am-bearer-token-3b9f0c2d71e4';
const BASIC: [string, string] = ['alertmanager', 'am-basic-password-81c'];
const ENV = {
  NETPEEK_ALERTMANAGER_TOKEN: TOKEN,
  NETPEEK_ALERTMANAGER_USERNAME: BASIC[0],
  NETPEEK_ALERTMANAGER_PASSWORD: BASIC[1],
  // payments alerts to their own channel, shop and kube-system to the ops channel; nothing else routes.
  NETPEEK_ALERTMANAGER_CHANNELS: `${OTHER_CHANNEL}=namespace:payments;${CHANNEL}=namespace:shop;${CHANNEL}=namespace:kube-system`,
  NETPEEK_ALERTMANAGER_MAX_BODY_BYTES: '8192',
};
const OBJECTS = [
  namespace('shop'),
  namespace('payments'),
  node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
  node('node-2', { internalIP: '192.0.2.22', podCIDR: '10.244.2.0/24' }),
  pod('web-1', { namespace: 'shop', ip: '10.244.1.10', nodeName: 'node-1' }),
  pod('web-2', { namespace: 'shop', ip: '10.244.1.11', nodeName: 'node-1' }),
  pod('pay-0', { namespace: 'payments', ip: '10.244.2.20', nodeName: 'node-2' }),
  // Its selector gets a typo in the Service test: `why` finds it broken there, and says it changed.
  service('web', { namespace: 'shop', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
];

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

function sqliteStore(dir: string): SqliteStore {
  return new SqliteStore({ auditDb: join(dir, 'audit.db'), reportsDb: join(dir, 'netpeek.db'), retention: { maxAgeDays: 30, maxRunsPerReport: 10 }, log: createLogger('silent') });
}

describe('Alertmanager receiver (SQLite store)', () => {
  let api: KubeApiServer;
  let kube: KubeSource;
  let h: Harness;
  let dir: string;
  let store: SqliteStore;
  let url: string;
  let slackApi: FakeSlackApi;

  beforeAll(async () => {
    api = await startKubeApiServer({ objects: OBJECTS });
    kube = createKubeSource(loadConfig({ KUBECONFIG: api.kubeconfigPath }).kube, undefined, { env: {} });
    expect(await kube.cluster().waitForSync(10_000)).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'netpeek-am-'));
    store = sqliteStore(dir);
    slackApi = await startFakeSlackApi();
    h = await startHarness({ commands: COMMANDS, kube, store, env: ENV, api: slackApi });
    url = `${h.base}/alertmanager`;
  }, 30_000);
  afterAll(async () => {
    // Everything posted for alerts is valid Block Kit.
    for (const c of slackApi?.calls.filter((x) => /^chat\.(postMessage|postEphemeral|update)$/.test(x.method)) ?? []) expectValidMessage(c.args);
    await h?.close();
    await slackApi?.close();
    await store?.close();
    await kube?.stop();
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const auditHas = async (pred: (a: AuditEntry) => boolean) => {
    const end = Date.now() + 5000;
    while (!(await h.bot.audit.query({ limit: 50 })).some(pred)) {
      if (Date.now() > end) throw new Error('timed out waiting for the audit record');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const tops = (channel: string) => h.api.messages.filter((m) => m.channel === channel && !m.thread_ts);
  const repliesTo = (ts: string) => h.api.messages.filter((m) => m.thread_ts === ts);

  it('a firing group starts a thread in the routed channel, and the pod of its labels is diagnosed in it', async () => {
    const body = notification({ groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'shop' }, alerts: [crashLooping('shop', 'web-1')] });
    const res = await postAlert(url, body, { bearer: TOKEN });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'posted', channel: CHANNEL, thread_ts: expect.any(String) });
    const parent = tops(CHANNEL).find((m) => m.ts === res.json.thread_ts)!;
    expect(messageText(parent)).toContain('FIRING: KubePodCrashLooping');
    expect(messageText(parent)).toContain('Pod is crash looping.');
    expect(messageText(parent)).toContain('pod shop/web-1');
    await until(() => repliesTo(parent.ts).length >= 1, 10_000, 'the diagnosis in the thread');
    const diagnosis = repliesTo(parent.ts)[0]!;
    expect(diagnosis.channel).toBe(CHANNEL);
    expect(messageText(diagnosis)).toContain('10.244.1.10');
    expect(messageText(diagnosis)).toContain('node-1');
    // "@netpeek ping it" in this thread knows what "it" is.
    expect(diagnosis.metadata).toMatchObject({ event_type: 'netpeek_answer', event_payload: { subject_kind: 'pod', subject_name: 'web-1', namespace: 'shop' } });
    // Not the kube-state-metrics Service of the labels: the pod is what broke.
    expect(h.api.messages.filter((m) => messageText(m).includes('prometheus-kube-state-metrics') && m.thread_ts === parent.ts)).toEqual([]);
    expectValidMessage(parent);
    // The audit record is written after the answer is posted.
    await auditHas((a) => a.command === 'pod');
    const audit = await h.bot.audit.query({ limit: 10 });
    expect(audit.filter((a) => a.source === 'alertmanager').map((a) => [a.command, a.target, a.outcome, a.user, a.channel])).toEqual(
      expect.arrayContaining([
        ['pod', 'web-1 -n shop', 'ok', 'alertmanager', CHANNEL],
        ['(alert)', expect.stringContaining('firing KubePodCrashLooping'), 'ok', 'alertmanager', CHANNEL],
      ]),
    );
  }, 20_000);

  it('a repeat of the same firing group (repeat_interval, a retry) is not posted again', async () => {
    const body = notification({ groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'shop' }, alerts: [crashLooping('shop', 'web-1')] });
    const before = h.api.okCallsTo('chat.postMessage').length;
    for (let i = 0; i < 3; i += 1) {
      const res = await postAlert(url, body, { bearer: TOKEN });
      expect(res).toMatchObject({ status: 200, json: { status: 'duplicate' } });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(h.api.okCallsTo('chat.postMessage').length).toBe(before);
  });

  it('the same group later: a new alert joins in the same thread, then the resolved notification closes it there', async () => {
    const groupLabels = { alertname: 'KubePodCrashLooping', namespace: 'shop' };
    const first = tops(CHANNEL).find((m) => messageText(m).includes('FIRING: KubePodCrashLooping'))!;
    const grown = await postAlert(url, notification({ groupLabels, alerts: [crashLooping('shop', 'web-1'), crashLooping('shop', 'web-2')] }), { basic: BASIC });
    expect(grown.status).toBe(200);
    expect(grown.json).toMatchObject({ status: 'posted', channel: CHANNEL, thread_ts: first.ts });
    await until(() => repliesTo(first.ts).some((m) => messageText(m).includes('10.244.1.11')), 10_000, 'the new pod diagnosed in the same thread');
    expect(repliesTo(first.ts).some((m) => messageText(m).includes('Still firing: 2 alerts of KubePodCrashLooping'))).toBe(true);

    const resolved = await postAlert(url, notification({ status: 'resolved', groupLabels, alerts: [{ ...crashLooping('shop', 'web-1'), status: 'resolved' }, { ...crashLooping('shop', 'web-2'), status: 'resolved' }] }), { bearer: TOKEN });
    expect(resolved.json).toMatchObject({ status: 'posted', thread_ts: first.ts });
    const note = repliesTo(first.ts).find((m) => messageText(m).includes('RESOLVED'))!;
    expect(messageText(note)).toContain('RESOLVED: KubePodCrashLooping — all 2 alerts resolved at 2026-12-03T10:42:01.123Z');
    expect(tops(CHANNEL).filter((m) => messageText(m).includes('KubePodCrashLooping'))).toHaveLength(1);
    // The resolved repeat is a duplicate too.
    const again = await postAlert(url, notification({ status: 'resolved', groupLabels, alerts: [{ ...crashLooping('shop', 'web-1'), status: 'resolved' }, { ...crashLooping('shop', 'web-2'), status: 'resolved' }] }), { bearer: TOKEN });
    expect(again.json).toEqual({ status: 'duplicate' });
  }, 30_000);

  it('labels pick the channel: a payments alert goes to its own channel, its own thread', async () => {
    const res = await postAlert(url, notification({ groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'payments' }, alerts: [crashLooping('payments', 'pay-0')] }), { bearer: TOKEN });
    expect(res.json).toMatchObject({ status: 'posted', channel: OTHER_CHANNEL });
    await until(() => repliesTo(res.json.thread_ts as string).length >= 1, 10_000, 'the payments diagnosis');
    expect(messageText(repliesTo(res.json.thread_ts as string)[0]!)).toContain('10.244.2.20');
    expect(repliesTo(res.json.thread_ts as string)[0]!.channel).toBe(OTHER_CHANNEL);
  }, 20_000);

  it('a Service alert is diagnosed with `why svc/…`: the first broken step, in the thread, with what changed recently', async () => {
    api.modify({ kind: 'Service', namespace: 'shop', name: 'web' }, (svc) => {
      (svc as unknown as { spec: { selector: Record<string, string> } }).spec.selector = { app: 'wbe' };
      (svc as unknown as { metadata: Record<string, unknown> }).metadata.managedFields = [{ manager: 'kubectl-edit', operation: 'Update', time: '2026-12-03T10:00:00Z' }];
    });
    await until(() => kube.cluster().changes().some((c) => c.kind === 'Service' && c.name === 'web'), 5000, 'the selector edit in the change history');
    const labels = { alertname: 'TargetDown', job: 'web', namespace: 'shop', service: 'web', severity: 'warning' };
    const res = await postAlert(url, notification({ groupLabels: { alertname: 'TargetDown', namespace: 'shop' }, alerts: [{ labels, annotations: { summary: '100% of the web/web targets in shop namespace are down.' } }] }), { bearer: TOKEN });
    expect(res.json).toMatchObject({ status: 'posted', channel: CHANNEL });
    const ts = res.json.thread_ts as string;
    expect(messageText(tops(CHANNEL).find((m) => m.ts === ts)!)).toContain('Service shop/web');
    await until(() => repliesTo(ts).length >= 1, 10_000, 'the why answer');
    const why = messageText(repliesTo(ts)[0]!);
    expect(why).toContain('Broken at selector');
    expect(why).toContain('Selector app=wbe of Service web matches no pod in namespace shop');
    expect(why).toContain('Changed recently');
    expect(why).toMatch(/Service shop\/web: .*app=wbe/);
    expect(why).toContain('kubectl-edit');
    // A diagnosis nobody typed sends no packets.
    expect(repliesTo(ts).some((m) => messageText(m).includes('Probing'))).toBe(false);
    await auditHas((a) => a.source === 'alertmanager' && a.command === 'why' && a.target === 'svc/web -n shop' && a.outcome === 'ok');
  }, 20_000);

  it('goldpinger and kubenurse alerts: the nodes their labels name, and each bare address answered by `ip` (what holds it)', async () => {
    // goldpinger's peer-latency rule, aggregated by the pinging instance and the peer's addresses (its metric labels).
    const goldpinger = { alertname: 'GoldpingerHighPeerLatency', namespace: 'kube-system', goldpinger_instance: 'node-1', host_ip: '192.0.2.22', pod_ip: '10.244.2.20', severity: 'warning' };
    const res = await postAlert(url, notification({ groupLabels: { alertname: 'GoldpingerHighPeerLatency', namespace: 'kube-system' }, alerts: [{ labels: goldpinger, annotations: { summary: 'goldpinger on node-1 sees 800 ms to its peer on node-2' } }] }), { bearer: TOKEN });
    expect(res.json).toMatchObject({ status: 'posted', channel: CHANNEL });
    const ts = res.json.thread_ts as string;
    expect(messageText(tops(CHANNEL).find((m) => m.ts === ts)!)).toContain('node node-1');
    await until(() => repliesTo(ts).length >= 3, 10_000, 'the node and the two address answers');
    const [nodeAnswer, podIp, hostIp] = repliesTo(ts).map(messageText);
    expect(nodeAnswer).toContain('node node-1');
    expect(hostIp).toContain('192.0.2.22 is held by node node-2 (its InternalIP).');
    expect(podIp).toContain('10.244.2.20 is held by pod payments/pay-0 on node node-2.');
    await auditHas((a) => a.source === 'alertmanager' && a.command === 'ip' && a.target === '10.244.2.20' && a.outcome === 'ok');

    // kubenurse's neighbourhood check: type="path_<node>" is the check of the kubenurse on that node.
    const kubenurse = { alertname: 'KubenurseNeighbourErrors', namespace: 'kube-system', type: 'path_node-2', event: 'dial', severity: 'warning' };
    const res2 = await postAlert(url, notification({ groupLabels: { alertname: 'KubenurseNeighbourErrors', namespace: 'kube-system' }, alerts: [{ labels: kubenurse }] }), { bearer: TOKEN });
    const ts2 = res2.json.thread_ts as string;
    await until(() => repliesTo(ts2).length >= 1, 10_000, 'the node answer');
    expect(messageText(repliesTo(ts2)[0]!)).toContain('node node-2');
    expect(messageText(repliesTo(ts2)[0]!)).toContain('10.244.2.0/24');
  }, 20_000);

  it('a group no route matches is refused with 422 naming its labels, and nothing is posted', async () => {
    const before = h.api.messages.length;
    const res = await postAlert(url, notification({ groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'batch' }, alerts: [crashLooping('batch', 'job-1')] }), { bearer: TOKEN });
    expect(res.status).toBe(422);
    expect(res.json.error).toContain('no route in NETPEEK_ALERTMANAGER_CHANNELS matches');
    expect(res.json.error).toContain('namespace=batch');
    expect(h.api.messages.length).toBe(before);
  });

  it('without the configured credentials: 401, nothing read or posted', async () => {
    const body = notification({ groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'shop' }, alerts: [crashLooping('shop', 'web-2', 'sidecar')] });
    const before = h.api.calls.length;
    for (const auth of [undefined, { bearer: 'wrong-token-0000000000' }, { bearer: `${TOKEN}x` }, { basic: [BASIC[0], 'nope'] as [string, string] }, { basic: ['root', BASIC[1]] as [string, string] }, { raw: TOKEN }, { raw: `Token ${TOKEN}` }]) {
      const res = await postAlert(url, body, auth);
      expect(res.status, JSON.stringify(auth)).toBe(401);
      expect(res.json.error).toContain('missing or wrong credentials');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="netpeek", Basic realm="netpeek"');
    }
    expect(h.api.calls.length).toBe(before);
  });

  it('malformed notifications get 400 with the reason, the wrong media type 415, and the bot keeps answering', async () => {
    const good = notification({ groupLabels: { alertname: 'KubeNodeNotReady', node: 'node-1' }, alerts: [{ labels: { alertname: 'KubeNodeNotReady', node: 'node-1', namespace: 'kube-system', severity: 'warning' } }] });
    const cases: [unknown, string][] = [
      ['{"version": "4", "groupKey":', 'the body is not JSON'],
      ['null', 'the body: Expected object, received null'],
      ['[1,2]', 'the body: Expected object, received array'],
      [{ ...good, version: '3' }, 'version: must be "4"'],
      [{ ...good, groupKey: '' }, 'groupKey: must not be empty'],
      [{ ...good, alerts: [] }, 'alerts: has no alerts'],
      [{ ...good, status: 'exploded' }, 'status: Invalid enum value'],
      [{ ...good, alerts: [{ status: 'firing', labels: { alertname: 7 } }] }, 'alerts[0].labels.alertname: Expected string, received number'],
    ];
    for (const [body, reason] of cases) {
      const res = await postAlert(url, body, { bearer: TOKEN });
      expect(res.status, String(reason)).toBe(400);
      expect(res.json.error).toContain(reason);
    }
    const text = await postAlert(url, JSON.stringify(good), { bearer: TOKEN }, { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const ok = await postAlert(url, good, { bearer: TOKEN });
    expect(ok.json).toMatchObject({ status: 'posted', channel: CHANNEL });
  });

  it('an oversized notification gets 413 naming the limit, while it streams', async () => {
    const alerts = Array.from({ length: 40 }, (_, i) => crashLooping('shop', `web-${i}`));
    const big = notification({ groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'shop' }, alerts });
    expect(JSON.stringify(big).length).toBeGreaterThan(8192);
    const res = await postAlert(url, big, { bearer: TOKEN });
    expect(res.status).toBe(413);
    expect(res.json.error).toContain('larger than 8192 bytes (NETPEEK_ALERTMANAGER_MAX_BODY_BYTES)');
    const health = await fetch(`${h.base}/healthz`);
    expect(health.status).toBe(200);
  });

  it('the threads survive a restart: the same store, a new bot, the repeat is still a duplicate and the next update lands in the old thread', async () => {
    const groupLabels = { alertname: 'KubePodCrashLooping', namespace: 'payments' };
    const parent = tops(OTHER_CHANNEL).find((m) => messageText(m).includes('FIRING: KubePodCrashLooping'))!;
    await h.close();
    await store.close();
    store = sqliteStore(dir);
    h = await startHarness({ commands: COMMANDS, kube, store, env: ENV, api: slackApi });
    url = `${h.base}/alertmanager`;
    const repeat = await postAlert(url, notification({ groupLabels, alerts: [crashLooping('payments', 'pay-0')] }), { bearer: TOKEN });
    expect(repeat.json).toEqual({ status: 'duplicate' });
    const resolved = await postAlert(url, notification({ status: 'resolved', groupLabels, alerts: [{ ...crashLooping('payments', 'pay-0'), status: 'resolved' }] }), { bearer: TOKEN });
    expect(resolved.json).toMatchObject({ status: 'posted', channel: OTHER_CHANNEL, thread_ts: parent.ts });
  }, 20_000);
});

describe('Alertmanager receiver: bad configuration is refused at start', () => {
  it('names each variable that is wrong', async () => {
    const { loadSlackConfig } = await import('../../../src/slack/slack-config.js');
    expect(() => loadSlackConfig({ NETPEEK_ALERTMANAGER_CHANNELS: 'C0ALERTS1=*' })).toThrow(/NETPEEK_ALERTMANAGER_CHANNELS is set but no credentials are/);
    expect(() => loadSlackConfig({ NETPEEK_ALERTMANAGER_TOKEN: TOKEN })).toThrow(/NETPEEK_ALERTMANAGER_CHANNELS is empty/);
    expect(() => loadSlackConfig({ NETPEEK_ALERTMANAGER_TOKEN: 'short', NETPEEK_ALERTMANAGER_CHANNELS: 'C0ALERTS1=*' })).toThrow(/NETPEEK_ALERTMANAGER_TOKEN=\(hidden\): must be at least 16 characters/);
    expect(() => loadSlackConfig({ NETPEEK_ALERTMANAGER_TOKEN: TOKEN, NETPEEK_ALERTMANAGER_CHANNELS: 'ops=*' })).toThrow(/"ops" in "ops=\*" is not a channel ID/);
    expect(() => loadSlackConfig({ NETPEEK_ALERTMANAGER_TOKEN: TOKEN, NETPEEK_ALERTMANAGER_CHANNELS: 'C0ALERTS1=namespace' })).toThrow(/"namespace" in "C0ALERTS1=namespace" is not label:value/);
    expect(() => loadSlackConfig({ NETPEEK_ALERTMANAGER_USERNAME: 'am', NETPEEK_ALERTMANAGER_CHANNELS: 'C0ALERTS1=*' })).toThrow(/go together/);
    expect(() => loadSlackConfig({ NETPEEK_ALERTMANAGER_TOKEN: TOKEN, NETPEEK_ALERTMANAGER_CHANNELS: 'C0ALERTS1=*', NETPEEK_SLACK_ALLOWED_CHANNELS: 'C0OPS0001' })).toThrow(/routes to C0ALERTS1, not in NETPEEK_SLACK_ALLOWED_CHANNELS/);
    expect(loadSlackConfig({ NETPEEK_ALERTMANAGER_TOKEN: TOKEN, NETPEEK_ALERTMANAGER_CHANNELS: 'C0PAGE001=severity:critical,team:net; C0ALERTS1=*' }).alertmanager).toMatchObject({
      routes: [
        { channel: 'C0PAGE001', matchers: [{ label: 'severity', value: 'critical' }, { label: 'team', value: 'net' }] },
        { channel: 'C0ALERTS1', matchers: [] },
      ],
      maxBodyBytes: 512 * 1024,
    });
  });
});

describeNeeding(POSTGRES, 'Alertmanager receiver on PostgreSQL: two bots sharing one database', () => {
  let server: PostgresServer;
  let slack: FakeSlackApi;
  let stores: PostgresStore[] = [];
  let bots: Harness[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    const dbUrl = await server.createDatabase();
    slack = await startFakeSlackApi();
    stores = await Promise.all(
      ['bot-a', 'bot-b'].map(
        async (holder) =>
          (await openStore({ store: loadConfig({ NETPEEK_DATABASE_URL: dbUrl }).store, auditDb: ':memory:', reportsDb: ':memory:', retention: { maxAgeDays: 30, maxRunsPerReport: 10 }, holder, log: createLogger('silent') })) as PostgresStore,
      ),
    );
    await Promise.all(stores.map((s) => s.whenReady()));
    bots = [];
    for (const store of stores) bots.push(await startHarness({ store, env: ENV, api: slack }));
  }, 90_000);
  afterAll(async () => {
    for (const b of bots) await b.close();
    await Promise.all(stores.map((s) => s.close()));
    await slack?.close();
    await server?.stop();
  });

  it('the same notification reaching both bots at once is posted once; its repeat and its resolution find the one thread', async () => {
    const groupLabels = { alertname: 'KubePodCrashLooping', namespace: 'shop' };
    const body = notification({ groupLabels, alerts: [crashLooping('shop', 'web-1')] });
    const both = await Promise.all(bots.map((b) => postAlert(`${b.base}/alertmanager`, body, { bearer: TOKEN })));
    const posted = both.filter((r) => r.status === 200 && r.json.status === 'posted');
    expect(posted).toHaveLength(1);
    // The other one either saw it posted (duplicate) or saw it being posted and asked for a retry.
    const other = both.find((r) => r !== posted[0])!;
    expect([JSON.stringify({ status: 200, s: 'duplicate' }), JSON.stringify({ status: 503, s: undefined })]).toContain(JSON.stringify({ status: other.status, s: other.json.status }));
    if (other.status === 503) expect(other.headers.get('retry-after')).toBe('5');
    const threadTs = posted[0]!.json.thread_ts as string;
    for (const b of bots) expect((await postAlert(`${b.base}/alertmanager`, body, { bearer: TOKEN })).json).toEqual({ status: 'duplicate' });
    expect(slack.messages.filter((m) => !m.thread_ts && messageText(m).includes('FIRING: KubePodCrashLooping'))).toHaveLength(1);
    const resolved = await postAlert(`${bots[1]!.base}/alertmanager`, notification({ status: 'resolved', groupLabels, alerts: [{ ...crashLooping('shop', 'web-1'), status: 'resolved' }] }), { bearer: TOKEN });
    expect(resolved.json).toMatchObject({ status: 'posted', channel: CHANNEL, thread_ts: threadTs });
    expect(slack.messages.filter((m) => m.thread_ts === threadTs && messageText(m).includes('RESOLVED: KubePodCrashLooping'))).toHaveLength(1);
  }, 30_000);

  it('a post Slack refuses is not remembered: Alertmanager gets 502 and its retry is posted', async () => {
    const body = notification({ groupLabels: { alertname: 'KubeNodeNotReady', node: 'node-9' }, alerts: [{ labels: { alertname: 'KubeNodeNotReady', node: 'node-9', namespace: 'kube-system' } }] });
    slack.failNext('chat.postMessage', { status: 200, body: { ok: false, error: 'channel_not_found' } });
    const failed = await postAlert(`${bots[0]!.base}/alertmanager`, body, { bearer: TOKEN });
    expect(failed.status).toBe(502);
    expect(failed.json.error).toContain('Slack said channel_not_found');
    const retry = await postAlert(`${bots[1]!.base}/alertmanager`, body, { bearer: TOKEN });
    expect(retry.json).toMatchObject({ status: 'posted', channel: CHANNEL });
  }, 20_000);
});
