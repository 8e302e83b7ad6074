/**
 * The host firewall in `why`'s Docker route step: a real DOCKER-USER rule, inserted by this test for
 * its own two containers only (its own network's addresses, a unique comment), drops the path; the
 * route step names the rule and how to delete it. The rule is removed afterwards — only the ones this
 * test added, found by their comment. Probes go only to this test's containers.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import type { Answer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER, ICMP, NETNS } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, ensureBusyboxImages, inspect, untilListening } from '../../support/docker-fixtures.js';

const run = promisify(execFile);
const registry = new CommandRegistry(COMMANDS);
const deps = buildDeps(loadConfig({ KUBECONFIG: '/nonexistent/kubeconfig' }), createLogger('silent'));
const insideDeps = buildDeps(loadConfig({ KUBECONFIG: '/nonexistent/kubeconfig', NETPEEK_WORKLOAD_VANTAGE: 'true' }), createLogger('silent'));
const step = (a: Answer, id: string) => a.diagnosis!.steps.find((x) => x.id === id)!;
const COMMENT = `netpeek-why-test-${randomBytes(4).toString('hex')}`;

/** The DOCKER-USER rules carrying this run's comment, as `iptables -S` prints them. */
async function ourRules(): Promise<string[]> {
  const { stdout } = await run('iptables', ['-S', 'DOCKER-USER']);
  return stdout.split('\n').filter((l) => l.includes(COMMENT));
}

async function removeOurRules(): Promise<void> {
  for (const line of await ourRules()) {
    // "-A DOCKER-USER <spec>" → "iptables -D DOCKER-USER <spec>": the exact rule, nobody else's.
    const spec = line.replace(/^-A DOCKER-USER /, '').match(/"[^"]*"|\S+/g)!.map((t) => t.replace(/^"|"$/g, ''));
    await run('iptables', ['-D', 'DOCKER-USER', ...spec]);
  }
}

interface Inspected {
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

describeNeeding([...DOCKER, ...ICMP, ...NETNS, 'iptables'], 'why: a DOCKER-USER rule in the route step', () => {
  const fx = new DockerFixtures();
  let net = { name: '', subnet: '' };
  const c = { web: '', db: '' };
  let webIp = '';
  let dbIp = '';

  beforeAll(async () => {
    await ensureBusyboxImages();
    net = await fx.createNetwork('why-fw');
    c.db = await fx.runContainer('fw-db', ['--network', net.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '8080']);
    c.web = await fx.runContainer('fw-web', ['--network', net.name], BUSYBOX_IMAGE, ['sleep', '600']);
    await untilListening(c.db, 8080);
    dbIp = (await inspect<Inspected>(c.db)).NetworkSettings.Networks[net.name]!.IPAddress;
    webIp = (await inspect<Inspected>(c.web)).NetworkSettings.Networks[net.name]!.IPAddress;
  }, 180_000);

  afterAll(async () => {
    await removeOurRules();
    await fx.cleanup();
    expect(await ourRules()).toEqual([]);
  }, 60_000);

  it('without a rule of ours the route passes; with one dropping web → db:8080 it fails, naming the rule and its deletion', async () => {
    const before = await ask(`why ${c.web} ${c.db} --port 8080 --no-probe`, registry, deps);
    expect(step(before, 'route').status).toBe('pass');
    expect(step(before, 'route').evidence).not.toContain(COMMENT);

    await run('iptables', ['-I', 'DOCKER-USER', '1', '-s', `${webIp}/32`, '-d', `${dbIp}/32`, '-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', COMMENT, '-j', 'DROP']);
    const a = await ask(`why ${c.web} ${c.db} --port 8080 --no-probe`, registry, deps);
    expect(a.diagnosis!.firstFailure).toBe('route');
    const route = step(a, 'route');
    expect(route.evidence).toContain(`${c.web} and ${c.db} share network ${net.name}`);
    expect(route.evidence).toMatch(new RegExp(`But the Docker host's firewall drops ${c.web} \\(${webIp.replace(/\./g, '\\.')}\\) → ${dbIp.replace(/\./g, '\\.')}:8080/tcp: DOCKER-USER rule (\\d+) \`-A DOCKER-USER -s ${webIp.replace(/\./g, '\\.')}/32 -d ${dbIp.replace(/\./g, '\\.')}/32 -p tcp .*${COMMENT}.* -j DROP\` \\(“${COMMENT}”\\) drops it before Docker's own rules\\.$`));
    const index = /DOCKER-USER rule (\d+)/.exec(route.evidence)![1];
    expect(route.fix).toBe(`Delete or narrow that rule (\`iptables -D DOCKER-USER ${index}\` deletes it; or insert an ACCEPT for this path above it).`);
    expect(a.summary).toMatch(/^Broken at route: /);

    // Another port is not dropped by it: the route passes.
    const other = await ask(`why ${c.web} ${c.db} --port 8081 --no-probe`, registry, deps);
    expect(step(other, 'route').status).toBe('pass');
  });

  it('with the workload vantage, the probe from inside web confirms it: no answer before the timeout', async () => {
    if ((await ourRules()).length === 0) {
      await run('iptables', ['-I', 'DOCKER-USER', '1', '-s', `${webIp}/32`, '-d', `${dbIp}/32`, '-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', COMMENT, '-j', 'DROP']);
    }
    const a = await ask(`why ${c.web} ${c.db} --port 8080`, registry, insideDeps);
    expect(a.diagnosis!.firstFailure).toBe('route');
    // The connect got no answer, so an echo went after it: the rule drops TCP 8080 only, and db answers the echo.
    expect(step(a, 'probe')).toMatchObject({ status: 'fail', evidence: `TCP ${dbIp}:8080 from inside ${c.web}: no answer before the timeout, though ${dbIp} answers an ICMP echo: something drops TCP to port 8080 on the way (a firewall, a NetworkPolicy).` });
    expect(a.probes.map((p) => [p.kind, p.ok])).toEqual([['icmp', true], ['tcp', false]]);
    await removeOurRules();
    const after = await ask(`why ${c.web} ${c.db} --port 8080`, registry, insideDeps);
    expect(after.diagnosis!.firstFailure).toBeNull();
    expect(step(after, 'probe').status).toBe('pass');
    // A connection made proves the address is there: no echo is sent beside it.
    expect(after.probes.map((p) => [p.kind, p.ok])).toEqual([['tcp', true]]);
  });
});
