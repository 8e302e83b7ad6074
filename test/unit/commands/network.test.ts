import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { BackendError } from '../../../src/core/errors.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { DockerEngine } from '../../../src/sources/docker.js';
import { dockerDesktopFake } from '../../support/docker-desktop-fake.js';

const registry = new CommandRegistry(COMMANDS);
const base: Deps = assembleDeps({ config: loadConfig({}), log: createLogger('silent') });

describe('network on Docker Desktop', () => {
  it('says the subnet exists only inside the VM', async () => {
    const answer = await ask('network bridge', registry, { ...base, docker: dockerDesktopFake() });
    expect(answer.warnings.join(' ')).toMatch(/172\.17\.0\.0\/16 exists only inside that VM/);
    expect(answer.tables.find((t) => t.title === 'Subnets')!.rows).toEqual([['172.17.0.0/16', '172.17.0.1', '172.17.255.255', '—']]);
    expect(answer.hints.join('\n')).toContain('debug-shell.sock');
  });
});

describe('network when the engine cannot be asked', () => {
  it('names the endpoint, with and without a name', async () => {
    const docker = new DockerEngine({ host: 'unix:///nonexistent/docker.sock', timeoutMs: 1000 });
    for (const text of ['network', 'net bridge']) {
      const err = await ask(text, registry, { ...base, docker }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as BackendError).message).toContain('unix:///nonexistent/docker.sock did not answer');
    }
  });

  it('rejects an impossible name before asking', async () => {
    const docker = new DockerEngine({ host: 'unix:///nonexistent/docker.sock', timeoutMs: 1000 });
    await expect(ask('network .hidden', registry, { ...base, docker })).rejects.toMatchObject({ code: 'bad_input' });
  });
});
