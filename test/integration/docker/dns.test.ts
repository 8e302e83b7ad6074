import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { ask } from '../../../src/core/ask.js';
import { UserError } from '../../../src/core/errors.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { DockerFixtures, docker, ensureBusyboxImages } from '../../support/docker-fixtures.js';

const registry = new CommandRegistry(COMMANDS);
const log = createLogger('silent');

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('it did not fail');
}

describeNeeding(DOCKER, 'dns through Docker\'s embedded resolver, from inside a container and from the host', () => {
  const fx = new DockerFixtures();
  let net = { name: '', subnet: '' };
  let a = '';
  let b = '';
  let bIp = '';
  let pidA = 0;
  let dir = '';
  let inside: ReturnType<typeof buildDeps>;
  let off: ReturnType<typeof buildDeps>;

  beforeAll(async () => {
    await ensureBusyboxImages();
    net = await fx.createNetwork('dns');
    // Names Docker's resolver does not know are forwarded upstream: the upstream is an unassigned address in
    // this test's own subnet, so no query ever leaves the machine. The search list and ndots are ours.
    const upstream = net.subnet.replace(/\.0\/24$/, '.250');
    a = await fx.runContainer('a', ['--network', net.name, '--dns', upstream, '--dns-search', 'netpeek.test', '--dns-option', 'ndots:1']);
    b = await fx.runContainer('b', ['--network', net.name]);
    bIp = await docker('inspect', '--format', `{{(index .NetworkSettings.Networks "${net.name}").IPAddress}}`, b);
    pidA = Number(await docker('inspect', '--format', '{{.State.Pid}}', a));
    // The bot's "own" resolver for this test: Docker's embedded resolver address, which on the host is
    // nothing (loopback, no listener) — the host must not be asked to resolve through a real nameserver.
    dir = await mkdtemp(join(tmpdir(), 'netpeek-dns-'));
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.11\nsearch netpeek.test\noptions ndots:1\n');
    inside = buildDeps(loadConfig({ NETPEEK_WORKLOAD_VANTAGE: 'true', NETPEEK_DNS_RESOLV_CONF: join(dir, 'resolv.conf') }), log);
    off = buildDeps(loadConfig({ NETPEEK_DNS_RESOLV_CONF: join(dir, 'resolv.conf') }), log);
  }, 180_000);

  afterAll(async () => {
    await fx.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('dns B --from A: A\'s own resolv.conf, the search domain first, then B. answered by 127.0.0.11 inside A', async () => {
    const answer = await ask(`dns ${b} --from ${a}`, registry, inside);
    expect(answer.facts).toEqual(expect.arrayContaining([
      { label: 'Asked from', value: `inside ${a}` },
      { label: 'resolv.conf', value: `/proc/${pidA}/root/etc/resolv.conf` },
      { label: 'Nameservers', value: '127.0.0.11' },
      { label: 'Search', value: 'netpeek.test' },
      { label: 'ndots', value: '1' },
    ]));
    const rows = answer.tables[0]!.rows;
    expect(rows.map((r) => [r[1], r[2]])).toEqual([[`${b}.netpeek.test.`, 'search netpeek.test'], [`${b}.`, 'as-is']]);
    expect(rows[0]![3]).not.toBe(bIp);
    expect(rows[1]![3]).toBe(bIp);
    expect(answer.summary).toMatch(new RegExp(`^${b} resolves to ${bIp.replace(/\./g, '\\.')} from inside ${a} \\(as ${b}\\., [\\d.]+ ms\\)\\.$`));
    expect(answer.explanations.join(' ')).toContain("127.0.0.11 is Docker's embedded resolver");
  });

  it('the same question from the host: 127.0.0.11 is not there, so the container name does not resolve', async () => {
    const answer = await ask(`dns ${b}`, registry, inside);
    expect(answer.facts).toContainEqual({ label: 'Asked from', value: "the bot's host" });
    expect(answer.facts).toContainEqual({ label: 'resolv.conf', value: join(dir, 'resolv.conf') });
    expect(answer.summary).toMatch(new RegExp(`^${b} does not resolve from the bot's host, with its own resolver: ${b}\\.netpeek\\.test\\. (refused|timeout), ${b}\\. (refused|timeout)\\.$`));
  });

  it('with NETPEEK_WORKLOAD_VANTAGE off, --from says plainly that the host asked instead', async () => {
    const answer = await ask(`dns ${b} --from ${a}`, registry, off);
    expect(answer.facts).toContainEqual({ label: 'Asked from', value: "the bot's host" });
    expect(answer.warnings[0]).toMatch(new RegExp(`^Probed from the Docker host, not from inside ${a}: NETPEEK_WORKLOAD_VANTAGE is off\\.`));
  });

  it('bad input: not a DNS name, an unknown --type, --from an address', async () => {
    expect((await userError(ask('dns a..b', registry, inside))).message).toBe('"a..b" is not a DNS name.');
    expect((await userError(ask(`dns ${b} --type MX`, registry, inside))).message).toBe('--type takes A, AAAA, SRV or PTR; got "MX".');
    expect((await userError(ask(`dns ${b} --from 10.0.0.1`, registry, inside))).message).toMatch(/^--from takes a container or a pod, not an address|is not inside any network netpeek knows/);
  });
});
