/**
 * "Probe again" under a why answer about a Service, through the real Bolt receiver: the live steps are
 * the client pod's DNS lookup and the destination pod's socket read (both through the built `netpeek
 * agent` on node-a, workload vantage on) and the probe from that agent. The pods are real containers
 * (test/support/kube-pods.ts) registered in the test API server; the client's resolv.conf points at the
 * test's own DNS server on the pod network's gateway; the agent's allow-list is exactly that subnet.
 * The test breaks the path at resolve (a stale answer) and at listening (no server yet), then fixes both
 * and clicks: the live steps flip and the first failure moves, the other steps stay the first answer's.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps, type Deps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { DockerFixtures, docker, ensureBusyboxImages, untilListening } from '../../support/docker-fixtures.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';
import { endpointSlice, node, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { createPodNetwork, podObject, startRealPod, writeKubeletResolvConf, type RealPod } from '../../support/kube-pods.js';
import { buttonsOf, messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL, OTHER_USER, slackTs, USER } from '../../support/slack/payloads.js';
import { startWorkloadAgents, type WorkloadAgents } from '../../support/workload-agents.js';

const SECRET = 'why-probe-again-pod-secret-5c1d';
const NAME = 'web.shop.svc.cluster.local';

describeNeeding(DOCKER, 'why in Slack: "Probe again" reruns a Service path\'s live steps through the node\'s agent', () => {
  const fx = new DockerFixtures();
  let api: KubeApiServer;
  let dnsd: TestDnsServer;
  let agents: WorkloadAgents;
  let client: RealPod;
  let server: RealPod;
  let deps: Deps;
  let h: Harness;
  // The DNS server reads this object on every query: the test changes the answer by changing it.
  const records: Record<string, string[]> = { [`${NAME}.`]: ['10.96.0.99'] };

  beforeAll(async () => {
    await ensureBusyboxImages();
    const net = await createPodNetwork(fx);
    [client, server] = await Promise.all([
      startRealPod(fx, net.name, 'client', [{ name: 'app', command: ['sleep', '600'] }]),
      // Declares 8080; the server is started by the test.
      startRealPod(fx, net.name, 'web', [{ name: 'app', command: ['sleep', '600'], ports: [{ name: 'http', containerPort: 8080 }] }]),
    ]);
    dnsd = await startDnsServer({ host: net.gateway, records });
    await writeKubeletResolvConf(client.containers.app!, net.gateway, 'shop');
    agents = await startWorkloadAgents(SECRET, [net.subnet]);
    api = await startKubeApiServer({
      namespaces: ['default', 'shop'],
      objects: [
        node('node-a', { internalIP: net.gateway, podCIDR: net.subnet }),
        podObject(client, { nodeName: 'node-a', hostIP: net.gateway, namespace: 'shop', labels: { app: 'client' } }),
        podObject(server, { nodeName: 'node-a', hostIP: net.gateway, namespace: 'shop', labels: { app: 'web' } }),
        // The ClusterIP is a fixture address: compared with DNS answers, never probed (the probe goes to the pod IP).
        service('web', { namespace: 'shop', selector: { app: 'web' }, clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
        endpointSlice('web-x1', { namespace: 'shop', serviceName: 'web', ports: [{ name: 'http', port: 8080 }], endpoints: [{ ip: server.ip, podName: server.name, nodeName: 'node-a' }] }),
      ],
    });
    deps = buildDeps(loadConfig({ KUBECONFIG: api.kubeconfigPath, NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENTS: agents.agents }), createLogger('silent'));
    h = await startHarness({ commands: COMMANDS, deps, env: { NETPEEK_SLACK_PROBE_CHANNELS: CHANNEL, NETPEEK_SLACK_PROBE_USERS: USER } });
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    agents?.stop();
    await dnsd?.close();
    await deps?.kube?.stop();
    await api?.stop();
    await fx.cleanup();
  }, 60_000);

  let token = '';
  let messageTs = '';

  it('broken at resolve (a stale answer from inside the client) with nothing listening; after both are fixed, the click passes every step', async () => {
    await h.event(appMention(`<@U0BOT> why shop/client ${NAME} --port 80`, { ts: slackTs() }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1, 30_000);
    const first = h.api.okCallsTo('chat.update')[0]!.args;
    const text = messageText(first);
    expect(text).toContain(`Broken at resolve: From inside pod shop/client (node node-a):`);
    expect(text).toContain('10.96.0.99');
    expect(text).toContain("Nothing listens on TCP 8080 in pod shop/web's network namespace");
    expect(text).toContain(`✗ probe: TCP ${server.ip}:8080 (pod shop/web) from node node-a`);
    token = buttonsOf(first).netpeek_reprobe!;
    messageTs = String(first.ts);
    expect(token).toBeTruthy();

    records[`${NAME}.`] = ['10.96.0.20'];
    await docker('exec', '-d', server.containers.app!, 'httpd', '-f', '-p', '8080');
    await untilListening(server.containers.app!, 8080);
    const asked = dnsd.queries.length;
    await h.click({ actionId: 'netpeek_reprobe', value: token, messageTs });
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 2, 30_000);
    const again = messageText(h.api.okCallsTo('chat.update')[1]!.args);
    expect(again).toMatch(/No broken step found: 9 of 9 checks pass\./);
    expect(again).toMatch(/✓ resolve: From inside pod shop\/client \(node node-a\): .*10\.96\.0\.20/);
    // Now the probe's connection is accepted, and that answers listening (the sockets are read to explain a failure).
    expect(again).toContain(`✓ listening: pod shop/web accepts TCP connections on ${server.ip}:8080: the probe's connection from node node-a was accepted`);
    expect(again).toContain(`✓ probe: TCP ${server.ip}:8080 (pod shop/web) from node node-a`);
    expect(again).toContain('Probe again reran the live steps (resolve, listening, probe)');
    // The name was asked again, from inside the client pod (its own IP).
    expect(dnsd.queries.slice(asked).map((q) => q.from)).toContain(client.ip);
    token = buttonsOf(h.api.okCallsTo('chat.update')[1]!.args).netpeek_reprobe!;
  });

  it('a clicker who may not probe is refused, and nothing is asked or probed', async () => {
    h.api.reset();
    const asked = dnsd.queries.length;
    const { responseUrl } = await h.click({ actionId: 'netpeek_reprobe', value: token, messageTs, user: OTHER_USER });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toContain(`You (${OTHER_USER}) are not allowed to run probes`);
    expect(h.api.okCallsTo('chat.update')).toHaveLength(0);
    expect(dnsd.queries.length).toBe(asked);
  });
});
