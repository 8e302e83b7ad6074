import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buttonsOf, messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL, DM_CHANNEL, dmMessage, OTHER_CHANNEL, OTHER_USER, USER } from '../../support/slack/payloads.js';

const PROBE_CHANNEL = 'C0PROBES01';
const SHOP_CHANNEL = 'C0SHOP0001';

describe('authorization and audit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: {
        NETPEEK_SLACK_ALLOWED_CHANNELS: `${CHANNEL},${PROBE_CHANNEL},${SHOP_CHANNEL}`,
        NETPEEK_SLACK_ALLOWED_USERS: `${USER},${OTHER_USER}`,
        NETPEEK_SLACK_PROBE_CHANNELS: `${PROBE_CHANNEL},${SHOP_CHANNEL}`,
        NETPEEK_SLACK_PROBE_USERS: USER,
        NETPEEK_SLACK_CHANNEL_SCOPES: `${SHOP_CHANNEL}=shop,payments;${CHANNEL}=*`,
        NETPEEK_SLACK_CHANNEL_NAMESPACES: `${SHOP_CHANNEL}=shop`,
        NETPEEK_SLACK_CHANNEL_CLUSTERS: `${SHOP_CHANNEL}=prod-eu`,
      },
    });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.fake.calls.length = 0;
    h.api.reset();
  });

  async function refusedSlash(text: string, over: Record<string, string>, sentence: string): Promise<void> {
    const { responseUrl } = await h.slash(text, over);
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toContain(sentence);
    expect(h.fake.calls).toHaveLength(0);
  }

  it('a channel not on the list is refused, naming where netpeek works', async () => {
    await refusedSlash('container webserver-1', { channel_id: OTHER_CHANNEL }, `netpeek is not enabled in this channel (${OTHER_CHANNEL}).`);
    expect(messageText(h.responses.posts.at(-1)!.body)).toContain(`Ask in one of: ${CHANNEL}, ${PROBE_CHANNEL}, ${SHOP_CHANNEL}`);
  });

  it('a user not on the list is refused', async () => {
    await refusedSlash('container webserver-1', { user_id: 'U0MALLORY1' }, "You (U0MALLORY1) are not on netpeek's list of allowed users");
  });

  it('probes outside the probe channels are refused, lookups are not', async () => {
    await refusedSlash('ping webserver-2', {}, `Probes (ping, reach, --probe, "Probe now") are not allowed in this channel (${CHANNEL}); lookups are.`);
    await refusedSlash('container webserver-1 --probe', {}, 'Probes (ping, reach, --probe, "Probe now") are not allowed in this channel');
    const { responseUrl } = await h.slash('container webserver-1');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    expect(h.fake.calls).toHaveLength(1);
  });

  it('probes by a user not allowed to probe are refused even in a probe channel', async () => {
    await refusedSlash('ping webserver-2', { channel_id: PROBE_CHANNEL, user_id: OTHER_USER }, `You (${OTHER_USER}) are not allowed to run probes`);
  });

  it('probe allowed for the right user in the right channel', async () => {
    const { responseUrl } = await h.slash('ping webserver-2', { channel_id: PROBE_CHANNEL });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 2);
    expect(h.fake.calls).toEqual([{ command: 'ping', args: ['webserver-2'], flags: {} }]);
  });

  it('a namespace outside the channel scope is refused; the default namespace and cluster are filled in', async () => {
    await refusedSlash('pod webserver-2 -n kube-system', { channel_id: SHOP_CHANNEL }, 'Namespace "kube-system" is not allowed in this conversation; it may see: shop, payments.');
    const { responseUrl } = await h.slash('pod webserver-2', { channel_id: SHOP_CHANNEL });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    expect(h.fake.calls).toEqual([{ command: 'pod', args: ['webserver-2'], flags: { namespace: 'shop', cluster: 'prod-eu' } }]);
    h.fake.calls.length = 0;
    const other = await h.slash('pod webserver-2 -n payments', { channel_id: SHOP_CHANNEL });
    await h.responses.waitFor(() => h.responses.postsTo(other.responseUrl).length === 1);
    expect(h.fake.calls[0]?.flags).toEqual({ namespace: 'payments', cluster: 'prod-eu' });
  });

  it('kubectl forms in Slack: NS/NAME is checked against the scope like -n, --context fills the cluster, --kubeconfig is refused', async () => {
    await refusedSlash('pod kube-system/webserver-2', { channel_id: SHOP_CHANNEL }, 'Namespace "kube-system" is not allowed in this conversation; it may see: shop, payments.');
    await refusedSlash('pod webserver-2 --kubeconfig /etc/kubernetes/admin.conf', {}, '--kubeconfig works only in the terminal');
    const { responseUrl } = await h.slash('pod payments/webserver-2 --context kind-dev -o wide', { channel_id: SHOP_CHANNEL });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    expect(h.fake.calls).toEqual([{ command: 'pod', args: ['webserver-2'], flags: { namespace: 'payments', cluster: 'kind-dev', output: 'wide' } }]);
  });

  it('ping NS/NAME in Slack: the namespace in the target is checked against the scope and no default is filled in', async () => {
    await refusedSlash('ping kube-system/coredns-1', { channel_id: SHOP_CHANNEL }, 'Namespace "kube-system" is not allowed in this conversation; it may see: shop, payments.');
    await refusedSlash('ping pod/kube-system/coredns-1 --port 53', { channel_id: SHOP_CHANNEL }, 'Namespace "kube-system" is not allowed in this conversation');
    const { responseUrl } = await h.slash('ping payments/webserver-2 --port 8080', { channel_id: SHOP_CHANNEL });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 2);
    expect(h.fake.calls).toEqual([{ command: 'ping', args: ['payments/webserver-2'], flags: { port: 8080 } }]);
  });

  it('a mention with a namespace outside the scope is refused ephemerally in the thread', async () => {
    await h.event(appMention("what's the IP of the pod webserver-2 in namespace kube-system", { channel: SHOP_CHANNEL }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.postEphemeral').length === 1);
    const eph = h.api.okCallsTo('chat.postEphemeral')[0]!.args;
    expect(eph).toMatchObject({ channel: SHOP_CHANNEL, user: USER });
    expect(messageText(eph)).toContain('Namespace "kube-system" is not allowed in this conversation');
    expect(h.api.okCallsTo('chat.postMessage')).toHaveLength(0);
    expect(h.fake.calls).toHaveLength(0);
  });

  it('"Probe now" clicked by someone who may not probe is refused and nothing runs', async () => {
    await h.event(appMention('container webserver-1', { channel: PROBE_CHANNEL }));
    await h.api.waitFor(() => h.api.messages.length === 1);
    const answer = h.api.messages[0]!;
    h.fake.calls.length = 0;
    const { responseUrl } = await h.click({ actionId: 'netpeek_probe', value: buttonsOf(answer).netpeek_probe!, channel: PROBE_CHANNEL, messageTs: answer.ts, user: OTHER_USER });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    expect(messageText(h.responses.postsTo(responseUrl)[0]!.body)).toContain(`You (${OTHER_USER}) are not allowed to run probes`);
    expect(h.fake.calls).toHaveLength(0);
    expect(h.api.okCallsTo('chat.update')).toHaveLength(0);
  });

  it('DMs follow the user lists; probes in DMs are refused when probes are limited to channels', async () => {
    await h.event(dmMessage('ping webserver-2'));
    await h.api.waitFor(() => h.api.okCallsTo('chat.postMessage').length === 1);
    const reply = h.api.okCallsTo('chat.postMessage')[0]!.args;
    expect(reply.channel).toBe(DM_CHANNEL);
    expect(messageText(reply)).toContain('Probes (ping, reach, --probe, "Probe now") are not allowed in direct messages');
    expect(h.fake.calls).toHaveLength(0);
  });

  it('every question is recorded in SQLite (user, channel, command, target, outcome, duration, request id) and as a log line', async () => {
    const ok = await h.slash('container webserver-1');
    await h.responses.waitFor(() => h.responses.postsTo(ok.responseUrl).length === 1);
    h.fake.calls.length = 0;
    await refusedSlash('pod webserver-2 -n kube-system', { channel_id: SHOP_CHANNEL }, 'is not allowed');
    const bad = await h.slash('bogus thing');
    await h.responses.waitFor(() => h.responses.postsTo(bad.responseUrl).length === 1);
    await h.api.waitFor(() => h.audit.recent(3).length === 3 && h.audit.recent(1)[0]?.command === 'bogus');

    const db = new Database(h.auditDb, { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM slack_audit ORDER BY id DESC LIMIT 3').all() as Record<string, unknown>[];
      expect(rows[2]).toMatchObject({ source: 'slash', user_id: USER, channel_id: CHANNEL, command: 'container', target: 'webserver-1', outcome: 'ok' });
      expect(rows[1]).toMatchObject({ channel_id: SHOP_CHANNEL, command: 'pod', target: 'webserver-2 -n kube-system', outcome: 'refused', reason: 'namespace' });
      expect(rows[0]).toMatchObject({ command: 'bogus', outcome: 'user_error', reason: 'bad_input' });
      for (const r of rows) {
        expect(r.request_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(typeof r.duration_ms).toBe('number');
        expect(r.duration_ms as number).toBeGreaterThanOrEqual(0);
      }
      const line = h.logs.find((l) => l.msg === 'audit' && (l.audit as { requestId?: string }).requestId === rows[2]!.request_id);
      expect(line?.audit).toMatchObject({ command: 'container', outcome: 'ok', user: USER });
    } finally {
      db.close();
    }
  });
});
