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

describe('container on Docker Desktop (the engine is in a VM)', () => {
  it('warns that this machine cannot reach the private address and says how to get into the VM', async () => {
    const answer = await ask('container webserver-1', registry, { ...base, docker: dockerDesktopFake() });
    expect(answer.addresses[0]).toMatchObject({ ip: '172.17.0.2', prefixLength: 16, subnet: '172.17.0.0/16', broadcast: '172.17.255.255', gateway: '172.17.0.1' });
    expect(answer.summary).toMatch(/reachable from inside Docker Desktop's VM without publishing; other machines only through \*:8080 → 172\.17\.0\.2:80\/tcp/);
    expect(answer.warnings.join(' ')).toMatch(/Docker Desktop's VM.*172\.17\.0\.2 cannot be reached directly/);
    expect(answer.explanations.join(' ')).toMatch(/runs the engine inside a small Linux VM/);
    expect(answer.hints.join('\n')).toContain('nc -U ~/Library/Containers/com.docker.docker/Data/debug-shell.sock');
    expect(answer.hints.join('\n')).toContain('justincormack/nsenter1');
    // 0.0.0.0 and :: bindings of one -p are one published port.
    expect(answer.ports).toEqual([expect.objectContaining({ port: 80, source: 'publish', hostPort: 8080 })]);
  });
});

describe('container when the engine cannot be asked', () => {
  it('names the endpoint when the engine is down', async () => {
    const docker = new DockerEngine({ host: 'unix:///nonexistent/docker.sock', timeoutMs: 1000 });
    const err = await ask('container webserver-1', registry, { ...base, docker }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ code: 'backend_unavailable', message: 'The Docker engine at unix:///nonexistent/docker.sock did not answer: no socket there' });
  });

  it('says so when no engine is configured', async () => {
    const err = await ask('ctr webserver-1', registry, base).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).message).toMatch(/no Docker engine/);
    expect((err as BackendError).details.join(' ')).toMatch(/DOCKER_HOST/);
  });
});
