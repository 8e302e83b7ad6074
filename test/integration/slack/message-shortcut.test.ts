/**
 * "Diagnose with netpeek" (a message shortcut): signed message_action payloads in Slack's documented
 * shape, posted to the real Bolt HTTP receiver; the real commands answer from the test API server; Slack
 * is the local fake Web API and response_url server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { createKubeSource, type KubeSource } from '../../../src/sources/kubernetes.js';
import { namespace, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { expectValidMessage, messageText } from '../../support/slack/block-kit.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../../support/slack/bot-harness.js';
import { CHANNEL, OTHER_CHANNEL, OTHER_USER, messageAction, slackTs, USER } from '../../support/slack/payloads.js';
import { formBody, postSigned } from '../../support/slack/sign.js';

const OBJECTS = [
  namespace('shop'),
  namespace('payments'),
  node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
  pod('web-1', { namespace: 'shop', ip: '10.244.1.10', nodeName: 'node-1' }),
  pod('pay-0', { namespace: 'payments', ip: '10.244.2.20', nodeName: 'node-2' }),
  service('web', { namespace: 'shop', selector: { app: 'wbe' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
];

/** What Alertmanager's slack_configs with a common "details" template posts. */
const ALERT_TEXT = [
  '*Alert:* Pod is crash looping. - `warning`',
  '*Description:* Pod shop/web-1 (app) is in waiting state (reason: "CrashLoopBackOff").',
  '*Details:*',
  '  • *alertname:* `KubePodCrashLooping`',
  '  • *namespace:* `shop`',
  '  • *pod:* `web-1`',
].join('\n');

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('"Diagnose with netpeek" message shortcut', () => {
  let api: KubeApiServer;
  let kube: KubeSource;
  let h: Harness;

  beforeAll(async () => {
    api = await startKubeApiServer({ objects: OBJECTS });
    kube = createKubeSource(loadConfig({ KUBECONFIG: api.kubeconfigPath }).kube, undefined, { env: {} });
    expect(await kube.cluster().waitForSync(10_000)).toBe(true);
    // payments is scoped away from the ops channel, and only Alice and Bob may ask.
    h = await startHarness({ commands: COMMANDS, kube, env: { NETPEEK_SLACK_CHANNEL_SCOPES: `${CHANNEL}=shop;${OTHER_CHANNEL}=*`, NETPEEK_SLACK_ALLOWED_USERS: `${USER},${OTHER_USER}` } });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await kube?.stop();
    await api?.stop();
  });

  const repliesTo = (ts: string) => h.api.messages.filter((m) => m.thread_ts === ts);

  it('on an Alertmanager message: acks at once, then answers about the pod in the message\'s thread, audited as the user\'s shortcut', async () => {
    const ts = slackTs();
    h.api.seedMessage({ channel: CHANNEL, ts, text: ALERT_TEXT, bot_id: 'BALERTMGR1' });
    const { res } = await h.shortcut({ message: { ts, text: ALERT_TEXT, bot_id: 'BALERTMGR1', subtype: 'bot_message' } });
    expect(res.status).toBe(200);
    await until(() => repliesTo(ts).length >= 1, 10_000, 'the answer in the thread');
    const answer = repliesTo(ts)[0]!;
    expect(answer.channel).toBe(CHANNEL);
    expect(messageText(answer)).toContain('10.244.1.10');
    expect(messageText(answer)).toContain('node-1');
    expect(answer.metadata).toMatchObject({ event_type: 'netpeek_answer', event_payload: { subject_kind: 'pod', subject_name: 'web-1', namespace: 'shop' } });
    expectValidMessage(answer);
    for (let i = 0; i < 250 && !(await h.audit.query({ limit: 5 })).some((a) => a.source === 'shortcut'); i += 1) await new Promise((r) => setTimeout(r, 20));
    const audit = await h.audit.query({ limit: 5 });
    expect(audit[0]).toMatchObject({ source: 'shortcut', user: USER, channel: CHANNEL, command: 'pod', target: 'web-1 -n shop', outcome: 'ok' });
  }, 20_000);

  it('on a reply inside a thread: answers in that thread; a Service named in prose gets `why`', async () => {
    const parent = slackTs();
    const ts = slackTs();
    const text = 'is service web in namespace shop down? checkout gets 503s';
    const { res } = await h.shortcut({ message: { ts, thread_ts: parent, text, user: OTHER_USER } });
    expect(res.status).toBe(200);
    await until(() => repliesTo(parent).length >= 1, 10_000, 'the why answer in the parent thread');
    expect(repliesTo(ts)).toEqual([]);
    const why = messageText(repliesTo(parent)[0]!);
    expect(why).toContain('Broken at selector');
    expect(why).toContain('Selector app=wbe of Service web matches no pod in namespace shop');
  }, 20_000);

  it('reads attachments and blocks: label fields of an attachment, rich_text of a typed message', async () => {
    const ts = slackTs();
    const message = {
      ts,
      text: '',
      attachments: [{ title: '[FIRING:1] KubePodNotReady', fields: [{ title: 'namespace', value: 'shop', short: true }, { title: 'pod', value: 'web-1', short: true }] }],
    };
    await h.shortcut({ message });
    await until(() => repliesTo(ts).length >= 1, 10_000, 'the answer from the attachment');
    expect(messageText(repliesTo(ts)[0]!)).toContain('10.244.1.10');

    const ts2 = slackTs();
    const blocks = [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'node ' }, { type: 'text', text: 'node-1', style: { code: true } }, { type: 'text', text: ' is acting up' }] }] }];
    await h.shortcut({ message: { ts: ts2, text: 'node node-1 is acting up', blocks } });
    await until(() => repliesTo(ts2).length >= 1, 10_000, 'the node answer');
    expect(messageText(repliesTo(ts2)[0]!)).toContain('node node-1');
  }, 20_000);

  it('a bare IP (a blackbox probe alert): `ip` says what holds it, or which range it is in when nothing does', async () => {
    const ts = slackTs();
    const text = 'probe_success{instance="10.244.1.10:8080", job="blackbox"} == 0 for 5m\nand 10.244.1.99 stopped answering too';
    const { res } = await h.shortcut({ message: { ts, text, bot_id: 'BALERTMGR1', subtype: 'bot_message' } });
    expect(res.status).toBe(200);
    await until(() => repliesTo(ts).length >= 2, 10_000, 'the two address answers in the thread');
    const [held, unheld] = repliesTo(ts).map(messageText);
    expect(held).toContain('10.244.1.10 is held by pod shop/web-1 on node node-1.');
    expect(unheld).toContain("Nothing netpeek sees holds 10.244.1.99; it is inside node node-1's pod CIDR 10.244.1.0/24");
    for (const m of repliesTo(ts)) expectValidMessage(m);
    expect(repliesTo(ts)[0]!.metadata).toMatchObject({ event_payload: { subject_kind: 'ip', subject_name: '10.244.1.10' } });
    for (let i = 0; i < 250 && (await h.audit.query({ limit: 2 })).filter((a) => a.command === 'ip').length < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect((await h.audit.query({ limit: 2 })).map((a) => [a.source, a.command, a.target, a.outcome])).toEqual([
      ['shortcut', 'ip', '10.244.1.99', 'ok'],
      ['shortcut', 'ip', '10.244.1.10', 'ok'],
    ]);
  }, 20_000);

  it('in a channel netpeek is not in: the asker is told privately how to fix it (/invite @netpeek), and it is audited', async () => {
    h.api.leave(OTHER_CHANNEL);
    try {
      const ts = slackTs();
      const { res, responseUrl } = await h.shortcut({ channel: OTHER_CHANNEL, message: { ts, text: 'pod shop/web-1 and svc/web in namespace shop are flapping' } });
      expect(res.status).toBe(200);
      await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
      const body = h.responses.postsTo(responseUrl)[0]!.body;
      expect(body.response_type).toBe('ephemeral');
      expect(messageText(body)).toContain(`netpeek could not answer in <#${OTHER_CHANNEL}>: it is not a member of that channel`);
      expect(messageText(body)).toContain('/invite @netpeek');
      expectValidMessage(body);
      expect(h.api.messages.filter((m) => m.channel === OTHER_CHANNEL)).toEqual([]);
      // The second subject is not tried: it would be refused the same way.
      expect(h.api.callsTo('chat.postMessage').filter((c) => c.args.channel === OTHER_CHANNEL)).toHaveLength(1);
      for (let i = 0; i < 250 && (await h.audit.query({ limit: 1 }))[0]?.command !== '(shortcut)'; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect((await h.audit.query({ limit: 2 })).map((a) => [a.source, a.channel, a.command, a.outcome, a.reason])).toEqual([
        ['shortcut', OTHER_CHANNEL, '(shortcut)', 'undelivered', 'not_in_channel: told the user (ephemeral)'],
        ['shortcut', OTHER_CHANNEL, 'pod', 'undelivered', 'not_in_channel'],
      ]);

      // The response_url refused as well: a DM says it.
      h.responses.failNext(404);
      const ts2 = slackTs();
      await h.shortcut({ channel: OTHER_CHANNEL, message: { ts: ts2, text: 'pod shop/web-1 is flapping' } });
      await until(() => h.api.messages.some((m) => m.channel.startsWith('D') && (m.text ?? '').includes('not a member')), 10_000, 'the DM');
      const dm = h.api.messages.find((m) => m.channel.startsWith('D') && (m.text ?? '').includes('not a member'))!;
      expect(dm.channel).toBe(`D${USER.slice(1)}`);
      expect(messageText(dm)).toContain('/invite @netpeek');
      expectValidMessage(dm);
      for (let i = 0; i < 250 && !(await h.audit.query({ limit: 1 }))[0]?.reason?.includes('DM'); i += 1) await new Promise((r) => setTimeout(r, 20));
      expect((await h.audit.query({ limit: 1 }))[0]).toMatchObject({ command: '(shortcut)', outcome: 'undelivered', reason: 'not_in_channel: told the user (DM)' });
    } finally {
      h.api.rejoin(OTHER_CHANNEL);
    }
  }, 30_000);

  it('nothing recognisable: an ephemeral message saying what it looked for, nothing in the channel', async () => {
    const ts = slackTs();
    const before = h.api.messages.length;
    const { res, responseUrl } = await h.shortcut({ message: { ts, text: 'lunch at 12:30? :sandwich:' } });
    expect(res.status).toBe(200);
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toContain('netpeek found nothing in this message it can diagnose');
    expect(messageText(body)).toContain('It looked for:');
    expect(messageText(body)).toContain('pod/&lt;name&gt;');
    expectValidMessage(body);
    expect(h.api.messages.length).toBe(before);
    for (let i = 0; i < 250 && (await h.audit.query({ limit: 1 }))[0]?.reason !== 'no_subject'; i += 1) await new Promise((r) => setTimeout(r, 20));
    const audit = await h.audit.query({ limit: 1 });
    expect(audit[0]).toMatchObject({ source: 'shortcut', command: '(shortcut)', outcome: 'user_error', reason: 'no_subject' });
  });

  it('the same authorization as questions: a user not allowed is told privately; a namespace outside the channel\'s scope too', async () => {
    const ts = slackTs();
    const denied = await h.shortcut({ message: { ts, text: ALERT_TEXT }, user: 'U0MALLORY1' });
    await h.responses.waitFor(() => h.api.okCallsTo('chat.postEphemeral').length === 1);
    const eph = h.api.okCallsTo('chat.postEphemeral')[0]!.args;
    expect(eph).toMatchObject({ channel: CHANNEL, user: 'U0MALLORY1', thread_ts: ts });
    expect(messageText(eph)).toContain("are not on netpeek's list of allowed users");
    expect(repliesTo(ts)).toEqual([]);
    expect(denied.res.status).toBe(200);

    const ts2 = slackTs();
    await h.shortcut({ message: { ts: ts2, text: 'pod payments/pay-0 keeps restarting' } });
    await until(() => h.api.okCallsTo('chat.postEphemeral').length === 2, 10_000, 'the scope refusal');
    expect(messageText(h.api.okCallsTo('chat.postEphemeral')[1]!.args)).toContain('Namespace "payments" is not allowed in this conversation');
    expect(repliesTo(ts2)).toEqual([]);
    for (let i = 0; i < 250 && (await h.audit.query({ limit: 2 }))[0]?.reason !== 'namespace'; i += 1) await new Promise((r) => setTimeout(r, 20));
    const audit = await h.audit.query({ limit: 2 });
    expect(audit.map((a) => [a.source, a.outcome, a.reason])).toEqual([
      ['shortcut', 'refused', 'namespace'],
      ['shortcut', 'refused', 'user'],
    ]);
  }, 20_000);

  it('a retried delivery (same trigger_id) is answered once; a forged signature is refused before anything runs', async () => {
    const ts = slackTs();
    const payload = messageAction({ message: { ts, text: 'pod shop/web-1 is flapping' }, responseUrl: h.responses.newUrl(), triggerId: '999.3333.retryretry' });
    const body = formBody({ payload: JSON.stringify(payload) });
    for (const headers of [{}, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }] as Record<string, string>[]) expect((await postSigned(h.eventsUrl, SIGNING_SECRET, body, 'form', { headers })).status).toBe(200);
    await until(() => repliesTo(ts).length >= 1, 10_000, 'the answer');
    await new Promise((r) => setTimeout(r, 300));
    expect(repliesTo(ts)).toHaveLength(1);
    const forged = await postSigned(h.eventsUrl, SIGNING_SECRET, formBody({ payload: JSON.stringify({ ...payload, trigger_id: '1000.3333.forged' }) }), 'form', { secret: 'not-the-secret-0000' });
    expect(forged.status).toBe(401);
  }, 20_000);

  it('the diagnosis says what changed recently on the objects it looked at: the pod\'s node was cordoned', async () => {
    api.apply(node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24', unschedulable: true }));
    await until(() => kube.cluster().changes().some((c) => c.kind === 'Node' && c.name === 'node-1'), 5000, 'the cordon in the change history');
    const ts = slackTs();
    await h.shortcut({ message: { ts, text: ALERT_TEXT, bot_id: 'BALERTMGR1', subtype: 'bot_message' } });
    await until(() => repliesTo(ts).length >= 1, 10_000, 'the answer');
    const text = messageText(repliesTo(ts)[0]!);
    expect(text).toContain('Changed recently');
    expect(text).toMatch(/node node-1: cordoned/);
  }, 20_000);

  it('a message_action missing what netpeek needs is refused with 400 naming the field', async () => {
    const payload = messageAction({ message: { ts: slackTs(), text: 'pod shop/web-1' }, responseUrl: h.responses.newUrl() });
    delete (payload as Record<string, unknown>).message_ts;
    const res = await postSigned(h.eventsUrl, SIGNING_SECRET, formBody({ payload: JSON.stringify(payload) }), 'form');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('`payload.message_ts` is missing');
  });
});
