import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllowList } from '../../../src/net/address-policy.js';
import { LocalProber } from '../../../src/probe/local-prober.js';
import { NamespaceProber } from '../../../src/probe/namespace-prober.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { REPO_ROOT } from '../../support/image-build.js';
import { BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages } from '../../support/docker-fixtures.js';

// vitest runs the sources; the child nsenter starts is the compiled one the global setup built.
const CHILD = join(REPO_ROOT, 'dist', 'src', 'probe', 'namespace-child.js');

const ipOf = (c: string, net: string) => docker('inspect', '--format', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, c);
const pidOf = async (c: string) => Number(await docker('inspect', '--format', '{{.State.Pid}}', c));

describeNeeding(DOCKER, 'probing from inside a container\'s network namespace (nsenter -t PID -n)', () => {
  const fx = new DockerFixtures();
  let netA = { name: '', subnet: '' };
  let netB = { name: '', subnet: '' };
  const c = { a: '', peer: '', b: '' };
  const ip = { peer: '', b: '' };
  let allow: AllowList;

  beforeAll(async () => {
    await ensureBusyboxImages();
    [netA, netB] = await Promise.all([fx.createNetwork('ns-a'), fx.createNetwork('ns-b')]);
    c.a = await fx.runContainer('a', ['--network', netA.name]);
    c.peer = await fx.runContainer('peer', ['--network', netA.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '80']);
    c.b = await fx.runContainer('b', ['--network', netB.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '80']);
    ip.peer = await ipOf(c.peer, netA.name);
    ip.b = await ipOf(c.b, netB.name);
    // Exactly this test's own subnets.
    allow = new AllowList([netA.subnet, netB.subnet]);
  }, 120_000);

  afterAll(() => fx.cleanup());

  it('two user-defined networks: the host reaches B, A (on the other bridge) does not; A reaches its own neighbour', async () => {
    const fromHost = await new LocalProber({ allowList: allow }).probe([{ kind: 'tcp', ip: ip.b, port: 80 }], { timeoutMs: 2000 });
    expect(fromHost[0]).toMatchObject({ ok: true, ip: ip.b, port: 80 });
    const fromA = new NamespaceProber({ pid: await pidOf(c.a), workload: c.a, allowList: allow, childScript: CHILD });
    const [toB, toPeer, pingPeer] = await fromA.probe(
      [{ kind: 'tcp', ip: ip.b, port: 80 }, { kind: 'tcp', ip: ip.peer, port: 80 }, { kind: 'icmp', ip: ip.peer }],
      { timeoutMs: 1500, deadlineMs: 5000 },
    );
    expect(toB, JSON.stringify(toB)).toMatchObject({ ok: false, ip: ip.b, via: c.a });
    expect(['timeout', 'unreachable', 'refused'], JSON.stringify(toB)).toContain(toB!.error);
    expect(toPeer).toMatchObject({ ok: true, ip: ip.peer, port: 80, via: c.a });
    expect(pingPeer).toMatchObject({ kind: 'icmp', ok: true, ip: ip.peer, via: c.a });
  });

  it('refuses a target outside the allow-list before anything is started, also from inside a namespace', async () => {
    const fromA = new NamespaceProber({ pid: await pidOf(c.a), workload: c.a, allowList: new AllowList([netB.subnet]), childScript: CHILD });
    const [r] = await fromA.probe([{ kind: 'tcp', ip: ip.peer, port: 80 }], { timeoutMs: 1000 });
    expect(r).toMatchObject({ ok: false, error: 'denied', ip: ip.peer });
    expect(r!.detail).toContain('not in the allow-list');
    expect(r!.detail).toContain(`nothing was sent from ${c.a}`);
  });

  it('refuses a pid that is not a workload: the host\'s own process, and pid 1', async () => {
    for (const pid of [process.pid, 1]) {
      const prober = new NamespaceProber({ pid, workload: `pid ${pid}`, allowList: allow, childScript: CHILD });
      const [r] = await prober.probe([{ kind: 'tcp', ip: ip.b, port: 80 }], { timeoutMs: 1000 });
      expect(r).toMatchObject({ ok: false, error: 'error' });
      expect(r!.detail).toMatch(/shares the host's network namespace|is not a workload's process/);
    }
  });
});
