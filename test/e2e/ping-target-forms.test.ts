/**
 * `ping NS/NAME` and `ping TYPE/NAME` (kubectl's forms, issue 17) through the built binary: two pods named
 * webserver-2 in namespaces shop and default, each made of real Docker containers (a pause container plus
 * httpd in its namespace, test/support/kube-pods.ts), so their pod IPs are real addresses on this test's own
 * pod network. The node's agent is the built `netpeek agent` on this host, its allow-list exactly that pod
 * network. Bad forms are refused before anything is sent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLoopbackAgent, type AgentProcess } from '../integration/agent/agent-process.js';
import { describeNeeding, DOCKER, ICMP } from '../support/backends.js';
import { netpeek, NETPEEK_BIN } from '../support/cli.js';
import { DockerFixtures, ensureBusyboxImages, untilListening } from '../support/docker-fixtures.js';
import { namespace, node } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';
import { createPodNetwork, podObject, startRealPod, type RealPod } from '../support/kube-pods.js';

const SECRET = 'ping-target-forms-secret-7c2d';

interface PingJson {
  summary: string;
  subject: { kind: string; name: string; namespace?: string };
  facts: { label: string; value: string }[];
  probes: { kind: string; target: string; port?: number; ok: boolean }[];
}

describeNeeding([...DOCKER, ...ICMP], 'ping NS/NAME and TYPE/NAME through the binary', () => {
  const fx = new DockerFixtures();
  let api: KubeApiServer;
  let agent: AgentProcess;
  let shop: RealPod;
  let dflt: RealPod;
  let env: Record<string, string>;
  const ping = (...args: string[]) => netpeek(['ping', ...args], env);
  const pingJson = async (...args: string[]): Promise<PingJson> => {
    const r = await ping(...args, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as PingJson;
  };
  const fact = (a: PingJson, label: string) => a.facts.find((f) => f.label === label)?.value;

  beforeAll(async () => {
    await ensureBusyboxImages();
    const net = await createPodNetwork(fx);
    [shop, dflt] = await Promise.all([
      startRealPod(fx, net.name, 'webserver-2', [{ name: 'web', command: ['httpd', '-f', '-p', '80'], ports: [{ name: 'http', containerPort: 80 }] }]),
      startRealPod(fx, net.name, 'webserver-2', [{ name: 'web', command: ['httpd', '-f', '-p', '8080'], ports: [{ name: 'http', containerPort: 8080 }] }]),
    ]);
    await Promise.all([untilListening(shop.containers.web!, 80), untilListening(dflt.containers.web!, 8080)]);
    agent = await startLoopbackAgent(NETPEEK_BIN, { NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENT_ALLOW_CIDRS: net.subnet, NETPEEK_NODE_NAME: 'node-a' }, ['agent']);
    api = await startKubeApiServer({
      objects: [
        namespace('shop'),
        node('node-a', { internalIP: net.gateway, podCIDR: net.subnet }),
        podObject(shop, { nodeName: 'node-a', hostIP: net.gateway, namespace: 'shop' }),
        podObject(dflt, { nodeName: 'node-a', hostIP: net.gateway }),
      ],
    });
    env = { KUBECONFIG: api.kubeconfigPath, NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENTS: `node-a=${agent.url}` };
  }, 180_000);

  afterAll(async () => {
    agent?.child.kill('SIGTERM');
    await api?.stop();
    await fx.cleanup();
  });

  it('ping shop/webserver-2 probes the shop pod from its node, and pod/shop/webserver-2 is the same pod', async () => {
    for (const form of ['shop/webserver-2', 'pod/shop/webserver-2', 'po/shop/webserver-2']) {
      const a = await pingJson(form, '--port', '80', '--count', '1');
      expect(a.subject).toMatchObject({ kind: 'pod', name: 'shop/webserver-2' });
      expect(fact(a, 'Address')).toBe(shop.ip);
      expect(fact(a, 'Probed from')).toBe('node node-a');
      expect(a.probes.map((p) => [p.kind, p.target, p.port, p.ok])).toEqual([
        ['icmp', shop.ip, undefined, true],
        ['tcp', shop.ip, 80, true],
      ]);
      expect(a.summary).toBe(`shop/webserver-2 (${shop.ip}) answers ping from node node-a; open: 80.`);
    }
  });

  it('default/webserver-2 is the other pod of that name; pod/NAME with -n still works', async () => {
    const a = await pingJson('default/webserver-2', '--count', '1');
    expect(fact(a, 'Address')).toBe(dflt.ip);
    expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: dflt.ip, port: 8080, ok: true });
    const b = await pingJson('pod/webserver-2', '-n', 'shop', '--port', '80', '--count', '1');
    expect(fact(b, 'Address')).toBe(shop.ip);
  });

  it('--from takes the same forms, in any namespace (-n is the target\'s)', async () => {
    const r = await ping('pod/webserver-2', '-n', 'default', '--from', 'shop/webserver-2', '--port', '8080', '--count', '1', '--json');
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout) as PingJson;
    expect(fact(a, 'Address')).toBe(dflt.ip);
  });

  it('a namespace in the target and a different -n is refused, as are other kinds and bad names; nothing is probed', async () => {
    const cases: [string[], RegExp][] = [
      [['shop/webserver-2', '-n', 'default'], /^netpeek: "shop\/webserver-2" says namespace shop, and -n says default; give one\./m],
      [['svc/web'], /^netpeek: "svc\/web" names a Service, which is not a target here\./m],
      [['node/node-a'], /^netpeek: "node\/node-a" names a node, which is not a target here\./m],
      [['Shop/webserver-2'], /namespace/i],
      [['pod/a/b/c'], /^netpeek: "pod\/a\/b\/c" is not a pod, address or container reference\./m],
      [['nothere/webserver-2'], /^netpeek: There is no pod "webserver-2" in namespace nothere/m],
    ];
    for (const [args, message] of cases) {
      const r = await ping(...args, '--count', '1');
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/Accepted|Example|Namespaces|namespace/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
