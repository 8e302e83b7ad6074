import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectProxy, startConnectProxy } from '../../support/http/connect-proxy.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { type BotProcess, startBotProcess } from '../../support/slack/bot-process.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { appMention, eventCallback, slashCommand } from '../../support/slack/payloads.js';
import { type ResponseUrlServer, startResponseUrlServer } from '../../support/slack/response-url-server.js';
import { formBody, postSigned } from '../../support/slack/sign.js';
import { messageText } from '../../support/slack/block-kit.js';
import { selfSignedCert, type TestCert } from '../../support/tls-cert.js';

const SECRET = 'proxy-test-signing-secret';
// Fixture addresses of the test API server: evaluated, never probed.
const POD_IP = '10.244.1.7';

/**
 * `netpeek serve` as its own process with HTTPS_PROXY pointing at a real HTTP CONNECT proxy process,
 * SLACK_API_URL at a local HTTPS fake of Slack's Web API (its self-signed CA trusted through
 * NODE_EXTRA_CA_CERTS), and KUBECONFIG at the test API server over HTTPS. The proxy reports every tunnel
 * it opened: Slack's must all be there, the Kubernetes API's never.
 */
describe('Slack through HTTPS_PROXY / NO_PROXY, with SLACK_API_URL', () => {
  let cert: TestCert;
  let api: FakeSlackApi;
  let responses: ResponseUrlServer;
  let proxy: ConnectProxy;
  let kube: KubeApiServer;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    cert = selfSignedCert();
    [api, responses, proxy, kube] = await Promise.all([
      startFakeSlackApi({ tls: { key: cert.key, cert: cert.cert } }),
      startResponseUrlServer(),
      startConnectProxy(),
      startKubeApiServer({
        tls: true,
        namespaces: ['default', 'shop'],
        objects: [
          node('node-a', { internalIP: '10.0.0.11', podCIDR: '10.244.1.0/24' }),
          pod('webserver-2', { namespace: 'shop', ip: POD_IP, hostIP: '10.0.0.11', nodeName: 'node-a', containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] }),
        ],
      }),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const b of bots) await b.stop();
    await Promise.all([api?.close(), responses?.close(), proxy?.stop(), kube?.stop()]);
    cert?.cleanup();
  });

  const start = async (env: Record<string, string>) => {
    const bot = await startBotProcess(api, SECRET, { NODE_EXTRA_CA_CERTS: cert.certPath, KUBECONFIG: kube.kubeconfigPath, ...env });
    bots.push(bot);
    return bot;
  };
  const apiHost = () => new URL(api.url).host;
  const kubeHost = () => new URL(kube.url).host;

  it('sends every Web API call and the response_url post through the proxy, and the Kubernetes API around it', async () => {
    const before = proxy.seen().length;
    const calls = api.calls.length;
    const bot = await start({ HTTPS_PROXY: proxy.url });
    // auth.test at start went to SLACK_API_URL, through a CONNECT tunnel.
    expect(api.calls.slice(calls).map((c) => c.method)).toContain('auth.test');
    expect(proxy.seen().slice(before)).toContainEqual({ method: 'CONNECT', target: apiHost() });

    // A mention: the answer (from the Kubernetes API) is posted with chat.postMessage.
    const mention = appMention('pod webserver-2 -n shop');
    expect((await postSigned(bot.eventsUrl, SECRET, JSON.stringify(eventCallback(mention)), 'json')).status).toBe(200);
    await api.waitFor(() => api.okCallsTo('chat.postMessage').some((c) => c.args.thread_ts === mention.ts), 45_000);
    const reply = api.okCallsTo('chat.postMessage').find((c) => c.args.thread_ts === mention.ts)!;
    expect(messageText(reply.args)).toContain(POD_IP);

    // A slash command: the ephemeral answer goes to response_url, through the proxy too.
    const responseUrl = responses.newUrl();
    await postSigned(bot.eventsUrl, SECRET, formBody(slashCommand('pod webserver-2 -n shop', responseUrl)), 'form');
    await responses.waitFor(() => responses.postsTo(responseUrl).length === 1, 45_000);
    expect(messageText(responses.postsTo(responseUrl)[0]!.body)).toContain(POD_IP);

    const tunnels = proxy.seen().slice(before);
    expect(tunnels.map((t) => t.target)).toContain(new URL(responseUrl).host);
    // Only Slack's hosts: the Kubernetes API (and nothing else) never went through the proxy.
    expect(tunnels.every((t) => t.method === 'CONNECT' && [apiHost(), new URL(responseUrl).host].includes(t.target))).toBe(true);
    expect(tunnels.map((t) => t.target)).not.toContain(kubeHost());
  }, 120_000);

  it('NO_PROXY naming the host sends Slack traffic directly: the proxy sees nothing, the bot still answers', async () => {
    const before = proxy.seen().length;
    const bot = await start({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
    const mention = appMention('pod webserver-2 -n shop');
    await postSigned(bot.eventsUrl, SECRET, JSON.stringify(eventCallback(mention)), 'json');
    await api.waitFor(() => api.okCallsTo('chat.postMessage').some((c) => c.args.thread_ts === mention.ts), 45_000);
    expect(proxy.seen().slice(before)).toEqual([]);
  }, 120_000);

  it('refuses to start with a proxy URL it cannot use, naming the variable', async () => {
    await expect(start({ HTTPS_PROXY: 'socks5://127.0.0.1:1080' })).rejects.toThrow(/HTTPS_PROXY.*must start with http:\/\/ or https:\/\//s);
  }, 30_000);
});
