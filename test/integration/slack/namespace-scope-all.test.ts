import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps, type Deps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL } from '../../support/slack/payloads.js';

/**
 * -A in a Slack channel scoped to several namespaces (NETPEEK_SLACK_CHANNEL_SCOPES): the answer is the
 * union of those namespaces and nothing beyond them. Signed requests through the real Bolt receiver, the
 * real commands against the test API server; the pod and Service IPs are its fixtures, looked up only.
 */
const SCOPED = 'C0SHOPPAY1';
const DEFAULTED = 'C0SHOPDEF1';

describe('-A in a channel scoped to several namespaces', () => {
  let api: KubeApiServer;
  let deps: Deps;
  let h: Harness;

  beforeAll(async () => {
    api = await startKubeApiServer({
      namespaces: ['default', 'shop', 'payments', 'kube-system'],
      objects: [
        node('node-a', { internalIP: '10.20.0.5', podCIDR: '10.244.1.0/24' }),
        pod('web-1', { namespace: 'shop', ip: '10.244.1.11', hostIP: '10.20.0.5', nodeName: 'node-a', labels: { app: 'web' } }),
        pod('cart-1', { namespace: 'shop', ip: '10.244.1.12', hostIP: '10.20.0.5', nodeName: 'node-a', labels: { app: 'cart' } }),
        pod('web-7', { namespace: 'payments', ip: '10.244.1.21', hostIP: '10.20.0.5', nodeName: 'node-a', labels: { app: 'web' } }),
        pod('coredns-1', { namespace: 'kube-system', ip: '10.244.1.31', hostIP: '10.20.0.5', nodeName: 'node-a', labels: { app: 'web' } }),
        pod('web-9', { namespace: 'default', ip: '10.244.1.41', hostIP: '10.20.0.5', nodeName: 'node-a', labels: { app: 'web' } }),
        service('cart', { namespace: 'shop', clusterIP: '10.96.0.12' }),
        service('ledger', { namespace: 'payments', clusterIP: '10.96.0.21' }),
        service('kube-dns', { namespace: 'kube-system', clusterIP: '10.96.0.10' }),
      ],
    });
    deps = buildDeps(loadConfig({ KUBECONFIG: api.kubeconfigPath }), createLogger('silent'));
    h = await startHarness({
      commands: COMMANDS,
      deps,
      env: {
        NETPEEK_SLACK_CHANNEL_SCOPES: `${SCOPED}=shop,payments;${DEFAULTED}=shop,payments;${CHANNEL}=*`,
        NETPEEK_SLACK_CHANNEL_NAMESPACES: `${DEFAULTED}=shop`,
      },
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await deps?.kube?.stop();
    await api?.stop();
  });

  beforeEach(() => {
    h.api.reset();
  });

  async function answer(text: string, channel: string): Promise<{ text: string; ephemeral: boolean }> {
    const { responseUrl } = await h.slash(text, { channel_id: channel });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1, 20_000);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    return { text: messageText(body), ephemeral: body.response_type === 'ephemeral' };
  }

  const SHOP_AND_PAYMENTS = ['10.244.1.11', '10.244.1.12', '10.244.1.21'];
  const OUTSIDE = ['coredns-1', '10.244.1.31', 'web-9', '10.244.1.41', 'kube-system'];

  it('pod -A lists the pods of shop and payments, with their IPs, and no pod of another namespace', async () => {
    const { text } = await answer('pod -A', SCOPED);
    for (const ip of SHOP_AND_PAYMENTS) expect(text).toContain(ip);
    for (const name of ['web-1', 'cart-1', 'web-7']) expect(text).toContain(name);
    for (const hidden of OUTSIDE) expect(text).not.toContain(hidden);
    expect(text).toContain('in the namespaces this conversation may see (shop, payments)');
  });

  it('a channel default namespace does not narrow -A to it', async () => {
    const { text } = await answer('pod --all-namespaces', DEFAULTED);
    for (const ip of SHOP_AND_PAYMENTS) expect(text).toContain(ip);
    for (const hidden of OUTSIDE) expect(text).not.toContain(hidden);
  });

  it('-A -l: the union filtered by the selector, still inside the scope', async () => {
    const { text } = await answer('pod -A -l app=web -o wide', SCOPED);
    expect(text).toContain('10.244.1.11');
    expect(text).toContain('10.244.1.21');
    expect(text).not.toContain('10.244.1.12');
    for (const hidden of OUTSIDE) expect(text).not.toContain(hidden);
  });

  it('svc -A lists the Services of both namespaces only', async () => {
    const { text } = await answer('svc -A', SCOPED);
    expect(text).toContain('10.96.0.12');
    expect(text).toContain('10.96.0.21');
    expect(text).not.toContain('10.96.0.10');
    expect(text).not.toContain('kube-dns');
  });

  it('-A with a name finds it in either namespace, and not outside them', async () => {
    expect((await answer('pod web-7 -A', SCOPED)).text).toContain('10.244.1.21');
    const outside = await answer('pod coredns-1 -A', SCOPED);
    expect(outside.ephemeral).toBe(true);
    expect(outside.text).toContain('There is no pod');
    expect(outside.text).not.toContain('10.244.1.31');
  });

  it('-A with a -n outside the scope is refused, naming what the channel may see', async () => {
    const { text, ephemeral } = await answer('pod -A -n kube-system', SCOPED);
    expect(ephemeral).toBe(true);
    expect(text).toContain('Namespace "kube-system" is not allowed in this conversation; it may see: shop, payments.');
  });

  it('without -A or -n the scoped channel still asks which namespace', async () => {
    const { text } = await answer('pod web-1', SCOPED);
    expect(text).toContain('This conversation may only see the namespaces shop, payments; say which one with -n.');
  });

  it('a mention with -A answers the same union in the thread', async () => {
    await h.event(appMention('<@U0BOT> pod -A', { channel: SCOPED }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.postMessage').length === 1, 20_000);
    const text = messageText(h.api.okCallsTo('chat.postMessage')[0]!.args);
    for (const ip of SHOP_AND_PAYMENTS) expect(text).toContain(ip);
    for (const hidden of OUTSIDE) expect(text).not.toContain(hidden);
  });

  it('changes -A and policy -A in a channel with a default namespace: the union of the scope, not the default', async () => {
    const changes = await answer('changes -A', DEFAULTED);
    expect(changes.text).toContain('touching the cluster');
    expect(changes.text).not.toContain('namespace shop');
    const policies = await answer('policy -A', DEFAULTED);
    expect(policies.text).toContain('in the namespaces this conversation may see (shop, payments)');
  });

  it('in an unscoped channel -A is every namespace', async () => {
    const { text } = await answer('pod -A', CHANNEL);
    for (const ip of [...SHOP_AND_PAYMENTS, '10.244.1.31', '10.244.1.41']) expect(text).toContain(ip);
    expect(text).toContain('in every namespace');
  });
});
