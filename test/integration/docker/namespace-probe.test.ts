import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import type { Answer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { UserError } from '../../../src/core/errors.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { AllowList } from '../../../src/net/address-policy.js';
import { LocalProber } from '../../../src/probe/local-prober.js';
import { NamespaceProber } from '../../../src/probe/namespace-prober.js';
import { checkContainerProcess } from '../../../src/probe/workload-process.js';
import { dockerContainerProcess } from '../../../src/sources/container-process.js';
import { DockerEngine } from '../../../src/sources/docker.js';
import { describeNeeding, DOCKER, ICMP, NETNS } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages } from '../../support/docker-fixtures.js';
import { createLab, type Lab } from '../../support/netns.js';

const ipOf = (c: string, net: string) => docker('inspect', '--format', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, c);
const pidOf = async (c: string) => Number(await docker('inspect', '--format', '{{.State.Pid}}', c));
const idOf = (c: string) => docker('inspect', '--format', '{{.Id}}', c);

const registry = new CommandRegistry(COMMANDS);
const log = createLogger('silent');
const withVantage = buildDeps(loadConfig({ NETPEEK_WORKLOAD_VANTAGE: 'true' }), log);
const withoutVantage = buildDeps(loadConfig({}), log);

async function refusal(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('it was not refused');
}

