import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import type { Answer } from '../../../src/core/answer.js';
import { ask } from '../../../src/core/ask.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { DockerEngine } from '../../../src/sources/docker.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { BUSYBOX_EXPOSE_IMAGE, BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages, freeTcpPort, untilListening } from '../../support/docker-fixtures.js';

const registry = new CommandRegistry(COMMANDS);
const config = loadConfig({});
const deps: Deps = assembleDeps({ config, log: createLogger('silent'), docker: new DockerEngine(config.docker) });
const question = (text: string): Promise<Answer> => ask(text, registry, deps);


describeNeeding(DOCKER, 'container: what listens inside the namespace, read from /proc', () => {
  const fx = new DockerFixtures();
  const c = { loopback: '', expose: '', groupOwner: '', groupMember: '', groupClash: '' };
  let hostPort = 0;

  beforeAll(async () => {
    await ensureBusyboxImages();
    hostPort = await freeTcpPort();
    // The classic: published port, server bound to 127.0.0.1 inside the container.
    c.loopback = await fx.runContainer('loopback', ['-p', `127.0.0.1:${hostPort}:8080`], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '127.0.0.1:8080']);
    // Image says EXPOSE 8080; the server listens on 9090 instead.
    c.expose = await fx.runContainer('expose', [], BUSYBOX_EXPOSE_IMAGE, ['httpd', '-f', '-p', '9090']);
    // A container: group: owner on 8081, member on 8082, and a third whose server wants the owner's 8081.
    c.groupOwner = await fx.runContainer('grp-owner', [], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '8081']);
    await untilListening(c.groupOwner, 8081);
    c.groupMember = await fx.runContainer('grp-member', ['--network', `container:${c.groupOwner}`], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '8082']);
    c.groupClash = await fx.runContainer('grp-clash', ['--network', `container:${c.groupOwner}`], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '8081']);
    await Promise.all([untilListening(c.loopback, 8080), untilListening(c.expose, 9090), untilListening(c.groupOwner, 8082)]);
  }, 120_000);

  afterAll(() => fx.cleanup());

  it('a published port whose server binds 127.0.0.1 only: loud warning, JSON field with address, port, process', async () => {
    const answer = await question(`container ${c.loopback}`);
    const fact = answer.listening?.find((l) => l.port === 8080);
    expect(fact).toMatchObject({ protocol: 'tcp', addresses: ['127.0.0.1'], verdict: 'loopback-only-declared', warning: true, process: { command: 'httpd' } });
    expect(fact!.declaredAs).toContain('published');
    const warning = answer.warnings.find((w) => w.includes('8080/tcp'));
    expect(warning).toContain('127.0.0.1 only');
    expect(warning).toContain('Make the server listen on 0.0.0.0');
    const table = answer.tables.find((t) => t.title.startsWith('Listening sockets'));
    expect(table?.rows.find((r) => r[0] === '8080/tcp')).toContain('LOOPBACK ONLY: unreachable from outside');
  });

  it('EXPOSE 8080 while the server listens on 9090: 9090 undeclared but reachable, 8080 nothing listening', async () => {
    const answer = await question(`container ${c.expose}`);
    const ip = answer.addresses[0]!.ip;
    expect(answer.listening?.map((l) => [l.port, l.verdict])).toEqual([[9090, 'undeclared'], [8080, 'nothing-listening']]);
    expect(answer.listening![0]!.note).toContain('works anyway');
    expect(answer.listening![0]!.addresses[0]).toMatch(/^(0\.0\.0\.0|::)$/);
    expect(answer.warnings.join(' ')).toContain(`8080/tcp is exposed but nothing listens on it in the namespace: connections to ${ip}:8080 are refused`);
  });

  it('a container: group: each port names the container that owns it, and the clashing server holds nothing', async () => {
    const answer = await question(`container ${c.groupMember}`);
    const byPort = new Map(answer.listening!.map((l) => [l.port, l]));
    expect(byPort.get(8081)).toMatchObject({ container: c.groupOwner, process: { command: 'httpd' } });
    expect(byPort.get(8082)).toMatchObject({ container: c.groupMember, process: { command: 'httpd' } });
    // The second httpd on 8081 failed to bind and exited, so the owner's is the only listener.
    expect(await docker('inspect', '--format', '{{.State.Running}}', c.groupClash)).toBe('false');
    expect([...byPort.keys()].filter((p) => p === 8081)).toHaveLength(1);
    const table = answer.tables.find((t) => t.title.startsWith('Listening sockets'))!;
    expect(table.columns).toContain('Container');
  });
});
