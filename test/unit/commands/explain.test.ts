import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { ask } from '../../../src/core/ask.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { UserError } from '../../../src/core/errors.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { TOPICS } from '../../../src/net/topics.js';

const registry = new CommandRegistry(COMMANDS);
const deps: Deps = assembleDeps({ config: loadConfig({}), log: createLogger('silent') });

describe('explain', () => {
  it('explains a topic with its sentences and related commands', async () => {
    const answer = await ask('explain publish', registry, deps);
    expect(answer).toMatchObject({ command: 'explain', title: 'explain publish', subject: { kind: 'topic', name: 'publish' } });
    expect(answer.summary).toMatch(/hostIP:hostPort/);
    expect(answer.explanations.join(' ')).toMatch(/forward connections on hostIP:hostPort/);
    expect(answer.hints[0]).toMatch(/`container <name>`/);
  });

  it('takes aliases: sharing and container-network mean namespace', async () => {
    for (const word of ['sharing', 'container-network', 'namespace']) {
      expect((await ask(`explain ${word}`, registry, deps)).subject?.name).toBe('namespace');
    }
  });

  it('lists the topics without one', async () => {
    const answer = await ask('explain', registry, deps);
    expect(answer.tables[0]!.rows.map((r) => r[0])).toEqual(TOPICS.map((t) => t.id));
  });

  it('answers an unknown topic with the list and a suggestion', async () => {
    const err = await ask('explain publsh', registry, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('netpeek has no explanation for "publsh". Did you mean "publish"?');
    expect((err as UserError).details[0]).toBe('Topics: bridge, expose, publish, namespace, host-network, docker-desktop, veth, pod-ip, pod-ports, host-network-pod, service');
  });
});
