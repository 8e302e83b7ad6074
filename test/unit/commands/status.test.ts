import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { DockerEngine } from '../../../src/sources/docker.js';
import { dockerDesktopFake } from '../../support/docker-desktop-fake.js';

const registry = new CommandRegistry(COMMANDS);
const base: Deps = assembleDeps({ config: loadConfig({}), log: createLogger('silent') });

describe('status', () => {
  it('answers when the engine is down, with the reason as a fact', async () => {
    const docker = new DockerEngine({ host: 'unix:///nonexistent/docker.sock', timeoutMs: 1000 });
    const answer = await ask('status', registry, { ...base, docker });
    const reason = 'The Docker engine at unix:///nonexistent/docker.sock did not answer: no socket there';
    expect(answer.facts).toEqual([{ label: 'Docker', value: reason }]);
    expect(answer.tables[0]!.rows).toEqual([['Docker', 'does not answer', reason]]);
    expect(answer.summary).toBe(`No backend answers: ${reason}`);
    expect(answer.hints.join(' ')).toMatch(/Start the Docker engine/);
  });

  it('answers when no engine is configured', async () => {
    const answer = await ask('status', registry, base);
    expect(answer.tables[0]!.rows).toEqual([['Docker', 'does not answer', 'No Docker engine is configured.']]);
  });

  it('recognises Docker Desktop', async () => {
    const answer = await ask('status', registry, { ...base, docker: dockerDesktopFake() });
    expect(answer.facts).toContainEqual({ label: 'Docker Desktop', value: 'yes — the engine runs in a VM' });
    expect(answer.facts).toContainEqual({ label: 'Docker engine', value: '27.3.1 (API 1.47)' });
    expect(answer.facts).toContainEqual({ label: 'Docker host OS', value: 'Docker Desktop, linux/aarch64' });
    expect(answer.explanations.join(' ')).toMatch(/Linux VM/);
  });
});
