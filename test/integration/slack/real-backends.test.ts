import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import type { Answer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { buildDeps, type Deps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { toBlocks } from '../../../src/render/blocks.js';
import { toText } from '../../../src/render/text.js';
import { describeNeeding, DOCKER, ICMP } from '../../support/backends.js';
import { DockerFixtures, ensureBusyboxImages, inspect } from '../../support/docker-fixtures.js';
import { expectGolden } from '../../support/golden.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { expectValidMessage, messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL, slackTs } from '../../support/slack/payloads.js';

/**
 * The real path end to end: Slack's signed requests through the real Bolt receiver, the real commands
 * against a real dockerd and the test API server, probes sent to a container this test made, and the IP
 * and the verdict read from what netpeek posts to response_url / chat.postMessage. The renderer goldens
 * are produced here too, from those real answers.
 */
interface Inspected {
  Id: string;
  NetworkSettings: { Networks: Record<string, { IPAddress: string; MacAddress: string }> };
}

// Pod and node addresses are the test API server's fixtures: looked up and explained, never probed.
const POD_IP = '10.244.1.7';
const NODE_IP = '10.20.0.5';

describeNeeding([...DOCKER, ...ICMP], 'Slack answers from the real commands on real backends', () => {
  const fx = new DockerFixtures();
  let net = { name: '', subnet: '' };
  let web = '';
  let webIp = '';
  let web2: Inspected;
  let api: KubeApiServer;
  let deps: Deps;
  let h: Harness;

  beforeAll(async () => {
    await ensureBusyboxImages();
    net = await fx.createNetwork('slack-real');
    web = await fx.runContainer('web', ['--network', net.name, '--expose', '80'], undefined, ['httpd', '-f', '-p', '80']);
    web2 = await inspect<Inspected>(web);
    webIp = web2.NetworkSettings.Networks[net.name]!.IPAddress;
    api = await startKubeApiServer({
      namespaces: ['default', 'shop'],
      objects: [
        node('node-a', { internalIP: NODE_IP, podCIDR: '10.244.1.0/24' }),
        pod('webserver-2', { namespace: 'shop', ip: POD_IP, hostIP: NODE_IP, nodeName: 'node-a', containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] }),
      ],
    });
    deps = buildDeps(loadConfig({ KUBECONFIG: api.kubeconfigPath }), createLogger('silent'));
    // Probes only where this test's own container lives: the allow-list is its Slack channel.
    h = await startHarness({ commands: COMMANDS, deps, env: { NETPEEK_SLACK_PROBE_CHANNELS: CHANNEL } });
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await deps?.kube?.stop();
    await api?.stop();
    await fx.cleanup();
  }, 60_000);

  it('/netpeek container: the container\'s real IP and the reachability verdict, posted to response_url', async () => {
    const { responseUrl } = await h.slash(`container ${web}`);
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1, 20_000);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    const text = messageText(body);
    expect(text).toContain(`${web} is ${webIp}/24 on "${net.name}": reachable from the Docker host without publishing; other machines not at all (nothing published).`);
    expect(text).toContain(net.subnet);
    expectValidMessage(body);
  });

  it('/netpeek pod: the pod IP from the API server, its node and pod CIDR, and the verdict', async () => {
    const { responseUrl } = await h.slash('pod webserver-2 -n shop');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1, 20_000);
    const text = messageText(h.responses.postsTo(responseUrl)[0]!.body);
    expect(text).toContain(`webserver-2 is ${POD_IP} on node-a (pod CIDR 10.244.1.0/24): every pod and node reaches it there on any port its containers listen on, without publishing anything.`);
    expect(text).toContain(`${POD_IP}:8080/tcp`);
  });

  it('@netpeek ping: a real probe of the container, "probing" first, then the verdict in its place', async () => {
    const ts = slackTs();
    await h.event(appMention(`<@U0BOT> ping ${web} --port 80 --count 1`, { ts }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1, 20_000);
    const probing = h.api.okCallsTo('chat.postMessage')[0]!.args;
    expect(messageText(probing)).toContain(`Probing: \`ping ${web} --port 80 --count 1\``);
    const answer = h.api.okCallsTo('chat.update')[0]!.args;
    expect(answer.ts).toBe(h.api.messages[0]!.ts);
    const text = messageText(answer);
    expect(text).toContain(`${web} (${webIp}) answers ping from the Docker host; open: 80.`);
    expect(text).toContain(`TCP ${webIp}:80 from the Docker host: ok`);
    expect(answer.metadata).toMatchObject({ event_payload: { subject_kind: 'container', subject_name: web } });
  });

  it('@netpeek ping a closed port: refused, with what that means', async () => {
    h.api.reset();
    await h.event(appMention(`<@U0BOT> ping ${web} --port 81 --count 1`, { ts: slackTs() }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1, 20_000);
    const text = messageText(h.api.okCallsTo('chat.update')[0]!.args);
    expect(text).toContain(`${web} (${webIp}) answers ping from the Docker host; no port open; not open: 81 (refused).`);
    expect(text).toContain(`${webIp}:81 refused the connection`);
  });

  describe('renderer goldens from real answers', () => {
    const registry = new CommandRegistry(COMMANDS);
    const question = (text: string): Promise<Answer> => ask(text, registry, deps);
    /**
     * The real answer with what differs between runs (names, subnets, IDs, MACs, ports) replaced by
     * stable stand-ins before it is rendered, so column widths are the renderer's own.
     */
    const stable = (a: Answer): Answer => {
      const out = JSON.parse(stableText(JSON.stringify(a))) as Answer;
      // Docker's embedded resolver listens on 127.0.0.11 at random ports, and PIDs differ per run: keep the
      // server's own socket, with its PID replaced.
      for (const t of out.tables.filter((t) => t.title.startsWith('Listening sockets'))) {
        t.rows = t.rows.filter((r) => r[1] !== '127.0.0.11').map((r) => r.map((c) => c.replace(/ \(\d+\)$/, ' (<pid>)')));
      }
      return out;
    };
    const stableText = (s: string): string => {
      const prefix = net.subnet.replace(/\.0\/24$/, '');
      return s
        .replaceAll(web, 'webserver-1')
        .replaceAll(net.name, 'shop-net')
        .replaceAll(`${prefix}.`, '10.99.0.')
        .replaceAll(web2.Id, '<container id>')
        .replaceAll(web2.Id.slice(0, 12), '<id>')
        .replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, '<mac>')
        .replace(/(https?):\/\/127\.0\.0\.1:\d+/g, '$1://127.0.0.1:6443')
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uid>');
    };

    it('container: Block Kit and text', async () => {
      const a = stable(await question(`container ${web}`));
      await expectGolden(new URL('./__golden__/container.blocks.json', import.meta.url), JSON.stringify(toBlocks(a), null, 2) + '\n');
      await expectGolden(new URL('./__golden__/container.txt', import.meta.url), toText(a));
    });

    it('pod: Block Kit and text', async () => {
      const a = stable(await question('pod webserver-2 -n shop'));
      await expectGolden(new URL('./__golden__/pod.blocks.json', import.meta.url), JSON.stringify(toBlocks(a), null, 2) + '\n');
      await expectGolden(new URL('./__golden__/pod.txt', import.meta.url), toText(a));
    });
  });
});
