import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadAgentConfig } from '../../../src/agent/agent-config.js';
import { startAgent, type AgentHandle } from '../../../src/agent/server.js';
import type { Answer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { UserError } from '../../../src/core/errors.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER, ICMP } from '../../support/backends.js';
import { countCalls } from '../../support/call-counter.js';
import { DockerFixtures, ensureBusyboxImages, inspect } from '../../support/docker-fixtures.js';

interface Inspected {
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

const registry = new CommandRegistry(COMMANDS);
const log = createLogger('silent');
const inProcess = buildDeps(loadConfig({}), log);
const question = (text: string, deps = inProcess): Promise<Answer> => ask(text, registry, deps);

async function userError(text: string): Promise<UserError> {
  try {
    await question(text);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error(`"${text}" did not fail`);
}

describeNeeding([...DOCKER, ...ICMP], 'ping, reach and --probe against real containers', () => {
  const fx = new DockerFixtures();
  let net = { name: '', subnet: '' };
  let other = { name: '', subnet: '' };
  let web = '';
  let client = '';
  let loner = '';
  let stopped = '';
  let webIp = '';
  let unassigned = '';

  beforeAll(async () => {
    await ensureBusyboxImages();
    net = await fx.createNetwork('ping');
    other = await fx.createNetwork('ping-other');
    web = await fx.runContainer('web', ['--network', net.name, '--expose', '80'], undefined, ['httpd', '-f', '-p', '80']);
    client = await fx.runContainer('client', ['--network', net.name], undefined, ['sleep', '600']);
    loner = await fx.runContainer('loner', ['--network', other.name], undefined, ['sleep', '600']);
    stopped = await fx.createContainer('stopped', ['--network', net.name]);
    webIp = (await inspect<Inspected>(web)).NetworkSettings.Networks[net.name]!.IPAddress;
    // An address inside the test's own subnet that nothing holds: the "unreachable" case stays local.
    unassigned = net.subnet.replace(/\.0\/24$/, '.200');
  }, 180_000);

  afterAll(() => fx.cleanup(), 60_000);

  it('pings a container from the Docker host and finds its declared port open', async () => {
    const a = await question(`ping ${web} --count 1`);
    expect(a.facts).toContainEqual({ label: 'Address', value: webIp });
    expect(a.facts).toContainEqual({ label: 'Subnet', value: net.subnet });
    const icmp = a.probes.find((p) => p.kind === 'icmp');
    expect(icmp).toMatchObject({ target: webIp, ok: true, from: 'the Docker host' });
    expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: webIp, port: 80, ok: true });
    expect(a.summary).toBe(`${web} (${webIp}) answers ping from the Docker host; open: 80.`);
    expect(a.explanations.join(' ')).toMatch(/with nothing published/);
  });

  it('a closed port is refused: reachable namespace, nothing listening', async () => {
    const a = await question(`ping ${web} --port 81 --count 1`);
    expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ port: 81, ok: false, error: 'refused' });
    expect(a.explanations.join(' ')).toMatch(new RegExp(`${webIp.replace(/\./g, '\\.')}:81 refused the connection: the address is reachable .* nothing listens on port 81`));
  });

  it('an unassigned address in the test subnet is unreachable', async () => {
    const a = await question(`ping ${unassigned} --count 1`);
    expect(a.probes).toHaveLength(1);
    expect(a.probes[0]).toMatchObject({ kind: 'icmp', target: unassigned, ok: false, error: 'unreachable' });
    expect(a.summary).toBe(`${unassigned} does not answer ping from the Docker host.`);
  });

  it('refuses an address outside every known network before probing', async () => {
    const err = await userError('ping 192.0.2.10');
    expect(err.message).toBe('192.0.2.10 is not inside any network netpeek knows, so it will not probe it.');
    expect(err.details.join(' ')).toContain(`${net.subnet} (${net.name})`);
  });

  it('a stopped container has nothing to probe, and says so', async () => {
    expect((await userError(`ping ${stopped}`)).message).toMatch(/is created: a container that is not running has no address to probe/);
  });

  it('reach on one bridge: direct path, and the port answers', async () => {
    const a = await question(`reach ${client} ${web} --port 80`);
    expect(a.facts).toContainEqual({ label: 'Path', value: 'same-bridge' });
    expect(a.explanations[0]).toBe(`${client} and ${web} are both on network ${net.name}: ${client} reaches ${webIp} directly on any port ${web} listens on; nothing needs publishing.`);
    expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ port: 80, ok: true });
  });

  it('reach across two bridges: no direct path, with the fix', async () => {
    const a = await question(`reach ${loner} ${web} --port 80`);
    expect(a.facts).toContainEqual({ label: 'Path', value: 'different-bridges' });
    expect(a.explanations.join(' ')).toMatch(/share no Docker network; Docker keeps bridge networks apart/);
    expect(a.explanations.join(' ')).toContain(`docker network connect ${other.name} ${web}`);
  });

  it('container --probe attaches the probes to the lookup', async () => {
    const a = await question(`container ${web} --probe`);
    expect(a.addresses[0]?.ip).toBe(webIp);
    expect(a.probes.map((p) => `${p.kind}:${p.port ?? ''}:${p.ok}`)).toEqual(['icmp::true', 'tcp:80:true']);
  });

  it('container --probe probes the container it looked up, without looking it up again', async () => {
    const calls = new Map<string, number>();
    const counted = { ...inProcess, docker: countCalls(inProcess.docker!, calls) };
    const plain = await question(`container ${web}`, counted);
    const lookup = new Map(calls);
    calls.clear();
    const probed = await question(`container ${web} --probe`, counted);
    expect(probed.addresses).toEqual(plain.addresses);
    expect(probed.probes.map((p) => `${p.kind}:${p.target}:${p.port ?? ''}:${p.ok}`)).toEqual([`icmp:${webIp}::true`, `tcp:${webIp}:80:true`]);
    // The same engine calls as the lookup alone, plus the network list the in-process prober's allow-list reads.
    expect(calls.get('listContainers')).toBe(lookup.get('listContainers'));
    expect(calls.get('inspectContainer')).toBe(lookup.get('inspectContainer'));
  });

  describe('through an agent on the Docker host', () => {
    let agent: AgentHandle;
    const secret = randomBytes(16).toString('hex');

    beforeAll(async () => {
      agent = await startAgent(
        loadAgentConfig({ NETPEEK_AGENT_SECRET: secret, NETPEEK_AGENT_LISTEN: '127.0.0.1:0', NETPEEK_AGENT_ALLOW_CIDRS: net.subnet, NETPEEK_NODE_NAME: 'docker-host' }),
        { logger: log },
      );
    });
    afterAll(() => agent.close());

    const viaAgent = () => buildDeps(loadConfig({ NETPEEK_DOCKER_AGENT_URL: agent.url, NETPEEK_AGENT_SECRET: secret }), log);

    it('the agent runs the probes', async () => {
      const a = await question(`ping ${web} --count 1`, viaAgent());
      expect(a.probes.map((p) => p.ok)).toEqual([true, true]);
      const metrics = await (await fetch(`${agent.url}/metrics`)).text();
      expect(metrics).toMatch(/netpeek_agent_probe/);
      expect(metrics).not.toContain(webIp);
    });

    it('status says the Docker host agent answers', async () => {
      const a = await question('status', viaAgent());
      const row = a.tables.find((t) => t.title === 'Backends')?.rows.find((r) => r[0] === 'agent (Docker host)');
      expect(row?.slice(1)).toEqual(['answers', `answers at ${agent.url}`]);
    });

    it('an agent that is gone degrades the answer but keeps the lookup facts', async () => {
      const deps = viaAgent();
      await agent.close();
      const a = await question(`ping ${web} --count 1`, deps);
      expect(a.facts).toContainEqual({ label: 'Address', value: webIp });
      expect(a.probes.every((p) => !p.ok && p.error === 'agent unavailable')).toBe(true);
      expect(a.warnings[0]).toMatch(/^Could not probe from the Docker host: .*127\.0\.0\.1/);
      expect(a.summary).toBe(`${web} is at ${webIp}, but the Docker host could not probe it.`);
    });
  });
});
