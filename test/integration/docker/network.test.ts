import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import type { Answer, Table } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { UserError } from '../../../src/core/errors.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { DockerEngine } from '../../../src/sources/docker.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { DockerFixtures, addressInside, docker, ensureBusyboxImages, inspect } from '../../support/docker-fixtures.js';

interface InspectedNetwork {
  Id: string;
  IPAM: { Config: { Subnet: string; Gateway?: string }[] };
  Containers: Record<string, { Name: string; IPv4Address: string; MacAddress: string }>;
}

const registry = new CommandRegistry(COMMANDS);
const config = loadConfig({});
const deps: Deps = assembleDeps({ config, log: createLogger('silent'), docker: new DockerEngine(config.docker) });
const question = (text: string): Promise<Answer> => ask(text, registry, deps);

function table(answer: Answer, title: string): Table {
  const t = answer.tables.find((x) => x.title === title);
  if (!t) throw new Error(`no table "${title}" in ${answer.tables.map((x) => x.title).join(', ')}`);
  return t;
}

/** Rows as objects keyed by column, so assertions read like the table. */
function rows(t: Table): Record<string, string>[] {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i] ?? ''])));
}

describeNeeding(DOCKER, 'network, against the real Docker engine', () => {
  const fx = new DockerFixtures();
  let subnet = '';
  let net = '';
  let internal = '';
  let web = '';
  let sidecar = '';
  let db = '';

  beforeAll(async () => {
    await ensureBusyboxImages();
    ({ name: net, subnet } = await fx.createNetwork('net'));
    internal = (await fx.createNetwork('internal', ['--internal'])).name;
    web = await fx.runContainer('web', ['--network', net]);
    sidecar = await fx.runContainer('sidecar', ['--network', `container:${web}`]);
    db = await fx.runContainer('db', ['--network', net]);
  });

  afterAll(() => fx.cleanup());

  it('-o wide adds ID, scope, internal and IPv6 to the overview; -o name lists network/NAME for each Docker network', async () => {
    const wide = rows(table(await question('network -o wide'), 'Networks'));
    const inspected = await inspect<InspectedNetwork>(net, 'network');
    expect(wide.find((r) => r.network === net)).toMatchObject({ backend: 'Docker', driver: 'bridge', subnets: subnet, ID: inspected.Id.slice(0, 12), scope: 'local', internal: 'no', IPv6: 'no' });
    expect(wide.find((r) => r.network === internal)).toMatchObject({ internal: 'yes' });
    expect(wide.find((r) => r.network === 'bridge')).toMatchObject({ driver: 'bridge', scope: 'local' });
    // Without -o wide, the columns stay as they were.
    expect(table(await question('network'), 'Networks').columns).toEqual(['network', 'backend', 'driver', 'subnets', 'gateways', 'notes']);
    const names = (await question('network -o name')).items!.map((i) => `${i.kind}/${i.name}`);
    expect(names).toEqual(expect.arrayContaining([`network/${net}`, `network/${internal}`, 'network/bridge', 'network/host', 'network/none']));
  });

  it('a user-defined network: subnet, default gateway, broadcast, and its containers as docker inspect and ip addr show them', async () => {
    const answer = await question(`network ${net}`);
    const inspected = await inspect<InspectedNetwork>(net, 'network');
    expect(answer.subject).toMatchObject({ kind: 'network', name: net, id: inspected.Id });
    expect(answer.facts).toContainEqual({ label: 'Driver', value: 'bridge' });
    expect(answer.facts).toContainEqual({ label: 'Internal', value: 'no' });
    expect(answer.facts).toContainEqual({ label: 'Host interface', value: `br-${inspected.Id.slice(0, 12)}` });

    const webGateway = (await inspect<{ NetworkSettings: { Networks: Record<string, { Gateway: string }> } }>(web)).NetworkSettings.Networks[net]!.Gateway;
    const inside = await addressInside(web);
    expect(rows(table(answer, 'Subnets'))).toEqual([{ subnet, gateway: `${webGateway} (Docker's default)`, broadcast: inside.broadcast, 'IP range': '—' }]);

    const expected = Object.values(inspected.Containers)
      .map((c) => ({ container: c.Name, IPv4: c.IPv4Address, IPv6: '—', MAC: c.MacAddress, 'sharing its namespace': c.Name === web ? sidecar : '—' }))
      .sort((a, b) => a.container.localeCompare(b.container));
    expect(rows(table(answer, 'Containers'))).toEqual(expected);
    expect(expected.map((e) => e.container).sort()).toEqual([db, web].sort());
    expect(expected.find((e) => e.container === web)!.IPv4).toBe(inside.cidr);
    expect(answer.summary).toBe(`"${net}" is a bridge network with ${subnet} (gateway ${webGateway}); 2 containers attached.`);
    expect(answer.explanations.join(' ')).toMatch(/veth pair/);
  });

  it('an internal network says it has no route out', async () => {
    const answer = await question(`net ${internal}`);
    expect(answer.facts).toContainEqual({ label: 'Internal', value: expect.stringMatching(/^yes/) });
    expect(answer.explanations.join(' ')).toMatch(/is internal/);
    expect(rows(table(answer, 'Containers'))).toEqual([]);
  });

  it('the default bridge uses docker0', async () => {
    const answer = await question('network bridge');
    const bridgeSubnet = (await inspect<InspectedNetwork>('bridge', 'network')).IPAM.Config[0]!.Subnet;
    expect(answer.facts).toContainEqual({ label: 'Host interface', value: 'docker0' });
    expect(rows(table(answer, 'Subnets'))[0]!.subnet).toBe(bridgeSubnet);
  });

  it('without a name: every network with its subnets, as docker network ls knows them', async () => {
    const answer = await question('network');
    const listed = rows(table(answer, 'Networks'));
    const names = (await docker('network', 'ls', '--format', '{{.Name}}')).split('\n');
    for (const n of ['bridge', 'host', 'none', net]) expect(names).toContain(n);
    expect(listed.find((r) => r.network === net)).toMatchObject({ backend: 'Docker', driver: 'bridge', subnets: subnet });
    expect(listed.find((r) => r.network === internal)!.notes).toContain('internal');
    expect(listed.find((r) => r.network === 'host')).toMatchObject({ driver: 'host', subnets: '—' });
  });

  it('not found: suggests the closest network', async () => {
    const typo = net.replace(/net$/, 'nte');
    const err = await question(`network ${typo}`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'not_found' });
    expect((err as UserError).message).toContain(`Did you mean "${net}"?`);
  });
});

describeNeeding(DOCKER, 'status, against the real Docker engine', () => {
  it('reports the engine version, API version and endpoint', async () => {
    const answer = await question('status');
    const [version, api, os] = (await docker('version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}')).split(' ').concat(
      await docker('info', '--format', '{{.OperatingSystem}}'),
    );
    expect(answer.tables[0]!.rows).toEqual([['Docker', 'answers', `Docker ${version} (API ${api}) at unix:///var/run/docker.sock`]]);
    expect(answer.facts).toContainEqual({ label: 'Docker engine', value: `${version} (API ${api})` });
    expect(answer.facts).toContainEqual({ label: 'Docker Desktop', value: 'no' });
    expect(answer.facts.find((f) => f.label === 'Docker host OS')!.value).toContain(os);
    expect(answer.summary).toBe('Every backend answers: Docker.');
  });
});
