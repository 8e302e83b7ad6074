/**
 * `why <from> <container>` against real containers on networks this test made: one path broken at each
 * step that applies to Docker (a name that does not resolve from the client, route between networks, a
 * port published on loopback only, nothing listening, a server bound to 127.0.0.1) and a healthy one.
 * Probes and DNS queries go from this host or from inside the test's own containers to those containers
 * only, through the in-process prober whose allow-list is Docker's local subnets.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import type { Answer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER, ICMP, NETNS } from '../../support/backends.js';
import { BUSYBOX_EXPOSE_IMAGE, BUSYBOX_IMAGE, DockerFixtures, ensureBusyboxImages, freeTcpPort, untilListening, inspect } from '../../support/docker-fixtures.js';

interface Inspected {
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

const registry = new CommandRegistry(COMMANDS);
// No Kubernetes here: only the Docker engine and the in-process prober.
const deps = buildDeps(loadConfig({ KUBECONFIG: '/nonexistent/kubeconfig' }), createLogger('silent'));
const question = (text: string): Promise<Answer> => ask(text, registry, deps);
// The same, allowed to probe from inside a client container's own namespace (nsenter into its netns).
const insideDeps = buildDeps(loadConfig({ KUBECONFIG: '/nonexistent/kubeconfig', NETPEEK_WORKLOAD_VANTAGE: 'true' }), createLogger('silent'));
const step = (a: Answer, id: string) => {
  const s = a.diagnosis!.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${JSON.stringify(a.diagnosis)}`);
  return s;
};
const statuses = (a: Answer) => a.diagnosis!.steps.map((s) => [s.id, s.status]);


describeNeeding([...DOCKER, ...ICMP, ...NETNS], 'why between real containers', () => {
  const fx = new DockerFixtures();
  let net = { name: '', subnet: '' };
  let other = { name: '', subnet: '' };
  const c = { web: '', db: '', loner: '', lo: '', quiet: '' };
  let dbIp = '';
  let hostPort = 0;

  beforeAll(async () => {
    await ensureBusyboxImages();
    [net, other] = await Promise.all([fx.createNetwork('why'), fx.createNetwork('why-other')]);
    hostPort = await freeTcpPort();
    // db: a server on every address, published on the host's loopback only.
    c.db = await fx.runContainer('db', ['--network', net.name, '-p', `127.0.0.1:${hostPort}:8080`], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '8080']);
    // The clients' lookups of names Docker's resolver does not know are forwarded upstream: the upstream is an
    // unassigned address in the test's own subnet, so no query ever leaves the machine.
    c.web = await fx.runContainer('web', ['--network', net.name, '--dns', net.subnet.replace(/\.0\/24$/, '.250')], BUSYBOX_IMAGE, ['sleep', '600']);
    c.loner = await fx.runContainer('loner', ['--network', other.name, '--dns', other.subnet.replace(/\.0\/24$/, '.250')], BUSYBOX_IMAGE, ['sleep', '600']);
    // lo: the server binds 127.0.0.1 inside its namespace.
    c.lo = await fx.runContainer('lo', ['--network', net.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '127.0.0.1:8080']);
    // quiet: EXPOSE 8080, nothing listening.
    c.quiet = await fx.runContainer('quiet', ['--network', net.name], BUSYBOX_EXPOSE_IMAGE, ['sleep', '600']);
    await Promise.all([untilListening(c.db, 8080), untilListening(c.lo, 8080)]);
    dbIp = (await inspect<Inspected>(c.db)).NetworkSettings.Networks[net.name]!.IPAddress;
  }, 180_000);

  afterAll(() => fx.cleanup(), 60_000);

  it('healthy: same network, the name resolves from inside the client, listening on every address, probe connects — every applicable step passes', async () => {
    const a = await ask(`why ${c.web} ${c.db} --port 8080`, registry, insideDeps);
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(statuses(a)).toEqual([
      ['resolve', 'pass'],
      ['listening', 'pass'],
      ['policy', 'skip'],
      ['route', 'pass'],
      ['probe', 'pass'],
    ]);
    expect(step(a, 'resolve').evidence).toMatch(new RegExp(`^${c.db} resolves from inside ${c.web} to ${dbIp.replace(/\./g, '\\.')}, its address on network ${net.name} \\(live query for ${c.db}\\. to 127\\.0\\.0\\.11, [\\d.]+ ms\\)\\.$`));
    expect(step(a, 'listening').evidence).toMatch(new RegExp(`^${c.db} listens on (0\\.0\\.0\\.0|::):8080 \\(every address\\) \\(httpd, pid \\d+\\)\\.$`));
    expect(step(a, 'route').evidence).toContain(`${c.web} and ${c.db} share network ${net.name}`);
    expect(step(a, 'probe').evidence).toMatch(new RegExp(`^TCP ${dbIp.replace(/\./g, '\\.')}:8080 from inside ${c.web}: connected`));
    // The connect proves db's address is there: no ICMP echo is sent beside it.
    expect(a.probes).toEqual([expect.objectContaining({ kind: 'tcp', target: dbIp, port: 8080, ok: true })]);
    expect(a.summary).toBe('No broken step found: 4 of 5 checks pass (not checked: policy).');
  });

  it('without the workload vantage: resolve is not passed on Docker\'s rules alone, and the probe runs from the Docker host', async () => {
    const a = await question(`why ${c.web} ${c.db} --port 8080`);
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'resolve')).toEqual({
      id: 'resolve',
      status: 'skip',
      evidence: `Not checked: ${c.db} was not looked up from inside ${c.web} (NETPEEK_WORKLOAD_VANTAGE is off); by Docker's rules it resolves there: ${c.db} resolves from ${c.web} through Docker's DNS on network ${net.name} to ${dbIp}.`,
    });
    expect(step(a, 'probe').evidence).toMatch(new RegExp(`^TCP ${dbIp.replace(/\./g, '\\.')}:8080 from the Docker host \\(not from inside ${c.web}: .*\\): connected`));
    expect(a.summary).toBe('No broken step found: 3 of 5 checks pass (not checked: resolve, policy).');
  });

  it('different networks: broken at route, with the fix "connect … to network …"', async () => {
    const a = await question(`why ${c.loner} ${c.db} --port 8080`);
    expect(a.diagnosis!.firstFailure).toBe('route');
    expect(step(a, 'resolve').status).toBe('warn');
    expect(step(a, 'route').evidence).toBe(`${c.loner} is on ${other.name} and ${c.db} on ${net.name}: they share no network, and Docker keeps separate bridge networks from reaching each other.`);
    expect(step(a, 'route').fix).toBe(`Connect ${c.loner} to network ${net.name}: docker network connect ${net.name} ${c.loner}.`);
    // The host itself still connects: the break is the client's network, which the probe evidence says.
    expect(step(a, 'probe')).toMatchObject({ status: 'pass' });
  });

  it('a port published on loopback only: broken at route for a client on another machine', async () => {
    // 192.0.2.10 (TEST-NET-1) is only evaluated as "another machine", never probed.
    const a = await question(`why 192.0.2.10 ${c.db} --port 8080`);
    expect(a.diagnosis!.firstFailure).toBe('route');
    expect(step(a, 'route').evidence).toBe(`${c.db} publishes port 8080 on 127.0.0.1:${hostPort} only: the loopback address is reachable from the Docker host itself, so 192.0.2.10 (not on this Docker host) cannot connect.`);
    expect(step(a, 'route').fix).toBe(`Publish on every address: -p ${hostPort}:8080 (or -p <host-ip>:${hostPort}:8080) instead of -p 127.0.0.1:….`);
    expect(step(a, 'resolve').status).toBe('skip');
    expect(a.probes.every((p) => p.target === dbIp)).toBe(true);
  });

  it('nothing listening: broken at listening, and the probe is refused', async () => {
    const a = await question(`why ${c.web} ${c.quiet} --port 8080`);
    expect(a.diagnosis!.firstFailure).toBe('listening');
    expect(step(a, 'listening').evidence).toBe(`Nothing listens on TCP 8080 in ${c.quiet}'s network namespace: connections are refused. Nothing listens on any TCP port there.`);
    expect(step(a, 'listening').fix).toBe(`Start the server in ${c.quiet}, or check that it did not exit (docker logs ${c.quiet}).`);
    expect(step(a, 'probe').status).toBe('fail');
    expect(step(a, 'probe').evidence).toContain('refused');
  });

  it('a server bound to 127.0.0.1: broken at listening, with the fix to bind 0.0.0.0', async () => {
    const a = await question(`why ${c.web} ${c.lo} --port 8080`);
    expect(a.diagnosis!.firstFailure).toBe('listening');
    expect(step(a, 'listening').evidence).toMatch(new RegExp(`^${c.lo} listens on 127\\.0\\.0\\.1:8080 only \\(httpd, pid \\d+\\): only processes inside its own network namespace can connect`));
    expect(step(a, 'listening').fix).toBe(`Make the server in ${c.lo} listen on 0.0.0.0:8080 (or ::) instead of 127.0.0.1.`);
    expect(step(a, 'route').status).toBe('pass');
    expect(step(a, 'probe').status).toBe('fail');
  });

  it('from here (the Docker host): no publishing needed; --no-probe sends nothing', async () => {
    const a = await question(`why here ${c.db} --port 8080 --no-probe`);
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'route').evidence).toBe(`The Docker host reaches ${dbIp} on ${net.name} (bridge) directly through the bridge: no publishing needed from the host itself.`);
    expect(step(a, 'probe')).toEqual({ id: 'probe', status: 'skip', evidence: 'Not checked: --no-probe: nothing was sent.' });
    expect(a.probes).toEqual([]);
  });

  it('without --port, the one port the container publishes is the one checked', async () => {
    const a = await question(`why ${c.web} ${c.db} --no-probe`);
    expect(a.title).toBe(`why ${c.web} → ${c.db} port 8080`);
    expect(a.facts).toContainEqual({ label: 'Port', value: `8080 (the only TCP port ${c.db} declares)` });
    expect(step(a, 'listening').status).toBe('pass');
  });

  it('containers on different networks, asked from inside the client: broken at resolve (Docker\'s DNS knows only names on shared networks); the route fails too and the probe from inside loner does not connect', async () => {
    const apart = await ask(`why ${c.loner} ${c.db} --port 8080`, registry, insideDeps);
    expect(apart.diagnosis!.firstFailure).toBe('resolve');
    expect(step(apart, 'resolve')).toEqual({
      id: 'resolve',
      status: 'fail',
      evidence: expect.stringMatching(new RegExp(`^${c.db} does not resolve from inside ${c.loner} \\(${c.db}\\. .*\\): Docker's DNS answers only names of containers on the asker's own networks, and ${c.loner} \\(on ${other.name}\\) shares none with ${c.db} \\(on ${net.name}\\)\\.$`)),
      fix: `Connect ${c.loner} to network ${net.name}: docker network connect ${net.name} ${c.loner}.`,
    });
    expect(step(apart, 'route').status).toBe('fail');
    // The evidence first: where the probe ran is what a failure here needs to show (seen once under load: a pass).
    expect(step(apart, 'probe').evidence).toMatch(new RegExp(`^TCP ${dbIp.replace(/\./g, '\\.')}:8080 from inside ${c.loner}: `));
    expect(step(apart, 'probe').status).toBe('fail');
  });

  it('--no-probe sends no DNS query either: resolve is skipped with that reason', async () => {
    const a = await ask(`why ${c.web} ${c.db} --port 8080 --no-probe`, registry, insideDeps);
    expect(step(a, 'resolve').evidence).toMatch(/^Not checked: .* was not looked up from inside .* \(--no-probe: no DNS query was sent\)/);
    expect(a.probes).toEqual([]);
  });

  it('bad input: an unknown container, a UDP port', async () => {
    await expect(question(`why ${c.web} nosuch-container-x1`)).rejects.toThrow(/There is no container "nosuch-container-x1"/);
    await expect(question(`why ${c.web} ${c.db} --port 53/udp`)).rejects.toThrow(/why checks TCP between containers/);
  });
});