describeNeeding([...DOCKER, ...ICMP, ...NETNS], 'probing from inside a container\'s network namespace (nsenter -t PID -n)', () => {
  const fx = new DockerFixtures();
  let netA = { name: '', subnet: '' };
  let netB = { name: '', subnet: '' };
  const c = { a: '', peer: '', b: '' };
  const ip = { peer: '', b: '', unassignedA: '' };
  let allow: AllowList;
  let lab: Lab;

  beforeAll(async () => {
    await ensureBusyboxImages();
    [netA, netB] = await Promise.all([fx.createNetwork('ns-a'), fx.createNetwork('ns-b')]);
    c.a = await fx.runContainer('a', ['--network', netA.name]);
    c.peer = await fx.runContainer('peer', ['--network', netA.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '80']);
    c.b = await fx.runContainer('b', ['--network', netB.name, '--expose', '80'], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '80']);
    ip.peer = await ipOf(c.peer, netA.name);
    ip.b = await ipOf(c.b, netB.name);
    // Inside A's own subnet and held by nothing: the unreachable case never leaves the machine.
    ip.unassignedA = netA.subnet.replace(/\.0\/24$/, '.200');
    // Exactly this test's own subnets.
    allow = new AllowList([netA.subnet, netB.subnet]);
    lab = await createLab({ nodes: 1 });
  }, 180_000);

  afterAll(async () => {
    await lab?.destroy();
    await fx.cleanup();
  }, 60_000);

  const processOf = async (container: string) => checkContainerProcess(await pidOf(container), await idOf(container), container);

  it('two user-defined networks: the host reaches B, A (on the other bridge) does not; A reaches its own neighbour', async () => {
    const fromHost = await new LocalProber({ allowList: allow }).probe([{ kind: 'tcp', ip: ip.b, port: 80 }], { timeoutMs: 2000 });
    expect(fromHost[0]).toMatchObject({ ok: true, ip: ip.b, port: 80 });
    const fromA = new NamespaceProber({ process: await processOf(c.a), allowList: allow });
    const [toB, toPeer, pingPeer, pingB] = await fromA.probe(
      [{ kind: 'tcp', ip: ip.b, port: 80 }, { kind: 'tcp', ip: ip.peer, port: 80 }, { kind: 'icmp', ip: ip.peer }, { kind: 'icmp', ip: ip.b }],
      { timeoutMs: 1500, deadlineMs: 5000 },
    );
    expect(toB, JSON.stringify(toB)).toMatchObject({ ok: false, ip: ip.b, via: c.a });
    expect(['timeout', 'unreachable', 'refused'], JSON.stringify(toB)).toContain(toB!.error);
    expect(toPeer).toMatchObject({ ok: true, ip: ip.peer, port: 80, via: c.a });
    expect(pingPeer).toMatchObject({ kind: 'icmp', ok: true, ip: ip.peer, via: c.a });
    expect(pingB).toMatchObject({ kind: 'icmp', ok: false, ip: ip.b, via: c.a });
  });

  it('refuses a target outside the allow-list before anything is started, also from inside a namespace', async () => {
    const fromA = new NamespaceProber({ process: await processOf(c.a), allowList: new AllowList([netB.subnet]) });
    const [r] = await fromA.probe([{ kind: 'tcp', ip: ip.peer, port: 80 }], { timeoutMs: 1000 });
    expect(r).toMatchObject({ ok: false, error: 'denied', ip: ip.peer, via: c.a });
    expect(r!.detail).toContain('not in the allow-list');
    expect(r!.detail).toContain(`nothing was sent from ${c.a}`);
  });

  it('refuses the PID of a process that is not the container\'s: a process in a namespace of its own, and netpeek\'s own', async () => {
    const idA = await idOf(c.a);
    const stranger = lab.spawn(lab.nodes[0]!.ns, 'sleep', ['600']);
    await new Promise((r) => setTimeout(r, 200));
    const notOurs = await refusal(checkContainerProcess(stranger.pid!, idA, c.a));
    expect(notOurs.code).toBe('forbidden');
    expect(notOurs.message).toBe(`Process ${stranger.pid} does not belong to container ${idA.slice(0, 12)} (its cgroup does not name it): netpeek will not enter its namespace.`);
    const host = await refusal(checkContainerProcess(process.pid, idA, c.a));
    expect(host.message).toContain('does not belong to container');
    for (const pid of [1, 0, -5]) expect((await refusal(checkContainerProcess(pid, idA, c.a))).message).toContain(`has no process of its own (pid ${pid})`);
    expect((await refusal(checkContainerProcess(await pidOf(c.a), idA.slice(0, 12), c.a))).message).toContain('is not a full container ID');
  });

  it('refuses a container ID that does not exist, and a container on the host network', async () => {
    const engine = new DockerEngine({ timeoutMs: 5000 });
    const ghost = randomBytes(32).toString('hex');
    const gone = await refusal(dockerContainerProcess(engine, ghost, 'ghost'));
    expect(gone.code).toBe('not_found');
    expect(gone.message).toBe(`There is no container ${ghost} on this Docker host, so there is no namespace to probe from.`);
    const onHost = await fx.runContainer('hostnet', ['--network', 'host']);
    const shared = await refusal(dockerContainerProcess(engine, await idOf(onHost), onHost));
    expect(shared.message).toContain(`${onHost} uses the host's network`);
  });

  it('ping B --from A with NETPEEK_WORKLOAD_VANTAGE on: from inside A, B does not answer; from the host it does', async () => {
    const inside: Answer = await ask(`ping ${c.b} --count 1 --from ${c.a}`, registry, withVantage);
    expect(inside.facts).toContainEqual({ label: 'Probed from', value: `inside ${c.a}` });
    expect(inside.probes.find((p) => p.kind === 'icmp')).toMatchObject({ target: ip.b, ok: false, from: `inside ${c.a}` });
    expect(inside.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: ip.b, port: 80, ok: false });
    expect(inside.summary).toMatch(new RegExp(`^${c.b} \\(${ip.b.replace(/\./g, '\\.')}\\) does not answer ping from inside ${c.a}; no port open`));
    expect(inside.explanations).toContain(`Probed from inside ${c.a}'s own network namespace: the packets ${c.a} itself would send, through its interfaces, routes and DNS.`);
    const fromHost = await ask(`ping ${c.b} --count 1`, registry, withVantage);
    expect(fromHost.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: ip.b, port: 80, ok: true, from: 'the Docker host' });
    const neighbour = await ask(`ping ${c.peer} --port 80 --count 1 --from ${c.a}`, registry, withVantage);
    expect(neighbour.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: ip.peer, port: 80, ok: true, from: `inside ${c.a}` });
  });

  it('ping <unassigned address in A\'s subnet> --from A: unreachable from inside A', async () => {
    const a = await ask(`ping ${ip.unassignedA} --count 1 --from ${c.a}`, registry, withVantage);
    expect(a.probes).toEqual([expect.objectContaining({ kind: 'icmp', target: ip.unassignedA, ok: false, error: 'unreachable', from: `inside ${c.a}` })]);
  });

  it('with NETPEEK_WORKLOAD_VANTAGE off (the default) the answer says plainly that the Docker host probed instead', async () => {
    const a = await ask(`ping ${c.b} --port 80 --count 1 --from ${c.a}`, registry, withoutVantage);
    expect(a.facts).toContainEqual({ label: 'Probed from', value: 'the Docker host' });
    expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: ip.b, ok: true, from: 'the Docker host' });
    expect(a.warnings[0]).toBe(
      `Probed from the Docker host, not from inside ${c.a}: NETPEEK_WORKLOAD_VANTAGE is off. The Docker host may reach what ${c.a} cannot (Docker isolates bridge networks from each other; policies apply to pods).`,
    );
  });

  it('reach A B: probed from the Docker host and from inside A; they disagree, and the answer says why', async () => {
    const a = await ask(`reach ${c.a} ${c.b} --port 80`, registry, withVantage);
    expect(a.facts).toContainEqual({ label: 'Probed from', value: `inside ${c.a} and the Docker host` });
    expect(a.probes.filter((p) => p.kind === 'tcp')).toEqual([
      expect.objectContaining({ target: ip.b, port: 80, ok: false, from: `inside ${c.a}` }),
      expect.objectContaining({ target: ip.b, port: 80, ok: true, from: 'the Docker host' }),
    ]);
    const failure = a.probes.find((p) => p.kind === 'tcp' && !p.ok)!.error;
    expect(a.warnings[0]).toBe(
      `From the Docker host ${ip.b} answers on port 80; from inside ${c.a} it does not (${failure}): ${c.a} and ${c.b} are on different bridge networks and Docker isolates them — connect ${c.a} to that network (\`docker network connect ${netB.name} ${c.a}\`) or publish the port.`,
    );
    expect(a.summary).toContain(`from inside ${c.a} it does not answer (80 ${failure}); from the Docker host it answers (80 open)`);
  });

  it('reach A <neighbour on A\'s network>: both vantages answer, nothing to explain', async () => {
    const a = await ask(`reach ${c.a} ${c.peer} --port 80`, registry, withVantage);
    expect(a.probes.filter((p) => p.kind === 'tcp')).toEqual([
      expect.objectContaining({ target: ip.peer, port: 80, ok: true, from: `inside ${c.a}` }),
      expect.objectContaining({ target: ip.peer, port: 80, ok: true, from: 'the Docker host' }),
    ]);
    expect(a.warnings.join(' ')).not.toMatch(/from inside .* it does not/);
  });

  it('reach A B with NETPEEK_WORKLOAD_VANTAGE off: only the host probes, and the answer says so', async () => {
    const a = await ask(`reach ${c.a} ${c.b} --port 80`, registry, withoutVantage);
    expect(a.facts).toContainEqual({ label: 'Probed from', value: 'the Docker host' });
    expect(a.probes.every((p) => p.from === 'the Docker host')).toBe(true);
    expect(a.hints).toContain(
      `Probed from the Docker host, not from inside ${c.a}: NETPEEK_WORKLOAD_VANTAGE is off. The Docker host may reach what ${c.a} cannot (Docker isolates bridge networks from each other; policies apply to pods).`,
    );
  });

  it('--from takes a container or pod: an address or an unknown name is a clear error, and nothing is probed', async () => {
    const addr = await refusal(ask(`ping ${c.b} --from ${ip.peer}`, registry, withVantage));
    expect(addr.message).toBe(`--from takes a container or a pod, not an address (${ip.peer}): netpeek probes from inside workloads it can look up.`);
    const unknown = await refusal(ask(`ping ${c.b} --from container/no-such-${randomBytes(3).toString('hex')}`, registry, withVantage));
    expect(unknown.code).toBe('not_found');
  });
});
