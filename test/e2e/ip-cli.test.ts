/**
 * The built `netpeek ip <address>` binary against the test API server and the real Docker engine: a real
 * pod (pause container + app container on a pod network of its own, the pod object carrying the IP
 * Docker gave it), a container on a Docker network the test made, fixture Services and nodes. Nothing
 * is sent to any address: the answer is read from the API and the engine's lists (`probes` is empty).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNeeding, DOCKER } from '../support/backends.js';
import { netpeek } from '../support/cli.js';
import { DockerFixtures, ensureBusyboxImages, inspect } from '../support/docker-fixtures.js';
import { namespace, node, service } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';
import { createPodNetwork, podObject, startRealPod, type RealPod } from '../support/kube-pods.js';

/** An address of a /24 that no container holds: Docker hands out .2 upwards, and this test starts two. */
const unassigned = (subnet: string) => subnet.replace(/\.0\/24$/, '.200');

describeNeeding(DOCKER, 'netpeek ip (the binary), against the test API server and real Docker networks', () => {
  const fx = new DockerFixtures();
  let api: KubeApiServer;
  let env: Record<string, string>;
  let podNet: { name: string; subnet: string; gateway: string };
  let lab: { name: string; subnet: string };
  let web: RealPod;
  let box: string;
  let boxIp: string;

  beforeAll(async () => {
    await ensureBusyboxImages();
    podNet = await createPodNetwork(fx);
    lab = await fx.createNetwork('iplab');
    web = await startRealPod(fx, podNet.name, 'web-1', [{ name: 'app', command: ['sleep', '3600'] }]);
    box = await fx.runContainer('ipbox', ['--network', lab.name], undefined, ['sleep', '3600']);
    boxIp = (await inspect<{ NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }>(box)).NetworkSettings.Networks[lab.name]!.IPAddress;
    api = await startKubeApiServer({
      objects: [
        namespace('shop'),
        node('node-1', { internalIP: '192.0.2.21', podCIDR: podNet.subnet }),
        podObject(web, { nodeName: 'node-1', hostIP: '192.0.2.21', namespace: 'shop' }),
        service('web', { namespace: 'shop', selector: { app: 'web' }, clusterIP: '10.96.0.50', ports: [{ port: 80 }] }),
        service('dns', { namespace: 'shop', clusterIP: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }] }),
      ],
    });
    env = { KUBECONFIG: api.kubeconfigPath };
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await fx.cleanup();
  });

  const ask = async (...args: string[]) => {
    const r = await netpeek(['ip', ...args], env);
    return { ...r, json: args.includes('--json') && r.stdout ? JSON.parse(r.stdout) : undefined };
  };

  it('a pod IP: the pod, its node, and the pause container that holds the namespace (shared with the app container)', async () => {
    const r = await ask(web.ip, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.subject).toMatchObject({ kind: 'ip', name: web.ip });
    expect(r.json.summary).toContain(`${web.ip} is held by 2 things`);
    expect(r.json.summary).toContain('pod shop/web-1 on node node-1');
    expect(r.json.summary).toContain(`Docker container ${web.pause} on network ${podNet.name} (shared with ${web.containers.app}`);
    expect(r.json.tables.find((t: { title: string }) => t.title === 'Holders').rows).toEqual([
      ['pod', 'shop/web-1', 'node node-1, Running'],
      ['container', web.pause, `Docker network ${podNet.name}, shared with ${web.containers.app}`],
    ]);
    expect(r.json.probes).toEqual([]);
  });

  it('a container on a Docker network: its name and the network, in the terminal text', async () => {
    const r = await ask(boxIp);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${boxIp} is held by Docker container ${box} on network ${lab.name}.`);
    expect(r.stdout).toContain(`container ${box}\``);
  });

  it("a Docker network's gateway is the host's side of that network", async () => {
    const gw = (await inspect<{ NetworkSettings: { Networks: Record<string, { Gateway: string }> } }>(box)).NetworkSettings.Networks[lab.name]!.Gateway;
    const r = await ask(gw, '--json');
    expect(r.code).toBe(0);
    expect(r.json.summary).toBe(`${gw} is held by the Docker host: the gateway of Docker network ${lab.name} (its bridge interface on the host).`);
  });

  it('a ClusterIP and a node address', async () => {
    const svc = await ask('10.96.0.50', '--json');
    expect(svc.json.summary).toBe('10.96.0.50 is held by Service shop/web (ClusterIP, its ClusterIP).');
    const n = await ask('192.0.2.21', '--json');
    expect(n.json.summary).toBe('192.0.2.21 is held by node node-1 (its InternalIP).');
  });

  it('nothing holds it: which range it is in (a Docker subnet, a pod CIDR, the service CIDR), exit 0', async () => {
    const inLab = await ask(unassigned(lab.subnet), '--json');
    expect(inLab.code).toBe(0);
    expect(inLab.json.summary).toBe(
      `Nothing netpeek sees holds ${unassigned(lab.subnet)}; it is inside Docker network ${lab.name}'s subnet ${lab.subnet} (bridge): an address Docker has not given to any running container (a container gets a new one when it is recreated).`,
    );
    const inPods = await ask(unassigned(podNet.subnet), '--json');
    expect(inPods.json.summary).toContain(`inside node node-1's pod CIDR ${podNet.subnet}: a pod address that no running pod holds now`);
    expect(inPods.json.facts).toContainEqual({ label: 'Inside', value: `node node-1's pod CIDR ${podNet.subnet}; Docker network ${podNet.name}'s subnet ${podNet.subnet} (bridge)` });
    const inServices = await ask('10.96.0.99', '--json');
    expect(inServices.json.summary).toContain('inside the service CIDR 10.96.0.0/12');
    const nowhere = await ask('203.0.113.9');
    expect(nowhere.code).toBe(0);
    expect(nowhere.stdout).toContain('Nothing netpeek sees holds 203.0.113.9, and it is in none of the ranges netpeek knows');
  });

  it('not an address: exit 1, what was wrong, what is accepted, an example', async () => {
    const r = await ask('10.244.1.10:8080');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"10.244.1.10:8080" is not an IP address');
    expect(r.stderr).toContain('Accepted: one IPv4 or IPv6 address');
    expect(r.stderr).toContain('Example: ip 10.244.1.10');
    const cidr = await ask('10.244.1.0/24');
    expect(cidr.code).toBe(1);
    expect(cidr.stderr).toContain('is a CIDR range; give one address');
  });
});
