import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { ask } from '../../../src/core/ask.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { assembleDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { DockerEngine } from '../../../src/sources/docker.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { DockerFixtures, ensureBusyboxImages, inspect } from '../../support/docker-fixtures.js';

/**
 * `container` and `network <name>` ask the engine's /info (its slowest read) only the first time they meet an engine: after
 * that, whether it is Docker Desktop comes from what /info said, for as long as the engine is the same
 * one (its host and none networks' IDs). Each DockerEngine here stands for one run of the CLI; the engine
 * is the real one, reached through a socket that passes every request on and records its path.
 */
describeNeeding(DOCKER, 'container and network remember which engine they asked /info of', () => {
  const fx = new DockerFixtures();
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-engine-identity-'));
  const socket = join(dir, 'docker.sock');
  const identityFile = join(dir, 'cache', 'docker-engines.json');
  const paths: string[] = [];
  let proxy: Server;
  let name = '';
  const registry = new CommandRegistry(COMMANDS);

  beforeAll(async () => {
    await ensureBusyboxImages();
    name = await fx.runContainer('ident');
    proxy = createServer((client) => {
      const engine = connect('/var/run/docker.sock');
      client.on('data', (chunk: Buffer) => {
        for (const m of chunk.toString('latin1').matchAll(/^GET (\S+) HTTP\/1\.1\r$/gm)) paths.push(m[1]!.replace(/\?.*/, ''));
      });
      client.pipe(engine).pipe(client);
      client.on('error', () => engine.destroy());
      engine.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(socket, resolve));
  });

  afterAll(async () => {
    await new Promise((r) => proxy.close(r));
    await fx.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One run's answer and the engine paths it asked. */
  async function run(question = `container ${name}`): Promise<{ summary?: string; warnings: string[]; asked: string[] }> {
    paths.length = 0;
    const config = loadConfig({ DOCKER_HOST: `unix://${socket}` });
    const docker = new DockerEngine({ ...config.docker, identityFile });
    const answer = await ask(question, registry, assembleDeps({ config, log: createLogger('silent'), docker }));
    return { summary: answer.summary, warnings: answer.warnings, asked: [...paths] };
  }

  it('the first answer asks /info and keeps what it said; the next answers (new processes) ask no /info and say the same', async () => {
    const first = await run();
    expect(first.asked).toContain('/info');
    expect(first.summary).toMatch(/reachable from the Docker host without publishing/);
    const kept = JSON.parse(readFileSync(identityFile, 'utf8')) as Record<string, { operatingSystem?: string }>;
    const hostNetwork = (await inspect<{ Id: string }>('host', 'network')).Id;
    expect(Object.keys(kept)).toEqual([expect.stringContaining(hostNetwork)]);
    expect(Object.values(kept)[0]!.operatingSystem).toBeTruthy();

    for (const again of [await run(), await run()]) {
      expect(again.asked).not.toContain('/info');
      expect(again.asked).toEqual(expect.arrayContaining(['/networks', `/containers/${name}/json`]));
      expect(again).toMatchObject({ summary: first.summary, warnings: first.warnings });
    }
  });

  it('an engine with other network IDs behind the same socket is asked afresh, not taken for the one remembered', async () => {
    // What a Docker Desktop VM that once answered on this socket would have left behind.
    writeFileSync(identityFile, JSON.stringify({ [`unix://${socket} 1111 2222`]: { operatingSystem: 'Docker Desktop', name: 'docker-desktop', kernelVersion: '6.10.14-linuxkit' } }));
    const answer = await run();
    expect(answer.asked).toContain('/info');
    expect(answer.summary).toMatch(/reachable from the Docker host without publishing/);
    expect(answer.warnings.join(' ')).not.toMatch(/Docker Desktop/);
  });

  it('a cache file that is not JSON is asked past, and written again', async () => {
    writeFileSync(identityFile, '{ half a file');
    expect((await run()).asked).toContain('/info');
    expect((await run()).asked).not.toContain('/info');
  });

  it('`network` asks the same way: /info for the first answer only, then the remembered identity', async () => {
    rmSync(identityFile, { force: true });
    const first = await run('network bridge');
    expect(first.asked).toContain('/info');
    expect(first.summary).toBeTruthy();
    const bridge = (await inspect<{ Id: string }>('bridge', 'network')).Id;
    for (const again of [await run('network bridge'), await run('network bridge')]) {
      expect(again.asked).not.toContain('/info');
      expect(again.asked).toEqual(expect.arrayContaining(['/networks', `/networks/${bridge}`, '/containers/json']));
      expect(again).toMatchObject({ summary: first.summary, warnings: first.warnings });
    }
    // What `container` kept serves `network` too: the same engine, the same file.
    expect((await run()).asked).not.toContain('/info');
  });
});
