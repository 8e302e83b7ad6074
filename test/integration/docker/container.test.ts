import { readlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import type { Answer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { BackendError, UserError } from '../../../src/core/errors.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { DockerEngine } from '../../../src/sources/docker.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import {
  BUSYBOX_EXPOSE_IMAGE,
  DockerFixtures,
  addressInside,
  docker,
  ensureBusyboxImages,
  freeTcpPort,
  inspect,
} from '../../support/docker-fixtures.js';

/** The parts of `docker inspect` these tests compare with. */
interface Inspected {
  Id: string;
  NetworkSettings: { Networks: Record<string, { IPAddress: string; IPPrefixLen: number; Gateway: string; MacAddress: string; NetworkID: string }> };
}

const registry = new CommandRegistry(COMMANDS);
const config = loadConfig({});
const deps: Deps = assembleDeps({ config, log: createLogger('silent'), docker: new DockerEngine(config.docker) });
const question = (text: string): Promise<Answer> => ask(text, registry, deps);

async function failure(text: string, d: Deps = deps): Promise<unknown> {
  try {
    await ask(text, registry, d);
  } catch (err) {
    return err;
  }
  throw new Error(`"${text}" answered instead of failing`);
}

/** What netpeek must say about one attachment, straight from docker inspect and from inside the container. */
async function expectAddressMatchesDocker(answer: Answer, container: string, network: string, subnet: string, addressHolder = container): Promise<void> {
  const ep = (await inspect<Inspected>(addressHolder)).NetworkSettings.Networks[network]!;
  const inside = await addressInside(container);
  const fact = answer.addresses.find((a) => a.network === network && a.family === 'ipv4');
  expect(fact).toEqual({
    network,
    driver: 'bridge',
    family: 'ipv4',
    ip: ep.IPAddress,
    prefixLength: ep.IPPrefixLen,
    subnet,
    gateway: ep.Gateway,
    broadcast: inside.broadcast,
    mac: ep.MacAddress,
  });
  // `ip addr` inside the container prints exactly what netpeek derived: inet IP/prefix brd BROADCAST.
  expect(inside.cidr).toBe(`${fact!.ip}/${fact!.prefixLength}`);
  expect(inside.broadcast).toBe(fact!.broadcast);
}

describeNeeding(DOCKER, 'container, against the real Docker engine', () => {
  const fx = new DockerFixtures();
  const c = { bridged: '', onNet: '', joined: '', host: '', none: '', exposed: '', stopped: '', exited: '' };
  let net = '';
  let subnet = '';
  let bridgeSubnet = '';
  let port = 0;
  let exitedPort = 0;

  beforeAll(async () => {
    await ensureBusyboxImages();
    ({ name: net, subnet } = await fx.createNetwork('net'));
    port = await freeTcpPort();
    bridgeSubnet = await docker('network', 'inspect', '--format', '{{(index .IPAM.Config 0).Subnet}}', 'bridge');
    c.bridged = await fx.runContainer('bridged', ['-p', `127.0.0.1:${port}:80`]);
    c.onNet = await fx.runContainer('onnet', ['--network', net]);
    c.joined = await fx.runContainer('joined', ['--network', `container:${c.onNet}`], BUSYBOX_EXPOSE_IMAGE);
    c.host = await fx.runContainer('host', ['--network', 'host'], BUSYBOX_EXPOSE_IMAGE);
    c.none = await fx.runContainer('none', ['--network', 'none']);
    c.exposed = await fx.runContainer('exposed', ['--expose', '9090/udp'], BUSYBOX_EXPOSE_IMAGE);
    c.stopped = await fx.createContainer('stopped', ['-p', '80']);
    exitedPort = await freeTcpPort();
    c.exited = await fx.runContainer('exited', ['-p', `127.0.0.1:${exitedPort}:80`]);
    await docker('stop', '--time', '0', c.exited);
  });

  afterAll(() => fx.cleanup());

  it('on the default bridge: the address docker inspect and ip addr show, and a loopback-only published port', async () => {
    const answer = await question(`container ${c.bridged}`);
    expect(answer.subject).toMatchObject({ kind: 'container', name: c.bridged, source: 'unix:///var/run/docker.sock' });
    await expectAddressMatchesDocker(answer, c.bridged, 'bridge', bridgeSubnet);
    const ip = answer.addresses[0]!.ip;
    expect(answer.ports).toEqual([
      expect.objectContaining({ port: 80, protocol: 'tcp', source: 'publish', hostIp: '127.0.0.1', hostPort: port }),
    ]);
    expect(answer.ports[0]!.note).toContain(`127.0.0.1:${port} is forwarded to ${ip}:80/tcp`);
    expect(answer.summary).toContain(`${ip}/${answer.addresses[0]!.prefixLength} on "bridge"`);
    expect(answer.summary).toMatch(/reachable from the Docker host without publishing; other machines not at all \(published on loopback only\)/);
    expect(answer.sharing).toMatchObject({ mode: 'own', with: [] });
  });

  it('on a user-defined network: its own subnet, gateway, broadcast and MAC, and who joined its namespace', async () => {
    const answer = await question(`container ${c.onNet}`);
    await expectAddressMatchesDocker(answer, c.onNet, net, subnet);
    expect(answer.addresses[0]!.gateway).toBe(subnet.replace(/0\/24$/, '1'));
    expect(answer.sharing).toMatchObject({ mode: 'own', with: [c.joined] });
    expect(answer.sharing!.note).toContain(`container:${c.onNet}`);
    expect(answer.summary).toMatch(/other machines not at all \(nothing published\)/);
  });

  it('with --network container:<other>: the other container\'s address, ports of both, and the pod analogy', async () => {
    const answer = await question(`container ${c.joined}`);
    await expectAddressMatchesDocker(answer, c.joined, net, subnet, c.onNet);
    expect(answer.facts).toContainEqual({ label: 'Network mode', value: `container:${c.onNet}` });
    expect(answer.sharing).toMatchObject({ mode: 'container', with: [c.onNet] });
    expect(answer.sharing!.note).toMatch(/Kubernetes pod/);
    expect(answer.ports).toEqual([expect.objectContaining({ port: 8080, protocol: 'tcp', source: 'expose' })]);
    expect(answer.summary).toContain(`(${c.onNet}'s namespace)`);
  });

  it('with --network host: no address of its own, ports bind on the host', async () => {
    const answer = await question(`container ${c.host}`);
    expect(answer.addresses).toEqual([]);
    expect(answer.sharing).toMatchObject({ mode: 'host' });
    expect(answer.sharing!.with[0]).toBe('the Docker host');
    expect(answer.ports).toEqual([expect.objectContaining({ port: 8080, protocol: 'tcp', source: 'host-network' })]);
    expect(answer.summary).toMatch(/uses the host's network/);
    // The container really is in the host's network namespace (so it sees the host's interfaces). Compared
    // as the namespace itself: a list of the host's addresses changes while other suites make bridges.
    const pid = (await docker('inspect', '--format', '{{.State.Pid}}', c.host)).trim();
    expect(await readlink(`/proc/${pid}/ns/net`)).toBe(await readlink('/proc/self/ns/net'));
    expect(await docker('exec', c.host, 'ip', '-4', '-o', 'addr', 'show', 'lo')).toContain('inet 127.0.0.1/8');
  });

  it('with --network none: loopback only', async () => {
    const answer = await question(`container ${c.none}`);
    expect(answer.addresses).toEqual([]);
    expect(answer.sharing).toMatchObject({ mode: 'none', with: [] });
    expect(answer.summary).toMatch(/loopback only/);
    expect((await addressInside(c.none, 'lo')).cidr).toBe('127.0.0.1/8');
    await expect(docker('exec', c.none, 'ip', 'addr', 'show', 'eth0')).rejects.toThrow();
  });

  it('EXPOSE in the image and --expose: documentation only, reachable from the Docker host, not from outside', async () => {
    const answer = await question(`ctr ${c.exposed}`);
    const ip = answer.addresses[0]!.ip;
    expect(answer.ports.map((p) => [p.port, p.protocol, p.source])).toEqual([
      [8080, 'tcp', 'expose'],
      [9090, 'udp', 'expose'],
    ]);
    expect(answer.ports[0]!.note).toMatch(/EXPOSE in the image/);
    expect(answer.ports[1]!.note).toMatch(/--expose/);
    expect(answer.ports[0]!.note).toContain(`${ip}:8080 from the Docker host`);
    expect(answer.explanations.join(' ')).toMatch(/only records which port/);
    expect(answer.explanations.join(' ')).toMatch(/no port is published/);
    const exposedKeys = Object.keys((await inspect<{ Config: { ExposedPorts: object } }>(c.exposed)).Config.ExposedPorts).sort();
    expect(exposedKeys).toEqual(['8080/tcp', '9090/udp']);
  });

  it('a container that never ran: not running, no address, the port Docker will pick', async () => {
    const answer = await question(`container ${c.stopped}`);
    expect(answer.summary).toMatch(/is not running \(created\).*no IP address now/);
    expect(answer.addresses).toEqual([]);
    expect(answer.ports).toEqual([expect.objectContaining({ port: 80, protocol: 'tcp', source: 'publish', hostIp: '' })]);
    expect(answer.ports[0]!.hostPort).toBeUndefined();
  });

  it('a stopped container: not running, no address now, the binding it will get back', async () => {
    const answer = await question(`container ${c.exited}`);
    expect(answer.summary).toMatch(/is not running \(exited\)/);
    expect(answer.facts).toContainEqual({ label: 'State', value: 'exited' });
    expect(answer.addresses).toEqual([]);
    expect(answer.ports).toEqual([expect.objectContaining({ port: 80, protocol: 'tcp', source: 'publish', hostIp: '127.0.0.1', hostPort: exitedPort })]);
    expect(answer.hints.join(' ')).toContain(`docker start ${c.exited}`);
  });

  it('finds a container by a unique ID prefix', async () => {
    const id = (await inspect<Inspected>(c.onNet)).Id;
    const answer = await question(`container ${id.slice(0, 12)}`);
    expect(answer.subject).toMatchObject({ name: c.onNet, id });
  });

  it('not found: suggests the closest name', async () => {
    const typo = c.onNet.replace(/onnet$/, 'onet');
    const err = await failure(`container ${typo}`);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'not_found' });
    expect((err as UserError).message).toContain(`Did you mean "${c.onNet}"?`);
  });

  it('an ID prefix of several containers: ambiguous, listing them', async () => {
    // Make containers until two IDs share a first digit (at most 17, by pigeonhole).
    const ids = async (): Promise<string[]> => (await docker('ps', '-aq', '--no-trunc')).split('\n').filter(Boolean);
    let shared: string | undefined;
    for (let i = 0; i < 17 && !shared; i++) {
      const firsts = (await ids()).map((id) => id[0]!);
      shared = firsts.find((ch, k) => firsts.indexOf(ch) !== k);
      if (!shared) await fx.createContainer(`filler${i}`);
    }
    const err = await failure(`container ${shared}`);
    expect(err).toMatchObject({ code: 'ambiguous' });
    expect((err as UserError).message).toMatch(/is the start of \d+ container IDs/);
    const candidates = (err as UserError).details.filter((d) => !d.startsWith('Example:'));
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    for (const line of candidates) expect(line.startsWith(shared!)).toBe(true);
  });

  it('checks the name before asking the engine', async () => {
    const unreachable: Deps = assembleDeps({ ...deps, docker: new DockerEngine({ host: 'unix:///nonexistent/docker.sock', timeoutMs: 1000 }) });
    const bad = await failure(`container "web server"`, unreachable);
    expect(bad).toBeInstanceOf(UserError);
    expect((bad as UserError).message).toMatch(/cannot be a Docker container name/);
    const down = await failure('container webserver-1', unreachable);
    expect(down).toBeInstanceOf(BackendError);
    expect((down as BackendError).message).toBe('The Docker engine at unix:///nonexistent/docker.sock did not answer: no socket there');
  });
});
