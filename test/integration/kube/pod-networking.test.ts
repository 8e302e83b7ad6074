/**
 * Seed notes 8 and 10 with real network namespaces: a pod built from Docker containers (a pause
 * container plus app containers joined with --network container:<pause>) on a Docker network with its
 * own pod subnet, registered in the test API server with the IP Docker assigned. netpeek's pod IP must
 * be what `ip addr` shows inside every app container, and two containers of one pod binding the same
 * port must really collide — which netpeek warns about from the declared ports. Nothing is probed here.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../../src/core/answer.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, addressInside, docker, ensureBusyboxImages, uniqueName } from '../../support/docker-fixtures.js';
import { node } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { createPodNetwork, podObject, startRealPod, type RealPod } from '../../support/kube-pods.js';
import { fact, kubeDeps, question, until } from './helpers.js';

const run = promisify(execFile);

describeNeeding(DOCKER, 'pods made of real containers', () => {
  const fx = new DockerFixtures();
  let api: KubeApiServer;
  let deps: ReturnType<typeof kubeDeps>;
  let net: { name: string; subnet: string; gateway: string };
  let web: RealPod;
  let clash: RealPod;

  beforeAll(async () => {
    await ensureBusyboxImages();
    net = await createPodNetwork(fx);
    web = await startRealPod(fx, net.name, 'web-real', [
      { name: 'httpd', command: ['httpd', '-f', '-p', '8080'], ports: [{ name: 'http', containerPort: 8080 }] },
      { name: 'nc', command: ['nc', '-ll', '-p', '9090', '-e', 'cat'], ports: [{ name: 'raw', containerPort: 9090 }] },
    ]);
    clash = await startRealPod(fx, net.name, 'clash-real', [
      { name: 'httpd', command: ['httpd', '-f', '-p', '8080'], ports: [{ containerPort: 8080 }] },
      { name: 'nc', command: ['sleep', '86400'], ports: [{ containerPort: 8080 }] },
    ]);
    const nodeOpts = { nodeName: 'docker-node', hostIP: net.gateway };
    api = await startKubeApiServer({
      objects: [node('docker-node', { internalIP: net.gateway, podCIDR: net.subnet }), podObject(web, nodeOpts), podObject(clash, nodeOpts)],
    });
    deps = kubeDeps(api.kubeconfigPath);
    expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
  });

  afterAll(async () => {
    await deps?.kube.stop();
    await api?.stop();
    await fx.cleanup();
  });

  it("netpeek's pod IP is what `ip addr` shows inside each app container", async () => {
    const a: Answer = await question(deps, 'pod web-real');
    const [address] = a.addresses;
    expect(address).toMatchObject({ network: 'pod network', family: 'ipv4', ip: web.ip, subnet: net.subnet });
    for (const container of Object.values(web.containers)) {
      const inside = await addressInside(container);
      expect(inside.cidr).toBe(`${address!.ip}/${address!.prefixLength}`);
    }
    expect(fact(a, `${web.ip} in node pod CIDR`)).toBe(`yes (${net.subnet})`);
    expect(a.sharing).toMatchObject({ mode: 'pod', with: ['httpd', 'nc'] });
    expect(a.warnings).toEqual([]);
    // One namespace: from inside httpd's container, nc's listener is visible too (and the other way round).
    await until(async () => {
      const seen = await docker('exec', web.containers.nc!, 'netstat', '-ltn');
      return /:8080\s/.test(seen) && /:9090\s/.test(seen);
    }, 10_000, 'both listeners in the shared namespace');
  });

  it('two containers of one pod cannot bind the same port, and netpeek warns about the declared conflict', async () => {
    const httpd = clash.containers.httpd!;
    await until(async () => /:8080\s/.test(await docker('exec', httpd, 'netstat', '-ltn')), 10_000, 'httpd listening on 8080');
    // A second listener in the same network namespace, exactly as a second container of the pod would start.
    const second = await run('docker', ['run', '--rm', '--name', uniqueName('clash-second'), '--network', `container:${clash.pause}`, BUSYBOX_IMAGE, 'nc', '-l', '-p', '8080'], { timeout: 30_000 }).then(
      () => ({ failed: false, stderr: '' }),
      (err: { stderr?: string }) => ({ failed: true, stderr: String(err.stderr ?? '') }),
    );
    expect(second.failed).toBe(true);
    expect(second.stderr).toMatch(/Address (already )?in use/);
    // The same port in a container with a namespace of its own binds fine: the conflict is the shared namespace.
    const alone = await run('docker', ['run', '--rm', '--network', net.name, BUSYBOX_IMAGE, 'sh', '-c', 'nc -l -p 8080 & sleep 0.3; kill $!'], { timeout: 30_000 });
    expect(alone.stderr).not.toMatch(/in use/);
    const a = await question(deps, 'pod clash-real');
    expect(a.warnings).toContain(
      'Port conflict in clash-real: httpd and nc both declare 8080/tcp. They share one network namespace, so only the first to bind it gets it; the other fails with "address already in use".',
    );
    expect(a.addresses[0]!.ip).toBe(clash.ip);
    expect((await addressInside(clash.containers.nc!)).cidr.split('/')[0]).toBe(clash.ip);
  });
});
